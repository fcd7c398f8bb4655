// SPDX-License-Identifier: Apache-2.0
#include "route.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <iterator>
#include <stdexcept>
#include <utility>

#include "exchange.hpp"
#include "key_owners.hpp"
#include "parse_tasks.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/p2p.hpp"
#include "weft/mpi/session.hpp"

namespace weft::events {

void SourceBlocks::add(std::size_t n, std::int32_t from) {
  if (n == 0) return;
  const std::size_t at = end.empty() ? 0 : end.back();
  if (!source.empty() && source.back() == from) {
    end.back() = at + n;
    return;
  }
  end.push_back(at + n);
  source.push_back(from);
}

void SourceBlocks::remove(std::span<const std::size_t> gone) {
  std::size_t g = 0;
  for (std::size_t& e : end) {
    const std::size_t old = e;
    while (g < gone.size() && gone[g] < old) ++g;
    e = old - g;
  }
}

HugePageVector<std::int32_t> SourceBlocks::per_event(std::size_t n) const {
  if ((end.empty() ? 0 : end.back()) != n)
    throw std::logic_error("SourceBlocks: the blocks do not cover the events");
  HugePageVector<std::int32_t> out(n);
  std::size_t at = 0;
  for (std::size_t b = 0; b < end.size(); ++b) {
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(at),
              out.begin() + static_cast<std::ptrdiff_t>(end[b]), source[b]);
    at = end[b];
  }
  return out;
}

namespace {
// kRouteTag marks the Router's streams; an empty one ends a rank's streams.
// Each other one starts with its events' source (kSourceBytes, an int32).
constexpr int kRouteTag = 4243;
constexpr std::size_t kSourceBytes = sizeof(std::int32_t);
// kInFlight: the streams a rank may have in flight before it waits for
// the oldest (back-pressure), still receiving while it waits.
constexpr std::size_t kInFlight = 4;
}  // namespace

// Router::State: every slot before `to` holds a kept or received event;
// the slots from `to` up to the event being read are free (moved, packed
// or never used) and their texts are inline (a packed event's heap texts
// are freed), so that an event of inline texts is copied into one as its
// 64 bytes. A stream goes (MPI_Isend) when it holds round_size
// bytes, headed by the source of its events; received streams
// (MPI_Improbe and MPI_Mrecv at each chunk's end, in each sender's order)
// wait in `pending`, in arrival order, until free
// slots take them; once the pass is over (`done`) they are appended.
// Slots are indices: `events` may move between take()s.
struct Router::State {
  struct Pending {
    Bytes bytes;
    std::size_t size = 0;  // of the stream: bytes[0, size)
    std::size_t at = 0;
    std::int32_t source = 0;
  };
  struct Outgoing {
    Bytes bytes;
    MPI_Request request = MPI_REQUEST_NULL;
  };
  // Stream is a peer's stream being packed: bytes[0, fill); its bytes are
  // sized to hold round_size and one more event of inline texts, so that
  // such an event is copied in without a check.
  struct Stream {
    Bytes bytes;
    std::size_t fill = 0;
  };
  State(Events& e, const KeyOwners& o, std::size_t size, MPI_Comm c, SourceBlocks& b, double& m)
      : events(e), owners(o), round_size(size), world(c), blocks(b), mpi_seconds(m) {}
  Events& events;
  const KeyOwners& owners;
  std::size_t round_size;
  mpi::Comm world;
  SourceBlocks& blocks;
  double& mpi_seconds;
  int rank = 0;
  std::int32_t source = 0;  // of the events taken now (set_source())
  std::size_t peers = 1;
  std::vector<Stream> streams;
  Packer scratch;  // an event of heap texts, packed before it is copied in
  std::vector<Bytes> spare;
  std::deque<Pending> pending;
  std::deque<Outgoing> sending;  // in flight, oldest first
  std::size_t ends = 0;          // peers whose streams ended
  std::size_t to = 0;
  std::size_t own = 0;  // kept events since the last received block
  bool done = false;

