// SPDX-License-Identifier: Apache-2.0
// The distributed tree: top cells and the top tree (build()), group walks
// that fetch remote nodes through a cache shared by the rank's walks and
// park their fiber meanwhile (accelerations()). Messages go over a
// duplicate of the build's communicator: a request (node, 0) with tag
// kRequestTag, its reply (the node's children and the levels below it,
// impl::reply()) with tag kReplyTag; a request with node -1 says "my walks
// are done". Progress (answering requests, receiving replies, waking the
// walks that wait for them) is made by whichever task of the rank gets
// there: every walk between two groups, and a progress task that runs when
// every walk is parked; MPI_Improbe/MPI_Mrecv take replies of any size.
#include "impl/distributed.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <numeric>
#include <unordered_map>

#include "impl/group.hpp"
#include "impl/morton.hpp"
#include "weft/core/error.hpp"
#include "weft/go/go.hpp"
#include "weft/go/mpi_await.hpp"
#include "weft/go/wait_group.hpp"
#include "weft/gravity/distributed_tree.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/p2p.hpp"

namespace weft::gravity {

using impl::kNodeDoubles;

namespace {

constexpr int kRequestTag = 7;
constexpr int kReplyTag = 8;
constexpr int kWalksPerWorker = 16;
constexpr std::size_t kWalkStack = 256 * 1024;
// kReplyLevels: levels below an asked node that its reply carries (fewer
// round trips against more bytes; docs/gravity-tree.md has the
// measurements). WEFT_GRAVITY_REPLY_LEVELS overrides it.
constexpr int kReplyLevels = 2;

int reply_levels() {
  const char* v = std::getenv("WEFT_GRAVITY_REPLY_LEVELS");
  const int n = v ? std::atoi(v) : 0;
  return n >= 1 ? n : kReplyLevels;
}

// Entry is one remote node in the cache: its children (next: the child's
// index in its owner's tree; begin: its first source in parts when it is a
// leaf) or, for a leaf, its sources; x y z m per source.
struct Entry {
  std::atomic<bool> ready{false};
  go::WaitGroup arrived;
  std::vector<TreeNode> children;
  std::vector<double> parts;
  // below[i]: the entry of children[i] once a walk looked it up (saves the
  // cache's lock and hash lookup on every later visit); set when filed.
  std::unique_ptr<std::atomic<Entry*>[]> below;
};

using Clock = std::chrono::steady_clock;

}  // namespace

struct DistributedTree::State {
  mpi::Comm comm;  // a duplicate: the tree's messages only
  int rank = 0, size = 1;
  int levels = kReplyLevels;
  impl::TopTree top;
  std::mutex mu;  // guards cache (never held while parked)
  std::unordered_map<std::uint64_t, std::unique_ptr<Entry>> cache;
  // One task makes progress at a time. A flag, not a mutex: the task that
  // holds it may park inside mpi_call() and resume on another thread.
  std::atomic<bool> progressing{false};
  std::deque<std::vector<double>> replies;  // kept until their sends complete
  std::vector<MPI_Request> reply_sends;
  std::mutex ask_mu;  // guards asks, ask_sends (never held across mpi_call())
  std::deque<std::array<std::int64_t, 2>> asks;
  std::vector<MPI_Request> ask_sends;
  std::atomic<int> others_done{0};           // ranks whose walks are done
  bool ahead = true;                         // send_ahead() before the walks
  std::vector<impl::ImportedTree> imported;  // per rank: what it sent ahead
  std::int64_t ahead_bytes = 0;              // received by send_ahead()
  std::atomic<std::int64_t> requests{0}, hits{0}, bytes{0}, served{0}, parked_ns{0};

