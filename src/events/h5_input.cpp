// SPDX-License-Identifier: Apache-2.0
#include "h5_input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <optional>
#include <string_view>

#include "weft/core/error.hpp"
#include "weft/go/blocks.hpp"
#include "weft/h5/file.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/session.hpp"

namespace weft::events {
namespace {

// kBlockRows is the most rows read (as text) at once.
constexpr std::int64_t kBlockRows = std::int64_t{1} << 20;

// Accept is the element kinds a role's dataset may hold.
enum Accept : unsigned { kInteger = 1, kFloating = 2, kString = 4 };

// Column is one mapped dataset of the table.
struct Column {
  std::string name;
  const char* deck_key = "";
  h5::ElementType type;
};

// Table is the mapped datasets of an HDF5 input, in the order of the
// fields of `mapping`.
struct Table {
  std::vector<Column> columns;
  Mapping mapping;
  std::int64_t rows = 0;
};

std::string type_name(const h5::ElementType& t) {
  switch (t.kind) {
    case h5::ElementKind::integer:
      return fmt::format("{}int{}", t.is_signed ? "" : "u", 8 * t.size);
    case h5::ElementKind::floating:
      return fmt::format("float{}", 8 * t.size);
    case h5::ElementKind::fixed_string:
      return fmt::format("fixed-length strings of {} bytes", t.size);
    case h5::ElementKind::variable_string:
      return "variable-length strings";
    default:
      return "neither numbers nor strings";
  }
}

bool accepts(unsigned accept, const h5::ElementType& t) {
  switch (t.kind) {
    case h5::ElementKind::integer:
      return (accept & kInteger) != 0;
    case h5::ElementKind::floating:
      return (accept & kFloating) != 0;
    case h5::ElementKind::fixed_string:
    case h5::ElementKind::variable_string:
      return (accept & kString) != 0;
    default:
      return false;
  }
}

const char* wanted(unsigned accept) {
  switch (accept) {
    case kInteger:
      return "integers (int64)";
    case kString:
      return "strings (fixed- or variable-length)";
    case kInteger | kFloating:
      return "numbers (float64 or an integer type), not text";
    default:
      return "strings or integers";
  }
}

// table_group() opens events.hdf5_group of `f`; nullopt for the root.
std::optional<h5::Group> table_group(const h5::File& f, const Config& c, const std::string& path) {
  std::optional<h5::Group> g;
  std::string at;
  std::size_t pos = 0;
  while (pos < c.hdf5_group.size()) {
    std::size_t end = c.hdf5_group.find('/', pos);
    if (end == std::string::npos) end = c.hdf5_group.size();
    const std::string part = c.hdf5_group.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty()) continue;
    const h5::Group& parent = g ? *g : static_cast<const h5::Group&>(f);
    if (!parent.exists(part))
      throw InputError(fmt::format(
          "{}: no group '{}' (events.hdf5_group) in this HDF5 file ({} holds: {}); set "
          "events.hdf5_group to the group of the column datasets",
          path, c.hdf5_group, at.empty() ? "/" : at, fmt::join(parent.members(), ", ")));
    at += "/" + part;
    try {
      g = parent.open_group(part);
    } catch (const h5::Error&) {
      throw InputError(
          fmt::format("{}: {} is not a group; set events.hdf5_group to the group of "
                      "the column datasets",
                      path, at));
    }
  }
  return g;
}

// describe() checks the mapped datasets of group `g` of `path`.
Table describe(const h5::Group& g, const Config& c, const std::string& path) {
  Table t;
  const std::string group = g.path();
  auto add = [&](const std::string& name, const char* deck_key, unsigned accept, bool required) {
    if (name.empty() && !required) return -1;
    if (!g.exists(name))
      throw InputError(fmt::format(
          "{}: no dataset '{}' in {} (it holds: {}); name the dataset with {} in the deck", path,
          name, group, fmt::join(g.members(), ", "), deck_key));
    const std::string where = fmt::format("{}: {}{}{}", path, group, group == "/" ? "" : "/", name);
    h5::Dataset d;
    try {
      d = g.open_dataset(name);
    } catch (const h5::Error&) {
      throw InputError(
          fmt::format("{} ({}) is not a dataset; every column is a 1-D dataset", where, deck_key));
    }
    const auto dims = d.dims();
    if (dims.size() != 1)
      throw InputError(
          fmt::format("{} ({}) has {} dimensions; every column is a 1-D dataset of "
                      "one value per row",
                      where, deck_key, dims.size()));
    const h5::ElementType type = d.element_type();
    if (!accepts(accept, type))
      throw InputError(fmt::format(
          "{} ({}) holds {}; that column needs {}{}", where, deck_key, type_name(type),
          wanted(accept),
          accepts(kInteger, type) && std::string_view(deck_key) == "events.columns.timestamp"
              ? " (integer times: set events.columns.timestamp_format to unix_s, unix_ms, "
                "unix_us or unix_ns)"
              : ""));
    const auto n = static_cast<std::int64_t>(dims[0]);
    if (!t.columns.empty() && n != t.rows)
      throw InputError(fmt::format(
          "{}: the datasets of {} differ in length: {} has {} rows, {} has {}; every column "
          "needs one value per row",
          path, group, t.columns.front().name, t.rows, name, n));
    t.rows = n;
    t.columns.push_back({name, deck_key, type});
    return static_cast<int>(t.columns.size()) - 1;
  };
  Mapping& m = t.mapping;
  m.id = add(c.columns.event_id, "events.columns.event_id", kInteger, true);
  m.key = add(c.key_column(), "events.columns.key", kString | kInteger, true);
  m.time_format = time_format_of(c.columns.timestamp_format);
  m.time = add(c.columns.timestamp, "events.columns.timestamp",
               m.time_format == TimeFormat::iso8601 ? kString : kString | kInteger, true);
  m.value = add(c.value_column(), "events.columns.value", kInteger | kFloating, true);
  if (c.transactions()) {
    m.currency = add(c.columns.currency, "events.columns.currency", kString, false);
    m.counterparty =
        add(c.columns.counterparty, "events.columns.counterparty", kString | kInteger, false);
    m.category = add(c.columns.category, "events.columns.category", kString | kInteger, false);
  }
  m.fields = static_cast<int>(t.columns.size());
  return t;
}

// Number formats one number as the text a CSV field would hold: integers
// in decimal, floating point numbers in the shortest fixed notation that
// reads back as the same value ("nan", "inf", "-inf" when not finite).
template <class T>
void append_number(h5::Strings& s, T v) {
  char buf[400];
  std::to_chars_result r;
  if constexpr (std::is_floating_point_v<T>)
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  else
    r = std::to_chars(buf, buf + sizeof buf, v);
  s.bytes.append(buf, r.ptr);
  s.ends.push_back(s.bytes.size());
}

template <class T>
h5::Strings read_numbers(const h5::Dataset& d, std::int64_t lo, std::int64_t n) {
  std::vector<T> v(static_cast<std::size_t>(std::max<std::int64_t>(n, 1)));
  d.read<T>({static_cast<hsize_t>(lo)}, {static_cast<hsize_t>(n)}, v.data());
  h5::Strings s;
  s.ends.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) append_number(s, v[static_cast<std::size_t>(i)]);
  return s;
}

