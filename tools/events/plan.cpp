// SPDX-License-Identifier: Apache-2.0
#include "plan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "civil.hpp"

namespace weft::events_gen {
namespace {

constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
constexpr std::array<double, kCurrencies> kRateBase = {1.0, 0.92, 1.17, 1.05, 0.0062};

}  // namespace

Plan::Plan(const Options& o)
    : o_(o),
      zipf_(o.domain == Domain::transactions ? o.keys : 1, o.zipf),
      jitter_(o.domain == Domain::transactions ? 3 : 2),
      dt_(static_cast<double>(o.days) * static_cast<double>(kMicrosPerDay) /
          static_cast<double>(o.rows + static_cast<std::uint64_t>(jitter_))),
      start_us_(o.start_day * kMicrosPerDay) {
  const std::uint64_t total_us = static_cast<std::uint64_t>(o.days) * kMicrosPerDay;
  if (dt_ < 20.0) throw BadInput("--rows over --days leaves less than 20 us per row: raise --days");
  for (int r = 0; r < kReasons; ++r) cumulative_[r + 1] = cumulative_[r] + o.malformed[r];
  rates_.resize(static_cast<std::size_t>(kCurrencies) * o.days);
  for (int c = 0; c < kCurrencies; ++c)
    for (int d = 0; d < o.days; ++d) {
      Stream s(o.seed, static_cast<std::uint64_t>(d), kRateStream + 16 * c);
      double wave = 0.02 * std::sin(2.0 * std::numbers::pi * d / 29.0 + c);
      double r = kRateBase[c] * (1.0 + wave + 0.003 * (s.uniform() - 0.5));
      rates_[static_cast<std::size_t>(c) * o.days + d] =
          c == kBase ? 100'000'000 : std::llround(r * 1e8);
    }
  const auto P = static_cast<std::uint64_t>(o.patterns);
  std::uint64_t widest = o.keys + 2 * P;
  for (std::uint64_t p = 1'000'000; p <= widest; p *= 10) ++key_width_;

  if (o.domain == Domain::transactions) {
    const std::uint64_t K = o.velocity_k, N = o.structuring_n;
    velocity_w_ = static_cast<std::int64_t>(std::floor((o.velocity_k - jitter_ - 3) * dt_));
    if (velocity_w_ < static_cast<std::int64_t>(2 * K))
      throw BadInput("the velocity window would be shorter than 2K us: raise --days");
    structuring_w_ = std::min<std::int64_t>(3'600'000'000LL, total_us / (8 * (3 * P + 1)));
    const std::uint64_t spacing = o.rows / (3 * P + 1);
    if (P > 0 && spacing < 4 * (K + 1) + 4 * jitter_)
      throw BadInput("too many --patterns for --rows (patterns would overlap)");
    for (std::uint64_t j = 0; j < P; ++j)
      for (std::uint64_t c = 0; c < 3; ++c) {
        Pattern p{};
        p.first = o.rows * (3 * j + c + 1) / (3 * P + 1);
        p.time0 = time_us(p.first);
        if (c == 0) {
          p.kind = PatternKind::structuring;
          p.len = N;
          p.key = pattern_key(j);
          p.step = structuring_w_ / (2 * static_cast<std::int64_t>(N));
        } else if (c == 1) {
          p.kind = PatternKind::velocity;
          p.len = K + 1;
          p.key = pattern_key(P + j);
          p.step = velocity_w_ / (2 * static_cast<std::int64_t>(K));
        } else {
          p.kind = PatternKind::outlier;
          p.len = 1;
          p.key = j;  // the j-th most frequent account: it has a long history
          double m = o.zscore_min;
          double x = 2.0 * (amount_cap() * 1.01) * (1.0 + o.zscore_k * std::sqrt(m / (m - 1.0)));
          p.amount_minor = std::llround(x * 100.0);
          if (p.amount_minor >= band_floor_minor() && p.amount_minor < threshold_minor())
            p.amount_minor = threshold_minor() + 12'345;  // keep it out of the structuring band
        }
        patterns_.push_back(p);
        lo_.push_back(p.first);
        hi_.push_back(p.first + p.len - 1);
      }
  } else {
    const std::uint64_t S = o.keys;
    gap_ = static_cast<std::int64_t>(std::floor(3.0 * static_cast<double>(S) * dt_));
    const std::uint64_t stuck_len = static_cast<std::uint64_t>(o.stuck_r) + 1;
    const std::uint64_t spacing = o.rows / (2 * P + 1);
    if (P > 0 && spacing < (stuck_len + 6) * S)
      throw BadInput("too many --patterns for --rows and --keys (patterns would overlap)");
    for (std::uint64_t j = 0; j < P; ++j)
      for (std::uint64_t c = 0; c < 2; ++c) {
        Pattern p{};
        p.key = hash3(o.seed, j, c + 99) % S;
        p.first = o.rows * (2 * j + c + 1) / (2 * P + 1) / S;  // a round
        if (c == 0) {
          p.kind = PatternKind::gap;
          p.len = 4;
        } else {
          p.kind = PatternKind::stuck;
          p.len = stuck_len;
        }
        patterns_.push_back(p);
        lo_.push_back((p.first - 1) * S + p.key);
        hi_.push_back((p.first + p.len) * S + p.key);
      }
  }
  // Sort by first reserved slot (transactions are in order already).
  std::vector<std::size_t> order(patterns_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return lo_[a] < lo_[b]; });
  std::vector<Pattern> p2;
  std::vector<std::uint64_t> lo2, hi2;
  for (std::size_t i : order) {
    p2.push_back(patterns_[i]);
    lo2.push_back(lo_[i]);
    hi2.push_back(hi_[i]);
  }
  patterns_.swap(p2);
  lo_.swap(lo2);
  hi_.swap(hi2);
  for (std::size_t i = 1; i < lo_.size(); ++i)
    if (lo_[i] <= hi_[i - 1]) throw BadInput("injected patterns overlap: lower --patterns");
}

double Plan::amount_cap() const { return 50.0 * std::exp(2.0 * 0.5); }

std::int64_t Plan::time_us(std::uint64_t i) const {
  double u = Stream(o_.seed, i, kTimeStream).uniform();
  return start_us_ +
         static_cast<std::int64_t>(std::floor((static_cast<double>(i) + jitter_ * u) * dt_));
}

std::int64_t Plan::rate_e8(int c, std::int64_t day) const {
  std::int64_t d = std::clamp<std::int64_t>(day - o_.start_day, 0, o_.days - 1);
  return rates_[static_cast<std::size_t>(c) * o_.days + static_cast<std::size_t>(d)];
}

const Pattern* Plan::sensor_pattern_at(std::uint64_t i, bool& reserved_only) const {
  auto it = std::upper_bound(lo_.begin(), lo_.end(), i);
  if (it == lo_.begin()) return nullptr;
  auto p = static_cast<std::size_t>(it - lo_.begin() - 1);
  if (i > hi_[p]) return nullptr;
  if (o_.domain == Domain::transactions) {
    reserved_only = false;
    return &patterns_[p];
  }
  const Pattern& pat = patterns_[p];
  if (i % o_.keys != pat.key) return nullptr;
  std::uint64_t round = i / o_.keys;
  reserved_only = round < pat.first || round >= pat.first + pat.len;
  return &pat;
}

const Pattern* Plan::pattern_at(std::uint64_t i) const {
  bool reserved_only = false;
  const Pattern* p = sensor_pattern_at(i, reserved_only);
  return reserved_only ? nullptr : p;
}

bool Plan::reserved(std::uint64_t i) const {
  bool reserved_only = false;
  return sensor_pattern_at(i, reserved_only) != nullptr;
}

bool Plan::skipped(std::uint64_t i) const {
  if (o_.domain != Domain::sensors) return false;
  const Pattern* p = pattern_at(i);
  return p != nullptr && p->kind == PatternKind::gap;
}

int Plan::base_kind(std::uint64_t i) const {
  double u = Stream(o_.seed, i, kMalformedStream).uniform();
  if (o_.domain == Domain::sensors) {
    // Only even rounds: two readings of a sensor in a row are never both bad,
    // so a bad row never opens a gap longer than the rule's G.
    if ((i / o_.keys) % 2 != 0) return -1;
    u *= 0.5;
  }
  if (u >= cumulative_[kReasons]) return -1;
  int r = 0;
  while (u >= cumulative_[r + 1]) ++r;
  return r;
}

std::uint64_t Plan::duplicate_source(std::uint64_t i) const {
  Stream s(o_.seed, i, kMalformedStream);
  s.next();
  std::uint64_t d0 = s.below(16);
  for (std::uint64_t d = d0 + 1; d <= d0 + 64 && d <= i; ++d) {
    std::uint64_t j = i - d;
    if (!skipped(j) && (reserved(j) || base_kind(j) == -1)) return j;
  }
  return kNone;
}

int Plan::kind(std::uint64_t i) const {
  int k = base_kind(i);
  if (k < 0 || reserved(i)) return -1;
  if (k == reason_index(Reason::duplicate_event_id) && duplicate_source(i) == kNone) return -1;
  return k;
}

}  // namespace weft::events_gen
