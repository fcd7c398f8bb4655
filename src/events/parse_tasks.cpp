// SPDX-License-Identifier: Apache-2.0
#include "parse_tasks.hpp"

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "csv.hpp"
#include "weft/go/blocks.hpp"
#include "weft/go/chan.hpp"
#include "weft/go/go.hpp"
#include "weft/go/wait_group.hpp"

namespace weft::events {
namespace {

// Range is one record-aligned part of the text for one parser.
struct Range {
  std::int64_t index = 0, begin = 0, end = 0, line = 0;
};

// Parsed is a parser's result for range `index`.
struct Parsed {
  std::int64_t index = 0;
  ChunkResult result;
};

std::string_view part(std::string_view s, std::int64_t begin, std::int64_t end) {
  return s.substr(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin));
}

std::vector<ChunkResult> by_blocks(const TextJob& job, int threads) {
  const std::string_view text = job.text;
  const auto n = static_cast<std::int64_t>(text.size());
  const std::int64_t cb = job.config->chunk_bytes;
  const std::int64_t blocks = std::max<std::int64_t>(1, (n + cb - 1) / cb);
  std::vector<std::int64_t> q(static_cast<std::size_t>(blocks)), s(q.size()), lines(q.size());
  std::vector<ChunkResult> results(q.size());
  auto piece = [&](std::int64_t b) {
    return part(text, std::min(n, b * cb), std::min(n, b * cb + cb));
  };
  go::parallel_blocks(
      threads, blocks,
      [&](std::int64_t b, int) { q[static_cast<std::size_t>(b)] = count_quotes(piece(b)); },
      "quotes");
  std::int64_t parity = 0;
  for (std::int64_t b = 0; b < blocks; ++b) {
    const auto i = static_cast<std::size_t>(b);
    const std::int64_t f = b == 0 ? 0 : first_start(piece(b), parity % 2 == 1);
    s[i] = f == kNoStart ? kNoStart : std::min(n, b * cb) + f;
    parity += q[i];
  }
  resolve_starts(s, n);
  std::int64_t line = job.first_line;
  for (std::int64_t b = 0; b < blocks; ++b) {
    const auto i = static_cast<std::size_t>(b);
    lines[i] = line;
    line += count_newlines(part(text, s[i], b + 1 < blocks ? s[i + 1] : n));
  }
  go::parallel_blocks(
      threads, blocks,
      [&](std::int64_t b, int) {
        const auto i = static_cast<std::size_t>(b);
        parse_text(part(text, s[i], b + 1 < blocks ? s[i + 1] : n), lines[i], job, results[i]);
      },
      "parse");
  return results;
}

std::vector<ChunkResult> by_pipeline(const TextJob& job, int threads, double& parked_seconds) {
  const std::string_view text = job.text;
  const auto n = static_cast<std::int64_t>(text.size());
  const std::int64_t cb = job.config->chunk_bytes;
  go::Chan<Range> ranges(static_cast<std::size_t>(2 * threads), "events ranges");
  go::Chan<Parsed> parsed(static_cast<std::size_t>(2 * threads), "events parsed");
  std::atomic<std::int64_t> parked_ns{0};
  auto timed = [&](auto&& op) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = op();
    parked_ns +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    return r;
  };
  // The splitter: record starts chunk after chunk, the quote parity carried along.
  go::TaskOptions split;
  split.name = "events split";
  go::go(split, [&] {
    std::int64_t parity = 0, start = 0, line = job.first_line, index = 0;
    for (std::int64_t b = 1; b * cb < n; ++b) {
      parity += count_quotes(part(text, (b - 1) * cb, b * cb));
      const std::int64_t f =
          first_start(part(text, b * cb, std::min(n, b * cb + cb)), parity % 2 == 1);
      if (f == kNoStart) continue;
      const Range r{index++, start, b * cb + f, line};
      line += count_newlines(part(text, r.begin, r.end));
      start = r.end;
      timed([&] { return (ranges.send(r), 0); });
    }
    timed([&] { return (ranges.send(Range{index, start, n, line}), 0); });
    ranges.close();
  });
  go::WaitGroup parsers;
  parsers.add(threads);
  for (int w = 0; w < threads; ++w) {
    go::TaskOptions o;
    const std::string name = "events parse[" + std::to_string(w) + "]";
    o.name = name;
    go::go(o, [&] {
      while (const std::optional<Range> r = timed([&] { return ranges.recv(); })) {
        Parsed p;
        p.index = r->index;
        parse_text(part(text, r->begin, r->end), r->line, job, p.result);
        timed([&] { return (parsed.send(std::move(p)), 0); });
      }
      parsers.done();
    });
  }
  go::TaskOptions closer;
  closer.name = "events close";
  go::go(closer, [&] {
    parsers.wait();
    parsed.close();
  });
  std::vector<ChunkResult> results;
  while (std::optional<Parsed> p = timed([&] { return parsed.recv(); })) {
    if (static_cast<std::size_t>(p->index) >= results.size())
      results.resize(static_cast<std::size_t>(p->index) + 1);
    results[static_cast<std::size_t>(p->index)] = std::move(p->result);
  }
  parked_seconds += static_cast<double>(parked_ns.load()) * 1e-9;
  return results;
}

}  // namespace

std::vector<ChunkResult> parse_chunks(const TextJob& job, go::Executor& exec,
                                      double& parked_seconds) {
  std::vector<ChunkResult> out;
  const int threads = exec.threads();
  exec.run([&] {
    if (exec.scheduler() == go::Scheduler::fibers)
      out = by_pipeline(job, threads, parked_seconds);
    else
      out = by_blocks(job, threads);
  });
  return out;
}

}  // namespace weft::events