// text_of() is rows [lo, lo + n) of column `col` as field texts. Collective.
h5::Strings text_of(const h5::Group& g, const Column& col, std::int64_t lo, std::int64_t n) {
  const h5::Dataset d = g.open_dataset(col.name);
  switch (col.type.kind) {
    case h5::ElementKind::integer:
      if (!col.type.is_signed && col.type.size == 8) return read_numbers<std::uint64_t>(d, lo, n);
      return read_numbers<std::int64_t>(d, lo, n);
    case h5::ElementKind::floating:
      if (col.type.size == 4) return read_numbers<float>(d, lo, n);
      return read_numbers<double>(d, lo, n);
    default:
      return d.read_strings(static_cast<hsize_t>(lo), static_cast<hsize_t>(n));
  }
}

// parse_rows() parses rows [from, to) of a rank's range (their fields in
// `cols`, which start at row `from`) into slots job.slots[from, to), over
// the executor's threads, and appends the blocks' results in row order.
void parse_rows(const std::vector<h5::Strings>& cols, const TextJob& job, std::int64_t from,
                std::int64_t to, go::Executor& exec, std::vector<ChunkResult>& results) {
  const std::int64_t n = to - from;
  if (n <= 0) return;
  const int threads = exec.threads();
  const std::int64_t blocks = std::min<std::int64_t>(n, 4 * threads);
  std::vector<ChunkResult> out(static_cast<std::size_t>(blocks));
  exec.run([&] {
    go::parallel_blocks(
        threads, blocks,
        [&](std::int64_t b, int) {
          Record r;
          r.fields.resize(cols.size());
          Event e;
          BadRow bad;
          ChunkResult& res = out[static_cast<std::size_t>(b)];
          res.slots = job.slots + from + n * b / blocks;
          for (std::int64_t i = n * b / blocks; i < n * (b + 1) / blocks; ++i) {
            for (std::size_t k = 0; k < cols.size(); ++k)
              r.fields[k] = cols[k][static_cast<std::size_t>(i)];
            r.line = job.first_line + from + i;
            take_record(r, job, res, e, bad);
          }
        },
        "parse hdf5");
  });
  std::move(out.begin(), out.end(), std::back_inserter(results));
}

}  // namespace

