// SPDX-License-Identifier: Apache-2.0
#include "exchange.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <limits>
#include <tuple>
#include <type_traits>
#include <unordered_set>
#include <utility>

#include "weft/core/mix64.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/datatype.hpp"
#include "weft/mpi/op.hpp"
#include "weft/mpi/p2p.hpp"
#include "weft/mpi/session.hpp"

namespace weft::events {
namespace {
// kExchangeTag marks exchange()'s messages.
constexpr int kExchangeTag = 4242;

// hash64() is splitmix64's output for z: a 64-bit hash of an id.
std::uint64_t hash64(std::uint64_t z) { return mix64(z + 0x9e3779b97f4a7c15ull); }
}  // namespace

void exchange_into(const std::vector<Bytes>& out, std::vector<Bytes>& in, std::int64_t round_bytes,
                   MPI_Comm comm, double& mpi_seconds) {
  const mpi::Comm world(comm);
  const auto n = static_cast<std::size_t>(world.size());
  const auto self = static_cast<std::size_t>(world.rank());
  in.resize(n);
  // A piece fits MPI's int count.
  const std::int64_t piece = std::min<std::int64_t>(round_bytes, std::int64_t{1} << 30);
  const double t0 = mpi::wtime();
  std::vector<std::int64_t> send(n), recv(n);
  for (std::size_t r = 0; r < n; ++r)
    if (r != self) send[r] = static_cast<std::int64_t>(out[r].size());
  mpi::alltoall(send.data(), recv.data(), 1, world);
  for (std::size_t r = 0; r < n; ++r)
    if (r != self) in[r].resize(static_cast<std::size_t>(recv[r]));
  // Round k moves bytes [k * piece, (k + 1) * piece) of every stream,
  // straight from the sender's stream into the receiver's.
  std::vector<MPI_Request> requests;
  for (std::int64_t from = 0;; from += piece) {
    requests.clear();
    for (std::size_t r = 0; r < n; ++r) {
      const auto peer = static_cast<int>(r);
      if (r == self) continue;
      if (from < recv[r])
        requests.push_back(mpi::irecv(in[r].data() + from,
                                      static_cast<int>(std::min(piece, recv[r] - from)), peer,
                                      kExchangeTag, world));
      if (from < send[r])
        requests.push_back(mpi::isend(out[r].data() + from,
                                      static_cast<int>(std::min(piece, send[r] - from)), peer,
                                      kExchangeTag, world));
    }
    if (requests.empty()) break;
    mpi::waitall(requests);
  }
  mpi_seconds += mpi::wtime() - t0;
}

std::vector<Bytes> exchange(std::vector<Bytes> out, std::int64_t round_bytes, MPI_Comm comm,
                            double& mpi_seconds) {
  const auto self = static_cast<std::size_t>(mpi::Comm(comm).rank());
  std::vector<Bytes> in(out.size());
  in[self] = std::move(out[self]);
  out[self].clear();
  exchange_into(out, in, round_bytes, comm, mpi_seconds);
  return in;
}

std::vector<Bytes> streams(std::vector<Packer>& packers) {
  std::vector<Bytes> out;
  out.reserve(packers.size());
  for (auto& p : packers) out.push_back(std::move(p.bytes));
  return out;
}

int owner_of_key(std::string_view key, int ranks) {
  return static_cast<int>(key_bucket(key_hash(key), static_cast<std::size_t>(ranks)));
}

int owner_of_id(std::int64_t id, int ranks) {
  return static_cast<int>(hash64(static_cast<std::uint64_t>(id)) %
                          static_cast<std::uint64_t>(ranks));
}

namespace {
// kScalars is the bytes of an Event's numbers as packed: id, time_us,
// amount or value, the word of line, file and currency (8 each).
constexpr std::size_t kScalars = 4 * sizeof(std::int64_t);
static_assert(kPackedLeast == kScalars + 2 * SmallText::kImage);

// text_size() is a text's packed size: its image, and its bytes when it is
// on the heap (then the image's first 8 bytes are its size, byte 15 0xff).
std::size_t text_size(const SmallText& t) {
  return SmallText::kImage + (t.is_inline() ? 0 : t.size());
}

char* put_text(char* to, const SmallText& t) {
  if (t.is_inline()) {
    t.copy_image(to);
    return to + SmallText::kImage;
  }
  const std::uint64_t n = t.size();
  std::memset(to, 0, SmallText::kImage);
  std::memcpy(to, &n, sizeof n);
  to[SmallText::kImage - 1] = static_cast<char>(0xff);
  std::memcpy(to + SmallText::kImage, t.data(), t.size());
  return to + SmallText::kImage + t.size();
}

void get_text(Unpacker& u, SmallText& t) {
  if (u.at + SmallText::kImage > u.bytes.size())
    throw std::runtime_error("a byte stream ends early");
  const char* image = u.bytes.data() + u.at;
  u.at += SmallText::kImage;
  if (static_cast<unsigned char>(image[SmallText::kImage - 1]) <= SmallText::kInline) {
    t.assign_image(image);
    return;
  }
  std::uint64_t n = 0;
  std::memcpy(&n, image, sizeof n);
  if (n > u.bytes.size() - u.at) throw std::runtime_error("a byte stream ends early");
  t.assign(u.bytes.substr(u.at, static_cast<std::size_t>(n)));
  u.at += static_cast<std::size_t>(n);
}
}  // namespace

std::size_t packed_size(const Event& e) {
  return kScalars + text_size(e.key) + text_size(e.counterparty);
}

// An event of inline texts packs as its own bytes: the packed layout is the
// Event's (no padding), which the fast paths of pack_event() and
// unpack_event() copy as one block.
static_assert(std::is_standard_layout_v<Event> && offsetof(Event, amount) == 16 &&
              offsetof(Event, value) == 16 && offsetof(Event, key) == kScalars &&
              offsetof(Event, counterparty) == kScalars + SmallText::kImage &&
              sizeof(Event) == kPackedLeast);

void pack_event(Packer& p, const Event& e) {
  if (e.key.is_inline() && e.counterparty.is_inline()) {
    p.bytes.append(reinterpret_cast<const char*>(&e), sizeof(Event));
    return;
  }
  const std::size_t at = p.bytes.size();
  p.bytes.resize(at + packed_size(e));
  char* to = p.bytes.data() + at;
  std::memcpy(to, static_cast<const void*>(&e), kScalars);  // the numbers, as laid out
  put_text(put_text(to + kScalars, e.key), e.counterparty);
}

void unpack_event(Unpacker& u, Event& e) {
  if (u.at + kScalars > u.bytes.size()) throw std::runtime_error("a byte stream ends early");
  const char* from = u.bytes.data() + u.at;
  if (u.at + sizeof(Event) <= u.bytes.size() && inline_image(from) && e.key.is_inline() &&
      e.counterparty.is_inline()) {  // no heap block to keep or free: one copy
    std::memcpy(static_cast<void*>(&e), from, sizeof(Event));
    u.at += sizeof(Event);
    return;
  }
  std::memcpy(static_cast<void*>(&e), from, kScalars);  // the numbers; the texts follow
  u.at += kScalars;
  get_text(u, e.key);
  get_text(u, e.counterparty);
}

namespace {

// kRecord is the bytes of an (id, file, line) record of the duplicate check.
constexpr std::size_t kRecord = sizeof(std::int64_t) * 2 + sizeof(std::int32_t);
// kMostMarkBytes: the largest bitmaps of ids the ranks combine (beyond: sparse ids).
constexpr std::uint64_t kMostMarkBytes = std::uint64_t{1} << 29;

// Seen is an (id, file, line) record at the id's owner, with its sender.
struct Seen {
  std::int64_t id;
  std::int32_t file;
  std::int64_t line;
  int from;
};

void put_record(Packer& p, const Event& e) {
  p.put(e.id);
  p.put(static_cast<std::int32_t>(e.file));
  p.put(static_cast<std::int64_t>(e.line));
}

Seen seen_at(const std::vector<Bytes>& in, std::size_t r, std::size_t at) {
  const char* p = in[r].data() + at;
  Seen s{};
  std::memcpy(&s.id, p, sizeof s.id);
  std::memcpy(&s.file, p + sizeof s.id, sizeof s.file);
  std::memcpy(&s.line, p + sizeof s.id + sizeof s.file, sizeof s.line);
  s.from = static_cast<int>(r);
  return s;
}

// Marks is 64 ids' bits: seen on a rank, and seen twice.
struct Marks {
  std::uint64_t seen = 0, twice = 0;
};

// merge_marks() combines two ranks' marks (an MPI reduction): an id is seen
// twice when either saw it twice or both saw it.
void merge_marks(void* in, void* inout, int* len, MPI_Datatype*) {
  const auto* a = static_cast<const Marks*>(in);
  auto* b = static_cast<Marks*>(inout);
  for (int i = 0; i < *len; ++i) {
    b[i].twice |= a[i].twice | (a[i].seen & b[i].seen);
    b[i].seen |= a[i].seen;
  }
}

// dense_candidates() is the records of the events whose id occurs more than
// once over all ranks, at the ids' owners, for ids in [lo, lo + 64 * words):
// every rank marks its ids in bitmaps of that range (seen, seen twice), one
// allreduce combines them (merge_marks), and only the repeated ids'
// records travel. Collective over `comm`.
std::vector<Seen> dense_candidates(const Events& events, std::int64_t lo, std::uint64_t words,
                                   std::int64_t round_bytes, MPI_Comm comm, double& mpi_seconds) {
  const mpi::Comm world(comm);
  HugePageVector<Marks> marks(static_cast<std::size_t>(words));
  auto bit = [&](std::int64_t id) {
    return static_cast<std::uint64_t>(id) - static_cast<std::uint64_t>(lo);
  };
  for (const Event& e : events) {
    const std::uint64_t b = bit(e.id), m = std::uint64_t{1} << (b % 64);
    Marks& w = marks[static_cast<std::size_t>(b / 64)];
    w.twice |= w.seen & m;
    w.seen |= m;
  }
  const double t0 = mpi::wtime();
  const mpi::Op op(&merge_marks, true);
  const mpi::Datatype element = mpi::Datatype::bytes(sizeof(Marks));
  mpi::allreduce(marks.data(), marks.data(), static_cast<int>(words), element.get(), op.get(),
                 world);
  mpi_seconds += mpi::wtime() - t0;
  std::vector<Packer> out(static_cast<std::size_t>(world.size()));
  for (const Event& e : events) {
    const std::uint64_t b = bit(e.id);
    if (marks[static_cast<std::size_t>(b / 64)].twice >> (b % 64) & 1)
      put_record(out[static_cast<std::size_t>(owner_of_id(e.id, world.size()))], e);
  }
  const auto in = exchange(streams(out), round_bytes, comm, mpi_seconds);
  std::vector<Seen> seen;
  for (std::size_t r = 0; r < in.size(); ++r) {
    if (in[r].size() % kRecord != 0) throw std::runtime_error("a byte stream ends early");
    for (std::size_t at = 0; at < in[r].size(); at += kRecord) seen.push_back(seen_at(in, r, at));
  }
  return seen;
}

// sparse_candidates() is dense_candidates() for ids spread too thin for
// bitmaps of their range: every event's record goes to its id's owner,
// which marks a hashed bit of 16 per record (~6 % false candidates, sorted
// out by the caller) and keeps the records of ids whose bit was set
// already. Collective over `comm`.
std::vector<Seen> sparse_candidates(const Events& events, std::int64_t round_bytes, MPI_Comm comm,
                                    double& mpi_seconds) {
  const int size = mpi::Comm(comm).size();
  std::vector<Packer> out(static_cast<std::size_t>(size));
  for (auto& p : out)
    p.bytes.reserve(events.size() * kRecord / static_cast<std::size_t>(size) * 5 / 4);
  for (const Event& e : events)
    put_record(out[static_cast<std::size_t>(owner_of_id(e.id, size))], e);
  const auto in = exchange(streams(out), round_bytes, comm, mpi_seconds);
  std::size_t records = 0;
  for (const Bytes& s : in) {
    if (s.size() % kRecord != 0) throw std::runtime_error("a byte stream ends early");
    records += s.size() / kRecord;
  }
  const std::uint64_t bits = 16 * static_cast<std::uint64_t>(records) + 64;
  auto bit_of = [&](std::int64_t id) {
    return hash64(static_cast<std::uint64_t>(id) ^ 0x5bd1e9955bd1e995ull) % bits;
  };
  std::unordered_set<std::int64_t> again;
  {
    HugePageVector<std::uint64_t> marks((bits + 63) / 64);
    for (std::size_t r = 0; r < in.size(); ++r)
      for (std::size_t at = 0; at < in[r].size(); at += kRecord) {
        const std::int64_t id = seen_at(in, r, at).id;
        const std::uint64_t b = bit_of(id), mask = std::uint64_t{1} << (b % 64);
        if (marks[b / 64] & mask)
          again.insert(id);
        else
          marks[b / 64] |= mask;
      }
  }
  std::vector<Seen> seen;
  if (!again.empty())
    for (std::size_t r = 0; r < in.size(); ++r)
      for (std::size_t at = 0; at < in[r].size(); at += kRecord)
        if (const Seen s = seen_at(in, r, at); again.count(s.id)) seen.push_back(s);
  return seen;
}

}  // namespace

void remove_duplicates(Events& events, std::vector<BadRow>& bad, std::int64_t round_bytes,
                       MPI_Comm comm, double& mpi_seconds, std::vector<std::size_t>* removed) {
  const mpi::Comm world(comm);
  // The ids' range over all ranks: dense ids (the usual running numbers)
  // are checked by bitmaps, others at their owners.
  std::int64_t lo = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi = std::numeric_limits<std::int64_t>::min();
  for (const Event& e : events) {
    lo = std::min(lo, e.id);
    hi = std::max(hi, e.id);
  }
  lo = mpi::allreduce(lo, MPI_MIN, world);
  hi = mpi::allreduce(hi, MPI_MAX, world);
  const auto total = mpi::allreduce(static_cast<std::int64_t>(events.size()), MPI_SUM, world);
  if (total == 0) return;
  const std::uint64_t range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  const std::uint64_t words = range / 64 + 1;
  const bool dense =
      range < 16 * static_cast<std::uint64_t>(total) && words <= kMostMarkBytes / sizeof(Marks);
  std::vector<Seen> seen = dense
                               ? dense_candidates(events, lo, words, round_bytes, comm, mpi_seconds)
                               : sparse_candidates(events, round_bytes, comm, mpi_seconds);
  // The owner orders each id's records by (file, line)...
  std::sort(seen.begin(), seen.end(), [](const Seen& a, const Seen& b) {
    return std::tie(a.id, a.file, a.line) < std::tie(b.id, b.file, b.line);
  });
  const int size = world.size();
  // ...which sends back the (file, line) of every later occurrence.
  std::vector<Packer> back(static_cast<std::size_t>(size));
  for (std::size_t i = 1; i < seen.size(); ++i)
    if (seen[i].id == seen[i - 1].id) {
      Packer& p = back[static_cast<std::size_t>(seen[i].from)];
      p.put(seen[i].file);
      p.put(seen[i].line);
    }
  const auto dups = exchange(streams(back), round_bytes, comm, mpi_seconds);
  std::vector<std::pair<std::int32_t, std::int64_t>> later;
  for (const auto& s : dups) {
    Unpacker u{s};
    while (!u.done()) {
      const auto file = u.get<std::int32_t>();
      later.emplace_back(file, u.get<std::int64_t>());
    }
  }
  if (later.empty()) return;
  std::sort(later.begin(), later.end());
  // The kept events move down in place (no second array); the duplicates
  // join `bad` by (file, line), whatever the events' order.
  // A hashed filter of 16 bits a duplicate (~6 % false hits, in the
  // cache) spares the binary search for almost every event.
  std::size_t bits = 64;
  while (bits < 16 * later.size()) bits *= 2;
  std::vector<std::uint64_t> filter(bits / 64);
  auto hash = [&](std::int32_t file, std::int64_t line) {
    return mix64(static_cast<std::uint64_t>(line) ^ static_cast<std::uint64_t>(file) << 48) &
           (bits - 1);
  };
  for (const auto& [file, line] : later) {
    const std::uint64_t h = hash(file, line);
    filter[h / 64] |= std::uint64_t{1} << (h % 64);
  }
  const std::size_t first_bad = bad.size();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    Event& e = events[i];
    const auto file = static_cast<std::int32_t>(e.file);
    const std::int64_t line = e.line;
    const std::uint64_t h = hash(file, line);
    if ((filter[h / 64] >> (h % 64) & 1) != 0 &&
        std::binary_search(later.begin(), later.end(), std::make_pair(file, line))) {
      bad.push_back({file, line, Reason::duplicate_event_id,
                     "event_id " + std::to_string(e.id) + " seen on an earlier line"});
      if (removed) removed->push_back(i);
    } else if (kept++ != i) {
      relocate(events[kept - 1], e);
    }
  }
  events.erase(events.begin() + static_cast<std::ptrdiff_t>(kept), events.end());
  std::sort(bad.begin() + static_cast<std::ptrdiff_t>(first_bad), bad.end(),
            [](const BadRow& x, const BadRow& y) {
              return x.file != y.file ? x.file < y.file : x.line < y.line;
            });
}

}  // namespace weft::events
