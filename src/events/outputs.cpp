// SPDX-License-Identifier: Apache-2.0
#include "outputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "fields.hpp"
#include "weft/core/error.hpp"
#include "weft/io/columns.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::events {
namespace {

using Table = io::ColumnWriter::Table;

// text_column() stores strings as fixed-length NUL-padded bytes, as wide
// as the longest on any rank and at least 2 (so that the dataset is always
// rows x width: a width of 1 would store one dimension).
void text_column(Table& t, const std::string& name, const std::vector<std::string>& v,
                 MPI_Comm comm) {
  std::size_t local = 2;
  for (const auto& s : v) local = std::max(local, s.size());
  const auto width = static_cast<std::size_t>(
      mpi::allreduce(static_cast<std::int64_t>(local), MPI_MAX, mpi::Comm(comm)));
  std::vector<std::uint8_t> bytes(v.size() * width, 0);
  for (std::size_t i = 0; i < v.size(); ++i) std::copy(v[i].begin(), v[i].end(), &bytes[i * width]);
  t.column(name, bytes, static_cast<int>(width));
}

template <class Row, class F>
auto column_of(const std::vector<Row>& rows, F f) {
  std::vector<std::decay_t<decltype(f(rows[0]))>> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(f(r));
  return out;
}

// put_csv_text() appends `s` as a CSV field: quoted (inner quotes doubled)
// when it holds a comma, quote or line break.
void put_csv_text(fmt::memory_buffer& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char ch : s) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
}

std::string csv_text(std::string_view s) {
  fmt::memory_buffer out;
  put_csv_text(out, s);
  return fmt::to_string(out);
}

// put_timestamp_text() appends format_timestamp(t).
void put_timestamp_text(fmt::memory_buffer& out, std::int64_t t) {
  std::array<char, kTimestampBytes> text;
  put_timestamp(text.data(), t);
  out.append(text.data(), text.data() + text.size());
}

// sortable() is an int64 as text that sorts like the number.
std::string sortable(std::int64_t v) {
  return fmt::format("{:016x}", static_cast<std::uint64_t>(v) ^ (std::uint64_t{1} << 63));
}

std::string ids_text(const std::vector<std::int64_t>& ids) {
  return fmt::format("{}", fmt::join(ids, ";"));
}

// Rows is one table's CSV rows, each with the key it is sorted by, as
// records in one buffer (on kept pages: fresh memory costs a fault a 4 KiB
// page): the sort key's size (4 bytes), the key, the text's size, the text.
struct Rows {
  Bytes bytes;
  void add(std::string_view sort, std::string_view text) {
    put(sort);
    put(text);
  }
  void put(std::string_view s) {
    const auto n = static_cast<std::uint32_t>(s.size());
    bytes.append(reinterpret_cast<const char*>(&n), sizeof n);
    bytes.append(s);
  }
};

// Row is a view of one record of Rows.
struct Row {
  std::string_view sort, text;
};

// rows_of() is the records of `bytes` (Rows::bytes, or several of them
// concatenated) as views, in order.
HugePageVector<Row> rows_of(std::string_view bytes) {
  HugePageVector<Row> out;
  auto take = [&] {
    std::uint32_t n = 0;
    std::memcpy(&n, bytes.data(), sizeof n);
    const std::string_view s = bytes.substr(sizeof n, n);
    bytes.remove_prefix(sizeof n + n);
    return s;
  };
  while (!bytes.empty()) {
    const std::string_view sort = take();
    out.push_back({sort, take()});
  }
  return out;
}

// sort_rows() sorts rows by their sort keys, equal keys in their order
// (as std::stable_sort): the ascending runs already there are merged pair
// by pair, a pass over the rows for each halving of their number, so that
// one rank's rows (in key order from the aggregate) cost one look and
// several ranks' sorted runs a merge; rows in short runs go to
// std::stable_sort.
void sort_rows(HugePageVector<Row>& rows) {
  const auto less = [](const Row& a, const Row& b) { return a.sort < b.sort; };
  std::vector<std::size_t> ends;  // of the ascending runs
  for (std::size_t i = 1; i < rows.size(); ++i)
    if (less(rows[i], rows[i - 1])) ends.push_back(i);
  if (ends.empty()) return;
  if (ends.size() > rows.size() / 16) {
    std::stable_sort(rows.begin(), rows.end(), less);
    return;
  }
  ends.push_back(rows.size());
  HugePageVector<Row> into(rows.size());
  while (ends.size() > 1) {
    std::vector<std::size_t> merged;
    std::size_t begin = 0;
    for (std::size_t r = 0; r < ends.size(); r += 2) {
      const std::size_t mid = ends[r], end = r + 1 < ends.size() ? ends[r + 1] : mid;
      const auto at = [&](std::size_t i) { return rows.begin() + static_cast<std::ptrdiff_t>(i); };
      std::merge(at(begin), at(mid), at(mid), at(end),
                 into.begin() + static_cast<std::ptrdiff_t>(begin), less);
      merged.push_back(end);
      begin = end;
    }
    rows.swap(into);
    ends = std::move(merged);
  }
}

