// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace weft::events {

// Int128 is the 128-bit integer of exact conversions (a GCC/Clang extension).
__extension__ typedef __int128 Int128;

// Rates is the rates table (CSV `date,currency,rate`, rate = base units per
// unit of the currency, up to 8 decimals) of the base currency's day rates.
class Rates {
 public:
  static constexpr int kBase = -1;     // currency_index() of the base currency
  static constexpr int kUnknown = -2;  // of a currency the table does not have

  // Rates() knows only the base currency.
  explicit Rates(std::string base = "EUR") : base_(std::move(base)) { base3_ = code3(base_); }
  // load() reads the table at `path` (weft::InputError naming the file and
  // line of what is wrong: a bad date, currency or rate, a repeated date).
  static Rates load(const std::string& path, const std::string& base);

  // currency_index() is the index of a 3-letter code, kBase or kUnknown
  // (every event asks: codes compared as integers, code3()).
  int currency_index(std::string_view code) const;
  const std::vector<std::string>& currencies() const { return currencies_; }
  // check_covers() throws weft::InputError naming the first missing
  // (currency, date) when some currency lacks a rate for a day in
  // [first_day, last_day].
  void check_covers(std::int64_t first_day, std::int64_t last_day) const;
  // convert() is `units` of currency `c` (an index) in base units on `day`:
  // round_half_even(units * rate_e8 / 10^8) in 128-bit integers.
  // Every event asks: a currency's rates spanning at most kDenseDays days
  // are also in an array by day.
  std::int64_t convert(std::int64_t units, int c, std::int64_t day) const;

 private:
  static constexpr std::int64_t kDenseDays = std::int64_t{1} << 16;
  // code3() is a 3-byte code as an integer in the bytes' order (0: another length).
  static std::uint32_t code3(std::string_view code) {
    if (code.size() != 3) return 0;
    return static_cast<std::uint32_t>(static_cast<unsigned char>(code[0])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(code[1])) << 8 |
           static_cast<unsigned char>(code[2]);
  }
  // DayRates is one currency's rates (10^-8 base units) for days [first,
  // first + e8.size()), 0 where the table has none.
  struct DayRates {
    std::int64_t first = 0;
    std::vector<std::int64_t> e8;
  };
  std::string base_, path_;
  std::uint32_t base3_ = 0;
  std::vector<std::string> currencies_;                                  // sorted
  std::vector<std::uint32_t> codes3_;                                    // code3() of each
  std::vector<std::unordered_map<std::int64_t, std::int64_t>> rate_e8_;  // per currency, by day
  std::vector<DayRates> dense_;                                          // per currency
};

// round_half_even_div() is n / d rounded to nearest, ties to even (d > 0).
std::int64_t round_half_even_div(Int128 n, std::int64_t d);

}  // namespace weft::events
