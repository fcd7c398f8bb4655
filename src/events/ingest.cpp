// SPDX-License-Identifier: Apache-2.0
#include "ingest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iterator>
#include <optional>
#include <span>
#include <thread>
#include <utility>

#include "csv.hpp"
#include "csv_file.hpp"
#include "fields.hpp"
#include "h5_input.hpp"
#include "key_owners.hpp"
#include "parse_tasks.hpp"
#include "route.hpp"
#include "share.hpp"
#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/session.hpp"

namespace weft::events {
namespace {

constexpr std::int64_t kAmountLimit = 1'000'000'000'000;  // |amount| <= 1e12

// read_range() is `len` bytes of `path` from `offset` (fewer at its end).
Bytes read_range(const std::string& path, std::int64_t offset, std::int64_t len) {
  Bytes out;
  InputFile(path).read(offset, offset + len, out);
  return out;
}

std::int64_t file_size(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(fmt::format("cannot read input {}: {}", path, ec.message()));
  return static_cast<std::int64_t>(n);
}

// header_of() reads the header of `path` (up to its first record start).
std::vector<std::string> header_of(const std::string& path, std::int64_t size, std::int64_t& end) {
  for (std::int64_t len = 1 << 16;; len *= 4) {
    const Bytes head = read_range(path, 0, std::min(len, size));
    if (first_start(head, false) != kNoStart || len >= size) return split_header(head, path, end);
  }
}

BadRow bad_row(int file, std::int64_t line, Reason why, std::string detail) {
  return {file, line, why, std::move(detail)};
}

}  // namespace

void take_record(const Record& r, const TextJob& job, ChunkResult& out, Event& e, BadRow& bad) {
  ++out.rows;
  if (parse_row(r, *job.mapping, *job.config, *job.rates, job.file, e, bad))
    out.slots[out.events++] = std::move(e);
  else
    out.bad.push_back(std::move(bad));
}

void parse_text(std::string_view text, std::int64_t first_line, const TextJob& job,
                ChunkResult& out) {
  RecordReader reader(text, first_line);
  out.slots = job.slots + (first_line - job.first_line);
  Record r;
  Event e;
  BadRow b;
  while (reader.next(r))
    if (!r.blank) take_record(r, job, out, e, b);
}

Mapping map_header(const std::vector<std::string>& names, const Config& c,
                   const std::string& path) {
  Mapping m;
  m.fields = static_cast<int>(names.size());
  auto find = [&](const std::string& name, const char* deck_key, bool required) {
    if (name.empty() && !required) return -1;
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
      throw InputError(fmt::format(
          "{}: line 1: no column '{}' in the header ({}); name the column with {} in the deck",
          path, name, fmt::join(names, ","), deck_key));
    return static_cast<int>(it - names.begin());
  };
  m.id = find(c.columns.event_id, "events.columns.event_id", true);
  m.key = find(c.key_column(), "events.columns.key", true);
  m.time = find(c.columns.timestamp, "events.columns.timestamp", true);
  m.time_format = time_format_of(c.columns.timestamp_format);
  m.value = find(c.value_column(), "events.columns.value", true);
  if (c.transactions()) {
    m.currency = find(c.columns.currency, "events.columns.currency", false);
    m.counterparty = find(c.columns.counterparty, "events.columns.counterparty", false);
    m.category = find(c.columns.category, "events.columns.category", false);
  }
  return m;
}

bool parse_row(const Record& r, const Mapping& m, const Config& c, const Rates& rates, int file,
               Event& e, BadRow& bad) {
  const auto& f = r.fields;
  auto reject = [&](Reason why, std::string detail) {
    bad = bad_row(file, r.line, why, std::move(detail));
    return false;
  };
  if (r.malformed) return reject(Reason::unparsable_field, "malformed quoting");
  if (static_cast<int>(f.size()) < m.fields)
    return reject(Reason::missing_field,
                  fmt::format("{} fields, the header has {}", f.size(), m.fields));
  for (int col : {m.id, m.key, m.time, m.value, m.currency, m.counterparty, m.category})
    if (col >= 0 && f[static_cast<std::size_t>(col)].empty())
      return reject(Reason::missing_field, fmt::format("field {} is empty", col + 1));
  if (static_cast<int>(f.size()) > m.fields)
    return reject(Reason::unparsable_field,
                  fmt::format("{} fields, the header has {}", f.size(), m.fields));
  const auto id = parse_int64(f[static_cast<std::size_t>(m.id)]);
  if (!id) return reject(Reason::unparsable_field, "event_id is not an integer");
  const std::string_view key = f[static_cast<std::size_t>(m.key)];
  const auto t = parse_time(f[static_cast<std::size_t>(m.time)], m.time_format);
  if (!t) return reject(Reason::bad_timestamp, time_format_text(m.time_format));
  const std::string_view v = f[static_cast<std::size_t>(m.value)];
  e.id = *id;
  e.time_us = *t;
  e.key.assign(key);
  e.line = r.line;
  e.file = file;
  e.currency = Rates::kBase;
  e.counterparty.clear();
  if (c.transactions()) {
    const Decimal d = parse_decimal(v, c.decimals, kAmountLimit);
    if (d.status == Decimal::non_finite) return reject(Reason::non_finite, "amount is not finite");
    if (d.status == Decimal::out_of_range)
      return reject(Reason::out_of_range,
                    fmt::format("amount beyond {} decimals or 1e12", c.decimals));
    if (d.status != Decimal::ok) return reject(Reason::unparsable_field, "amount is not a decimal");
    if (m.currency >= 0) {
      e.currency = rates.currency_index(f[static_cast<std::size_t>(m.currency)]);
      if (e.currency == Rates::kUnknown)
        return reject(Reason::unknown_currency, "currency not in the rates table");
    }
    e.amount = d.units;
    if (m.counterparty >= 0) e.counterparty.assign(f[static_cast<std::size_t>(m.counterparty)]);
  } else {
    const auto x = parse_double(v);
    if (!x) return reject(Reason::unparsable_field, "value is not a number");
    if (is_non_finite_text(v)) return reject(Reason::non_finite, "value is not finite");
    if (!std::isfinite(*x) || std::fabs(*x) > 1e12)
      return reject(Reason::out_of_range, "|value| > 1e12");
    e.value = *x;
  }
  return true;
}

void check_input(const Config& c, int file) {
  const std::string& path = c.inputs[static_cast<std::size_t>(file)];
  if (!std::filesystem::is_regular_file(path))
    throw InputError(fmt::format("events.inputs: {} is not a file", path));
  const std::int64_t size = file_size(path);
  if (size == 0) throw InputError(fmt::format("{}: the file is empty (no header, no rows)", path));
  if (size > Event::kMaxInputBytes)  // an event's line has 42 bits
    throw InputError(
        fmt::format("{}: {} bytes; weft reads input files of up to {} bytes (2 TiB): "
                    "split it into several files, all named in events.inputs",
                    path, size, Event::kMaxInputBytes));
  if (is_h5_input(c, file)) return check_h5_input(c, file);
  const Bytes head = read_range(path, 0, std::min<std::int64_t>(size, 1 << 16));
  for (unsigned char ch : head)
    if (ch == 0 || (ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t'))
      throw InputError(fmt::format(
          "{}: is neither an HDF5 file nor CSV text (it holds control bytes such as 0x{:02x}); "
          "give a CSV file with a header line or an HDF5 table (docs/events.md)",
          path, ch));
  std::int64_t end = 0;
  const Mapping m = map_header(header_of(path, size, end), c, path);
  // The first rows: a mapped column none of them can be read as is a
  // wrong mapping, not bad rows.
  RecordReader reader(
      std::string_view(head).substr(std::min(head.size(), static_cast<std::size_t>(end))), 2);
  Record r;
  int records = 0, rows = 0, ids = 0, times = 0, values = 0;
  while (rows < 100 && reader.next(r)) {
    if (r.blank) continue;
    ++records;
    if (r.malformed || static_cast<int>(r.fields.size()) != m.fields) continue;
    ++rows;
    auto field = [&](int i) { return r.fields[static_cast<std::size_t>(i)]; };
    ids += parse_int64(field(m.id)).has_value();
    times += parse_time(field(m.time), m.time_format).has_value();
    values += parse_double(field(m.value)).has_value() || is_non_finite_text(field(m.value));
  }
  if (records == 0 && size <= static_cast<std::int64_t>(head.size()))
    throw InputError(fmt::format("{}: the file has a header but no rows", path));
  auto wrong = [&](int count, const std::string& column, const char* key, const std::string& type,
                   const char* fix = "to the right column") {
    if (rows > 0 && count == 0)
      throw InputError(
          fmt::format("{}: column '{}' ({}) holds no {} in its first {} rows: the mapping is "
                      "wrong; set {} {}",
                      path, column, key, type, rows, key, fix));
  };
  wrong(ids, c.columns.event_id, "events.columns.event_id", "integer");
  wrong(times, c.columns.timestamp, "events.columns.timestamp",
        fmt::format("timestamp of events.columns.timestamp_format = \"{}\"",
                    c.columns.timestamp_format),
        "to the right column, or events.columns.timestamp_format to the column's format");
  wrong(values, c.value_column(), "events.columns.value", "number");
}

namespace {

// A rank reads and parses its range in pieces, reusing one buffer (the
// first touch of fresh memory costs ~1.7 s a GB on a VM): of kPieceBytes,
// or kPieceThreadChunks chunks a thread when that is more (every thread
// gets chunks), or kPieceChunks chunks when events.chunk_bytes is small
// (tests: pieces of a few hundred bytes). Small pieces stay in the cache
// from the read to the parse and their events until they are routed (the
// read of 2*10^7 rows: 0.46 s in pieces of 64 MiB, 0.16 s in 4 MiB, the
// 2-vCPU guest). Counting passes read blocks of kBlockBytes.
constexpr std::int64_t kPieceBytes = std::int64_t{4} << 20, kPieceChunks = 64,
                       kPieceThreadChunks = 4;
constexpr std::int64_t kBlockBytes = std::int64_t{1} << 20;

// The key sample of a CSV input (sample_keys()): kSampleWindows windows of
// kSampleBytes at evenly spaced offsets of the text after the header, at
// most one byte in kSampleStride (as KeyOwners::build() picks one event in
// 64: a small input is not read twice).
constexpr std::int64_t kSampleWindows = 1024, kSampleBytes = std::int64_t{4} << 10,
                       kSampleStride = 64;

// sample_keys() is this rank's part of the key sample of CSV input `in`
// of `bytes` bytes, whose header ends at `h`: the keys of the records of
// windows [W r / size, W (r + 1) / size) of the W windows (fewer when the
// text is short, at least one), each record read from the first line start of
// its window (the first window: from `h`) that is well formed with a key.
// The windows are the same on any number of ranks. As events with only
// their keys set, for KeyOwners::build() with stride 1.
Events sample_keys(const InputFile& in, std::int64_t bytes, std::int64_t h, const Mapping& m,
                   int rank, int size) {
  const std::int64_t text = bytes - h;
  const std::int64_t windows =
      std::clamp<std::int64_t>(text / (kSampleBytes * kSampleStride), 1, kSampleWindows);
  Events keys;
  Bytes buf;
  // Room for records of 64 bytes or more: a growing array would be fresh
  // memory at each step (2*10^7 rows on 2 ranks: 20-30 ms -> 11-19 ms).
  keys.reserve(static_cast<std::size_t>(windows * (rank + 1) / size - windows * rank / size) *
               static_cast<std::size_t>(kSampleBytes / 64));
  for (std::int64_t w = windows * rank / size; w < windows * (rank + 1) / size; ++w) {
    const std::int64_t at = h + text * w / windows;
    buf.clear();
    in.read(at, std::min(bytes, at + kSampleBytes), buf);
    const std::int64_t from = w == 0 ? 0 : first_start(buf, false);
    if (from == kNoStart) continue;
    RecordReader reader(std::string_view(buf).substr(static_cast<std::size_t>(from)), 0);
    Record r;
    while (reader.next(r)) {
      if (r.blank || r.malformed || static_cast<int>(r.fields.size()) != m.fields) continue;
      const std::string_view key = r.fields[static_cast<std::size_t>(m.key)];
      if (!key.empty()) keys.emplace_back().key.assign(key);
    }
  }
  return keys;
}

// CsvInput is a CSV input opened for reading: its size, the end of its
// header (`h`, after `header_lines` lines), the deck's columns in it.
struct CsvInput {
  std::int64_t bytes = 0, h = 0, header_lines = 0;
  Mapping m;
  std::optional<InputFile> in;
};

// open_csv() opens CSV input `path` into `f` on every rank; a failure on
// one (the file changed since the checks) is agreed on before any later
// collective, so no rank waits. Collective over `world`.
void open_csv(const mpi::Comm& world, const Config& c, const std::string& path, CsvInput& f) {
  agree_on_failure(world, [&] {
    f.bytes = file_size(path);
    f.m = map_header(header_of(path, f.bytes, f.h), c, path);
    f.header_lines = count_newlines(read_range(path, 0, f.h));
    f.in.emplace(path);
  });
}

// sampled_owners() is the key owners built from the key sample of CSV input
// `in` (sample_keys()). Collective over `world`.
KeyOwners sampled_owners(const mpi::Comm& world, const InputFile& in, std::int64_t bytes,
                         std::int64_t h, const Mapping& m) {
  Events keys;
  agree_on_failure(world, [&] { keys = sample_keys(in, bytes, h, m, world.rank(), world.size()); });
  return KeyOwners::build(EventPieces(std::span<const Event>(keys.data(), keys.size())),
                          world.get(), 1);
}

// grow_slots() resizes `events` to `n` slots when it has fewer, keeping
// the results' slots on the same events where the array moves.
void grow_slots(Events& events, std::size_t n, std::vector<ChunkResult>& results) {
  if (n <= events.size()) return;
  std::vector<std::ptrdiff_t> at;
  if (n > events.capacity())
    for (const ChunkResult& r : results) at.push_back(r.slots - events.data());
  events.resize(n);
  for (std::size_t i = 0; i < at.size(); ++i) results[i].slots = events.data() + at[i];
}

// chunk_start() is where rank r's chunk of the text after the header
// [h, bytes) starts, of `size` equal chunks.
std::int64_t chunk_start(std::int64_t h, std::int64_t bytes, int r, int size) {
  return h + (bytes - h) * r / size;
}

// tile() is this rank's record-aligned range [lo, hi) of CSV input `in`:
// from the first record start of its chunk (byte chunk_start() lying inside
// quotes when `in_quotes`; rank 0: the header's end h) to the next rank's;
// a chunk without a record start takes the next one's (resolve_starts).
// Collective over `world`.
std::pair<std::int64_t, std::int64_t> tile(const mpi::Comm& world, const InputFile& in,
                                           std::int64_t bytes, std::int64_t h, bool in_quotes,
                                           std::int64_t block, Bytes& buf) {
  const int rank = world.rank(), size = world.size();
  std::int64_t start = h;
  agree_on_failure(world, [&] {
    if (rank > 0)
      start = next_start(in, chunk_start(h, bytes, rank, size),
                         chunk_start(h, bytes, rank + 1, size), in_quotes, block, buf, false);
  });
  std::vector<std::int64_t> starts = mpi::allgather(start, world);
  resolve_starts(starts, bytes);
  return {starts[static_cast<std::size_t>(rank)],
          rank + 1 < size ? starts[static_cast<std::size_t>(rank + 1)] : bytes};
}

// open_range() finds this rank's record-aligned byte range of CSV input
// `in` of `bytes` bytes (whose header ends at `h`, after `header_lines`
// lines) and the line number of its start: `cur` = {lo, hi, line}.
// Returns the number of newlines of the range, or -1 on one rank (whose
// range, the file after its header, needs no counts). It streams over the
// file in blocks of `block` bytes read into `buf`. Collective over `world`.
std::int64_t open_range(const mpi::Comm& world, const InputFile& in, std::int64_t bytes,
                        std::int64_t h, std::int64_t header_lines, std::int64_t block, Bytes& buf,
                        Cursor& cur) {
  const int rank = world.rank(), size = world.size();
  if (size == 1) {
    cur = {h, bytes, 1 + header_lines};
    return -1;
  }
  const std::int64_t a = chunk_start(h, bytes, rank, size);  // this rank's chunk [a, b)
  const std::int64_t b = chunk_start(h, bytes, rank + 1, size);
  Counts chunk;
  agree_on_failure(world, [&] { chunk = count_range(in, a, b, block, buf); });
  const auto quotes = mpi::allgather(chunk.quotes, world);
  std::int64_t before = 0;
  for (int r = 0; r < rank; ++r) before += quotes[static_cast<std::size_t>(r)];
  const auto [lo, hi] = tile(world, in, bytes, h, before % 2 == 1, block, buf);
  // The range is this rank's chunk from its record start on and what its
  // last record takes of the next chunks, or (no record start before the
  // chunk's end) [lo, hi) after it.
  std::int64_t newlines = 0;
  agree_on_failure(world, [&] {
    newlines = lo < b ? chunk.newlines - count_range(in, a, lo, block, buf).newlines +
                            count_range(in, b, hi, block, buf).newlines
                      : count_range(in, lo, hi, block, buf).newlines;
  });
  cur = {lo, hi, 1 + header_lines + mpi::exscan(newlines, MPI_SUM, world)};
  return newlines;
}

// open_guessed() finds this rank's record-aligned byte range of CSV input
// `in` like open_range(), without counting its chunk first: it takes the
// first line start of the chunk as if no quoted field spanned the chunk's
// start, and gives the range's first line as 0 (the lines of its rows are
// relative). check_guess() tells after the parse whether every guess was a
// record start. Collective over `world`.
void open_guessed(const mpi::Comm& world, const InputFile& in, std::int64_t bytes, std::int64_t h,
                  std::int64_t block, Bytes& buf, Cursor& cur) {
  const auto [lo, hi] = tile(world, in, bytes, h, false, block, buf);
  cur = {lo, hi, 0};
}

// check_guess() is whether the ranges of open_guessed() start at records,
// given the quotes of this rank's range: the ranges tile the text after the
// header, so the quotes of the ranges before a range are those before its
// start, and an even count there puts the start (just after a newline)
// outside quotes. Collective over `world`.
bool check_guess(const mpi::Comm& world, std::int64_t quotes) {
  const std::int64_t before = mpi::exscan(quotes, MPI_SUM, world);
  return mpi::allreduce(static_cast<int>(world.rank() == 0 || before % 2 == 0), MPI_MIN, world) ==
         1;
}

// Segment is a byte range of a CSV input that one rank parsed from its
// start on, counting lines from 0 there: the rank's own guessed range or a
// part of another rank's (RangeShare), its events from source `source`
// (Router::set_source()), its bad rows in the ChunkResults from `results`
// on (up to the next segment's).
struct Segment {
  std::int64_t start = 0, lines = 0, quotes = 0, source = 0;
  std::size_t results = 0;
};

// settle_segments() checks the guessed starts of every rank's segments
// (the quotes before each are even: it starts a record) and, when they all
// hold, numbers the segments in input order: `blocks`' sources become those
// numbers, source_line_offset[n] the line of segment n's first byte (lines
// of the file after `header_lines` header lines), and the bad rows of this
// rank's segments get their files' lines. false, nothing changed, when a
// guess was wrong. Collective over `world`.
bool settle_segments(const mpi::Comm& world, const std::vector<Segment>& mine,
                     std::int64_t header_lines, std::vector<ChunkResult>& results,
                     SourceBlocks& blocks, std::vector<std::int64_t>& source_line_offset) {
  constexpr std::size_t kFields = 4;
  std::vector<std::int64_t> flat;
  for (const Segment& g : mine) flat.insert(flat.end(), {g.start, g.lines, g.quotes, g.source});
  const std::vector<std::int64_t> all =
      mpi::allgatherv(flat.data(), static_cast<int>(flat.size()), world);
  using Row = std::array<std::int64_t, kFields>;  // start, lines, quotes, source
  std::vector<Row> rows(all.size() / kFields);
  std::int64_t sources = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::copy_n(all.begin() + static_cast<std::ptrdiff_t>(kFields * i), kFields, rows[i].begin());
    sources = std::max(sources, rows[i][3] + 1);
  }
  std::sort(rows.begin(), rows.end());  // an empty segment before the one at its start
  std::vector<std::int32_t> number(static_cast<std::size_t>(sources), 0);
  std::vector<std::int64_t> offset(rows.size());
  std::int64_t quotes = 0, line = 1 + header_lines;
  for (std::size_t n = 0; n < rows.size(); ++n) {
    if (n > 0 && quotes % 2 == 1) return false;  // the same on every rank
    quotes += rows[n][2];
    offset[n] = line;
    line += rows[n][1];
    number[static_cast<std::size_t>(rows[n][3])] = static_cast<std::int32_t>(n);
  }
  for (std::int32_t& s : blocks.source) s = number[static_cast<std::size_t>(s)];
  for (std::size_t g = 0; g < mine.size(); ++g) {
    const std::int64_t add =
        offset[static_cast<std::size_t>(number[static_cast<std::size_t>(mine[g].source)])];
    const std::size_t last = g + 1 < mine.size() ? mine[g + 1].results : results.size();
    for (std::size_t r = mine[g].results; r < last; ++r)
      for (BadRow& b : results[r].bad) b.line += add;
  }
  source_line_offset = std::move(offset);
  return true;
}

// ingest_csv() reads and parses the next part of this rank's byte range of
// CSV input `file`, `left` parts being left (ingest_part()), piece after
// piece; the results are in text order. On several ranks reading a whole
// file at once (left = 1 on a range not opened yet) the ranges are guessed
// (open_guessed(); the file is read once instead of twice), their rows'
// lines relative until finish: out.line_offset[file]; a wrong guess (a
// quoted newline across a rank's chunk start) is undone and the ranges found
// by counting (out.recounted). With `route` each piece's events go to the
// owners of their keys right after its parse (a Router, by the owners of the
// input's key sample), their lines still relative (out.source_line_offset),
// and the ranks share the rests of their ranges (RangeShare: a rank done
// with its range parses part of a slower one's); a wrong guess undoes the
// routing too, and the ranges found by counting are not shared. Collective
// over `comm`.
std::vector<ChunkResult> ingest_csv(const Config& c, const Rates& rates, go::Executor& exec,
                                    MPI_Comm comm, int file, std::int64_t left, Cursor& cur,
                                    Ingested& out, bool route) {
  const mpi::Comm world(comm);
  const std::string& path = c.inputs[static_cast<std::size_t>(file)];
  const double t0 = mpi::wtime();
  CsvInput csv;
  open_csv(world, c, path, csv);
  const std::int64_t bytes = csv.bytes, h = csv.h, header_lines = csv.header_lines;
  const Mapping& m = csv.m;
  std::optional<InputFile>& in = csv.in;
  const std::int64_t piece =
      std::min(std::max(kPieceBytes, kPieceThreadChunks * exec.threads() * c.chunk_bytes),
               kPieceChunks * c.chunk_bytes);
  const std::int64_t block = std::min(kBlockBytes, piece);
  Bytes buf;
  buf.reserve(static_cast<std::size_t>(piece + block));  // a piece and its last record's rest
  const bool guess = cur.end < 0 && world.size() > 1 && left <= 1;
  // The newlines of the range when open_range() counted them (several
  // ranks): its rows are at most that + 1.
  std::int64_t newlines = -1;
  if (guess)
    open_guessed(world, *in, bytes, h, block, buf, cur);
  else if (cur.end < 0)
    newlines = open_range(world, *in, bytes, h, header_lines, block, buf, cur);
  out.read_seconds += mpi::wtime() - t0;
  const std::size_t base = out.events.size();
  const std::int64_t bytes_before = out.bytes;
  const Cursor opened = cur;
  std::vector<ChunkResult> results;
  std::int64_t quotes = 0;
  std::optional<KeyOwners> owners;
  std::optional<Router> router;
  std::optional<RangeShare> share;
  std::vector<Segment> segments;  // sharing: what this rank parsed
  Bytes scratch;
  const RangeShare::CutFn cut = [&](std::int64_t from, std::int64_t to) {
    // guessed like a range's start
    return next_start(*in, from, to, false, std::min(block, kRecordLook), scratch, false);
  };
  // A test hook: WEFT_EVENTS_SLOW_RANK=r makes rank r sleep 5 ms after each
  // routed piece, so that its peers take parts of its range (test_events.py).
  const char* slow = std::getenv("WEFT_EVENTS_SLOW_RANK");
  const bool slow_rank = route && slow && std::atoi(slow) == world.rank();
  if (route) {
    const double t1 = mpi::wtime();
    owners.emplace(sampled_owners(world, *in, bytes, h, m));
    router.emplace(out.events, base, *owners, c.shuffle_bytes, comm, out.blocks, out.mpi_seconds);
    if (guess && c.share_ranges) share.emplace(comm, 2 * piece, [&] { router->poll(); });
    out.shuffle_seconds += mpi::wtime() - t1;
  }
  // parse_pieces() reads the pieces: each is the text up to the first record
  // start after pos + piece, the part's last one that after its target
  // (the range's end, which a peer's steal may move); their rows go to
  // consecutive slots. Sharing, it then parses the parts it gets from its
  // peers (each a segment of its own source), from the first free slot on.
  auto parse_pieces = [&] {
    const std::int64_t target = left <= 1 ? -1 : cur.pos + (cur.end - cur.pos) / left;
    std::int64_t first_pos = cur.pos, first_line = cur.line;
    std::size_t at = base;  // the slot of line first_line
    segments.push_back({cur.pos, 0, 0, world.rank(), results.size()});
    // Room for 1.5 x the range's rows on several ranks: the key shuffle
    // brings a rank more events than it parsed when its keys are busier (a
    // Zipf law's first keys), and a larger array then would be fresh
    // memory; reserved pages that are never used are never touched.
    const std::size_t share_quarters = world.size() > 1 ? 6 : 5;
    if (newlines >= 0) out.events.reserve(base + static_cast<std::size_t>(newlines) * 3 / 2 + 1);
    for (;;) {
      const std::int64_t stop = target < 0 ? cur.end : target;
      if (cur.pos >= stop) {
        segments.back().lines = cur.line - first_line;
        const double t1 = mpi::wtime();
        const std::optional<RangeShare::Part> part = share ? share->steal() : std::nullopt;
        out.shuffle_seconds += mpi::wtime() - t1;
        if (!part) break;
        const std::int64_t source = world.rank() + world.size() * std::ssize(segments);
        router->set_source(static_cast<std::int32_t>(source));
        cur = Cursor{part->begin, part->end, 0};
        first_pos = cur.pos;
        first_line = 0;
        at = router->free_from();
        segments.push_back({cur.pos, 0, 0, source, results.size()});
        continue;
      }
      const double t1 = mpi::wtime();
      const std::int64_t q =
          read_part(*in, cur.pos, std::min(stop, cur.pos + piece), cur.end, block, buf);
      quotes += q;
      segments.back().quotes += q;
      if (buf.empty())
        throw RunError(fmt::format("{}: the file changed during the run (it ends before byte {})",
                                   path, cur.pos + 1));
      const std::int64_t line = cur.line;
      cur.pos += static_cast<std::int64_t>(buf.size());
      cur.line += count_newlines(buf);
      out.bytes += static_cast<std::int64_t>(buf.size());
      const double t2 = mpi::wtime();
      out.read_seconds += t2 - t1;
      if (newlines < 0 && line == first_line &&
          segments.size() == 1)  // share/4 x the part's rows at this density
        out.events.reserve(base +
                           static_cast<std::size_t>((cur.line - first_line + 1) *
                                                    (stop - first_pos) / (cur.pos - first_pos)) *
                               share_quarters / 4 +
                           1);
      grow_slots(out.events, at + static_cast<std::size_t>(cur.line - first_line) + 1, results);
      const TextJob job{
          buf, line, &m, &c, &rates, file, out.events.data() + at + (line - first_line)};
      std::vector<ChunkResult> parsed = parse_chunks(job, exec, out.parked_seconds);
      const double t3 = mpi::wtime();
      out.parse_seconds += t3 - t2;
      if (router) {
        router->take(parsed, 0);
        if (slow_rank) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (share) share->serve(cur.pos, cur.end, cut);
        out.shuffle_seconds += mpi::wtime() - t3;
      }
      std::move(parsed.begin(), parsed.end(), std::back_inserter(results));
    }
  };
  // parse_rest() parses the pieces and, routing, ends the routing on every
  // rank (collective rounds) before a failure of this rank's parse leaves.
  auto parse_rest = [&] {
    if (!router) return parse_pieces();
    std::exception_ptr failed;
    try {
      parse_pieces();
    } catch (...) {
      failed = std::current_exception();
    }
    const double t1 = mpi::wtime();
    if (share) share->finish();
    router->finish();
    out.shuffle_seconds += mpi::wtime() - t1;
    if (failed) std::rethrow_exception(failed);
  };
  agree_on_failure(world, parse_rest);
  if (!guess) return results;
  if (router) {  // routed: the lines are settled by segment
    if (settle_segments(world, segments, header_lines, results, out.blocks,
                        out.source_line_offset)) {
      if (share) out.shared_parts += share->parts();
      return results;
    }
  } else if (check_guess(world, quotes)) {
    out.line_offset[static_cast<std::size_t>(file)] =
        1 + header_lines + mpi::exscan(cur.line - opened.line, MPI_SUM, world);
    return results;
  }
  // A guess was wrong: the rows are read again from ranges found by counting.
  const double t3 = mpi::wtime();
  results.clear();
  out.events.erase(out.events.begin() + static_cast<std::ptrdiff_t>(base), out.events.end());
  if (router) {
    out.blocks = SourceBlocks();
    share.reset();  // collective: the counted ranges are parsed as they are
    segments.clear();
    router.emplace(out.events, base, *owners, c.shuffle_bytes, comm, out.blocks, out.mpi_seconds);
  }
  out.bytes = bytes_before;
  ++out.recounted;
  cur = Cursor{};
  newlines = open_range(world, *in, bytes, h, header_lines, block, buf, cur);
  out.read_seconds += mpi::wtime() - t3;
  agree_on_failure(world, parse_rest);
  return results;
}

}  // namespace

void ingest_part(const Config& c, const Rates& rates, go::Executor& exec, MPI_Comm comm,
                 std::int64_t part, std::int64_t parts, std::vector<Cursor>& cursors,
                 Ingested& out) {
  cursors.resize(c.inputs.size());
  out.line_offset.resize(c.inputs.size(), 0);
  const std::int64_t left = parts - part;
  // One input: its chunks' events go to their owners as they move out of
  // the slots. Several: every key needs one owner over all of them, so the
  // events move down file by file (their lines made the files' own) and
  // go to their owners at the end.
  const bool fuse = out.route && c.inputs.size() == 1;
  for (int file = 0; file < static_cast<int>(c.inputs.size()); ++file) {
    Cursor& cur = cursors[static_cast<std::size_t>(file)];
    const std::size_t base = out.events.size();
    const bool h5 = is_h5_input(c, file);
    std::vector<ChunkResult> results =
        h5 ? ingest_h5(c, rates, exec, comm, file, left, cur, out)
           : ingest_csv(c, rates, exec, comm, file, left, cur, out, fuse);
    const double t0 = mpi::wtime();
    std::int64_t& offset = out.line_offset[static_cast<std::size_t>(file)];
    // A CSV input routed piece by piece (fuse && !h5) is done: ingest_csv()
    // settled its lines (bad rows: the file's own; events: source_line_offset).
    if (fuse && h5) {  // the events move down or out, to the owners of their keys
      EventPieces pieces;
      for (const ChunkResult& r : results)
        pieces.add({r.slots, static_cast<std::size_t>(r.events)});
      double t1 = mpi::wtime();
      const KeyOwners owners = KeyOwners::build(pieces, comm);
      out.mpi_seconds += mpi::wtime() - t1;
      route_chunks(out.events, base, results, offset, owners, c.shuffle_bytes, comm, out.blocks,
                   out.mpi_seconds);
      offset = 0;
      out.shuffle_seconds += mpi::wtime() - t0;
    } else if (!fuse) {  // the chunks' events move down over the slots left free, in order
      const std::int64_t add = out.route ? std::exchange(offset, 0) : 0;
      Event* to = out.events.data() + base;
      for (auto& r : results) {
        for (BadRow& b : r.bad) b.line += add;
        for (Event *e = r.slots, *last = r.slots + r.events; e != last; ++e, ++to) {
          e->line += add;
          if (e != to) relocate(*to, *e);
        }
      }
      out.events.erase(out.events.begin() + (to - out.events.data()), out.events.end());
    }
    const double t1 = mpi::wtime();
    std::size_t bad = out.bad.size();
    for (const auto& r : results) bad += r.bad.size();
    out.bad.reserve(bad);
    for (auto& r : results) {
      out.rows += r.rows;
      std::move(r.bad.begin(), r.bad.end(), std::back_inserter(out.bad));
    }
    out.parse_seconds += mpi::wtime() - (fuse ? t1 : t0);
  }
  if (out.route && !fuse) {
    const double t0 = mpi::wtime();
    std::vector<ChunkResult> all(1);
    all[0].slots = out.events.data();
    all[0].events = static_cast<std::int64_t>(out.events.size());
    route_chunks(out.events, 0, all, 0, key_owners(c, out.events, comm), c.shuffle_bytes, comm,
                 out.blocks, out.mpi_seconds);
    out.shuffle_seconds += mpi::wtime() - t0;
  }
}

bool owners_from_sample(const Config& c) { return c.inputs.size() == 1 && !is_h5_input(c, 0); }

KeyOwners key_owners(const Config& c, const Events& events, MPI_Comm comm) {
  const mpi::Comm world(comm);
  if (world.size() == 1) return {};
  const std::string& path = c.inputs[0];
  // After a restart the input may be gone (the events are in the
  // checkpoint): then the events' own sample, on every rank.
  std::error_code ec;
  const int readable = owners_from_sample(c) && std::filesystem::is_regular_file(path, ec);
  if (mpi::allreduce(readable, MPI_MIN, world) == 0) return KeyOwners::build(events, comm);
  CsvInput csv;
  open_csv(world, c, path, csv);
  return sampled_owners(world, *csv.in, csv.bytes, csv.h, csv.m);
}

Ingested ingest(const Config& c, const Rates& rates, go::Executor& exec, MPI_Comm comm) {
  Ingested out;
  out.route = mpi::Comm(comm).size() > 1;
  std::vector<Cursor> cursors;
  ingest_part(c, rates, exec, comm, 0, 1, cursors, out);
  return out;
}

}  // namespace weft::events