// Gathered is one CSV table at the rank that writes it: every rank's rows,
// each rank's sorted, in rank order (`rows` views into `bytes`, or into the
// table's own bytes on one rank); empty on the other ranks.
struct Gathered {
  HugePageVector<char> bytes;
  HugePageVector<Row> rows;
  bool mine = false;
};

// gather_sorted() sorts this rank's rows of `table` and gathers every
// rank's at rank `root`. Collective over comm.
Gathered gather_sorted(const Rows& table, int root, const mpi::Comm& world) {
  Gathered g;
  g.mine = world.rank() == root;
  if (world.size() == 1) {
    g.rows = rows_of(table.bytes);
    return g;
  }
  HugePageVector<Row> rows = rows_of(table.bytes);
  sort_rows(rows);
  Rows sorted;
  sorted.bytes.reserve(table.bytes.size());
  for (const Row& r : rows) sorted.add(r.sort, r.text);
  mpi::gatherv(sorted.bytes.data(), static_cast<int>(sorted.bytes.size()), root, g.bytes, world);
  if (g.mine) g.rows = rows_of(std::string_view(g.bytes.data(), g.bytes.size()));
  return g;
}

// write_sorted() writes the gathered rows, sorted (views: the ranks' runs
// in rank order, so ties keep the order of one sort of all rows), under
// `header` to `path` through one buffer; the error message or "".
std::string write_sorted(const std::string& path, const std::string& header, Gathered& g) {
  sort_rows(g.rows);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f) return fmt::format("cannot write {}", path);
  std::vector<char> buffer(std::size_t{1} << 20);
  std::setvbuf(f.get(), buffer.data(), _IOFBF, buffer.size());
  bool ok = std::fputs(header.c_str(), f.get()) >= 0 && std::fputc('\n', f.get()) != EOF;
  for (const Row& r : g.rows)
    ok = ok && std::fwrite(r.text.data(), 1, r.text.size(), f.get()) == r.text.size() &&
         std::fputc('\n', f.get()) != EOF;
  if (!ok || std::fclose(f.release()) != 0)
    return fmt::format("cannot write {} (disk full?)", path);
  return "";
}

}  // namespace

void write_h5(const std::string& path, const Tables& t, const Config& c, const io::RunInfo& run,
              MPI_Comm comm) {
  io::ColumnWriter w(path, comm, run, "events");
  const bool tx = c.transactions();
  {
    auto& g = w.group("aggregates");
    Table a = w.table(g, static_cast<std::int64_t>(t.keys.size()));
    text_column(a, "key", column_of(t.keys, [](const KeyStats& s) { return s.key; }), comm);
    a.column("count", column_of(t.keys, [](const KeyStats& s) { return s.count; }));
    if (tx) {
      a.column("sum", column_of(t.keys, [](const KeyStats& s) { return s.sum_units; }));
      a.column("min", column_of(t.keys, [](const KeyStats& s) { return s.min_units; }));
      a.column("max", column_of(t.keys, [](const KeyStats& s) { return s.max_units; }));
      a.column("distinct_counterparties",
               column_of(t.keys, [](const KeyStats& s) { return s.distinct_counterparties; }));
    } else {
      a.column("sum", column_of(t.keys, [](const KeyStats& s) { return s.sum; }));
      a.column("min", column_of(t.keys, [](const KeyStats& s) { return s.min; }));
      a.column("max", column_of(t.keys, [](const KeyStats& s) { return s.max; }));
    }
    a.column("mean", column_of(t.keys, [](const KeyStats& s) { return s.mean; }));
    a.column("stddev", column_of(t.keys, [](const KeyStats& s) { return s.stddev; }));
    a.column("first_time_us", column_of(t.keys, [](const KeyStats& s) { return s.first_time; }));
    a.column("last_time_us", column_of(t.keys, [](const KeyStats& s) { return s.last_time; }));
  }
  {
    auto& g = w.group("per_day");
    Table d = w.table(g, static_cast<std::int64_t>(t.days.size()));
    d.column("day", column_of(t.days, [](const DayRow& r) { return r.day; }));
    d.column("count", column_of(t.days, [](const DayRow& r) { return r.count; }));
    if (tx)
      d.column("sum", column_of(t.days, [](const DayRow& r) { return r.sum_units; }));
    else
      d.column("sum", column_of(t.days, [](const DayRow& r) { return r.sum; }));
  }
  {
    auto& g = w.group("flags");
    Table f = w.table(g, static_cast<std::int64_t>(t.flags.size()));
    text_column(f, "rule", column_of(t.flags, [](const Flag& x) { return x.rule; }), comm);
    text_column(f, "key", column_of(t.flags, [](const Flag& x) { return x.key; }), comm);
    f.column("score", column_of(t.flags, [](const Flag& x) { return x.score; }));
    f.column("first_event", column_of(t.flags, [](const Flag& x) { return x.events.front(); }));
    f.column("last_event", column_of(t.flags, [](const Flag& x) { return x.events.back(); }));
    f.column("first_time_us", column_of(t.flags, [](const Flag& x) { return x.first_time_us; }));
    f.column("last_time_us", column_of(t.flags, [](const Flag& x) { return x.last_time_us; }));
    f.column("events", column_of(t.flags, [](const Flag& x) {
               return static_cast<std::int64_t>(x.events.size());
             }));
    // Every flag's event ids, concatenated in flag order in /flag_events;
    // flag i's are rows [first_row[i], first_row[i] + events[i]).
    std::vector<std::int64_t> ids;
    std::vector<std::int64_t> first;
    for (const Flag& x : t.flags) {
      first.push_back(static_cast<std::int64_t>(ids.size()));
      ids.insert(ids.end(), x.events.begin(), x.events.end());
    }
    auto& ge = w.group("flag_events");
    Table e = w.table(ge, static_cast<std::int64_t>(ids.size()));
    e.column("event_id", ids);
    for (auto& r : first) r += e.offset();
    f.column("first_row", first);
  }
  {
    auto& g = w.group("quarantine");
    Table q = w.table(g, static_cast<std::int64_t>(t.bad.size()));
    q.column("file", column_of(t.bad, [](const BadRow& b) { return b.file; }));
    q.column("line", column_of(t.bad, [](const BadRow& b) { return b.line; }));
    text_column(q, "reason",
                column_of(t.bad,
                          [](const BadRow& b) {
                            return std::string(kReasonNames[static_cast<std::size_t>(b.reason)]);
                          }),
                comm);
    text_column(q, "detail", column_of(t.bad, [](const BadRow& b) { return b.detail; }), comm);
  }
  w.commit();
}

