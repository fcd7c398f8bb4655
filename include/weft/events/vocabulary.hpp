// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

// The vocabulary the events application (src/events) and its generator
// tools/make-events (tools/events) share, defined once
// (docs/events-data.md): the quarantine reasons and the UTC calendar.
// Header-only, so that the generator does not link the application.
namespace weft::events {

// Reason is why a row is quarantined; kReasonNames are the codes of the
// quarantine table, the run report and the generator's ground truth.
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

// reason_index() is a reason's index into kReasonNames.
constexpr int reason_index(Reason r) { return static_cast<int>(r); }

constexpr std::int64_t kMicros = 1'000'000;
constexpr std::int64_t kDayMicros = 86'400 * kMicros;

// floor_div() is a / b rounded towards minus infinity (b > 0).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b) != 0 && (a < 0));
}

// day_of() is the UTC day number (days since 1970-01-01) of a time in
// microseconds since the epoch.
constexpr std::int64_t day_of(std::int64_t time_us) { return floor_div(time_us, kDayMicros); }

// Civil is a proleptic Gregorian date.
struct Civil {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// days_from_civil() is the day number of a date (H. Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// civil_from_days() is the inverse of days_from_civil().
constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

}  // namespace weft::events
