// SPDX-License-Identifier: Apache-2.0
#include "truth.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "civil.hpp"

namespace weft::events_gen {
namespace {

std::string key_name(const Plan& plan, std::uint64_t key) {
  std::string digits = std::to_string(key);
  const bool accounts = plan.options().domain == Domain::transactions;
  return std::string(accounts ? "A" : "S") +
         std::string(static_cast<std::size_t>(
                         std::max(0, plan.key_width() - static_cast<int>(digits.size()))),
                     '0') +
         digits;
}

std::string micros_as_seconds(std::int64_t us) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(us / 1'000'000),
                static_cast<long long>(us % 1'000'000));
  return buf;
}

std::string fixed8(std::int64_t v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%08lld", static_cast<long long>(v / 100'000'000),
                static_cast<long long>(v % 100'000'000));
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

void ids(std::ofstream& f, const std::vector<std::uint64_t>& v) {
  f << '[';
  for (std::size_t i = 0; i < v.size(); ++i) f << (i ? "," : "") << v[i];
  f << ']';
}

}  // namespace

void write_truth(const Plan& plan, const Tally& tally, const std::string& csv_name,
                 const std::string& rates_name, const std::string& path) {
  const Options& o = plan.options();
  const bool tx = o.domain == Domain::transactions;
  std::ofstream f(path);
  f << "{\n  \"generator\": \"tools/make-events\",\n";
  f << "  \"domain\": \"" << (tx ? "transactions" : "sensors") << "\",\n";
  f << "  \"seed\": " << o.seed << ",\n  \"slots\": " << o.rows << ",\n  \"rows\": " << tally.rows
    << ",\n";
  f << "  \"csv\": \"" << csv_name << "\",\n";
  if (tx) {
    f << "  \"rates\": \"" << rates_name << "\",\n  \"base\": \"EUR\",\n  \"decimals\": 2,\n";
  }
  f << "  \"keys\": " << o.keys << ",\n  \"zipf\": " << o.zipf << ",\n  \"start\": \"" << o.start
    << "\",\n  \"days\": " << o.days << ",\n  \"crlf\": " << (o.crlf ? "true" : "false")
    << ",\n  \"quoted_newlines\": " << (o.quoted_newlines ? "true" : "false") << ",\n";
  f << "  \"malformed\": {";
  for (int r = 0; r < kReasons; ++r) {
    f << (r ? "," : "") << "\n    \"" << kReasonNames[r]
      << "\": {\"count\": " << tally.bad_lines[r].size() << ", \"lines\": ";
    ids(f, tally.bad_lines[r]);
    f << '}';
  }
  f << "\n  },\n  \"rules\": {\n";
  if (tx) {
    f << "    \"velocity\": {\"window_us\": " << plan.velocity_window_us()
      << ", \"window_s\": " << micros_as_seconds(plan.velocity_window_us())
      << ", \"k\": " << o.velocity_k << "},\n";
    f << "    \"structuring\": {\"window_us\": " << plan.structuring_window_us()
      << ", \"window_s\": " << micros_as_seconds(plan.structuring_window_us())
      << ", \"n\": " << o.structuring_n
      << ", \"floor\": \"9000.00\", \"threshold\": \"10000.00\"},\n";
    f << "    \"zscore\": {\"k\": " << o.zscore_k << ", \"min_history\": " << o.zscore_min << "}\n";
  } else {
    f << "    \"gap\": {\"gap_us\": " << plan.gap_us()
      << ", \"gap_s\": " << micros_as_seconds(plan.gap_us()) << "},\n";
    f << "    \"stuck\": {\"r\": " << o.stuck_r << "}\n";
  }
  f << "  },\n  \"patterns\": {\n";
  const std::uint64_t S = o.keys;
  auto list = [&](PatternKind kind, const char* name, bool last) {
    f << "    \"" << name << "\": [";
    bool first = true;
    for (const Pattern& p : plan.patterns()) {
      if (p.kind != kind) continue;
      f << (first ? "\n" : ",\n") << "      {\"" << (tx ? "key" : "sensor") << "\": \""
        << key_name(plan, p.key) << "\", ";
      first = false;
      std::vector<std::uint64_t> ev;
      if (kind == PatternKind::gap) {
        std::uint64_t a = (p.first - 1) * S + p.key, b = (p.first + p.len) * S + p.key;
        f << "\"from\": \"" << iso_timestamp(plan.time_us(a)) << "\", \"to\": \""
          << iso_timestamp(plan.time_us(b)) << "\", \"event_ids\": ";
        ids(f, {a + 1, b + 1});
      } else if (kind == PatternKind::stuck) {
        for (std::uint64_t m = 0; m < p.len; ++m) ev.push_back((p.first + m) * S + p.key + 1);
        f << "\"event_ids\": ";
        ids(f, ev);
      } else if (kind == PatternKind::outlier) {
        f << "\"event_id\": " << p.first + 1 << ", \"amount_minor\": " << p.amount_minor;
      } else {
        for (std::uint64_t m = 0; m < p.len; ++m) ev.push_back(p.first + m + 1);
        f << "\"event_ids\": ";
        ids(f, ev);
      }
      f << '}';
    }
    f << (first ? "]" : "\n    ]") << (last ? "\n" : ",\n");
  };
  if (tx) {
    list(PatternKind::velocity, "velocity", false);
    list(PatternKind::structuring, "structuring", false);
    list(PatternKind::outlier, "outlier", true);
  } else {
    list(PatternKind::gap, "gap", false);
    list(PatternKind::stuck, "stuck", true);
  }
  f << "  }\n}\n";
  if (!f.flush()) throw std::runtime_error("cannot write " + path);
}

void write_rates(const Plan& plan, const std::string& path) {
  const Options& o = plan.options();
  std::ofstream f(path);
  const char* eol = o.crlf ? "\r\n" : "\n";
  f << "date,currency,rate" << eol;
  for (int d = 0; d < o.days; ++d) {
    char date[16];
    *write_date(date, o.start_day + d) = '\0';
    for (int c = 0; c < kCurrencies; ++c)
      if (c != kBase)
        f << date << ',' << kCurrencyNames[c] << ',' << fixed8(plan.rate_e8(c, o.start_day + d))
          << eol;
  }
  if (!f.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace weft::events_gen
