// SPDX-License-Identifier: Apache-2.0
// Plan: everything about a generated file that is a pure function of the
// options: slot times, rates, where the injected patterns sit, which slots
// are malformed and of what kind. Rows are then generated chunk by chunk
// from it alone (rows.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "options.hpp"
#include "rng.hpp"

namespace weft::events_gen {

inline constexpr int kCurrencies = 5;
inline constexpr std::array<const char*, kCurrencies> kCurrencyNames = {"EUR", "USD", "GBP", "CHF",
                                                                        "JPY"};
inline constexpr int kBase = 0;  // EUR, the base currency

// Purposes of the per-row random streams.
enum Purpose : std::uint64_t { kRowStream = 1, kTimeStream, kMalformedStream, kRateStream };

enum class PatternKind { velocity, structuring, outlier, gap, stuck };

// Pattern is one injected pattern. Transactions: rows [first, first+len) are
// its events. Sensors: rounds [first, first+len) of sensor `key` (a gap
// skips them; a stuck run repeats `value_milli`); the rounds just before
// and after are reserved too (never malformed).
struct Pattern {
  PatternKind kind;
  std::uint64_t first;
  std::uint64_t len;
  std::uint64_t key;              // account or sensor index
  std::int64_t time0 = 0;         // transactions: time of the first event, us
  std::int64_t step = 0;          // transactions: time between its events, us
  std::int64_t amount_minor = 0;  // outlier: amount in base minor units
  std::int64_t value_milli = 0;   // stuck: the repeated reading x 1000
};

class Plan {
 public:
  explicit Plan(const Options& o);

  const Options& options() const { return o_; }
  const std::vector<Pattern>& patterns() const { return patterns_; }
  const Zipf& zipf() const { return zipf_; }

  // time_us(i) is the background time of slot i: start + (i + J u) dt, floored to
  // us, u uniform in [0, 1), dt = days / (rows + J): every time is in the range.
  std::int64_t time_us(std::uint64_t i) const;
  // rate_e8(c, day) is the rate of currency c on day (since the epoch) x 10^8.
  std::int64_t rate_e8(int c, std::int64_t day) const;
  // pattern_at(i) is the transactions pattern whose rows hold slot i, or null.
  const Pattern* pattern_at(std::uint64_t i) const;
  // sensors: the pattern whose (reserved) rounds hold slot i, or null.
  const Pattern* sensor_pattern_at(std::uint64_t i, bool& reserved_only) const;
  // skipped(i): sensors, slot i is in a gap (no row is written for it).
  bool skipped(std::uint64_t i) const;
  // kind(i) is the malformed kind of slot i, or -1 for a clean row.
  int kind(std::uint64_t i) const;
  // duplicate_source(i) is the clean earlier slot whose id slot i repeats.
  std::uint64_t duplicate_source(std::uint64_t i) const;

  std::uint64_t sensors() const { return o_.keys; }
  std::uint64_t rounds() const { return o_.rows / o_.keys; }
  double dt_us() const { return dt_; }
  int jitter() const { return jitter_; }
  std::int64_t velocity_window_us() const { return velocity_w_; }
  std::int64_t structuring_window_us() const { return structuring_w_; }
  std::int64_t gap_us() const { return gap_; }
  std::int64_t band_floor_minor() const { return 900'000; }   // 9000.00 base
  std::int64_t threshold_minor() const { return 1'000'000; }  // 10000.00 base
  // background amounts in base units lie in [-amount_cap(), amount_cap()].
  double amount_cap() const;
  std::uint64_t pattern_key(std::uint64_t index) const { return o_.keys + index; }
  int key_width() const { return key_width_; }

 private:
  int base_kind(std::uint64_t i) const;
  bool reserved(std::uint64_t i) const;

  Options o_;
  Zipf zipf_;
  int jitter_;  // before dt_: dt_ is initialized from it
  double dt_;
  std::int64_t start_us_;
  std::int64_t velocity_w_ = 0, structuring_w_ = 0, gap_ = 0;
  std::vector<std::int64_t> rates_;     // [c * days + d]
  std::vector<Pattern> patterns_;       // sorted by first slot
  std::vector<std::uint64_t> lo_, hi_;  // reserved slot range of each pattern
  std::array<double, kReasons + 1> cumulative_{};
  int key_width_ = 6;
};

}  // namespace weft::events_gen