  static std::uint64_t key(int owner, std::int32_t index) {
    return std::uint64_t(unsigned(owner)) << 32 | std::uint32_t(index);
  }
  // entry() is the cache entry of node `index` of rank `owner`, asked for
  // by the calling walk if no walk asked before; it returns when the entry
  // is filled (parking the walk meanwhile).
  Entry& entry(int owner, std::int32_t index);
  // progress() answers the requests that came in and files the replies
  // that arrived; false if another task is at it or nothing came.
  bool progress(const Tree& local);
  // file() puts the groups of one reply from `owner` into the cache.
  void file(int owner, std::span<const double> reply);
  // send_ahead() sends every other rank what its walks will open of this
  // rank's tree (impl::export_for()) and files what they send. Collective.
  void send_ahead(const Tree& local, const impl::Walk& w, const impl::Group& mine,
                  bool has_targets);
  // walk() adds the whole tree to a group's lists: the top tree, this
  // rank's subtrees and other ranks' nodes through the cache, in
  // depth-first order (the same order whatever was cached before).
  void walk(const Tree& local, const impl::Walk& w, const impl::Group& g, impl::Lists& L);
  // open_remote() adds the children of rank owner's node `index` (record
  // rec, to be opened) to the lists.
  void open_remote(int owner, std::int32_t index, const TreeNode& rec, const impl::Walk& w,
                   const impl::Group& g, impl::Lists& L);
  // walk_imported() adds the subtree of rank owner's imported tree that
  // starts at node `first` to the lists.
  void walk_imported(int owner, std::int32_t first, const impl::Walk& w, const impl::Group& g,
                     impl::Lists& L);
  // open_entry() adds the children of a filed entry (record rec) to the lists.
  void open_entry(int owner, const Entry& e, const TreeNode& rec, const impl::Walk& w,
                  const impl::Group& g, impl::Lists& L);
};

void DistributedTree::State::walk(const Tree& local, const impl::Walk& w, const impl::Group& g,
                                  impl::Lists& L) {
  const auto n = static_cast<std::int32_t>(top.nodes.size());
  std::int32_t k = 0;
  while (k < n) {
    const TreeNode& nd = top.nodes[static_cast<std::size_t>(k)];
    const impl::TopRef ref = top.refs[static_cast<std::size_t>(k)];
    if (!g.open(w, nd)) {
      impl::use_whole(w, nd, L);
      k = nd.next;
      continue;
    }
    if (ref.owner < 0) {  // a cell above the top cells: its children follow
      ++L.opened;
      ++k;
      continue;
    }
    if (ref.owner == rank) {
      local.walk_nodes(ref.index, local.nodes()[static_cast<std::size_t>(ref.index)].next, w, g, L);
    } else if (const auto it = imported[static_cast<std::size_t>(ref.owner)].start.find(ref.index);
               it != imported[static_cast<std::size_t>(ref.owner)].start.end()) {
      walk_imported(ref.owner, it->second, w, g, L);
    } else {
      open_remote(ref.owner, ref.index, nd, w, g, L);
    }
    k = nd.next;
  }
}

void DistributedTree::State::walk_imported(int owner, std::int32_t first, const impl::Walk& w,
                                           const impl::Group& g, impl::Lists& L) {
  const impl::ImportedTree& t = imported[static_cast<std::size_t>(owner)];
  impl::walk_range(
      t.nodes.data(), first, t.nodes[static_cast<std::size_t>(first)].next, w, g, L,
      [&](std::int32_t k, const TreeNode& nd) {
        if (t.expanded[static_cast<std::size_t>(k)]) return false;
        // not sent (a rounding edge of the box's criterion): ask for it
        open_remote(owner, t.remote_index[static_cast<std::size_t>(k)], nd, w, g, L);
        return true;
      },
      [&](const TreeNode& nd) {
        const double* q = t.parts.data() + 4 * static_cast<std::size_t>(nd.begin);
        for (std::int32_t i = 0; i < nd.count; ++i, q += 4)
          L.points.push(q[0], q[1], q[2], q[3], -1);
      });
}

void DistributedTree::State::open_remote(int owner, std::int32_t index, const TreeNode& rec,
                                         const impl::Walk& w, const impl::Group& g,
                                         impl::Lists& L) {
  ++L.opened;
  open_entry(owner, entry(owner, index), rec, w, g, L);
}

void DistributedTree::State::open_entry(int owner, const Entry& e, const TreeNode& rec,
                                        const impl::Walk& w, const impl::Group& g, impl::Lists& L) {
  auto sources = [&](std::size_t first, std::size_t count) {
    for (std::size_t i = first; i < first + count; ++i) {
      const double* q = e.parts.data() + 4 * i;
      L.points.push(q[0], q[1], q[2], q[3], -1);
    }
    L.particles += static_cast<std::int64_t>(count);
  };
  if (rec.leaf) {
    sources(0, e.parts.size() / 4);
    return;
  }
  for (std::size_t i = 0; i < e.children.size(); ++i) {
    const TreeNode& c = e.children[i];
    if (!g.open(w, c)) {
      impl::use_whole(w, c, L);
    } else if (c.leaf) {
      ++L.opened;
      sources(static_cast<std::size_t>(c.begin), static_cast<std::size_t>(c.count));
    } else if (Entry* known = e.below[i].load(std::memory_order_acquire);
               known && known->ready.load(std::memory_order_acquire)) {
      ++L.opened;
      ++L.remote_hits;
      open_entry(owner, *known, c, w, g, L);
    } else {
      ++L.opened;
      Entry& child = entry(owner, c.next);
      e.below[i].store(&child, std::memory_order_release);
      open_entry(owner, child, c, w, g, L);
    }
  }
}

Entry& DistributedTree::State::entry(int owner, std::int32_t index) {
  Entry* e = nullptr;
  bool mine = false;
  {
    const std::lock_guard lock(mu);
    std::unique_ptr<Entry>& slot = cache[key(owner, index)];
    if (!slot) {
      slot = std::make_unique<Entry>();
      slot->arrived.add(1);
      mine = true;
    }
    e = slot.get();
  }
  if (mine) {
    requests.fetch_add(1, std::memory_order_relaxed);
    const std::array<std::int64_t, 2>* ask = nullptr;
    {
      const std::lock_guard lock(ask_mu);
      ask = &asks.emplace_back(
          std::array<std::int64_t, 2>{index, 0});  // stays until the send is done
    }
    const MPI_Request r =
        go::mpi_call([&] { return mpi::isend(ask->data(), 2, owner, kRequestTag, comm); });
    const std::lock_guard lock(ask_mu);
    ask_sends.push_back(r);
  } else {
    hits.fetch_add(1, std::memory_order_relaxed);
  }
  if (!e->ready.load(std::memory_order_acquire)) {
    const auto t0 = Clock::now();
    e->arrived.wait();
    parked_ns.fetch_add((Clock::now() - t0).count(), std::memory_order_relaxed);
  }
  return *e;
}

void DistributedTree::State::file(int owner, std::span<const double> reply) {
  bytes.fetch_add(static_cast<std::int64_t>(reply.size() * sizeof(double)),
                  std::memory_order_relaxed);
  const auto groups = static_cast<std::size_t>(reply[0]);
  std::size_t at = 1;
  for (std::size_t g = 0; g < groups; ++g) {
    const auto index = static_cast<std::int32_t>(reply[at]);
    const auto nchild = static_cast<std::size_t>(reply[at + 1]);
    const auto nparts = static_cast<std::size_t>(reply[at + 2]);
    const double* recs = reply.data() + at + 3;
    const double* parts = recs + nchild * kNodeDoubles;
    at += 3 + nchild * kNodeDoubles + 4 * nparts;
    Entry* e = nullptr;
    {
      const std::lock_guard lock(mu);
      std::unique_ptr<Entry>& slot = cache[key(owner, index)];
      if (!slot) {  // a level below the asked node that nobody asked for yet
        slot = std::make_unique<Entry>();
        slot->arrived.add(1);
      } else if (slot->ready.load(std::memory_order_relaxed)) {
        continue;  // filed before (by another reply)
      }
      e = slot.get();
      e->children.resize(nchild);
      std::memcpy(static_cast<void*>(e->children.data()), recs, nchild * sizeof(TreeNode));
      e->parts.assign(parts, parts + 4 * nparts);
      e->below = std::make_unique<std::atomic<Entry*>[]>(nchild);
      for (std::size_t i = 0; i < nchild; ++i)
        e->below[i].store(nullptr, std::memory_order_relaxed);
      e->ready.store(true, std::memory_order_release);
    }
    e->arrived.done();
  }
}

void DistributedTree::State::send_ahead(const Tree& local, const impl::Walk& w,
                                        const impl::Group& mine, bool has_targets) {
  // every rank's box and criterion: lo, hi, barnes_hut, limit, has targets
  const double info[9] = {mine.lo[0],
                          mine.lo[1],
                          mine.lo[2],
                          mine.hi[0],
                          mine.hi[1],
                          mine.hi[2],
                          mine.barnes_hut ? 1.0 : 0.0,
                          mine.limit,
                          has_targets ? 1.0 : 0.0};
  const std::vector<double> boxes = mpi::allgatherv(info, 9, comm);
  std::vector<std::vector<double>> out(static_cast<std::size_t>(size));
  std::vector<int> send_counts(static_cast<std::size_t>(size), 0);
  for (int q = 0; q < size; ++q) {
    const double* b = boxes.data() + 9 * q;
    if (q == rank || b[8] == 0.0) continue;
    impl::Group box;
    for (int d = 0; d < 3; ++d) box.lo[d] = b[d], box.hi[d] = b[3 + d];
    box.barnes_hut = b[6] != 0.0;
    box.limit = b[7];
    box.either = w.relative && box.barnes_hut && std::isfinite(box.limit);
    out[static_cast<std::size_t>(q)] = impl::export_for(local, top, rank, w, box);
    send_counts[static_cast<std::size_t>(q)] =
        impl::message_count(out[static_cast<std::size_t>(q)].size());
  }
  std::vector<int> recv_counts(static_cast<std::size_t>(size));
  mpi::alltoall(send_counts.data(), recv_counts.data(), 1, comm);
  std::vector<int> send_displs(static_cast<std::size_t>(size), 0),
      recv_displs(static_cast<std::size_t>(size), 0);
  std::size_t send_total = 0, recv_total = 0;
  for (std::size_t q = 0; q < static_cast<std::size_t>(size); ++q) {
    send_displs[q] = impl::message_count(send_total);
    recv_displs[q] = impl::message_count(recv_total);
    send_total += static_cast<std::size_t>(send_counts[q]);
    recv_total += static_cast<std::size_t>(recv_counts[q]);
  }
  std::vector<double> send(send_total), recv(recv_total);
  for (std::size_t q = 0; q < out.size(); ++q)
    std::copy(out[q].begin(), out[q].end(), send.begin() + send_displs[q]);
  mpi::alltoallv(send.data(), send_counts.data(), send_displs.data(), recv.data(),
                 recv_counts.data(), recv_displs.data(), mpi::datatype<double>(), comm);
  for (int q = 0; q < size; ++q) {
    const auto at = static_cast<std::size_t>(q);
    imported[at] = {};
    if (recv_counts[at] > 0)
      imported[at] =
          impl::import_tree(std::span<const double>(recv.data() + recv_displs[at],
                                                    static_cast<std::size_t>(recv_counts[at])),
                            top, q);
  }
  ahead_bytes = static_cast<std::int64_t>(recv_total * sizeof(double));
}

bool DistributedTree::State::progress(const Tree& local) {
  if (progressing.exchange(true, std::memory_order_acquire)) return false;
  struct Release {
    std::atomic<bool>& flag;
    ~Release() { flag.store(false, std::memory_order_release); }
  } release{progressing};
  bool any = false;
  std::vector<std::pair<int, std::vector<double>>> arrived;
  go::mpi_call([&] {
    MPI_Message msg;
    MPI_Status status;
    while (mpi::improbe(MPI_ANY_SOURCE, kRequestTag, comm, &msg, &status)) {
      any = true;
      std::int64_t ask[2];
      mpi::mrecv(ask, 2, &msg);
      if (ask[0] < 0) {
        others_done.fetch_add(1, std::memory_order_release);
        continue;
      }
      const std::vector<double>& out = replies.emplace_back(impl::reply(local, ask[0], levels));
      reply_sends.push_back(mpi::isend(out.data(), impl::message_count(out.size()),
                                       status.MPI_SOURCE, kReplyTag, comm));
      served.fetch_add(1, std::memory_order_relaxed);
    }
    while (mpi::improbe(MPI_ANY_SOURCE, kReplyTag, comm, &msg, &status)) {
      any = true;
      std::vector<double> buf(static_cast<std::size_t>(mpi::count<double>(status)));
      mpi::mrecv(buf.data(), static_cast<int>(buf.size()), &msg);
      arrived.emplace_back(status.MPI_SOURCE, std::move(buf));
    }
  });
  for (const auto& [owner, buf] : arrived) file(owner, buf);
  return any;
}

DistributedTree::DistributedTree(const TreeConfig& config, bool send_ahead)
    : local_(config), state_(std::make_unique<State>()) {
  state_->ahead = send_ahead;
}

DistributedTree::~DistributedTree() = default;

void DistributedTree::build(std::span<const Vec3> pos, std::span<const double> mass,
                            const Cube& cube, std::span<const std::uint64_t> stretches,
                            const mpi::Comm& comm, int threads) {
  State& s = *state_;
  if (s.comm.null()) s.comm = comm.dup();
  s.rank = s.comm.rank();
  s.size = s.comm.size();
  s.levels = reply_levels();
  if (stretches.size() != static_cast<std::size_t>(s.size) + 1)
    throw std::invalid_argument(
        "gravity::DistributedTree::build: " + std::to_string(stretches.size()) +
        " stretch bounds for " + std::to_string(s.size) + " ranks");
  const auto r = static_cast<std::size_t>(s.rank);
  local_.build(pos, mass, threads, cube, KeyRange{stretches[r], stretches[r + 1]});
  s.top = impl::top_tree(local_, cube, s.comm);
  {
    const std::lock_guard lock(s.mu);
    s.cache.clear();
  }
  stats_ = CacheStats{};
  stats_.top_cells = s.top.cells;
}

WalkStats DistributedTree::accelerations(std::span<const Vec3> pos, std::span<const double> old_acc,
                                         const Softening& soft, double G, std::span<Vec3> acc,
                                         std::span<double> pot, std::span<std::int32_t> cost,
                                         int threads, std::span<const char> active) {
  State& s = *state_;
  const std::size_t nt = pos.size();
  if (acc.size() != nt || (!pot.empty() && pot.size() != nt) ||
      (!old_acc.empty() && old_acc.size() != nt) || (!cost.empty() && cost.size() != nt) ||
      (!active.empty() && active.size() != nt))
    throw std::invalid_argument("gravity::DistributedTree::accelerations: array lengths differ");
  if (!go::in_task())
    throw std::logic_error(
        "gravity::DistributedTree::accelerations: call it inside a weft::go task");
  std::vector<std::size_t> order;
  std::vector<std::int64_t> bounds;
  impl::target_groups(pos, local_.cube(), order, bounds, active);
  impl::Walk w(local_.config(), soft, G, !old_acc.empty());
  w.length_unit =
      local_.cube().side;  // units of the float lists: any will do, these keep them near 1
  if (!local_.nodes().empty()) w.mass_unit = local_.nodes()[0].mass;
  const auto ngroups = static_cast<std::int64_t>(bounds.size()) - 1;
  // Walks that park need others to hide the wait; walks that find every
  // node here (sent ahead) need only one per worker (each walk's lists are
  // its own memory: more walks than workers only thin the caches).
  const int per_worker = s.ahead && s.size > 1 ? 1 : kWalksPerWorker;
  const int nwalks =
      static_cast<int>(std::min<std::int64_t>(ngroups, per_worker * std::max(1, threads)));
  std::vector<impl::Lists> lists(static_cast<std::size_t>(nwalks));
  std::atomic<std::int64_t> next_group{0};
  std::exception_ptr failure;
  std::mutex failure_mu;
  auto self = [&](std::size_t t) { return local_.curve_position(static_cast<std::int64_t>(t)); };

  s.others_done.store(0);
  s.ahead_bytes = 0;
  s.imported.assign(static_cast<std::size_t>(s.size), {});
  const auto t_ahead = Clock::now();
  if (s.size > 1 && s.ahead) {
    impl::Group mine;
    if (!order.empty()) mine = impl::Group(w, pos, order, 0, order.size(), old_acc);
    s.send_ahead(local_, w, mine, !order.empty());
  }
  const std::int64_t bytes_ahead = s.ahead_bytes;
  const auto t_walks = Clock::now();
  std::atomic<int> walking{nwalks};
  go::WaitGroup progress_done;
  if (s.size > 1) {
    // Makes progress while every walk is parked, and after the walks are
    // done until every other rank's are (its requests still need answers).
    progress_done.add(1);
    go::go({.name = "gravity.progress", .stack_size = kWalkStack}, [&] {
      // Idle: a few yields, then naps that double up to 1 ms (a worker that
      // naps shorter than its idle spin never sleeps, and burns a core that
      // another rank on the node may need).
      auto idle_since = Clock::now();
      auto nap = std::chrono::microseconds(20);
      while (walking.load(std::memory_order_acquire) > 0 ||
             s.others_done.load(std::memory_order_acquire) < s.size - 1) {
        if (s.progress(local_)) {
          idle_since = Clock::now();
          nap = std::chrono::microseconds(20);
        } else if (Clock::now() - idle_since < std::chrono::microseconds(200)) {
          go::yield();
        } else {
          go::sleep_for(nap);
          nap = std::min(2 * nap, std::chrono::microseconds(1000));
        }
      }
      progress_done.done();
    });
  }
  go::WaitGroup walks;
  for (int wk = 0; wk < nwalks; ++wk) {
    walks.add(1);
    go::go({.name = "gravity.walk", .stack_size = kWalkStack}, [&, wk] {
      try {
        impl::Lists& L = lists[static_cast<std::size_t>(wk)];
        auto last_look = Clock::now();
        for (std::int64_t gi; (gi = next_group.fetch_add(1)) < ngroups;) {
          const auto g0 = static_cast<std::size_t>(bounds[static_cast<std::size_t>(gi)]);
          const auto g1 = static_cast<std::size_t>(bounds[static_cast<std::size_t>(gi) + 1]);
          const impl::Group g(w, pos, order, g0, g1, old_acc);
          L.clear();
          s.walk(local_, w, g, L);
          impl::evaluate(w, L, pos, order, g0, g1, self, acc, pot, cost);
          // Answer other ranks between groups, at most every 200 us: each
          // look calls into MPI, which may yield the core when ranks
          // outnumber cores. Walks with the tree sent ahead leave it to
          // the progress task (only a rounding edge asks anything then).
          if (s.size > 1 && !s.ahead && Clock::now() - last_look > std::chrono::microseconds(200)) {
            s.progress(local_);
            last_look = Clock::now();
          }
        }
      } catch (...) {
        const std::lock_guard lock(failure_mu);
        if (!failure) failure = std::current_exception();
      }
      walking.fetch_sub(1, std::memory_order_release);
      walks.done();
    });
  }
  walks.wait();
  const auto t_done = Clock::now();
  if (s.size > 1) {
    // Tell every other rank that this rank will ask nothing more.
    const std::int64_t bye[2] = {-1, 0};
    std::vector<MPI_Request> reqs;
    go::mpi_call([&] {
      for (int q = 0; q < s.size; ++q)
        if (q != s.rank) reqs.push_back(mpi::isend(bye, 2, q, kRequestTag, s.comm));
    });
    go::await_all(reqs);
    progress_done.wait();
    go::await_all(s.ask_sends);
    go::await_all(s.reply_sends);
    s.ask_sends.clear();
    s.asks.clear();
    s.reply_sends.clear();
    s.replies.clear();
  }
  if (failure) std::rethrow_exception(failure);
  const auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
  stats_.ahead_seconds = seconds(t_walks - t_ahead);
  stats_.walk_seconds = seconds(t_done - t_walks);
  stats_.wait_seconds = seconds(Clock::now() - t_done);

  WalkStats total;
  total.targets = static_cast<std::int64_t>(order.size());
  for (const impl::Lists& L : lists) {
    total.node_interactions += L.stats.node_interactions;
    total.particle_interactions += L.stats.particle_interactions;
    total.nodes_opened += L.stats.nodes_opened;
    total.walks += L.stats.walks;
  }
  stats_.requests = s.requests.exchange(0);
  stats_.hits = s.hits.exchange(0);
  for (const impl::Lists& L : lists) stats_.hits += L.remote_hits;
  stats_.bytes = s.bytes.exchange(0);
  stats_.ahead_bytes = bytes_ahead;
  stats_.served = s.served.exchange(0);
  stats_.parked_seconds = double(s.parked_ns.exchange(0)) * 1e-9;
  return total;
}

}  // namespace weft::gravity
