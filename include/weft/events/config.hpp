// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

// The deck part of the events application ([events], [events.columns],
// [rules.*], output.csv). Member defaults ARE the deck defaults.
namespace weft::events {

// ColumnsConfig maps the roles of the pipeline to header names of the
// input CSV, or to dataset names of an HDF5 table. An empty key or value name takes the domain's
// default (transactions: account, amount; sensors: sensor, value).
struct ColumnsConfig {
  std::string event_id = "event_id";          // int64, unique
  std::string key = "";                       // the grouping key (account, sensor)
  std::string timestamp = "timestamp";        // written as timestamp_format says
  std::string timestamp_format = "iso8601";   // iso8601 | unix_s | unix_ms | unix_us | unix_ns
  std::string value = "";                     // amount (transactions) or value (sensors)
  std::string currency = "currency";          // transactions only
  std::string counterparty = "counterparty";  // transactions only
  std::string category = "category";          // transactions only (read, not aggregated)
};

// VelocityRule: more than `count` events of one key within `window`
// seconds (window(e) = events j <= e with t_j > t_e - window).
struct VelocityRule {
  bool enabled = false;
  std::int64_t count = 10;  // K
  double window = 3600;     // W, seconds
};

// StructuringRule: `count` or more band events (floor <= x < threshold,
// compared in base minor units) within `window` seconds.
struct StructuringRule {
  bool enabled = false;
  std::int64_t count = 3;    // N
  double floor = 9000;       // base currency major units (a decimal such as 9000.00)
  double threshold = 10000;  // base currency major units
  double window = 86400;     // W, seconds
};

// ZscoreRule: |x - mean| > k std over at least `min_history` prior events
// (x in base minor units for transactions); score (x - mean) / std.
struct ZscoreRule {
  bool enabled = false;
  double k = 4;                   // k
  std::int64_t min_history = 10;  // M
};

// GapRule: consecutive readings more than `seconds` apart.
struct GapRule {
  bool enabled = false;
  double seconds = 3600;  // G
};

// StuckRule: `run` or more consecutive equal readings.
struct StuckRule {
  bool enabled = false;
  std::int64_t run = 5;  // R
};

// RulesConfig is every detection rule; each is off unless enabled.
struct RulesConfig {
  VelocityRule velocity;
  StructuringRule structuring;
  ZscoreRule zscore;
  GapRule gap;
  StuckRule stuck;
};

// Config is the events application's own deck keys.
struct Config {
  std::string domain = "transactions";  // transactions | sensors
  std::vector<std::string> inputs;      // CSV or HDF5 files, relative to the deck's directory
  std::string format = "auto";          // auto (each file by its signature) | csv | hdf5
  std::string hdf5_group = "/events";   // HDF5 inputs: the group of the column datasets
  ColumnsConfig columns;
  int decimals = 2;                      // dp: amounts are integers of 10^-dp units
  std::string base_currency = "EUR";     // the currency sums are in
  std::string rates;                     // rates CSV (date,currency,rate); "": base currency only
  double max_bad_fraction = 0.05;        // quarantined rows / all rows above it: exit 3
  std::int64_t chunk_bytes = 1 << 20;    // bytes parsed by one task (tests: tiny)
  std::int64_t shuffle_bytes = 8 << 20;  // bytes to one rank per all-to-all round
  bool share_ranges = true;              // ranks done early parse part of slower ones' CSV ranges
  std::int64_t ingest_steps = 0;         // run steps of the ingest; 0: before step 1 (setup)
  bool csv = false;                      // output.csv: also write the tables as CSV
  RulesConfig rules;

  // key_column() and value_column() are the mapped names, defaults resolved.
  std::string key_column() const {
    return !columns.key.empty() ? columns.key : domain == "sensors" ? "sensor" : "account";
  }
  std::string value_column() const {
    return !columns.value.empty() ? columns.value : domain == "sensors" ? "value" : "amount";
  }
  bool transactions() const { return domain == "transactions"; }
};

}  // namespace weft::events
