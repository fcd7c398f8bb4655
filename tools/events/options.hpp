// SPDX-License-Identifier: Apache-2.0
// Options of tools/make-events (weft-make-events) and their parsing.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "weft/events/vocabulary.hpp"

namespace weft::events_gen {

enum class Domain { transactions, sensors };

// The malformed-row kinds are the application's quarantine reasons
// (weft/events/vocabulary.hpp, docs/events-data.md), by index.
using events::kReasonNames;
using events::kReasons;
using events::Reason;
using events::reason_index;

// BadInput is thrown for wrong options (exit 2, nothing written).
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Options holds every option; defaults are those of `--help`.
struct Options {
  Domain domain = Domain::transactions;
  std::uint64_t rows = 1000;  // slots: data rows (sensors: minus the readings a gap skips)
  std::uint64_t seed = 1;
  std::uint64_t keys = 1000;  // accounts (Zipf ranks) or sensors (round robin)
  double zipf = 1.1;          // Zipf exponent s of the accounts
  std::string out;            // the events CSV
  std::string rates;          // the rates CSV (transactions); default <out stem>.rates.csv
  std::array<double, kReasons> malformed{};  // fraction of rows of each kind
  bool crlf = false;
  bool quoted_newlines = true;  // some counterparties hold a newline
  std::int64_t start_day = 0;   // days since 1970-01-01 of --start
  std::string start = "2024-01-01";
  int days = 30;
  int jobs = 1;
  int patterns = 3;        // injected patterns of each kind
  int velocity_k = 10;     // velocity: more than K events within W
  int structuring_n = 4;   // structuring: N or more band events within W
  double zscore_k = 50.0;  // z-score: beyond k sample standard deviations
  int zscore_min = 20;     // z-score: at least M prior events
  int stuck_r = 5;         // stuck: R or more equal readings in a row
};

// parse_options reads argv; throws BadInput with a message naming the option.
// Returns false when --help was printed.
bool parse_options(int argc, char** argv, Options& o);

}  // namespace weft::events_gen
