// SPDX-License-Identifier: Apache-2.0
#include "civil.hpp"

namespace weft::events_gen {
namespace {

char* digits(char* p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

}  // namespace

char* write_date(char* p, std::int64_t days) {
  Civil c = civil_from_days(days);
  p = digits(p, static_cast<unsigned>(c.year), 4);
  *p++ = '-';
  p = digits(p, c.month, 2);
  *p++ = '-';
  return digits(p, c.day, 2);
}

char* write_timestamp(char* p, std::int64_t us) {
  const std::int64_t day = floor_div(us, kMicrosPerDay);
  std::int64_t rest = us - day * kMicrosPerDay;
  p = write_date(p, day);
  const auto secs = static_cast<unsigned>(rest / 1'000'000);
  auto frac = static_cast<unsigned>(rest % 1'000'000);
  *p++ = 'T';
  p = digits(p, secs / 3600, 2);
  *p++ = ':';
  p = digits(p, secs / 60 % 60, 2);
  *p++ = ':';
  p = digits(p, secs % 60, 2);
  if (frac != 0) {
    int width = 6;
    while (frac % 10 == 0) {
      frac /= 10;
      --width;
    }
    *p++ = '.';
    p = digits(p, frac, width);
  }
  *p++ = 'Z';
  return p;
}

std::string iso_timestamp(std::int64_t us) {
  char buf[40];
  return std::string(buf, write_timestamp(buf, us));
}

bool parse_date(const std::string& t, std::int64_t& days) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  auto num = [&](std::size_t from, std::size_t n, unsigned& out) {
    out = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + static_cast<unsigned>(t[i] - '0');
    }
    return true;
  };
  unsigned y = 0, m = 0, d = 0;
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d) || m < 1 || m > 12 || d < 1) return false;
  days = days_from_civil(y, m, d);
  Civil back = civil_from_days(days);
  return back.month == m && back.day == d;  // rejects 2023-02-30
}

}  // namespace weft::events_gen
