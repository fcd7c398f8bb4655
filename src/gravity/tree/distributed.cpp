// SPDX-License-Identifier: Apache-2.0
// The distributed tree: top cells and the top tree (build()), group walks
// that fetch remote nodes through a cache shared by the rank's walks and
// park their fiber meanwhile, and the task that answers other ranks'
// requests (accelerations()). Messages go over a duplicate of the build's
// communicator: requests (node, walk) with tag kRequestTag; the reply to
// walk w with tag kReplyTag + w (a walk has one request in flight, so
// replies match their request); a request with node -1 says "my walks are
// done", and a rank's server stops when every other rank said so.
#include "impl/distributed.hpp"

#include <atomic>
#include <bit>
#include <chrono>
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
constexpr int kReplyTag = 100;  // + the asking walk
constexpr int kWalksPerWorker = 16;
constexpr std::size_t kWalkStack = 256 * 1024;

// Entry is one remote node in the cache: its children (next: the child's
// index in its owner's tree; begin: its first source in parts when it is a
// leaf) or, for a leaf, its sources; x y z m per source.
struct Entry {
  std::atomic<bool> ready{false};
  go::WaitGroup arrived;
  std::vector<TreeNode> children;
  std::vector<double> parts;
};

using Clock = std::chrono::steady_clock;

}  // namespace

struct DistributedTree::State {
  mpi::Comm comm;  // a duplicate: the tree's messages only
  int rank = 0, size = 1;
  int leaf_size = 8;
  impl::TopTree top;
  std::mutex mu;  // guards cache (never held while parked)
  std::unordered_map<std::uint64_t, std::unique_ptr<Entry>> cache;
  std::atomic<std::int64_t> requests{0}, hits{0}, bytes{0}, served{0}, parked_ns{0};

  // entry() is the cache entry of node `index` of rank `owner`, fetched by
  // the calling walk `walk` if no walk asked for it before, else waited for.
  Entry& entry(int owner, std::int32_t index, const TreeNode& rec, int walk);
  // serve() answers requests until every other rank's walks are done.
  void serve(const Tree& local);
  // walk() adds the whole tree to a group's lists: the top tree, this
  // rank's subtrees and other ranks' nodes through the cache, in
  // depth-first order (the same order whatever was cached before).
  void walk(const Tree& local, const impl::Walk& w, const impl::Group& g, impl::Lists& L, int walk);
  // open_remote() adds the children of rank owner's node `index` (record
  // rec, to be opened) to the lists.
  void open_remote(int owner, std::int32_t index, const TreeNode& rec, const impl::Walk& w,
                   const impl::Group& g, impl::Lists& L, int walk);
};

void DistributedTree::State::walk(const Tree& local, const impl::Walk& w, const impl::Group& g,
                                  impl::Lists& L, int walk) {
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
    } else {
      open_remote(ref.owner, ref.index, nd, w, g, L, walk);
    }
    k = nd.next;
  }
}

void DistributedTree::State::open_remote(int owner, std::int32_t index, const TreeNode& rec,
                                         const impl::Walk& w, const impl::Group& g, impl::Lists& L,
                                         int walk) {
  ++L.opened;
  const Entry& e = entry(owner, index, rec, walk);
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
  for (const TreeNode& c : e.children) {
    if (!g.open(w, c)) {
      impl::use_whole(w, c, L);
    } else if (c.leaf) {
      ++L.opened;
      sources(static_cast<std::size_t>(c.begin), static_cast<std::size_t>(c.count));
    } else {
      open_remote(owner, c.next, c, w, g, L, walk);
    }
  }
}

Entry& DistributedTree::State::entry(int owner, std::int32_t index, const TreeNode& rec, int walk) {
  const std::uint64_t key = std::uint64_t(unsigned(owner)) << 32 | std::uint32_t(index);
  Entry* e = nullptr;
  bool mine = false;
  {
    const std::lock_guard lock(mu);
    std::unique_ptr<Entry>& slot = cache[key];
    if (!slot) {
      slot = std::make_unique<Entry>();
      slot->arrived.add(1);
      mine = true;
    }
    e = slot.get();
  }
  if (!mine) {
    hits.fetch_add(1, std::memory_order_relaxed);
    if (!e->ready.load(std::memory_order_acquire)) {
      const auto t0 = Clock::now();
      e->arrived.wait();
      parked_ns.fetch_add((Clock::now() - t0).count(), std::memory_order_relaxed);
    }
    return *e;
  }
  requests.fetch_add(1, std::memory_order_relaxed);
  // At most: 8 child records and the sources of the leaves among them (a
  // child of a complete node is a leaf with <= leaf_size sources unless it
  // is at the deepest level), or the node's own sources.
  const std::int64_t sources = (rec.leaf || rec.level + 1 >= kMaxTreeDepth)
                                   ? rec.count
                                   : std::min<std::int64_t>(rec.count, 8 * leaf_size);
  std::vector<double> buf(static_cast<std::size_t>(2 + 8 * kNodeDoubles + 4 * sources));
  const std::int64_t ask[2] = {index, walk};
  MPI_Request reqs[2];
  const auto t0 = Clock::now();
  go::mpi_call([&] {
    reqs[0] =
        mpi::irecv(buf.data(), impl::message_count(buf.size()), owner, kReplyTag + walk, comm);
    reqs[1] = mpi::isend(ask, 2, owner, kRequestTag, comm);
  });
  go::await_all(reqs);
  parked_ns.fetch_add((Clock::now() - t0).count(), std::memory_order_relaxed);
  const auto nchild = static_cast<std::size_t>(buf[0]);
  const auto nparts = static_cast<std::size_t>(buf[1]);
  e->children.resize(nchild);
  std::memcpy(static_cast<void*>(e->children.data()), buf.data() + 2, nchild * sizeof(TreeNode));
  const double* p = buf.data() + 2 + nchild * kNodeDoubles;
  e->parts.assign(p, p + 4 * nparts);
  bytes.fetch_add(static_cast<std::int64_t>((2 + nchild * kNodeDoubles + 4 * nparts) * 8),
                  std::memory_order_relaxed);
  e->ready.store(true, std::memory_order_release);
  e->arrived.done();
  return *e;
}

