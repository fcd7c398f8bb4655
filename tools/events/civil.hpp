// SPDX-License-Identifier: Apache-2.0
// UTC calendar text for tools/make-events: dates and ISO 8601 timestamps.
// The calendar itself (days since 1970-01-01 to and from year, month, day)
// is the application's, weft/events/vocabulary.hpp.
#pragma once

#include <cstdint>
#include <string>

#include "weft/events/vocabulary.hpp"

namespace weft::events_gen {

using events::Civil;
using events::civil_from_days;
using events::days_from_civil;
using events::floor_div;
inline constexpr std::int64_t kMicrosPerDay = events::kDayMicros;

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
