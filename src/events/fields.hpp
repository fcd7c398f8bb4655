// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "weft/events/vocabulary.hpp"

// Parsing and formatting the fields of event rows, without iostreams.
namespace weft::events {

// parse_int64() is the whole of `s` as a decimal int64 (optional '-').
std::optional<std::int64_t> parse_int64(std::string_view s);

// parse_timestamp() is `YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z` in microseconds
// since the epoch, or nullopt when it is not one (or not a real date/time).
std::optional<std::int64_t> parse_timestamp(std::string_view s);
// TimeFormat is how a timestamp column is written: ISO 8601 text (as
// parse_timestamp() reads it), or an integer count of seconds,
// milliseconds, microseconds or nanoseconds since 1970-01-01T00:00:00Z
// (pandas' datetime64[ns] as int64: unix_ns). kTimeFormatNames are their
// deck names, in this order.
enum class TimeFormat { iso8601, unix_s, unix_ms, unix_us, unix_ns };
inline constexpr const char* kTimeFormatNames[] = {"iso8601", "unix_s", "unix_ms", "unix_us",
                                                   "unix_ns"};
// time_format_of() is the format of a deck name (iso8601 for an unknown one:
// the deck's choices allow no other).
TimeFormat time_format_of(std::string_view name);
// parse_time() is `s` in format `f` in microseconds since the epoch, or
// nullopt when it is not one or lies outside the years 0000-9999 (what ISO
// text can say). Nanoseconds go down to the microsecond below (floor).
std::optional<std::int64_t> parse_time(std::string_view s, TimeFormat f);
// time_format_text() says what format `f` expects, for messages.
const char* time_format_text(TimeFormat f);
// format_timestamp() is the ISO text of a time with 6 fraction digits
// (27 bytes, `YYYY-MM-DDTHH:MM:SS.ffffffZ`; years 0000-9999, as parse_time()
// accepts); put_timestamp() writes it at `out` (without allocating: the
// CSV tables write two a key).
inline constexpr std::size_t kTimestampBytes = 27;
std::string format_timestamp(std::int64_t time_us);
void put_timestamp(char* out, std::int64_t time_us);

// parse_date() is `YYYY-MM-DD` as a day number since 1970-01-01.
std::optional<std::int64_t> parse_date(std::string_view s);
// format_date() is the ISO text of a day number.
std::string format_date(std::int64_t day);

// Decimal is the result of parse_decimal(): a fixed-point integer or why not.
struct Decimal {
  enum Status { ok, unparsable, non_finite, out_of_range } status = unparsable;
  std::int64_t units = 0;  // the value times 10^places
};

// is_plain_decimal() says `s` is `[+-]digits[.digits]` (no exponent, no
// ".5", no "5.", no spaces).
bool is_plain_decimal(std::string_view s);

// parse_decimal() reads `[+-]digits[.digits]` as an integer of 10^-places
// units: more fraction digits than `places` or |value| > `limit` (whole
// units) is out_of_range; nan/inf (any case) is non_finite.
Decimal parse_decimal(std::string_view s, int places, std::int64_t limit);

// parse_double() reads a plain decimal (is_plain_decimal) as a double
// (strtod-exact, round to nearest): nullopt when it is not one; a
// non-finite text gives a non-finite double.
std::optional<double> parse_double(std::string_view s);

// is_non_finite_text() says `s` spells nan or inf (either sign, any case).
bool is_non_finite_text(std::string_view s);

}  // namespace weft::events
