// SPDX-License-Identifier: Apache-2.0
#include "fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>

#include "model.hpp"

namespace weft::events {
namespace {

// digits() reads `n` decimal digits at s[at]; -1 when one is not a digit.
int digits(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, int m) {
  static constexpr unsigned d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : d[m - 1];
}

// date_at() is the day number of a valid YYYY-MM-DD at the start of s.
std::optional<std::int64_t> date_at(std::string_view s) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  const int y = digits(s, 0, 4), m = digits(s, 5, 2), d = digits(s, 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, m))
    return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

bool equal_nocase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != b[i]) return false;
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_int64(std::string_view s) {
  std::int64_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || p != end) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_timestamp(std::string_view s) {
  if (s.size() < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s.back() != 'Z')
    return std::nullopt;
  const auto day = date_at(s);
  const int h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2);
  if (!day || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return std::nullopt;
  std::int64_t micros = 0;
  if (s.size() > 20) {  // ".f{1,6}Z"
    const std::size_t n = s.size() - 21;
    if (s[19] != '.' || n < 1 || n > 6) return std::nullopt;
    const int f = digits(s, 20, n);
    if (f < 0) return std::nullopt;
    micros = f;
    for (std::size_t i = n; i < 6; ++i) micros *= 10;
  }
  return *day * kDayMicros + (h * 3600 + mi * 60 + se) * std::int64_t{1'000'000} + micros;
}

TimeFormat time_format_of(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kTimeFormatNames); ++i)
    if (name == kTimeFormatNames[i]) return static_cast<TimeFormat>(i);
  return TimeFormat::iso8601;
}

std::optional<std::int64_t> parse_time(std::string_view s, TimeFormat f) {
  if (f == TimeFormat::iso8601) return parse_timestamp(s);
  const auto v = parse_int64(s);
  if (!v) return std::nullopt;
  static const std::int64_t lo = *parse_timestamp("0000-01-01T00:00:00Z");
  static const std::int64_t hi = *parse_timestamp("9999-12-31T23:59:59.999999Z");
  // Each unit's count range that stays within [lo, hi] in microseconds.
  const std::int64_t per = f == TimeFormat::unix_s    ? 1'000'000
                           : f == TimeFormat::unix_ms ? 1'000
                                                      : 1;
  std::int64_t us = 0;
  if (f == TimeFormat::unix_ns) {
    us = *v / 1000 - (*v % 1000 < 0 ? 1 : 0);  // floor
  } else {
    if (*v < lo / per || *v > hi / per) return std::nullopt;
    us = *v * per;
  }
  if (us < lo || us > hi) return std::nullopt;
  return us;
}

const char* time_format_text(TimeFormat f) {
  static constexpr const char* kTexts[] = {
      "not YYYY-MM-DDTHH:MM:SS[.ffffff]Z",
      "not an integer of seconds since 1970 in years 0000-9999",
      "not an integer of milliseconds since 1970 in years 0000-9999",
      "not an integer of microseconds since 1970 in years 0000-9999",
      "not an integer of nanoseconds since 1970 in years 0000-9999"};
  static_assert(std::size(kTexts) == std::size(kTimeFormatNames));
  return kTexts[static_cast<std::size_t>(f)];
}

void put_timestamp(char* out, std::int64_t t) {
  const std::int64_t day = day_of(t);
  const std::int64_t in_day = t - day * kDayMicros;
  const std::int64_t secs = in_day / 1'000'000;
  const Civil c = civil_from_days(day);
  auto digits = [&](std::size_t at, std::int64_t v, std::size_t n) {
    for (std::size_t i = n; i-- > 0; v /= 10) out[at + i] = static_cast<char>('0' + v % 10);
  };
  std::memcpy(out, "0000-00-00T00:00:00.000000Z", kTimestampBytes);
  digits(0, c.year, 4);
  digits(5, c.month, 2);
  digits(8, c.day, 2);
  digits(11, secs / 3600, 2);
  digits(14, secs / 60 % 60, 2);
  digits(17, secs % 60, 2);
  digits(20, in_day % 1'000'000, 6);
}

std::string format_timestamp(std::int64_t t) {
  std::string out(kTimestampBytes, '\0');
  put_timestamp(out.data(), t);
  return out;
}

std::optional<std::int64_t> parse_date(std::string_view s) {
  if (s.size() != 10) return std::nullopt;
  return date_at(s);
}

std::string format_date(std::int64_t day) {
  const Civil c = civil_from_days(day);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

bool is_non_finite_text(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return equal_nocase(s, "nan") || equal_nocase(s, "inf") || equal_nocase(s, "infinity");
}

Decimal parse_decimal(std::string_view s, int places, std::int64_t limit) {
  Decimal out;
  if (is_non_finite_text(s)) {
    out.status = Decimal::non_finite;
    return out;
  }
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const std::size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && frac.empty())) return out;  // ".5", "5."
  for (std::string_view part : {whole, frac})
    for (char c : part)
      if (c < '0' || c > '9') return out;
  // Leading zeros do not count towards the size.
  std::size_t lead = 0;
  while (lead + 1 < whole.size() && whole[lead] == '0') ++lead;
  const std::string_view w = whole.substr(lead);
  if (static_cast<int>(frac.size()) > places || w.size() > 15) {
    out.status = Decimal::out_of_range;
    return out;
  }
  std::int64_t units = 0, scale = 1;
  for (char c : w) units = units * 10 + (c - '0');
  const std::int64_t whole_units = units;
  for (char c : frac) units = units * 10 + (c - '0');
  for (int i = static_cast<int>(frac.size()); i < places; ++i) units *= 10;
  for (int i = 0; i < places; ++i) scale *= 10;
  if (whole_units > limit || (whole_units == limit && units != limit * scale)) {
    out.status = Decimal::out_of_range;
    return out;
  }
  out.status = Decimal::ok;
  out.units = negative ? -units : units;
  return out;
}

bool is_plain_decimal(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  const std::size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "1" : s.substr(dot + 1);
  auto all_digits = [](std::string_view p) {
    return !p.empty() &&
           std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return all_digits(whole) && all_digits(frac);
}

std::optional<double> parse_double(std::string_view s) {
  if (is_non_finite_text(s))
    return s[0] == '-' ? -HUGE_VAL : (s.find_first_of("nN") != s.npos ? NAN : HUGE_VAL);
  if (!is_plain_decimal(s)) return std::nullopt;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v, std::chars_format::general);
  if (s.empty() || p != end) return std::nullopt;
  if (ec == std::errc::result_out_of_range) return HUGE_VAL;
  if (ec != std::errc()) return std::nullopt;
  return v;
}

}  // namespace weft::events