  // spare_of() is a spare buffer (or a new one) of at least `n` bytes: its
  // old bytes stay (a receive overwrites them; resize() zero-fills a buffer
  // only where it grows). A new buffer holds any stream of events of inline
  // texts (round_size and one event): a buffer grown by a few bytes would
  // double (std::basic_string), twice the fresh memory.
  Bytes spare_of(std::size_t n) {
    Bytes b;
    if (!spare.empty()) {
      b = std::move(spare.back());
      spare.pop_back();
    }
    if (b.capacity() < n) {
      b = Bytes();
      b.reserve(std::max(n, round_size + sizeof(Event)));
    }
    if (b.size() < n) b.resize(n);
    return b;
  }
  // fresh() is an empty buffer to append to.
  Bytes fresh() {
    Bytes b = spare_of(0);
    b.clear();
    return b;
  }
  // place() unpacks the pending streams in order into the free slots before
  // `limit` (after the pass: at the end), as far as they go.
  void place(std::size_t limit) {
    while (!pending.empty() && (done || to < limit)) {
      blocks.add(own, source);
      own = 0;
      Pending& p = pending.front();
      Unpacker u{std::string_view(p.bytes.data(), p.size), p.at};
      std::size_t placed = 0;
      if (done)
        for (; !u.done(); ++placed) unpack_event(u, events.emplace_back());
      else
        while (!u.done() && to < limit) {
          // A run of events of inline texts (images of 64 bytes) goes into
          // the free slots (inline texts too) as one block.
          const std::size_t room = std::min(limit - to, (u.bytes.size() - u.at) / sizeof(Event));
          std::size_t run = 0;
          while (run < room && inline_image(u.bytes.data() + u.at + run * sizeof(Event))) ++run;
          if (run > 0) {
            std::memcpy(static_cast<void*>(events.data() + to), u.bytes.data() + u.at,
                        run * sizeof(Event));
            u.at += run * sizeof(Event);
            to += run;
            placed += run;
            continue;
          }
          unpack_event(u, events[to++]);
          ++placed;
        }
      blocks.add(placed, p.source);
      if (!u.done()) {
        p.at = u.at;
        return;
      }
      spare.push_back(std::move(p.bytes));
      pending.pop_front();
    }
  }
  // open() starts peer's next stream: its header.
  void open(std::size_t peer) {
    Stream& st = streams[peer];
    st.bytes = spare_of(round_size + sizeof(Event));
    std::memcpy(st.bytes.data(), &source, kSourceBytes);
    st.fill = kSourceBytes;
  }
  // holds() is whether peer's stream holds events.
  bool holds(std::size_t peer) const { return streams[peer].fill > kSourceBytes; }
  // send() starts sending peer's stream (`end`: an empty one, the end of
  // this rank's streams).
  void send(std::size_t peer, bool end = false) {
    const std::size_t n = end ? 0 : streams[peer].fill;
    sending.push_back({end ? fresh() : std::move(streams[peer].bytes), MPI_REQUEST_NULL});
    Outgoing& o = sending.back();
    o.request =
        mpi::isend(o.bytes.data(), static_cast<int>(n), static_cast<int>(peer), kRouteTag, world);
    if (!end) open(peer);
  }
  // take_heavy() routes event `at` of heap texts to rank `o`: moved to
  // slot `to` (this rank's) or packed into o's stream, its texts freed.
  void take_heavy(int o, std::size_t at) {
    Event& e = events[at];
    if (o == rank) {
      if (at != to) relocate(events[to], e);
      ++to;
      ++own;
      return;
    }
    scratch.bytes.clear();
    pack_event(scratch, e);
    Stream& st = streams[static_cast<std::size_t>(o)];
    if (st.fill + scratch.bytes.size() + sizeof(Event) > st.bytes.size())
      st.bytes.resize(st.fill + scratch.bytes.size() + sizeof(Event));
    std::memcpy(st.bytes.data() + st.fill, scratch.bytes.data(), scratch.bytes.size());
    st.fill += scratch.bytes.size();
    e.key.clear();
    e.counterparty.clear();
  }
  // poll() takes the streams that arrived (until every peer's ended: what
  // comes after is another Router's) and the sends that completed, then
  // places what it can before `limit`.
  void poll(std::size_t limit) {
    MPI_Message message = MPI_MESSAGE_NULL;
    MPI_Status status;
    while (ends + 1 < peers && mpi::improbe(MPI_ANY_SOURCE, kRouteTag, world, &message, &status)) {
      const int n = mpi::count<char>(status);
      Bytes b = spare_of(static_cast<std::size_t>(n));
      mpi::mrecv(b.data(), n, &message);
      if (n == 0) {
        spare.push_back(std::move(b));
        ++ends;
        continue;
      }
      Unpacker u{std::string_view(b.data(), static_cast<std::size_t>(n)), 0};
      const auto from = u.get<std::int32_t>();
      pending.push_back({std::move(b), static_cast<std::size_t>(n), kSourceBytes, from});
    }
    while (!sending.empty() && mpi::testall(std::span<MPI_Request>(&sending.front().request, 1))) {
      spare.push_back(std::move(sending.front().bytes));
      sending.pop_front();
    }
    place(limit);
  }
  // throttle() waits, receiving, while more than kInFlight streams are in flight.
  void throttle(std::size_t limit) {
    if (sending.size() <= kInFlight) return;
    const double t0 = mpi::wtime();
    while (sending.size() > kInFlight) poll(limit);
    mpi_seconds += mpi::wtime() - t0;
  }
};

