// SPDX-License-Identifier: Apache-2.0
// The parts of the events pipeline with exact answers: ISO timestamps
// (expected values from Python's datetime), fixed-point decimals, the
// half-to-even rounding of conversions, CSV records and the record starts
// of chunks cut anywhere (against a serial split of the whole text), and
// the same for a file read in pieces.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "analysis.hpp"
#include "csv.hpp"
#include "csv_file.hpp"
#include "exchange.hpp"
#include "fields.hpp"
#include "rates.hpp"
#include "weft/go/executor.hpp"

namespace weft::events {
namespace {

TEST(EventsFields, TimestampsAreMicrosecondsSinceTheEpoch) {
  // Python: (datetime.fromisoformat(s) - epoch) // timedelta(microseconds=1)
  EXPECT_EQ(parse_timestamp("2024-02-29T23:59:59.5Z"), 1709251199500000);
  EXPECT_EQ(parse_timestamp("1969-12-31T23:59:59.999999Z"), -1);
  EXPECT_EQ(parse_timestamp("2026-03-01T00:00:00Z"), 1772323200000000);
  EXPECT_EQ(days_from_civil(1900, 3, 1), -25508);
  for (const char* bad :
       {"2023-02-29T00:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01 00:00:00Z",
        "2026-03-01T00:00:00", "2026-03-01T00:00:00.1234567Z", "2026-03-01T00:00:00.Z",
        "2026-03-01T00:00:60Z", "2026-13-01T00:00:00Z", "2026-03-01T00:0a:00Z"})
    EXPECT_FALSE(parse_timestamp(bad).has_value()) << bad;
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_timestamp(1709251199500000), "2024-02-29T23:59:59.500000Z");
  // The ends of the years 0000-9999, and round trips over them.
  for (const char* ends : {"0000-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z"})
    EXPECT_EQ(format_timestamp(*parse_timestamp(ends)), ends);
  const std::int64_t first = *parse_timestamp("0000-01-01T00:00:00Z");
  const std::int64_t last = *parse_timestamp("9999-12-31T23:59:59.999999Z");
  std::uint64_t x = 12345;
  for (int i = 0; i < 10000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::int64_t t =
        first + static_cast<std::int64_t>(x % static_cast<std::uint64_t>(last - first + 1));
    EXPECT_EQ(parse_timestamp(format_timestamp(t)), t) << format_timestamp(t);
  }
}

TEST(EventsFields, UnixTimesAreCountsOfTheirUnitSince1970) {
  using F = TimeFormat;
  EXPECT_EQ(parse_time("1709251199", F::unix_s), 1709251199000000);
  EXPECT_EQ(parse_time("1709251199500", F::unix_ms), 1709251199500000);
  EXPECT_EQ(parse_time("-1", F::unix_us), -1);
  // Nanoseconds go down to the microsecond below, before 1970 too.
  EXPECT_EQ(parse_time("1709251199500000999", F::unix_ns), 1709251199500000);
  EXPECT_EQ(parse_time("-1", F::unix_ns), -1);
  EXPECT_EQ(parse_time("-1000", F::unix_ns), -1);
  EXPECT_EQ(parse_time("-1001", F::unix_ns), -2);
  // Years 0000-9999, what ISO text can say; beyond: not a time.
  EXPECT_EQ(parse_time("253402300799", F::unix_s), parse_timestamp("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(parse_time("253402300800", F::unix_s).has_value());
  EXPECT_EQ(parse_time("-62167219200", F::unix_s), parse_timestamp("0000-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_time("-62167219201", F::unix_s).has_value());
  EXPECT_FALSE(parse_time("9223372036854775807", F::unix_us).has_value());
  for (const char* bad : {"", "12x", "1.5", " 1", "+1", "1e9", "99999999999999999999"})
    EXPECT_FALSE(parse_time(bad, F::unix_ms).has_value()) << bad;
  EXPECT_EQ(parse_time("2026-03-01T00:00:00Z", F::iso8601), 1772323200000000);
  EXPECT_EQ(time_format_of("unix_ns"), F::unix_ns);
  EXPECT_EQ(time_format_of("iso8601"), F::iso8601);
}

TEST(EventsFields, DecimalsAreExactIntegers) {
  auto units = [](const char* s, int dp = 2) { return parse_decimal(s, dp, 1'000'000'000'000); };
  EXPECT_EQ(units("12.5").units, 1250);
  EXPECT_EQ(units("-0.01").units, -1);
  EXPECT_EQ(units("+7").units, 700);
  EXPECT_EQ(units("1000000000000.00").units, 100'000'000'000'000);
  EXPECT_EQ(units("-1000000000000").status, Decimal::ok);
  EXPECT_EQ(units("1000000000000.01").status, Decimal::out_of_range);
  EXPECT_EQ(units("1.234").status, Decimal::out_of_range);
  EXPECT_EQ(units("1.234", 3).units, 1234);
  for (const char* s : {"nan", "-inf", "Infinity", "NaN"})
    EXPECT_EQ(units(s).status, Decimal::non_finite) << s;
  for (const char* s : {"", ".", "-", "12.3x", "1e3", "1,5", " 1", ".5", "5.", "+-1"})
    EXPECT_EQ(units(s).status, Decimal::unparsable) << s;
  EXPECT_EQ(parse_double("21.375"), 21.375);
  EXPECT_EQ(parse_double("0.1"), 0.1);
  for (const char* s : {"2x", "1e3", ".5", "5.", "0x10", ""})
    EXPECT_FALSE(parse_double(s).has_value()) << s;
}

TEST(EventsRates, ConversionRoundsHalfToEven) {
  EXPECT_EQ(round_half_even_div(5, 2), 2);
  EXPECT_EQ(round_half_even_div(7, 2), 4);
  EXPECT_EQ(round_half_even_div(-5, 2), -2);
  EXPECT_EQ(round_half_even_div(-7, 2), -4);
  EXPECT_EQ(round_half_even_div(149'999'999, 100'000'000), 1);
  EXPECT_EQ(round_half_even_div(150'000'000, 100'000'000), 2);
  EXPECT_EQ(round_half_even_div(250'000'000, 100'000'000), 2);
  // 10^12 major units at 2 dp times a rate of 50000.00000001: the product
  // needs more than 64 bits, the result does not.
  const Int128 big = static_cast<Int128>(100'000'000'000'000) * 5'000'000'000'001;
  EXPECT_EQ(round_half_even_div(big, 100'000'000), 5'000'000'000'001'000'000);
}

// The rates table's lookups: codes (compared as integers), the base, and
// day rates from an array (a short span) or a map (a span beyond the
// array's: JPY's 200 years), each with the half-to-even rounding by hand.
TEST(EventsRates, CodesAndDayRatesAreLookedUpAsTheTableHasThem) {
  const std::string path = ::testing::TempDir() + "events-rates-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  const std::string table =
      "date,currency,rate\n2024-01-01,USD,0.9\n2024-01-03,USD,0.95\n2024-01-05,USD,0.9125\n"
      "2024-01-01,GBP,1.15\n1900-01-01,JPY,0.0062\n2100-12-31,JPY,0.0061\n2024-01-02,EUR,1\n";
  ASSERT_EQ(std::fwrite(table.data(), 1, table.size(), f), table.size());
  std::fclose(f);
  for (const std::string base : {"EUR", "EURO"}) {
    const Rates r = Rates::load(path, base);
    // With base EURO, EUR is a currency of the table (its row not the base's).
    const int off = base == "EURO" ? 1 : 0;
    const std::vector<std::string> codes =
        off ? std::vector<std::string>{"EUR", "GBP", "JPY", "USD"}
            : std::vector<std::string>{"GBP", "JPY", "USD"};
    ASSERT_EQ(r.currencies(), codes);
    if (off) {
      EXPECT_EQ(r.currency_index("EUR"), 0);
    }
    EXPECT_EQ(r.currency_index("GBP"), off + 0);
    EXPECT_EQ(r.currency_index("JPY"), off + 1);
    EXPECT_EQ(r.currency_index("USD"), off + 2);
    EXPECT_EQ(r.currency_index(base), Rates::kBase);
    for (const char* code : {"CHF", "usd", "US", "USDX", "", "EURO "})
      EXPECT_EQ(r.currency_index(code), Rates::kUnknown) << code;
    auto day = [](const char* d) { return *parse_date(d); };
    const int usd = off + 2, gbp = off, jpy = off + 1;
    EXPECT_EQ(r.convert(10, usd, day("2024-01-03")), 10);    // 9.5 -> 10
    EXPECT_EQ(r.convert(30, usd, day("2024-01-03")), 28);    // 28.5 -> 28
    EXPECT_EQ(r.convert(200, usd, day("2024-01-05")), 182);  // 182.5 -> 182
    EXPECT_EQ(r.convert(-200, usd, day("2024-01-01")), -180);
    EXPECT_EQ(r.convert(100, gbp, day("2024-01-01")), 115);
    EXPECT_EQ(r.convert(1000, jpy, day("1900-01-01")), 6);  // 6.2
    EXPECT_EQ(r.convert(500, jpy, day("2100-12-31")), 3);   // 3.05
    EXPECT_EQ(r.convert(7, Rates::kBase, day("2024-01-04")), 7);
    for (const char* missing : {"2023-12-31", "2024-01-02", "2024-01-04", "2024-01-06"})
      EXPECT_THROW(r.convert(1, usd, day(missing)), std::out_of_range) << missing;
    EXPECT_THROW(r.convert(1, jpy, day("2000-01-01")), std::out_of_range);
  }
  std::remove(path.c_str());
}

// Distinct counterparties against a std::set, over the paths of its count:
// keys of up to 64 events (sorted) and more (a hash set that grows past
// its first 128 slots), parties inline and on the heap, empty ones, and
// parties that differ only in their last byte or their length.
TEST(EventsAggregate, DistinctCounterpartiesAreThoseOfASet) {
  std::mt19937_64 rng(5);
  Events events;
  std::map<std::string, std::set<std::string>> truth;
  const std::vector<std::pair<std::string, int>> keys{
      {"a", 1}, {"b", 64}, {"c", 65}, {"d", 300}, {"e", 5000}};
  std::int64_t id = 0;
  for (const auto& [key, n] : keys)
    for (int i = 0; i < n; ++i) {
      Event e;
      e.id = id++;
      e.time_us = i;
      e.key = key;
      const auto k = rng() % (static_cast<std::uint64_t>(n) / 2 + 1);
      std::string party = k % 3 == 0   ? "party " + std::to_string(k)
                          : k % 3 == 1 ? "a counterparty name on the heap #" + std::to_string(k)
                                       : std::string(k % 17, 'x');  // "" and "x" .. "xxxx..."
      e.counterparty = party;
      truth[key].insert(party);
      events.push_back(std::move(e));
    }
  Config c;
  go::Executor exec;
  const std::vector<KeyStats> stats = aggregate(events, c, exec);
  ASSERT_EQ(stats.size(), keys.size());
  for (const KeyStats& s : stats)
    EXPECT_EQ(s.distinct_counterparties, static_cast<std::int64_t>(truth[s.key].size())) << s.key;
  EXPECT_GT(truth["e"].size(), 128u);
}

std::vector<std::vector<std::string>> records(std::string_view text) {
  RecordReader r(text, 1);
  Record rec;
  std::vector<std::vector<std::string>> out;
  while (r.next(rec)) {
    std::vector<std::string> f{std::to_string(rec.line)};
    for (auto v : rec.fields) f.emplace_back(v);
    if (rec.malformed) f.emplace_back("<malformed>");
    out.push_back(f);
  }
  return out;
}

TEST(EventsCsv, QuotedFieldsCommasDoubledQuotesNewlinesAndCrlf) {
  const auto r = records("a,\"b,\"\"c\"\"\r\nd\",e\r\nf,g\n\n\"h\"x,i\n");
  ASSERT_EQ(r.size(), 4U);
  EXPECT_EQ(r[0], (std::vector<std::string>{"1", "a", "b,\"c\"\r\nd", "e"}));
  EXPECT_EQ(r[1], (std::vector<std::string>{"3", "f", "g"}));
  EXPECT_EQ(r[2], (std::vector<std::string>{"4"}));  // a blank line
  EXPECT_EQ(r[3], (std::vector<std::string>{"5", "h", "i", "<malformed>"}));
}

TEST(EventsCsv, ByteCountsAgreeWithAByteLoopAtEveryLengthAndOffset) {
  // Lengths around the 64-byte blocks and past the 255 blocks whose byte
  // counters are summed before they overflow, at every alignment.
  std::mt19937_64 rng(7);
  std::string text(64 * 600 + 100, 'x');
  for (char& ch : text) {
    const auto r = rng() % 8;
    ch = r == 0 ? '"' : r == 1 ? '\n' : static_cast<char>('a' + r);
  }
  std::fill(text.begin() + 64 * 300, text.begin() + 64 * 560, '"');  // every byte a match
  for (std::size_t offset : {0, 1, 31, 63})
    for (std::size_t n : {0, 1, 63, 64, 65, 127, 64 * 255, 64 * 255 + 1, 64 * 256, 64 * 599 + 3}) {
      const std::string_view s = std::string_view(text).substr(offset, n);
      EXPECT_EQ(count_quotes(s), std::count(s.begin(), s.end(), '"')) << offset << " " << n;
      EXPECT_EQ(count_newlines(s), std::count(s.begin(), s.end(), '\n')) << offset << " " << n;
    }
}

TEST(EventsCsv, ChunkStartsAgreeWithASerialSplitForEveryChunkSize) {
  const std::string text =
      "1,\"x\ny\",2\r\n3,\"\"\"q\"\"\n,\",4\n5,p,6\n7,\"\n\n\",8\r\n9,\"a,b\",10\n";
  const auto whole = records(text);
  for (std::size_t cb = 1; cb <= text.size(); ++cb) {
    const std::size_t n = (text.size() + cb - 1) / cb;
    std::vector<std::int64_t> starts(n);
    std::int64_t quotes = 0;
    for (std::size_t b = 0; b < n; ++b) {
      const std::string_view piece = std::string_view(text).substr(b * cb, cb);
      const std::int64_t s = b == 0 ? 0 : first_start(piece, quotes % 2 == 1);
      starts[b] = s == kNoStart ? kNoStart : static_cast<std::int64_t>(b * cb) + s;
      quotes += count_quotes(piece);
    }
    resolve_starts(starts, static_cast<std::int64_t>(text.size()));
    std::vector<std::vector<std::string>> joined;
    for (std::size_t b = 0; b < n; ++b) {
      const std::int64_t e = b + 1 < n ? starts[b + 1] : static_cast<std::int64_t>(text.size());
      const std::string_view part = std::string_view(text).substr(
          static_cast<std::size_t>(starts[b]), static_cast<std::size_t>(e - starts[b]));
      const std::int64_t line =
          1 + count_newlines(std::string_view(text).substr(0, static_cast<std::size_t>(starts[b])));
      RecordReader r(part, line);
      Record rec;
      while (r.next(rec)) {
        std::vector<std::string> f{std::to_string(rec.line)};
        for (auto v : rec.fields) f.emplace_back(v);
        joined.push_back(f);
      }
    }
    EXPECT_EQ(joined, whole) << "chunks of " << cb << " bytes";
  }
}

// A CSV text in a file, read back in pieces (csv_file.hpp): the records of
// the pieces of every size are those of the whole text (records()), and
// the counts and record starts are those of the text in memory.
TEST(EventsCsv, PiecesOfAFileGiveTheRecordsOfTheWholeText) {
  const std::string text =
      "1,\"x\ny\",2\r\n3,\"\"\"q\"\"\n,\",4\n5,p,6\n\n7,\"\n\n\",8\r\n9,\"a,b\",10\n11,\"z\"";
  const std::string path = ::testing::TempDir() + "events-pieces-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(std::fwrite(text.data(), 1, text.size(), f), text.size());
  std::fclose(f);
  const InputFile in(path);
  const auto n = static_cast<std::int64_t>(text.size());
  auto sub = [&](std::int64_t a, std::int64_t b) {
    return std::string_view(text).substr(static_cast<std::size_t>(a),
                                         static_cast<std::size_t>(b - a));
  };
  Bytes buf;
  for (const std::int64_t block : {std::int64_t{1}, std::int64_t{2}, std::int64_t{5}, n})
    for (std::int64_t a = 0; a <= n; ++a)
      for (std::int64_t b = a; b <= n + 3; ++b) {  // past the end of the file too
        const Counts c = count_range(in, a, b, block, buf);
        EXPECT_EQ(c.quotes, count_quotes(sub(a, std::min(b, n))));
        EXPECT_EQ(c.newlines, count_newlines(sub(a, std::min(b, n))));
        for (bool q : {false, true}) {
          const std::int64_t want = first_start(sub(a, std::min(b, n)), q);
          buf = "<";
          EXPECT_EQ(next_start(in, a, b, q, block, buf, true),
                    want == kNoStart ? kNoStart : a + want);
          EXPECT_EQ(std::string_view(buf),
                    "<" + std::string(sub(a, want == kNoStart ? std::min(b, n) : a + want)));
        }
      }
  // Pieces from the first record start on: read_part() up to the next
  // record start after pos + piece, for every piece size.
  for (std::int64_t piece = 1; piece <= n + 1; ++piece) {
    std::string joined;
    for (std::int64_t pos = 0; pos < n;) {
      read_part(in, pos, std::min(n, pos + piece), n, std::min<std::int64_t>(piece, 3), buf);
      ASSERT_FALSE(buf.empty());
      const std::int64_t line = 1 + count_newlines(sub(0, pos));
      for (const auto& r : records(buf)) {
        joined += std::to_string(std::stoll(r[0]) + line - 1);
        for (std::size_t i = 1; i < r.size(); ++i) joined += "|" + r[i];
        joined += "\n";
      }
      pos += static_cast<std::int64_t>(buf.size());
    }
    std::string whole;
    for (const auto& r : records(text)) {
      whole += r[0];
      for (std::size_t i = 1; i < r.size(); ++i) whole += "|" + r[i];
      whole += "\n";
    }
    EXPECT_EQ(joined, whole) << "pieces of " << piece << " bytes";
  }
  std::remove(path.c_str());
}

// expect_sorted_like_std() checks sort_by_key() on `count` events with
// keys from `keys` against std::sort by (key bytes, time, id).
void expect_sorted_like_std(const std::vector<std::string>& keys, int count = 600) {
  std::mt19937_64 rng(7);
  Events events;
  for (int i = 0; i < count; ++i) {
    Event e;
    e.key = keys[rng() % keys.size()];
    e.time_us = static_cast<std::int64_t>(rng() % 5);
    e.id = static_cast<std::int64_t>(rng() % (2 * static_cast<unsigned>(count)));
    e.counterparty = std::to_string(e.id);  // moves with its event
    events.push_back(e);
  }
  Events want = events;
  std::sort(want.begin(), want.end(), [](const Event& a, const Event& b) {
    return a.key != b.key ? a.key < b.key : before(a, b);
  });
  sort_by_key(events);
  ASSERT_EQ(events.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(events[i].key, want[i].key) << i;
    EXPECT_EQ(events[i].time_us, want[i].time_us) << i;
    EXPECT_EQ(events[i].id, want[i].id) << i;
    EXPECT_EQ(events[i].counterparty, want[i].counterparty) << i;
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(EventsShuffle, SortByKeyIsTheOrderOfKeyBytesTimeAndId) {
  // Keys around the 8-byte prefix the comparison sort looks at first.
  expect_sorted_like_std({"A", "AB", "ABCDEFG", "ABCDEFGH", "ABCDEFGHI", "ABCDEFGHJ", "ABCDEFGHIJ",
                          "B", "ABCDEFGG", "ABCDEFGHIA", "\xff", "Z z"});
}

TEST(EventsShuffle, SortByKeyOfShortKeysIsTheOrderOfKeyBytesTimeAndId) {
  // Keys of at most 7 bytes (the radix sort): prefixes of each other, a
  // NUL byte, high bytes, the empty key.
  expect_sorted_like_std({"", "A", "AB", "ABCDEFG", "ABCDEF", std::string("A\0", 2),
                          std::string("A\0B", 3), "B", "\xff", "\xff\xfe", "Z z", "A000014",
                          "A000015", "A00001"});
}

TEST(EventsShuffle, SortByKeyMovesManyEventsThroughBuckets) {
  // More events than one cache-sized range: moved into buckets first (once
  // past 4096 events, twice past 256 * 4096).
  std::vector<std::string> keys;
  for (int k = 0; k < 300; ++k) keys.push_back("A" + std::to_string(100000 + k * 7));
  keys.push_back("a much longer key than seven bytes");
  expect_sorted_like_std(keys, 50'000);
  keys.pop_back();
  expect_sorted_like_std(keys, 1'100'000);
}

// expect_duplicates_like_a_map() checks remove_duplicates() on one rank
// against a map of each id's first (file, line): 30000 events, ids drawn
// from `ids` distinct values spread by `stride` (1: dense running numbers;
// large: sparse ids, which take the hashed bitmap), about one in six
// repeated, in a shuffled file/line order.
void expect_duplicates_like_a_map(std::int64_t stride) {
  std::mt19937_64 rng(static_cast<std::uint64_t>(stride));
  constexpr int kEvents = 30000, kIds = 25000;
  Events events;
  for (int i = 0; i < kEvents; ++i) {
    Event e;
    e.id = -7 + stride * static_cast<std::int64_t>(rng() % kIds);
    e.file = static_cast<std::int32_t>(rng() % 3);
    e.line = 2 + i;
    e.key = "k";
    events.push_back(e);
  }
  std::shuffle(events.begin(), events.end(), rng);
  std::map<std::int64_t, std::pair<std::int32_t, std::int64_t>> first;
  // where() is an event's (file, line) (bit-fields of the Event)
  auto where = [](const Event& e) {
    return std::make_pair(static_cast<std::int32_t>(e.file), static_cast<std::int64_t>(e.line));
  };
  for (const Event& e : events) {
    const auto [it, fresh] = first.try_emplace(e.id, where(e));
    if (!fresh) it->second = std::min(it->second, where(e));
  }
  std::vector<std::pair<std::int32_t, std::int64_t>> want_bad;
  for (const Event& e : events)
    if (first.at(e.id) != where(e)) want_bad.push_back(where(e));
  ASSERT_GT(want_bad.size(), 1000u);
  std::vector<BadRow> bad;
  double mpi_seconds = 0;
  remove_duplicates(events, bad, 64 << 10, MPI_COMM_WORLD, mpi_seconds);
  EXPECT_EQ(events.size(), first.size());
  for (const Event& e : events) EXPECT_EQ(first.at(e.id), where(e));
  std::vector<std::pair<std::int32_t, std::int64_t>> got_bad;
  for (const BadRow& b : bad) {
    EXPECT_EQ(b.reason, Reason::duplicate_event_id);
    got_bad.emplace_back(b.file, b.line);
  }
  std::sort(got_bad.begin(), got_bad.end());
  std::sort(want_bad.begin(), want_bad.end());
  EXPECT_EQ(got_bad, want_bad);
}

TEST(EventsDuplicates, DenseIdsKeepEachIdsFirstRow) { expect_duplicates_like_a_map(1); }
TEST(EventsDuplicates, SparseIdsKeepEachIdsFirstRow) {
  expect_duplicates_like_a_map(1'000'003'000'017);
}

}  // namespace
}  // namespace weft::events
