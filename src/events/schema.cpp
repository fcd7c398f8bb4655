// SPDX-License-Identifier: Apache-2.0
// The deck part of the events application: every key of weft::events::Config.
#include "schema.hpp"

namespace weft::events {
namespace {

using C = Config;

// clang-format 14 mangles the accessor lambdas of deck keys ([](C & c) -> auto&).
// clang-format off
void declare_input(deck::Schema<C>& s) {
  s.key("events.domain", [](C& c) -> auto& { return c.domain; },
        "What the events are: transactions (event_id, account, timestamp, amount, currency, "
        "counterparty, category) or sensors (event_id, sensor, timestamp, value)")
      .choices({"transactions", "sensors"});
  s.key("events.inputs", [](C& c) -> auto& { return c.inputs; },
        "Input files (at least one), read in this order as one stream, relative to the deck's "
        "directory");
  s.key("events.format", [](C& c) -> auto& { return c.format; },
        "Input format: auto (an HDF5 file by its signature, any other as CSV), csv or hdf5 "
        "(every input)")
      .choices({"auto", "csv", "hdf5"});
  s.key("events.hdf5_group", [](C& c) -> auto& { return c.hdf5_group; },
        "HDF5 inputs: the group holding one 1-D dataset per column, all of one length "
        "(\"/\": the root)");
  s.key("events.columns.event_id", [](C& c) -> auto& { return c.columns.event_id; },
        "Header (or HDF5 dataset) name of the event id column (int64, unique)");
  s.key("events.columns.key", [](C& c) -> auto& { return c.columns.key; },
        "Header name of the key column; \"\": account (transactions) or sensor (sensors)");
  s.key("events.columns.timestamp", [](C& c) -> auto& { return c.columns.timestamp; },
        "Header name of the timestamp column (as events.columns.timestamp_format says)");
  s.key("events.columns.timestamp_format", [](C& c) -> auto& { return c.columns.timestamp_format; },
        "How timestamps are written: iso8601 (UTC text YYYY-MM-DDTHH:MM:SS[.ffffff]Z), or an "
        "integer count since 1970-01-01T00:00:00Z of unix_s seconds, unix_ms milliseconds, "
        "unix_us microseconds or unix_ns nanoseconds (pandas datetime64[ns]; floored to the "
        "microsecond); CSV text or HDF5 integers")
      .choices({"iso8601", "unix_s", "unix_ms", "unix_us", "unix_ns"});
  s.key("events.columns.value", [](C& c) -> auto& { return c.columns.value; },
        "Header name of the amount or value column; \"\": amount (transactions) or value "
        "(sensors)");
  s.key("events.columns.currency", [](C& c) -> auto& { return c.columns.currency; },
        "Header name of the currency column (transactions); \"\": none, every amount is in the "
        "base currency");
  s.key("events.columns.counterparty", [](C& c) -> auto& { return c.columns.counterparty; },
        "Header name of the counterparty column (transactions); \"\": none");
  s.key("events.columns.category", [](C& c) -> auto& { return c.columns.category; },
        "Header name of the category column (transactions); \"\": none");
  s.key("events.decimals", [](C& c) -> auto& { return c.decimals; },
        "Decimal places of amounts: an amount is an integer of 10^-decimals units; more "
        "decimals in the input is out_of_range")
      .min(0)
      .max(6);
  s.key("events.base_currency", [](C& c) -> auto& { return c.base_currency; },
        "Currency of sums and rules (3-letter ISO code)");
  s.key("events.rates", [](C& c) -> auto& { return c.rates; },
        "Rates CSV (date,currency,rate: base units per unit), relative to the deck's directory; "
        "\"\": only the base currency is known");
  s.key("events.max_bad_fraction", [](C& c) -> auto& { return c.max_bad_fraction; },
        "Quarantined rows as a fraction of all rows above which the run fails (exit 3)")
      .min(0)
      .max(1);
  s.key("events.chunk_bytes", [](C& c) -> auto& { return c.chunk_bytes; },
        "Bytes of input one task parses; for HDF5 input also the most rows read at once, "
        "up to 2^20 (tests make it tiny to cut records across chunks and blocks)")
      .unit("bytes")
      .min(1);
  s.key("events.shuffle_bytes", [](C& c) -> auto& { return c.shuffle_bytes; },
        "Bytes sent to one rank per all-to-all round of the shuffle")
      .unit("bytes")
      .min(64);
  s.key("events.share_ranges", [](C& c) -> auto& { return c.share_ranges; },
        "Several ranks reading one CSV input: a rank done with its byte range parses the back "
        "half of a slower rank's rest (dynamic balancing; the tables are the same either "
        "way); false: every rank parses its own range only");
  s.key("events.ingest_steps", [](C& c) -> auto& { return c.ingest_steps; },
        "Run steps the ingest (read, parse) is split into, each rank's byte (CSV) or row "
        "(HDF5) range in equal parts, so that checkpoints (checkpoint.every, .minutes, a "
        "signal) can fall inside it; 0: the ingest runs before step 1 with the input checks, "
        "and a rates table that misses a day of the events is found before anything is written")
      .min(0);
  s.key("output.csv", [](C& c) -> auto& { return c.csv; },
        "Also write aggregates.csv, per_day.csv, flags.csv and quarantine.csv (sorted)");
}

void declare_rules(deck::Schema<C>& s) {
  s.key("rules.velocity.enabled", [](C& c) -> auto& { return c.rules.velocity.enabled; },
        "Flag an event when more than rules.velocity.count events of its key fall in the "
        "window ending at it");
  const auto v = s.when("rules.velocity.enabled", "true");
  v.key("rules.velocity.count", [](C& c) -> auto& { return c.rules.velocity.count; },
        "K: most events allowed in a window").min(1);
  v.key("rules.velocity.window", [](C& c) -> auto& { return c.rules.velocity.window; },
        "W: window length (events j with t_j > t_e - W)").unit("s").above(0);
  s.key("rules.structuring.enabled", [](C& c) -> auto& { return c.rules.structuring.enabled; },
        "Flag count or more events just below a threshold within a window");
  const auto st = s.when("rules.structuring.enabled", "true");
  st.key("rules.structuring.count", [](C& c) -> auto& { return c.rules.structuring.count; },
         "N: band events in a window that raise a flag").min(1);
  st.key("rules.structuring.floor", [](C& c) -> auto& { return c.rules.structuring.floor; },
         "Lower end of the band [floor, threshold), base currency major units (compared in "
         "minor units)");
  st.key("rules.structuring.threshold",
         [](C& c) -> auto& { return c.rules.structuring.threshold; },
         "Upper end of the band [floor, threshold), excluded; base currency major units").above(0);
  st.key("rules.structuring.window", [](C& c) -> auto& { return c.rules.structuring.window; },
         "W: window length").unit("s").above(0);
  s.key("rules.zscore.enabled", [](C& c) -> auto& { return c.rules.zscore.enabled; },
        "Flag an event beyond k standard deviations of its key's earlier events");
  const auto z = s.when("rules.zscore.enabled", "true");
  z.key("rules.zscore.k", [](C& c) -> auto& { return c.rules.zscore.k; },
        "k: standard deviations").above(0);
  z.key("rules.zscore.min_history", [](C& c) -> auto& { return c.rules.zscore.min_history; },
        "M: earlier events of the key needed before the rule applies").min(2);
  s.key("rules.gap.enabled", [](C& c) -> auto& { return c.rules.gap.enabled; },
        "Flag consecutive events of a key more than rules.gap.seconds apart (sensors)");
  s.when("rules.gap.enabled", "true")
      .key("rules.gap.seconds", [](C& c) -> auto& { return c.rules.gap.seconds; },
           "G: longest allowed silence").unit("s").above(0);
  s.key("rules.stuck.enabled", [](C& c) -> auto& { return c.rules.stuck.enabled; },
        "Flag runs of rules.stuck.run or more equal consecutive values (sensors)");
  s.when("rules.stuck.enabled", "true")
      .key("rules.stuck.run", [](C& c) -> auto& { return c.rules.stuck.run; },
           "R: shortest flagged run").min(2);
}

// clang-format on

}  // namespace

const deck::Schema<Config>& schema() {
  static const deck::Schema<Config> s = [] {
    deck::Schema<C> p;
    declare_input(p);
    declare_rules(p);
    p.rule([](const C& c, deck::RuleContext& r) {
      if (c.base_currency.size() != 3)
        r.error("events.base_currency", "is a 3-letter ISO code such as EUR");
      const auto& st = c.rules.structuring;
      if (st.enabled && !(st.floor < st.threshold))
        r.error("rules.structuring.floor", "is below rules.structuring.threshold");
    });
    return p;
  }();
  return s;
}

}  // namespace weft::events
