// SPDX-License-Identifier: Apache-2.0
#include "options.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <vector>

#include "civil.hpp"

namespace weft::events_gen {

bool parse_options(int argc, char** argv, Options& o) {
  CLI::App app{
      "weft-make-events: a seeded synthetic events CSV (transactions or sensor readings) with "
      "injected patterns and malformed rows, and its ground truth <out>.truth.json "
      "(docs/events-data.md)"};
  std::string domain = "transactions";
  double malformed = 0.0;
  std::vector<std::string> kinds;
  app.add_option("--domain", domain, "transactions or sensors")->capture_default_str();
  app.add_option("--rows", o.rows, "rows (slots) to generate, 1000 to 10^9")->capture_default_str();
  app.add_option("--seed", o.seed, "seed: the same seed gives the same bytes")
      ->capture_default_str();
  app.add_option("--out", o.out, "the events CSV to write")->required();
  app.add_option("--rates", o.rates, "the rates CSV (transactions; default <out stem>.rates.csv)");
  app.add_option("--keys", o.keys, "accounts (Zipf-distributed) or sensors (round robin)")
      ->capture_default_str();
  app.add_option("--zipf", o.zipf, "Zipf exponent s of the accounts")->capture_default_str();
  app.add_option("--malformed", malformed, "fraction of malformed rows, split over the kinds");
  app.add_option("--malformed-kind", kinds, "reason=fraction for one kind (repeatable)");
  app.add_flag("--crlf", o.crlf, "CRLF line ends");
  bool no_newlines = false;
  app.add_flag("--no-quoted-newlines", no_newlines,
               "no counterparty holds a newline (DuckDB then reads the file in parallel)");
  app.add_option("--start", o.start, "first day, YYYY-MM-DD")->capture_default_str();
  app.add_option("--days", o.days, "days covered")->capture_default_str();
  app.add_option("--jobs", o.jobs, "worker threads (the bytes do not depend on it)")
      ->capture_default_str();
  app.add_option("--patterns", o.patterns, "injected patterns of each kind")->capture_default_str();
  app.add_option("--velocity-k", o.velocity_k, "velocity: more than K events in W")
      ->capture_default_str();
  app.add_option("--structuring-n", o.structuring_n, "structuring: N band events in W")
      ->capture_default_str();
  app.add_option("--zscore-k", o.zscore_k, "z-score: k standard deviations")->capture_default_str();
  app.add_option("--zscore-min", o.zscore_min, "z-score: minimum prior events M")
      ->capture_default_str();
  app.add_option("--stuck-r", o.stuck_r, "stuck: R equal readings")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return false;
  } catch (const CLI::ParseError& e) {
    throw BadInput(std::string(e.what()) + " (see --help)");
  }

  o.quoted_newlines = !no_newlines;
  if (domain == "transactions") {
    o.domain = Domain::transactions;
  } else if (domain == "sensors") {
    o.domain = Domain::sensors;
  } else {
    throw BadInput("--domain " + domain + ": expected transactions or sensors");
  }
  const int nkinds = o.domain == Domain::transactions ? kReasons : kReasons - 1;
  if (malformed < 0.0 || malformed > 0.5) throw BadInput("--malformed must be in [0, 0.5]");
  for (int r = 0; r < kReasons; ++r) {
    bool applies = o.domain == Domain::transactions || r != reason_index(Reason::unknown_currency);
    o.malformed[r] = applies ? malformed / nkinds : 0.0;
  }
  for (const std::string& k : kinds) {
    auto eq = k.find('=');
    int found = -1;
    for (int r = 0; r < kReasons && eq != std::string::npos; ++r)
      if (k.substr(0, eq) == kReasonNames[r]) found = r;
    if (found < 0) throw BadInput("--malformed-kind " + k + ": expected reason=fraction");
    if (found == reason_index(Reason::unknown_currency) && o.domain == Domain::sensors)
      throw BadInput("--malformed-kind unknown_currency: sensor readings have no currency");
    try {
      o.malformed[found] = std::stod(k.substr(eq + 1));
    } catch (const std::exception&) {
      throw BadInput("--malformed-kind " + k + ": the fraction is not a number");
    }
  }
  double total = 0.0;
  for (double f : o.malformed) {
    if (f < 0.0) throw BadInput("--malformed-kind: fractions must be >= 0");
    total += f;
  }
  if (total > 0.5) throw BadInput("malformed fractions add up to more than 0.5");
  if (o.rows < 1000 || o.rows > 4'000'000'000ULL) throw BadInput("--rows must be in [1000, 4e9]");
  if (!parse_date(o.start, o.start_day)) throw BadInput("--start " + o.start + ": not YYYY-MM-DD");
  if (o.days < 1 || o.days > 3660) throw BadInput("--days must be in [1, 3660]");
  if (o.jobs < 1 || o.jobs > 256) throw BadInput("--jobs must be in [1, 256]");
  if (o.patterns < 0 || o.patterns > 1000) throw BadInput("--patterns must be in [0, 1000]");
  if (o.zipf <= 0.0) throw BadInput("--zipf must be > 0");
  if (o.domain == Domain::transactions) {
    if (o.keys < 1 || o.keys > 20'000'000) throw BadInput("--keys must be in [1, 2e7]");
    if (o.velocity_k < 7) throw BadInput("--velocity-k must be >= 7");
    if (o.structuring_n < 2 || o.structuring_n > o.velocity_k)
      throw BadInput("--structuring-n must be in [2, velocity-k] (a run must not trip velocity)");
    if (o.zscore_min < o.velocity_k + 2)
      throw BadInput("--zscore-min must be >= velocity-k + 2 (a burst must not trip z-score)");
    if (o.zscore_k < 20.0)
      throw BadInput("--zscore-k must be >= 20 (the clean background would trip a lower k)");
    if (static_cast<std::uint64_t>(o.patterns) > o.keys)
      throw BadInput("--patterns must not exceed --keys (each outlier has its own account)");
  } else {
    if (o.keys < 8 || o.keys > 10'000'000) throw BadInput("--keys must be in [8, 1e7] for sensors");
    if (o.stuck_r < 2) throw BadInput("--stuck-r must be >= 2");
  }
  if (o.rates.empty() && o.domain == Domain::transactions) {
    std::string stem = o.out;
    if (stem.size() > 4 && stem.substr(stem.size() - 4) == ".csv") stem.resize(stem.size() - 4);
    o.rates = stem + ".rates.csv";
  }
  return true;
}

}  // namespace weft::events_gen