void write_csv(const std::string& dir, const Tables& t, const Config& c, MPI_Comm comm) {
  const bool tx = c.transactions();
  Rows keys, days, flags, bad;
  fmt::memory_buffer text;  // a row, formatted in place (no string a field)
  auto to = std::back_inserter(text);
  for (const KeyStats& s : t.keys) {
    text.clear();
    put_csv_text(text, s.key);
    if (tx)
      fmt::format_to(to, ",{},{},{},", s.count, s.sum_units, s.mean);
    else
      fmt::format_to(to, ",{},{},{},", s.count, s.sum, s.mean);
    // The stddev in its shortest round-trip form; NaN (one event) is empty.
    if (!std::isnan(s.stddev)) fmt::format_to(to, "{}", s.stddev);
    if (tx)
      fmt::format_to(to, ",{},{},", s.min_units, s.max_units);
    else
      fmt::format_to(to, ",{},{},", s.min, s.max);
    put_timestamp_text(text, s.first_time);
    text.push_back(',');
    put_timestamp_text(text, s.last_time);
    if (tx) fmt::format_to(to, ",{}", s.distinct_counterparties);
    keys.add(s.key, std::string_view(text.data(), text.size()));
  }
  for (const DayRow& d : t.days)
    days.add(sortable(d.day), tx ? fmt::format("{},{},{}", format_date(d.day), d.count, d.sum_units)
                                 : fmt::format("{},{},{}", format_date(d.day), d.count, d.sum));
  for (const Flag& f : t.flags) {  // by rule, key, smallest id (ids ascending)
    std::string sort = f.rule + '\x1d' + f.key + '\x1d';
    for (auto id : f.events) sort += sortable(id);
    flags.add(sort,
              fmt::format("{},{},{},{}", f.rule, csv_text(f.key), ids_text(f.events), f.score));
  }
  for (const BadRow& b : t.bad)
    bad.add(sortable(b.file) + sortable(b.line),
            fmt::format("{},{},{},{}", csv_text(c.inputs[static_cast<std::size_t>(b.file)]), b.line,
                        kReasonNames[static_cast<std::size_t>(b.reason)], csv_text(b.detail)));
  const std::string agg_header =
      tx ? "key,count,sum,mean,stddev,min,max,first_time,last_time,distinct_counterparties"
         : "key,count,sum,mean,stddev,min,max,first_time,last_time";
  // Table i is gathered at rank i mod P: every table is gathered first,
  // then each rank writes its own, so that on several ranks they are
  // written at once (aggregates, the largest, alone on rank 0).
  const mpi::Comm world(comm);
  const std::array<std::pair<std::string, std::string>, 4> files{
      {{"aggregates.csv", agg_header},
       {"per_day.csv", "day,count,sum"},
       {"flags.csv", "rule,key,event_ids,score"},
       {"quarantine.csv", "file,line,reason,detail"}}};
  const std::array<const Rows*, 4> tables{&keys, &days, &flags, &bad};
  std::array<Gathered, 4> gathered;
  for (std::size_t i = 0; i < 4; ++i)
    gathered[i] = gather_sorted(*tables[i], static_cast<int>(i) % world.size(), world);
  std::string e;
  for (std::size_t i = 0; i < 4; ++i)
    if (gathered[i].mine && e.empty())
      e = write_sorted(dir + "/" + files[i].first, files[i].second, gathered[i]);
  if (!(e = mpi::first_error(e, world)).empty()) throw RunError(e);
}

}  // namespace weft::events
