// SPDX-License-Identifier: Apache-2.0
#include "rows.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "civil.hpp"

namespace weft::events_gen {
namespace {

constexpr std::array<const char*, 16> kWords = {
    "Acme",  "Globex", "Initech",   "Umbrella", "Hooli",     "Vandelay", "Stark", "Wayne",
    "Wonka", "Tyrell", "Cyberdyne", "Soylent",  "Gringotts", "Oceanic",  "Duff",  "Monarch"};
constexpr std::array<const char*, 7> kCategories = {"groceries", "travel", "fuel",    "dining",
                                                    "utilities", "online", "transfer"};

// Out is a cursor into a row's buffer.
struct Out {
  char* p;
  void put(char c) { *p++ = c; }
  void put(const char* s) {
    std::size_t n = std::strlen(s);
    std::memcpy(p, s, n);
    p += n;
  }
  void uint(std::uint64_t v, int width = 1) {
    char tmp[24];
    int n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0 || n < width);
    while (n > 0) *p++ = tmp[--n];
  }
  // fixed writes v / 10^places with trailing fraction zeros dropped.
  void fixed(std::int64_t v, int places) {
    if (v < 0) put('-');
    std::uint64_t a = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
    std::uint64_t scale = 1;
    for (int k = 0; k < places; ++k) scale *= 10;
    uint(a / scale);
    std::uint64_t frac = a % scale;
    if (frac == 0) return;
    int width = places;
    while (frac % 10 == 0) {
      frac /= 10;
      --width;
    }
    put('.');
    uint(frac, width);
  }
};

void counterparty(Out& o, std::uint64_t c, bool newlines) {
  const char* w = kWords[c % kWords.size()];
  std::uint64_t n = c / kWords.size();
  const bool comma = c % 41 == 7, quotes = c % 53 == 5, newline = newlines && c % 97 == 3;
  const bool quoted = comma || quotes || newline || c % 5 == 0;
  if (quoted) o.put('"');
  if (quotes) {
    o.put("The \"\"");
    o.put(w);
    o.put("\"\" ");
  } else {
    o.put(w);
    o.put(' ');
  }
  o.uint(n);
  if (comma) o.put(", Sons & Co");
  if (newline) o.put("\nBranch office");
  if (quoted) o.put('"');
}

// timestamp writes a valid time, or for a bad_timestamp row one of several
// bad ones (variant v).
void timestamp(Out& o, std::int64_t us, int bad_variant) {
  char* s = o.p;
  if (bad_variant < 0) {
    o.p = write_timestamp(o.p, us);
    return;
  }
  o.p = write_timestamp(o.p, us - us % 1'000'000);  // YYYY-MM-DDTHH:MM:SSZ
  switch (bad_variant) {
    case 0:
      std::memcpy(s + 5, "13", 2);
      break;  // month 13
    case 1:
      std::memcpy(s + 5, "02-30", 5);
      break;  // 30 February
    case 2:
      std::memcpy(s + 11, "24", 2);
      break;  // hour 24
    case 3:
      s[10] = ' ';
      break;  // no T
    case 4:
      --o.p;
      break;  // no Z
    case 5:
      o.p[-1] = '.';
      o.put("1234567Z");
      break;  // 7 fraction digits
    default:
      o.p = s;
      o.put("yesterday");
      break;
  }
}

// number writes v / 10^places, or for a malformed row of `kind` a bad
// number: not finite, junk appended, out of range (`huge`, or with
// amounts of 2 places three decimal places).
void number(Out& o, int kind, int variant, std::int64_t v, int places,
            std::array<const char*, 2> huge) {
  constexpr std::array<const char*, 7> kNonFinite = {"nan",      "inf",  "-inf", "NaN",
                                                     "Infinity", "+inf", "-nan"};
  constexpr std::array<const char*, 7> kJunk = {"x", ".5.", "e3", "abc", "", "-", "..1"};
  if (kind == reason_index(Reason::non_finite)) {
    o.put(kNonFinite[variant]);
  } else if (kind == reason_index(Reason::out_of_range)) {
    if (places == 2 && variant % 2 == 0) {
      o.fixed(v * 10 + 7, 3);
    } else {
      o.put(huge[(variant / 2) % 2]);
    }
  } else {
    o.fixed(v, places);
    if (kind == reason_index(Reason::unparsable_field)) o.put(kJunk[variant]);
  }
}

std::int64_t sensor_milli(const Plan& plan, std::uint64_t slot, std::int64_t t) {
  const Options& op = plan.options();
  const std::uint64_t x = slot % op.keys, round = slot / op.keys;
  double base = 15.0 + static_cast<double>(hash3(op.seed, x, 7) % 1000) / 100.0;
  double period = 86400e6 * (0.5 + unit(hash3(op.seed, x, 8)));
  Stream rng(op.seed, slot, kRowStream + 1);
  double v = base + 3.0 * std::sin(2.0 * std::numbers::pi * static_cast<double>(t) / period) +
             0.2 * rng.normal();
  auto milli = static_cast<std::int64_t>(std::llround(v * 1000.0));
  // The reading's last digit is fixed mod 3 by its round: two readings of a
  // sensor one or two rounds apart always differ (no stuck run by chance).
  std::int64_t want = static_cast<std::int64_t>(round % 3), have = ((milli % 3) + 3) % 3;
  return milli + (want - have);
}

void transaction(const Plan& plan, std::uint64_t i, int kind, Out& o, Block& b) {
  const Options& op = plan.options();
  Stream rng(op.seed, i, kRowStream);
  const Pattern* pat = plan.pattern_at(i);
  std::uint64_t key = 0;
  std::int64_t t = 0, minor = 0;
  int cur = kBase;
  if (pat == nullptr) {
    key = plan.zipf().draw(rng);
    t = plan.time_us(i);
    double u = rng.uniform();
    cur = u < 0.5 ? 0 : u < 0.75 ? 1 : u < 0.87 ? 2 : u < 0.95 ? 3 : 4;
    double v = 50.0 * std::exp(0.5 * std::clamp(rng.normal(), -2.0, 2.0));  // base units
    if (rng.uniform() < 0.05) v = -v;                                       // refunds
    double rate = static_cast<double>(plan.rate_e8(cur, floor_div(t, kMicrosPerDay))) * 1e-8;
    minor = cur == 4 ? std::llround(v / rate) * 100 : std::llround(v / rate * 100.0);
    if (kind < 0 && key < b.history.size()) {
      const Pattern* out = nullptr;
      for (const Pattern& p : plan.patterns())
        if (p.kind == PatternKind::outlier && p.key == key) out = &p;
      if (out != nullptr && i + plan.jitter() + 1 < out->first) ++b.history[key];
    }
  } else {
    key = pat->key;
    const auto m = static_cast<std::int64_t>(i - pat->first);
    t = pat->kind == PatternKind::outlier ? plan.time_us(i) : pat->time0 + m * pat->step;
    minor = pat->kind == PatternKind::velocity      ? 4200
            : pat->kind == PatternKind::structuring ? 990'000 - m * 80'000 / op.structuring_n
                                                    : pat->amount_minor;
  }
  const int variant = kind >= 0 ? static_cast<int>(rng.below(7)) : -1;
  std::uint64_t id =
      (kind == reason_index(Reason::duplicate_event_id) ? plan.duplicate_source(i) : i) + 1;
  o.uint(id);
  if (kind == reason_index(Reason::unparsable_field) && variant == 4) o.put('a');
  o.put(',');
  o.put('A');
  o.uint(key, plan.key_width());
  o.put(',');
  timestamp(o, t, kind == reason_index(Reason::bad_timestamp) ? variant : -1);
  o.put(',');
  if (!(kind == reason_index(Reason::missing_field) && variant % 3 == 2)) {
    number(o, kind, variant, minor, 2, {"1000000000000.01", "-2500000000000"});
  }
  o.put(',');
  o.put(kind == reason_index(Reason::unknown_currency) ? (variant % 3 == 0   ? "XAU"
                                                          : variant % 3 == 1 ? "BTC"
                                                                             : "ZZZ")
                                                       : kCurrencyNames[cur]);
  if (kind == reason_index(Reason::missing_field) && variant % 3 == 1) return;  // five fields
  o.put(',');
  counterparty(o, hash3(op.seed, key, rng.below(8)) % 5000, op.quoted_newlines);
  if (kind == reason_index(Reason::missing_field) && variant % 3 == 0) return;  // six fields
  o.put(',');
  o.put(kCategories[rng.below(kCategories.size())]);
}

void reading(const Plan& plan, std::uint64_t i, int kind, Out& o) {
  const Options& op = plan.options();
  Stream rng(op.seed, i, kRowStream);
  const std::int64_t t = plan.time_us(i);
  std::int64_t milli = sensor_milli(plan, i, t);
  if (const Pattern* p = plan.pattern_at(i); p != nullptr && p->kind == PatternKind::stuck) {
    const std::uint64_t S = op.keys;
    std::int64_t v = sensor_milli(plan, p->first * S + p->key, plan.time_us(p->first * S + p->key));
    std::int64_t before = static_cast<std::int64_t>((p->first - 1) % 3);
    std::int64_t after = static_cast<std::int64_t>((p->first + p->len) % 3);
    std::int64_t want = 0;
    while (want == before || want == after) ++want;
    milli = v + (want - ((v % 3) + 3) % 3);
  }
  const int variant = kind >= 0 ? static_cast<int>(rng.below(7)) : -1;
  std::uint64_t id =
      (kind == reason_index(Reason::duplicate_event_id) ? plan.duplicate_source(i) : i) + 1;
  o.uint(id);
  if (kind == reason_index(Reason::unparsable_field) && variant == 4) o.put('a');
  o.put(",S");
  o.uint(i % op.keys, plan.key_width());
  o.put(',');
  timestamp(o, t, kind == reason_index(Reason::bad_timestamp) ? variant : -1);
  if (kind == reason_index(Reason::missing_field) && variant % 2 == 0) return;  // three fields
  o.put(',');
  if (kind != reason_index(Reason::missing_field))
    number(o, kind, variant, milli, 3, {"2000000000000.5", "-1500000000000.25"});
}

}  // namespace

const char* header(Domain d) {
  return d == Domain::transactions
             ? "event_id,account,timestamp,amount,currency,counterparty,category"
             : "event_id,sensor,timestamp,value";
}

void generate_block(const Plan& plan, std::uint64_t lo, std::uint64_t hi, Block& b) {
  const Options& op = plan.options();
  b.text.clear();
  b.bad.clear();
  b.lines = b.rows = 0;
  b.history.assign(op.domain == Domain::transactions ? static_cast<std::size_t>(op.patterns) : 0,
                   0);
  b.text.reserve((hi - lo) * 96);
  char row[1024];
  for (std::uint64_t i = lo; i < hi; ++i) {
    if (plan.skipped(i)) continue;
    const int kind = plan.kind(i);
    Out o{row};
    if (op.domain == Domain::transactions) {
      transaction(plan, i, kind, o, b);
    } else {
      reading(plan, i, kind, o);
    }
    if (op.crlf) o.put('\r');
    o.put('\n');
    if (kind >= 0) b.bad.emplace_back(kind, b.lines);
    b.lines += static_cast<std::uint64_t>(std::count(row, o.p, '\n'));
    ++b.rows;
    b.text.append(row, o.p);
  }
}

}  // namespace weft::events_gen
