// SPDX-License-Identifier: Apache-2.0
// UTC calendar arithmetic for tools/make-events: days since 1970-01-01 to
// and from (year, month, day) (H. Hinnant's algorithms), ISO 8601 text.
#pragma once

#include <cstdint>
#include <string>

namespace weft::events_gen {

struct Civil {
  int year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// days_from_civil is the number of days from 1970-01-01 to `c`.
constexpr std::int64_t days_from_civil(Civil c) {
  const int y = c.year - (c.month <= 2);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (c.month + (c.month > 2 ? -3 : 9)) + 2) / 5 + c.day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// civil_from_days is the inverse of days_from_civil.
constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(yoe) + static_cast<int>(era) * 400 + (m <= 2), m, d};
}

constexpr std::int64_t kMicrosPerDay = 86'400'000'000LL;

// floor_div is a / b rounded towards minus infinity (b > 0).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b) != 0 && (a < 0));
}

// write_date writes YYYY-MM-DD (10 chars) for `days` since the epoch; returns the end.
char* write_date(char* p, std::int64_t days);

// write_timestamp writes YYYY-MM-DDTHH:MM:SS[.f]Z for `us` microseconds
// since the epoch, the fraction without trailing zeros (none when whole).
char* write_timestamp(char* p, std::int64_t us);

// iso_timestamp is write_timestamp as a string.
std::string iso_timestamp(std::int64_t us);

// parse_date reads YYYY-MM-DD into days since the epoch; false if malformed.
bool parse_date(const std::string& text, std::int64_t& days);

}  // namespace weft::events_gen