bool is_h5_input(const Config& c, int file) {
  if (c.format != "auto") return c.format == "hdf5";
  return h5::is_hdf5(c.inputs[static_cast<std::size_t>(file)]);
}

void check_h5_input(const Config& c, int file) {
  const std::string& path = c.inputs[static_cast<std::size_t>(file)];
  if (!h5::is_hdf5(path))
    throw InputError(
        fmt::format("{}: is not an HDF5 file (events.format = \"hdf5\"); give an "
                    "HDF5 table or set events.format = \"auto\" for CSV inputs",
                    path));
  try {
    const h5::File f(path, h5::Mode::read);
    const std::optional<h5::Group> g = table_group(f, c, path);
    if (describe(g ? *g : static_cast<const h5::Group&>(f), c, path).rows == 0)
      throw InputError(fmt::format("{}: the table in {} has no rows (its datasets are empty)", path,
                                   c.hdf5_group));
  } catch (const h5::Error& e) {
    throw InputError(fmt::format(
        "{}: cannot be read as an HDF5 table ({}); check that the file is complete: `h5dump -H` "
        "shows its structure",
        path, e.what()));
  }
}

std::vector<ChunkResult> ingest_h5(const Config& c, const Rates& rates, go::Executor& exec,
                                   MPI_Comm comm, int file, std::int64_t left, Cursor& cur,
                                   Ingested& stats) {
  const mpi::Comm world(comm);
  const std::string& path = c.inputs[static_cast<std::size_t>(file)];
  double t0 = mpi::wtime();
  h5::FileOptions o;
  o.transfer = h5::Transfer::independent;  // each rank its own rows
  std::vector<ChunkResult> out;
  agree_on_failure(world, [&] {
    h5::File f(path, h5::Mode::read, comm, o);
    {
      const std::optional<h5::Group> g = table_group(f, c, path);
      const h5::Group& table = g ? *g : static_cast<const h5::Group&>(f);
      const Table t = describe(table, c, path);
      const std::int64_t P = world.size(), r = world.rank();
      if (cur.end < 0) cur = {t.rows * r / P, t.rows * (r + 1) / P, 0};
      const std::int64_t lo = cur.pos;
      const std::int64_t n = left <= 1 ? cur.end - lo : (cur.end - lo) / left;
      cur.pos += n;
      const std::size_t base = stats.events.size();
      stats.events.resize(base + static_cast<std::size_t>(n));
      const TextJob job{{}, lo, &t.mapping, &c, &rates, file, stats.events.data() + base};
      // The rows go in blocks of at most kBlockRows, fewer when
      // events.chunk_bytes is smaller (tests make it tiny to cut the table
      // into many blocks), so their texts are a block's, not the range's.
      // Every rank takes the same number of blocks, from the table's size:
      // each dataset is opened as often on every rank.
      const std::int64_t rows = std::max<std::int64_t>(1, std::min(kBlockRows, c.chunk_bytes));
      const std::int64_t most = (t.rows + P - 1) / P;
      const std::int64_t blocks = std::max<std::int64_t>(1, (most + rows - 1) / rows);
      for (std::int64_t k = 0; k < blocks; ++k) {
        const std::int64_t from = n * k / blocks, to = n * (k + 1) / blocks;
        std::vector<h5::Strings> cols;
        for (const Column& col : t.columns) {
          cols.push_back(text_of(table, col, lo + from, to - from));
          stats.bytes += col.type.kind == h5::ElementKind::variable_string
                             ? static_cast<std::int64_t>(cols.back().bytes.size())
                             : (to - from) * static_cast<std::int64_t>(col.type.size);
        }
        const double t1 = mpi::wtime();
        stats.read_seconds += t1 - t0;
        parse_rows(cols, job, from, to, exec, out);
        t0 = mpi::wtime();
        stats.parse_seconds += t0 - t1;
      }
    }
    f.close();
  });
  stats.read_seconds += mpi::wtime() - t0;
  return out;
}

}  // namespace weft::events
