// SPDX-License-Identifier: Apache-2.0
// weft-make-events (run as tools/make-events): a seeded synthetic events
// CSV, generated in blocks of rows by --jobs threads and written in order,
// so the bytes depend on the seed and options only. Exit 2 on bad options
// (nothing written), 3 on a failed run (partial files removed).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "options.hpp"
#include "plan.hpp"
#include "rows.hpp"
#include "truth.hpp"

namespace fs = std::filesystem;
using namespace weft::events_gen;

namespace {

constexpr std::uint64_t kBlockRows = 1 << 16;

// generate_all writes the rows to `csv` and returns the tally.
Tally generate_all(const Plan& plan, std::FILE* csv) {
  const Options& o = plan.options();
  const std::uint64_t nblocks = (o.rows + kBlockRows - 1) / kBlockRows;
  const auto jobs = static_cast<std::uint64_t>(o.jobs);
  std::vector<Block> ready(jobs), next(jobs);
  Tally tally;
  std::vector<std::uint64_t> history(static_cast<std::size_t>(o.patterns), 0);
  std::uint64_t line = 2;  // the header is line 1
  const char* eol = o.crlf ? "\r\n" : "\n";
  std::fprintf(csv, "%s%s", header(o.domain), eol);

  auto launch = [&](std::uint64_t b0, std::vector<Block>& out) {
    std::vector<std::jthread> threads;
    for (std::uint64_t j = 0; j < jobs && b0 + j < nblocks; ++j) {
      std::uint64_t lo = (b0 + j) * kBlockRows, hi = std::min(o.rows, lo + kBlockRows);
      threads.emplace_back([&plan, lo, hi, &blk = out[j]] { generate_block(plan, lo, hi, blk); });
    }
    return threads;
  };
  { auto first = launch(0, next); }
  for (std::uint64_t b0 = 0; b0 < nblocks; b0 += jobs) {
    ready.swap(next);
    auto running = b0 + jobs < nblocks ? launch(b0 + jobs, next) : std::vector<std::jthread>{};
    for (std::uint64_t j = 0; j < jobs && b0 + j < nblocks; ++j) {
      const Block& b = ready[j];
      if (std::fwrite(b.text.data(), 1, b.text.size(), csv) != b.text.size())
        throw std::runtime_error("write failed (disk full?)");
      for (auto [reason, local] : b.bad) tally.bad_lines[reason].push_back(line + local);
      for (std::size_t k = 0; k < b.history.size(); ++k) history[k] += b.history[k];
      line += b.lines;
      tally.rows += b.rows;
    }
  }  // `running` joins at the end of each round
  for (const Pattern& p : plan.patterns())
    if (p.kind == PatternKind::outlier && history[p.key] < static_cast<std::uint64_t>(o.zscore_min))
      throw std::runtime_error("outlier account " + std::to_string(p.key) + " has only " +
                               std::to_string(history[p.key]) +
                               " prior events (needs --zscore-min " + std::to_string(o.zscore_min) +
                               "): raise --rows, lower --keys or --patterns");
  return tally;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    if (!parse_options(argc, argv, o)) return 0;
  } catch (const BadInput& e) {
    std::cerr << "make-events: " << e.what() << "\n";
    return 2;
  }
  const std::string truth = o.out + ".truth.json";
  const std::string tmp = o.out + ".part";
  try {
    const Plan plan(o);
    const auto t0 = std::chrono::steady_clock::now();
    std::FILE* csv = std::fopen(tmp.c_str(), "wb");
    if (csv == nullptr) throw BadInput("cannot create " + tmp + ": check the directory of --out");
    static char buffer[1 << 22];
    std::setvbuf(csv, buffer, _IOFBF, sizeof buffer);
    Tally tally;
    try {
      tally = generate_all(plan, csv);
    } catch (...) {
      std::fclose(csv);
      throw;
    }
    if (std::fclose(csv) != 0) throw std::runtime_error("closing " + tmp + " failed (disk full?)");
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (o.domain == Domain::transactions) write_rates(plan, o.rates);
    write_truth(plan, tally, fs::path(o.out).filename().string(),
                o.rates.empty() ? "" : fs::path(o.rates).filename().string(), truth);
    fs::rename(tmp, o.out);
    std::cerr << "make-events: " << tally.rows << " rows in " << secs << " s ("
              << static_cast<double>(tally.rows) / secs << " rows/s, " << o.jobs << " jobs) -> "
              << o.out << "\n";
  } catch (const BadInput& e) {
    std::cerr << "make-events: " << e.what() << "\n";
    std::error_code ec;
    fs::remove(tmp, ec);
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "make-events: " << e.what() << "\n";
    std::error_code ec;
    fs::remove(tmp, ec);
    fs::remove(truth, ec);
    return 3;
  }
  return 0;
}