Router::Router(Events& events, std::size_t base, const KeyOwners& owners, std::int64_t round_bytes,
               MPI_Comm comm, SourceBlocks& blocks, double& mpi_seconds)
    : s_(std::make_unique<State>(events, owners, static_cast<std::size_t>(round_bytes), comm,
                                 blocks, mpi_seconds)) {
  s_->rank = s_->world.rank();
  s_->source = s_->rank;
  s_->peers = static_cast<std::size_t>(s_->world.size());
  s_->streams.resize(s_->peers);
  for (std::size_t r = 0; r < s_->peers; ++r)
    if (r != static_cast<std::size_t>(s_->rank)) s_->open(r);
  s_->to = base;
}

Router::~Router() = default;

void Router::take(std::vector<ChunkResult>& results, std::int64_t line_offset) {
  State& s = *s_;
  if (s.done) throw std::logic_error("Router::take() after finish()");
  // Where each rank's next event goes (this rank's: slot `to`) and where
  // its stream is full (this rank's: never), as addresses: an event of
  // inline texts is copied to cur[owner] without a branch on the owner.
  const auto rank = static_cast<std::size_t>(s.rank);
  std::vector<std::uintptr_t> cur(s.peers), full(s.peers);
  auto load = [&] {
    for (std::size_t r = 0; r < s.peers; ++r) {
      if (r == rank) {
        cur[r] = reinterpret_cast<std::uintptr_t>(s.events.data() + s.to);
        full[r] = UINTPTR_MAX;
      } else {
        const char* b = s.streams[r].bytes.data();
        cur[r] = reinterpret_cast<std::uintptr_t>(b + s.streams[r].fill);
        full[r] = reinterpret_cast<std::uintptr_t>(b + s.round_size);
      }
    }
  };
  auto store = [&] {
    const std::size_t to =
        (cur[rank] - reinterpret_cast<std::uintptr_t>(s.events.data())) / sizeof(Event);
    s.own += to - s.to;
    s.to = to;
    for (std::size_t r = 0; r < s.peers; ++r)
      if (r != rank)
        s.streams[r].fill = cur[r] - reinterpret_cast<std::uintptr_t>(s.streams[r].bytes.data());
  };
  load();
  for (ChunkResult& r : results) {
    for (BadRow& b : r.bad) b.line += line_offset;
    auto at = static_cast<std::size_t>(r.slots - s.events.data());
    for (const std::size_t last = at + static_cast<std::size_t>(r.events); at != last; ++at) {
      Event& e = s.events[at];
      e.line += line_offset;
      const auto o = static_cast<std::size_t>(s.owners(e.key));
      if (e.key.is_inline() && e.counterparty.is_inline()) [[likely]] {
        // Through a copy: this rank's slot may be the event's own.
        alignas(64) unsigned char image[sizeof(Event)];
        std::memcpy(image, static_cast<const void*>(&e), sizeof(Event));
        std::memcpy(reinterpret_cast<void*>(cur[o]), image, sizeof(Event));
        cur[o] += sizeof(Event);
      } else {
        store();
        s.take_heavy(static_cast<int>(o), at);
        load();
      }
      if (cur[o] >= full[o]) [[unlikely]] {
        store();
        s.send(o);
        s.throttle(at + 1);
        load();
      }
    }
    r.events = 0;  // moved or sent
    if (s.peers > 1) {
      store();
      s.poll(at);
      load();
    }
  }
  store();
}