void DistributedTree::State::serve(const Tree& local) {
  int done = 0;
  std::deque<std::vector<double>> replies;  // kept until their sends complete
  std::vector<MPI_Request> sends;
  while (done < size - 1) {
    std::int64_t ask[2] = {0, 0};
    MPI_Status status;
    MPI_Request r =
        go::mpi_call([&] { return mpi::irecv(ask, 2, MPI_ANY_SOURCE, kRequestTag, comm); });
    go::await(r, &status);
    if (ask[0] < 0) {
      ++done;
      continue;
    }
    std::vector<double>& out = replies.emplace_back(impl::reply(local, ask[0]));
    const int to = status.MPI_SOURCE, tag = kReplyTag + static_cast<int>(ask[1]);
    sends.push_back(go::mpi_call(
        [&] { return mpi::isend(out.data(), impl::message_count(out.size()), to, tag, comm); }));
    served.fetch_add(1, std::memory_order_relaxed);
  }
  go::await_all(sends);
}

DistributedTree::DistributedTree(const TreeConfig& config)
    : local_(config), state_(std::make_unique<State>()) {}

DistributedTree::~DistributedTree() = default;

void DistributedTree::build(std::span<const Vec3> pos, std::span<const double> mass,
                            const Cube& cube, std::span<const std::uint64_t> stretches,
                            const mpi::Comm& comm, int threads) {
  State& s = *state_;
  if (s.comm.null()) s.comm = comm.dup();
  s.rank = s.comm.rank();
  s.size = s.comm.size();
  s.leaf_size = local_.config().leaf_size;
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
                                         int threads) {
  State& s = *state_;
  const std::size_t nt = pos.size();
  if (acc.size() != nt || (!pot.empty() && pot.size() != nt) ||
      (!old_acc.empty() && old_acc.size() != nt) || (!cost.empty() && cost.size() != nt))
    throw std::invalid_argument("gravity::DistributedTree::accelerations: array lengths differ");
  if (!go::in_task())
    throw std::logic_error(
        "gravity::DistributedTree::accelerations: call it inside a weft::go task");
  std::vector<std::size_t> order;
  std::vector<std::int64_t> bounds;
  impl::target_groups(pos, local_.cube(), order, bounds);
  const impl::Walk w(local_.config(), soft, G, !old_acc.empty());
  const auto ngroups = static_cast<std::int64_t>(bounds.size()) - 1;
  const int nwalks =
      static_cast<int>(std::min<std::int64_t>(ngroups, kWalksPerWorker * std::max(1, threads)));
  std::vector<impl::Lists> lists(static_cast<std::size_t>(nwalks));
  std::atomic<std::int64_t> next_group{0};
  std::exception_ptr failure;
  std::mutex failure_mu;
  auto self = [&](std::size_t t) { return local_.curve_position(static_cast<std::int64_t>(t)); };

  go::WaitGroup server;
  if (s.size > 1) {
    server.add(1);
    go::go({.name = "gravity.serve", .stack_size = kWalkStack}, [&] {
      s.serve(local_);
      server.done();
    });
  }
  go::WaitGroup walks;
  for (int wk = 0; wk < nwalks; ++wk) {
    walks.add(1);
    go::go({.name = "gravity.walk", .stack_size = kWalkStack}, [&, wk] {
      try {
        impl::Lists& L = lists[static_cast<std::size_t>(wk)];
        for (std::int64_t gi; (gi = next_group.fetch_add(1)) < ngroups;) {
          const auto g0 = static_cast<std::size_t>(bounds[static_cast<std::size_t>(gi)]);
          const auto g1 = static_cast<std::size_t>(bounds[static_cast<std::size_t>(gi) + 1]);
          const impl::Group g(w, pos, order, g0, g1, old_acc);
          L.clear();
          s.walk(local_, w, g, L, wk);
          impl::evaluate(w, L, pos, order, g0, g1, self, acc, pot, cost);
          go::yield();  // let the server answer between groups
        }
      } catch (...) {
        const std::lock_guard lock(failure_mu);
        if (!failure) failure = std::current_exception();
      }
      walks.done();
    });
  }
  walks.wait();
  // Tell every other rank that this rank will ask nothing more.
  if (s.size > 1) {
    const std::int64_t bye[2] = {-1, 0};
    std::vector<MPI_Request> reqs;
    go::mpi_call([&] {
      for (int q = 0; q < s.size; ++q)
        if (q != s.rank) reqs.push_back(mpi::isend(bye, 2, q, kRequestTag, s.comm));
    });
    go::await_all(reqs);
    server.wait();
  }
  if (failure) std::rethrow_exception(failure);

  WalkStats total;
  total.targets = static_cast<std::int64_t>(nt);
  for (const impl::Lists& L : lists) {
    total.node_interactions += L.stats.node_interactions;
    total.particle_interactions += L.stats.particle_interactions;
    total.nodes_opened += L.stats.nodes_opened;
    total.walks += L.stats.walks;
  }
  stats_.requests = s.requests.exchange(0);
  stats_.hits = s.hits.exchange(0);
  stats_.bytes = s.bytes.exchange(0);
  stats_.served = s.served.exchange(0);
  stats_.parked_seconds = double(s.parked_ns.exchange(0)) * 1e-9;
  return total;
}

}  // namespace weft::gravity
