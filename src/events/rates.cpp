// SPDX-License-Identifier: Apache-2.0
#include "rates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "csv.hpp"
#include "fields.hpp"
#include "model.hpp"
#include "weft/core/error.hpp"

namespace weft::events {

std::int64_t round_half_even_div(Int128 n, std::int64_t d) {
  const bool negative = n < 0;
  const Int128 a = negative ? -n : n;
  Int128 q = a / d;
  const Int128 r = a % d;
  if (2 * r > d || (2 * r == d && (q & 1))) ++q;
  return static_cast<std::int64_t>(negative ? -q : q);
}

Rates Rates::load(const std::string& path, const std::string& base) {
  Rates out(base);
  out.path_ = path;
  std::ifstream in(path, std::ios::binary);  // a small table, read once
  if (!in) throw InputError(fmt::format("events.rates: cannot read {}", path));
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  if (text.find('\0') != std::string::npos)
    throw InputError(fmt::format("{}: is not a CSV text file (it holds NUL bytes)", path));
  std::int64_t header_end = 0;
  const auto names = split_header(text, path, header_end);
  if (names != std::vector<std::string>{"date", "currency", "rate"})
    throw InputError(fmt::format("{}: line 1: the header must be date,currency,rate", path));
  std::map<std::string, std::unordered_map<std::int64_t, std::int64_t>> table;
  RecordReader reader(std::string_view(text).substr(static_cast<std::size_t>(header_end)), 2);
  Record r;
  while (reader.next(r)) {
    if (r.blank) continue;
    auto bad = [&](const std::string& what) {
      return InputError(fmt::format("{}: line {}: {}", path, r.line, what));
    };
    if (r.malformed || r.fields.size() != 3) throw bad("expected date,currency,rate");
    const auto day = parse_date(r.fields[0]);
    if (!day) throw bad(fmt::format("'{}' is not a date YYYY-MM-DD", r.fields[0]));
    const std::string code(r.fields[1]);
    if (code.size() != 3 ||
        !std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
      throw bad(fmt::format("'{}' is not a 3-letter currency code", code));
    const Decimal rate = parse_decimal(r.fields[2], 8, 1'000'000'000);
    if (rate.status != Decimal::ok || rate.units <= 0)
      throw bad(fmt::format("'{}' is not a positive rate with at most 8 decimals", r.fields[2]));
    if (code == base) {
      if (rate.units != 100'000'000)
        throw bad(fmt::format("the base currency {} has rate 1, not {}", base, r.fields[2]));
      continue;
    }
    if (!table[code].emplace(*day, rate.units).second)
      throw bad(fmt::format("a second rate of {} on {}", code, r.fields[0]));
  }
  if (std::ssize(table) > Event::kMaxCurrencies)
    throw InputError(fmt::format("{}: {} currencies besides the base; weft converts at most {}",
                                 path, table.size(), Event::kMaxCurrencies));
  for (auto& [code, rates] : table) {
    out.currencies_.push_back(code);
    out.codes3_.push_back(code3(code));
    DayRates dense;
    const auto [lo, hi] = std::minmax_element(
        rates.begin(), rates.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    if (hi->first - lo->first < kDenseDays) {
      dense.first = lo->first;
      dense.e8.assign(static_cast<std::size_t>(hi->first - lo->first + 1), 0);
      for (const auto& [day, e8] : rates)
        dense.e8[static_cast<std::size_t>(day - dense.first)] = e8;
    }
    out.dense_.push_back(std::move(dense));
    out.rate_e8_.push_back(std::move(rates));
  }
  return out;
}

int Rates::currency_index(std::string_view code) const {
  const std::uint32_t k = code3(code);
  if (k == 0) return code == base_ ? kBase : kUnknown;  // the table's codes have 3 letters
  if (k == base3_) return kBase;
  // codes3_ is sorted as the codes are (big-endian bytes)
  const auto it = std::lower_bound(codes3_.begin(), codes3_.end(), k);
  if (it == codes3_.end() || *it != k) return kUnknown;
  return static_cast<int>(it - codes3_.begin());
}

void Rates::check_covers(std::int64_t first_day, std::int64_t last_day) const {
  for (std::size_t c = 0; c < currencies_.size(); ++c)
    for (std::int64_t d = first_day; d <= last_day; ++d)
      if (!rate_e8_[c].count(d))
        throw InputError(fmt::format(
            "{}: no rate of {} on {} (the events run from {} to {}; every currency of the table "
            "needs a rate for every day of that range)",
            path_, currencies_[c], format_date(d), format_date(first_day), format_date(last_day)));
}

std::int64_t Rates::convert(std::int64_t units, int c, std::int64_t day) const {
  if (c == kBase) return units;
  const DayRates& d = dense_[static_cast<std::size_t>(c)];
  const std::int64_t i = day - d.first;
  std::int64_t rate = i >= 0 && i < std::ssize(d.e8) ? d.e8[static_cast<std::size_t>(i)] : 0;
  if (rate == 0) rate = rate_e8_[static_cast<std::size_t>(c)].at(day);  // none: out_of_range
  return round_half_even_div(static_cast<Int128>(units) * rate, 100'000'000);
}

}  // namespace weft::events