void Router::set_source(std::int32_t source) {
  State& s = *s_;
  if (source == s.source) return;
  for (std::size_t r = 0; r < s.peers; ++r)
    if (r != static_cast<std::size_t>(s.rank) && s.holds(r)) s.send(r);
  s.throttle(s.to);
  s.blocks.add(s.own, s.source);
  s.own = 0;
  s.source = source;
  for (std::size_t r = 0; r < s.peers; ++r)
    if (r != static_cast<std::size_t>(s.rank))
      std::memcpy(s.streams[r].bytes.data(), &source, kSourceBytes);
}

void Router::poll() {
  State& s = *s_;
  if (s.peers > 1 && !s.done) s.poll(s.to);
}

std::size_t Router::free_from() const { return s_->to; }

void Router::finish() {
  State& s = *s_;
  // The pass is over: every slot from `to` on is free.
  s.blocks.add(s.own, s.source);
  s.own = 0;
  s.place(s.events.size());
  s.events.erase(s.events.begin() + static_cast<std::ptrdiff_t>(s.to), s.events.end());
  s.done = true;
  s.place(0);
  const double t0 = mpi::wtime();
  for (std::size_t r = 0; r < s.peers; ++r) {
    if (r == static_cast<std::size_t>(s.rank)) continue;
    if (s.holds(r)) s.send(r);
    s.send(r, true);
  }
  while (s.ends + 1 < s.peers || !s.sending.empty()) s.poll(0);
  s.mpi_seconds += mpi::wtime() - t0;
}

void route_chunks(Events& events, std::size_t base, std::vector<ChunkResult>& results,
                  std::int64_t line_offset, const KeyOwners& owners, std::int64_t round_bytes,
                  MPI_Comm comm, SourceBlocks& blocks, double& mpi_seconds) {
  Router router(events, base, owners, round_bytes, comm, blocks, mpi_seconds);
  router.take(results, line_offset);
  router.finish();
}

Events shuffle_by_key(Events events, const KeyOwners& owners, std::int64_t round_bytes,
                      MPI_Comm comm, double& mpi_seconds) {
  if (mpi::Comm(comm).size() == 1) {
    sort_by_key(events);
    return events;
  }
  std::vector<ChunkResult> all(1);
  all[0].slots = events.data();
  all[0].events = static_cast<std::int64_t>(events.size());
  SourceBlocks blocks;
  route_chunks(events, 0, all, 0, owners, round_bytes, comm, blocks, mpi_seconds);
  sort_by_key(events, blocks.per_event(events.size()));
  return events;
}

}  // namespace weft::events
