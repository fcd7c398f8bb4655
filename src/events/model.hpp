// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// The rows of the events pipeline: valid events and quarantined rows.
namespace weft::events {

// Reason is why a row is quarantined; names() are the codes of the
// quarantine table and the report (the generator's ground truth uses them).
enum class Reason : std::uint8_t {
  unparsable_field,
  missing_field,
  bad_timestamp,
  non_finite,
  out_of_range,
  unknown_currency,
  duplicate_event_id,
};
inline constexpr int kReasons = 7;
inline constexpr std::array<std::string_view, kReasons> kReasonNames{
    "unparsable_field", "missing_field",    "bad_timestamp",     "non_finite",
    "out_of_range",     "unknown_currency", "duplicate_event_id"};

// Event is one valid row. For transactions `amount` is first the amount in
// 10^-dp units of `currency` and, after conversion, in 10^-dp base units;
// `value` is then amount / 10^dp. For sensors `value` is the reading.
struct Event {
  std::int64_t id = 0;
  std::int64_t time_us = 0;  // microseconds since 1970-01-01T00:00:00Z
  std::int64_t amount = 0;
  double value = 0;
  std::int64_t line = 0;       // 1-based line of the row's first physical line
  std::int32_t file = 0;       // index into Config::inputs
  std::int32_t currency = -1;  // index into Rates::currencies; -1: base
  std::string key;
  std::string counterparty;
};

// BadRow is one quarantined row.
struct BadRow {
  std::int32_t file = 0;
  std::int64_t line = 0;
  Reason reason = Reason::unparsable_field;
  std::string detail;  // what was wrong ("amount '12.3x' is not a decimal")
};

// before() orders events within a key: by (timestamp, event id).
inline bool before(const Event& a, const Event& b) {
  return a.time_us != b.time_us ? a.time_us < b.time_us : a.id < b.id;
}

constexpr std::int64_t kMicros = 1'000'000;
constexpr std::int64_t kDayMicros = 86'400 * kMicros;

// day_of() is the UTC day number (days since 1970-01-01) of a time.
inline std::int64_t day_of(std::int64_t time_us) {
  return time_us >= 0 ? time_us / kDayMicros : -((-time_us + kDayMicros - 1) / kDayMicros);
}

}  // namespace weft::events
