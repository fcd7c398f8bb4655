// SPDX-License-Identifier: Apache-2.0
// StagedComm: LAMMPS-style ghost communication in six stages (-x, +x, -y,
// +y, -z, +z). Each stage sends the atoms (owned, and ghosts received in
// earlier dimensions) that lie within the ghost cutoff of the face, so edge
// and corner ghosts arrive in two or three hops. With one rank along a
// periodic dimension the "neighbour" is this rank and the stage is a local
// copy with a periodic shift: periodic images come from the same mechanism.
// Dimensions are filled in stage_order(): local copies first, messages last.
//
// forward() with a GhostGate runs as a weft::go task: messages are posted
// through the pool's MPI thread and each receive is awaited on its own, so
// the force kernels compute interior blocks meanwhile and a border block
// waits only for the swaps it reads.
#include <cmath>
#include <cstring>
#include <span>
#include <sstream>

#include "init.hpp"
#include "interfaces.hpp"
#include "weft/core/error.hpp"
#include "weft/go/go.hpp"
#include "weft/go/mpi_await.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/p2p.hpp"

namespace weft::md {
namespace {

constexpr int kExchangeFields = 11;
constexpr int kBorderFields = 5;

class StagedComm final : public Comm {
 public:
  void exchange(Context& ctx) override;
  void borders(Context& ctx, real cutghost) override;
  void forward(Context& ctx, GhostGate* gate) override;
  void reverse_ghosts(Context& ctx) override;
  void reverse_owned(Context& ctx) override;

 private:
  struct Swap {
    int send_rank = MPI_PROC_NULL;
    int recv_rank = MPI_PROC_NULL;
    bool self = false;
    Vec3 shift = Vec3::Zero();
    std::vector<int> send;  // atoms sent
    index recv_first = 0;
    index recv_n = 0;
  };
  std::array<Swap, 6> swaps_;
  std::vector<real> sendbuf_, recvbuf_;
  std::array<std::vector<real>, 6> sendbufs_, recvbufs_;  // per swap (non-blocking)
  // the reverse's own: it may start while forward()'s sends are in flight
  std::array<std::vector<real>, 6> rsendbufs_, rrecvbufs_;

  void reverse_stage(Context& ctx, int stage, index split);
  void add_stage(Context& ctx, int stage, index split, bool below);
  void add_stage_copies(Context& ctx, int d, index split, bool below);
  void add_stage_received(Context& ctx, int d, index split, bool below);

  index sendrecv_count(Context& ctx, const Swap& s, index nsend) {
    if (s.self) return nsend;
    return static_cast<index>(
        mpi::sendrecv(static_cast<long long>(nsend), s.send_rank, s.recv_rank, 11, ctx.comm));
  }
  void sendrecv_data(Context& ctx, int send_rank, int recv_rank, std::size_t nsend,
                     std::size_t nrecv, int tag) {
    recvbuf_.resize(nrecv);
    mpi::sendrecv(sendbuf_.data(), static_cast<int>(nsend), send_rank, recvbuf_.data(),
                  static_cast<int>(nrecv), recv_rank, tag, ctx.comm);
  }
};

}  // namespace

std::array<int, 3> stage_order(const Grid& grid) {
  std::array<int, 3> order{};
  int q = 0;
  for (int d = 0; d < 3; ++d)
    if (grid.dims[static_cast<std::size_t>(d)] == 1) order[static_cast<std::size_t>(q++)] = d;
  for (int d = 0; d < 3; ++d)
    if (grid.dims[static_cast<std::size_t>(d)] > 1) order[static_cast<std::size_t>(q++)] = d;
  return order;
}

int first_message_stage(const Grid& grid) {
  const std::array<int, 3> order = stage_order(grid);
  for (int q = 0; q < 3; ++q)
    if (grid.dims[static_cast<std::size_t>(order[static_cast<std::size_t>(q)])] > 1) return q;
  return 3;
}

index first_message_ghost(const Context& ctx) {
  const int q = first_message_stage(ctx.grid);
  if (q == 3) return ctx.sys.nall();
  const int d = stage_order(ctx.grid)[static_cast<std::size_t>(q)];
  return std::min(ctx.ghost_first[static_cast<std::size_t>(2 * d)],
                  ctx.ghost_first[static_cast<std::size_t>(2 * d + 1)]);
}

// Owner coordinate of position v along d: the k with splits[k] <= v < splits[k+1].
int owner_coord(const Grid& g, int d, real v) {
  const auto& s = g.splits[static_cast<std::size_t>(d)];
  const int p = g.dims[static_cast<std::size_t>(d)];
  int k = 0;
  while (k + 1 < p && v >= s[static_cast<std::size_t>(k + 1)]) ++k;
  return k;
}

namespace {

void StagedComm::exchange(Context& ctx) {
  System& s = ctx.sys;
  s.nghost = 0;
  // Wrap into the periodic box; catch blow-ups and atoms leaving fixed walls.
  std::string problem;
  {
    real* pos[3] = {s.x.data(), s.y.data(), s.z.data()};
    std::int32_t* img[3] = {s.imx.data(), s.imy.data(), s.imz.data()};
    for (index i = 0; i < s.nlocal && problem.empty(); ++i) {
      for (int d = 0; d < 3; ++d) {
        real& v = pos[d][i];
        const real lo = s.box.lo[d], hi = s.box.hi[d], len = hi - lo;
        if (!std::isfinite(v) || std::abs(v - lo) > 1e6 * len) {
          std::ostringstream m;
          m << "numerical blow-up at step " << s.step << ": atom "
            << s.id[static_cast<std::size_t>(i)] << " has position " << v << " along "
            << "xyz"[d] << " (try a smaller timestep or check for overlapping atoms)";
          problem = m.str();
          break;
        }
        if (s.box.periodic[static_cast<std::size_t>(d)]) {
          if (v < lo || v >= hi) {
            const real k = std::floor((v - lo) / len);
            v -= k * len;
            img[d][i] += static_cast<std::int32_t>(k);
            if (v >= hi) {
              v -= len;
              img[d][i] += 1;
            }
            if (v < lo) v = lo;
          }
        } else if (v < lo || v >= hi) {
          std::ostringstream m;
          m << "atom " << s.id[static_cast<std::size_t>(i)] << " left the box through the fixed "
            << "xyz"[d] << " boundary at step " << s.step << " (position " << v << ", box " << lo
            << " .. " << hi << "); use a periodic boundary or a wall";
          problem = m.str();
          break;
        }
      }
    }
  }
  if (!(problem = mpi::first_error(problem, ctx.comm)).empty()) throw RunError(problem);

  for (int d = 0; d < 3; ++d) {
    const int p = ctx.grid.dims[static_cast<std::size_t>(d)];
    if (p == 1) continue;
    const int me = ctx.grid.coords[static_cast<std::size_t>(d)];
    const auto [lower, upper] = mpi::cart_shift(ctx.comm, d, 1);
    const bool periodic = s.box.periodic[static_cast<std::size_t>(d)];
    for (int pass = 0;; ++pass) {
      std::vector<real> to_lower, to_upper;
      index keep = 0;
      const real* pos = d == 0 ? s.x.data() : d == 1 ? s.y.data() : s.z.data();
      for (index i = 0; i < s.nlocal; ++i) {
        const int c = owner_coord(ctx.grid, d, pos[i]);
        int dir = 0;
        if (c != me) {
          int delta = c - me;
          if (periodic) {
            if (delta > p / 2) delta -= p;
            if (delta < -p / 2) delta += p;
          }
          dir = delta < 0 ? -1 : 1;
        }
        const auto k = static_cast<std::size_t>(i);
        if (dir != 0) {
          auto& buf = dir < 0 ? to_lower : to_upper;
          buf.insert(buf.end(),
                     {s.x[k], s.y[k], s.z[k], s.vx[k], s.vy[k], s.vz[k], static_cast<real>(s.id[k]),
                      static_cast<real>(s.type[k]), static_cast<real>(s.imx[k]),
                      static_cast<real>(s.imy[k]), static_cast<real>(s.imz[k])});
        } else {
          if (keep != i) {
            const auto j = static_cast<std::size_t>(keep);
            s.x[j] = s.x[k];
            s.y[j] = s.y[k];
            s.z[j] = s.z[k];
            s.vx[j] = s.vx[k];
            s.vy[j] = s.vy[k];
            s.vz[j] = s.vz[k];
            s.id[j] = s.id[k];
            s.type[j] = s.type[k];
            s.imx[j] = s.imx[k];
            s.imy[j] = s.imy[k];
            s.imz[j] = s.imz[k];
          }
          ++keep;
        }
      }
      s.nlocal = keep;
      const long long moving = static_cast<long long>(to_lower.size() + to_upper.size());
      if (mpi::allreduce(moving, MPI_SUM, ctx.comm) == 0) break;
      auto receive = [&](std::vector<real>& out, int dest, int src) {
        const long long n_out = static_cast<long long>(out.size());
        const long long n_in = mpi::sendrecv(n_out, dest, src, 21, ctx.comm);
        std::vector<real> in(static_cast<std::size_t>(n_in));
        mpi::sendrecv(out.data(), static_cast<int>(n_out), dest, in.data(), static_cast<int>(n_in),
                      src, 22, ctx.comm);
        for (std::size_t q = 0; q + kExchangeFields <= in.size(); q += kExchangeFields) {
          s.push_owned(static_cast<gid>(in[q + 6]), static_cast<int>(in[q + 7]), in[q], in[q + 1],
                       in[q + 2], in[q + 3], in[q + 4], in[q + 5],
                       static_cast<std::int32_t>(in[q + 8]), static_cast<std::int32_t>(in[q + 9]),
                       static_cast<std::int32_t>(in[q + 10]));
        }
      };
      receive(to_lower, lower, upper);
      receive(to_upper, upper, lower);
      if (pass > 4 * p) throw RunError("atom migration did not converge");
    }
  }
}

void StagedComm::borders(Context& ctx, real cutghost) {
  System& s = ctx.sys;
  s.nghost = 0;
  for (const int d : stage_order(ctx.grid)) {
    const auto du = static_cast<std::size_t>(d);
    const auto [lower, upper] = mpi::cart_shift(ctx.comm, d, 1);
    const int p = ctx.grid.dims[du];
    const int me = ctx.grid.coords[du];
    const real len = s.box.hi[d] - s.box.lo[d];
    const index ncand = s.nall();  // LAMMPS: both stages of a dimension scan the same atoms
    for (int dir = 0; dir < 2; ++dir) {
      Swap& w = swaps_[static_cast<std::size_t>(2 * d + dir)];
      w.send.clear();
      w.shift = Vec3::Zero();
      if (dir == 0) {  // send to lower, receive from upper
        w.send_rank = lower;
        w.recv_rank = upper;
        if (me == 0) w.shift[d] = len;
      } else {
        w.send_rank = upper;
        w.recv_rank = lower;
        if (me == p - 1) w.shift[d] = -len;
      }
      w.self = (w.send_rank == mpi::Comm(ctx.comm).rank());
      if (w.send_rank != MPI_PROC_NULL) {
        const real* pos = d == 0 ? s.x.data() : d == 1 ? s.y.data() : s.z.data();
        if (dir == 0) {
          const real lim = s.sublo[d] + cutghost;
          for (index i = 0; i < ncand; ++i)
            if (pos[i] < lim) w.send.push_back(static_cast<int>(i));
        } else {
          const real lim = s.subhi[d] - cutghost;
          for (index i = 0; i < ncand; ++i)
            if (pos[i] >= lim) w.send.push_back(static_cast<int>(i));
        }
      }
      const index nsend = static_cast<index>(w.send.size());
      const index nrecv = w.recv_rank == MPI_PROC_NULL ? 0 : sendrecv_count(ctx, w, nsend);
      w.recv_first = s.nall();
      w.recv_n = nrecv;
      if (static_cast<index>(s.x.size()) < w.recv_first + nrecv)
        s.resize(std::max<index>(2 * (w.recv_first + nrecv), 64));
      if (w.self) {
        for (index q = 0; q < nsend; ++q) {
          const auto i = static_cast<std::size_t>(w.send[static_cast<std::size_t>(q)]);
          const auto g = static_cast<std::size_t>(w.recv_first + q);
          s.x[g] = s.x[i] + w.shift.x();
          s.y[g] = s.y[i] + w.shift.y();
          s.z[g] = s.z[i] + w.shift.z();
          s.id[g] = s.id[i];
          s.type[g] = s.type[i];
        }
      } else {
        sendbuf_.resize(static_cast<std::size_t>(nsend * kBorderFields));
        for (index q = 0; q < nsend; ++q) {
          const auto i = static_cast<std::size_t>(w.send[static_cast<std::size_t>(q)]);
          real* b = sendbuf_.data() + q * kBorderFields;
          b[0] = s.x[i] + w.shift.x();
          b[1] = s.y[i] + w.shift.y();
          b[2] = s.z[i] + w.shift.z();
          b[3] = static_cast<real>(s.id[i]);
          b[4] = static_cast<real>(s.type[i]);
        }
        sendrecv_data(ctx, w.send_rank, w.recv_rank,
                      static_cast<std::size_t>(nsend * kBorderFields),
                      static_cast<std::size_t>(nrecv * kBorderFields), 31 + 2 * d + dir);
        for (index q = 0; q < nrecv; ++q) {
          const real* b = recvbuf_.data() + q * kBorderFields;
          const auto g = static_cast<std::size_t>(w.recv_first + q);
          s.x[g] = b[0];
          s.y[g] = b[1];
          s.z[g] = b[2];
          s.id[g] = static_cast<gid>(b[3]);
          s.type[g] = static_cast<int>(b[4]);
        }
      }
      s.nghost += nrecv;
      ctx.ghost_first[static_cast<std::size_t>(2 * d + dir)] = w.recv_first;
      ctx.ghost_count[static_cast<std::size_t>(2 * d + dir)] = nrecv;
    }
  }
}

// forward() and reverse() run the two stages of one dimension together
// (non-blocking): their send lists never contain the ghosts the other stage
// receives, so one dimension costs one message round trip, not two.
void StagedComm::forward(Context& ctx, GhostGate* gate) {
  System& s = ctx.sys;
  real* x = s.x.data();
  real* y = s.y.data();
  real* z = s.z.data();
  auto unpack = [&](int k) {
    const Swap& w = swaps_[static_cast<std::size_t>(k)];
    const auto& rb = recvbufs_[static_cast<std::size_t>(k)];
    for (index q = 0; q < w.recv_n; ++q) {
      const index g = w.recv_first + q;
      x[g] = rb[static_cast<std::size_t>(3 * q)];
      y[g] = rb[static_cast<std::size_t>(3 * q + 1)];
      z[g] = rb[static_cast<std::size_t>(3 * q + 2)];
    }
    if (gate) gate->arrived(k, w.recv_first, w.recv_n);
  };
  for (const int d : stage_order(ctx.grid)) {
    MPI_Request recv[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    MPI_Request send[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    bool message[2] = {false, false};
    for (int dir = 0; dir < 2; ++dir) {
      const int k = 2 * d + dir;
      Swap& w = swaps_[static_cast<std::size_t>(k)];
      const index nsend = static_cast<index>(w.send.size());
      const real sx = w.shift.x(), sy = w.shift.y(), sz = w.shift.z();
      const int* list = w.send.data();
      if (w.self) {
        const index g0 = w.recv_first;
        for (index q = 0; q < nsend; ++q) {
          const int i = list[q];
          x[g0 + q] = x[i] + sx;
          y[g0 + q] = y[i] + sy;
          z[g0 + q] = z[i] + sz;
        }
        if (gate) gate->arrived(k, w.recv_first, w.recv_n);
        continue;
      }
      if (w.send_rank == MPI_PROC_NULL && w.recv_rank == MPI_PROC_NULL) {  // a wall on both sides
        if (gate) gate->arrived(k, w.recv_first, 0);
        continue;
      }
      auto& sb = sendbufs_[static_cast<std::size_t>(k)];
      auto& rb = recvbufs_[static_cast<std::size_t>(k)];
      sb.resize(static_cast<std::size_t>(3 * nsend));
      rb.resize(static_cast<std::size_t>(3 * w.recv_n));
      for (index q = 0; q < nsend; ++q) {
        const int i = list[q];
        sb[static_cast<std::size_t>(3 * q)] = x[i] + sx;
        sb[static_cast<std::size_t>(3 * q + 1)] = y[i] + sy;
        sb[static_cast<std::size_t>(3 * q + 2)] = z[i] + sz;
      }
      message[dir] = true;
    }
    if (!message[0] && !message[1]) continue;
    auto post = [&] {
      for (int dir = 0; dir < 2; ++dir) {
        if (!message[dir]) continue;
        const int k = 2 * d + dir;
        Swap& w = swaps_[static_cast<std::size_t>(k)];
        auto& sb = sendbufs_[static_cast<std::size_t>(k)];
        auto& rb = recvbufs_[static_cast<std::size_t>(k)];
        recv[dir] =
            mpi::irecv(rb.data(), static_cast<int>(3 * w.recv_n), w.recv_rank, 41 + k, ctx.comm);
        send[dir] =
            mpi::isend(sb.data(), static_cast<int>(sb.size()), w.send_rank, 41 + k, ctx.comm);
      }
    };
    if (gate) {
      weft::go::mpi_call(post);
      for (int dir = 0; dir < 2; ++dir) {
        if (!message[dir]) continue;
        weft::go::await(recv[dir]);
        unpack(2 * d + dir);
      }
      weft::go::await_all(send);
    } else {
      post();
      mpi::waitall(recv);
      mpi::waitall(send);
      for (int dir = 0; dir < 2; ++dir)
        if (message[dir]) unpack(2 * d + dir);
    }
  }
}

// The reverse runs the stages last to first: a stage sends the forces of
// its ghosts back to their owners and adds what comes back to the atoms it
// sent (owned atoms and ghosts of earlier stages). reverse_ghosts() runs the
// stages that exchange messages but adds only to atoms at or after
// first_message_ghost() (ghosts of those stages, sent back by an earlier
// stage); reverse_owned() then adds the rest in the same order and runs the
// remaining stages (local copies, walls) whole. A ghost of stage s receives
// forces only from later stages, so its force is final when stage s sends
// it, and every atom gets the same additions in the same order as in one
// pass.
void StagedComm::reverse_ghosts(Context& ctx) {
  const index split = first_message_ghost(ctx);
  const int first = first_message_stage(ctx.grid);
  for (int stage = 2; stage >= first; --stage) reverse_stage(ctx, stage, split);
}

void StagedComm::reverse_owned(Context& ctx) {
  const index split = first_message_ghost(ctx);
  const int first = first_message_stage(ctx.grid);
  for (int stage = 2; stage >= first; --stage) add_stage(ctx, stage, split, /*below=*/true);
  for (int stage = first - 1; stage >= 0; --stage) reverse_stage(ctx, stage, 0);
}

// reverse_stage() sends stage's ghost forces back and adds what its local
// copies and messages bring to the atoms at or after `split`.
void StagedComm::reverse_stage(Context& ctx, int stage, index split) {
  System& s = ctx.sys;
  const int d = stage_order(ctx.grid)[static_cast<std::size_t>(stage)];
  // A stage is all local copies or all messages (or walls).
  add_stage_copies(ctx, d, split, /*below=*/false);
  if (swaps_[static_cast<std::size_t>(2 * d)].self) return;
  MPI_Request req[4];
  int nreq = 0;
  auto post = [&] {
    for (int dir = 1; dir >= 0; --dir) {
      const int k = 2 * d + dir;
      Swap& w = swaps_[static_cast<std::size_t>(k)];
      // Ghost forces go back to the rank they came from (recv_rank); the
      // forces on the atoms we sent arrive from send_rank.
      auto& sb = rsendbufs_[static_cast<std::size_t>(k)];
      auto& rb = rrecvbufs_[static_cast<std::size_t>(k)];
      sb.resize(static_cast<std::size_t>(3 * w.recv_n));
      rb.resize(static_cast<std::size_t>(3 * w.send.size()));
      for (index q = 0; q < w.recv_n; ++q) {
        const auto g = static_cast<std::size_t>(w.recv_first + q);
        sb[static_cast<std::size_t>(3 * q)] = s.fx[g];
        sb[static_cast<std::size_t>(3 * q + 1)] = s.fy[g];
        sb[static_cast<std::size_t>(3 * q + 2)] = s.fz[g];
      }
      req[nreq++] =
          mpi::irecv(rb.data(), static_cast<int>(rb.size()), w.send_rank, 51 + k, ctx.comm);
      req[nreq++] =
          mpi::isend(sb.data(), static_cast<int>(sb.size()), w.recv_rank, 51 + k, ctx.comm);
    }
  };
  if (weft::go::in_task()) {
    weft::go::mpi_call(post);
    weft::go::await_all(std::span(req, static_cast<std::size_t>(nreq)));
  } else {
    post();
    mpi::waitall(std::span(req, static_cast<std::size_t>(nreq)));
  }
  add_stage_received(ctx, d, split, /*below=*/false);
}

// add_stage() adds what reverse_ghosts() left for the atoms before `split`.
void StagedComm::add_stage(Context& ctx, int stage, index split, bool below) {
  const int d = stage_order(ctx.grid)[static_cast<std::size_t>(stage)];
  add_stage_copies(ctx, d, split, below);
  add_stage_received(ctx, d, split, below);
}

// add_stage_copies() adds the forces of dimension d's local copies (self
// swaps) to the atoms they copy: those before `split` (below) or the others.
void StagedComm::add_stage_copies(Context& ctx, int d, index split, bool below) {
  System& s = ctx.sys;
  real* fx = s.fx.data();
  real* fy = s.fy.data();
  real* fz = s.fz.data();
  for (int dir = 1; dir >= 0; --dir) {
    const Swap& w = swaps_[static_cast<std::size_t>(2 * d + dir)];
    if (!w.self) continue;
    const int* list = w.send.data();
    const index g0 = w.recv_first;
    const index nsend = static_cast<index>(w.send.size());
    for (index q = 0; q < nsend; ++q) {
      const int i = list[q];
      if ((i < split) != below) continue;
      fx[i] += fx[g0 + q];
      fy[i] += fy[g0 + q];
      fz[i] += fz[g0 + q];
    }
  }
}

// add_stage_received() adds the forces received in dimension d's message
// swaps to the atoms they were sent from, before `split` (below) or not.
void StagedComm::add_stage_received(Context& ctx, int d, index split, bool below) {
  System& s = ctx.sys;
  real* fx = s.fx.data();
  real* fy = s.fy.data();
  real* fz = s.fz.data();
  for (int dir = 1; dir >= 0; --dir) {
    const int k = 2 * d + dir;
    const Swap& w = swaps_[static_cast<std::size_t>(k)];
    if (w.self) continue;
    const auto& rb = rrecvbufs_[static_cast<std::size_t>(k)];
    const int* list = w.send.data();
    const index nsend = static_cast<index>(w.send.size());
    for (index q = 0; q < nsend; ++q) {
      const int i = list[q];
      if ((i < split) != below) continue;
      fx[i] += rb[static_cast<std::size_t>(3 * q)];
      fy[i] += rb[static_cast<std::size_t>(3 * q + 1)];
      fz[i] += rb[static_cast<std::size_t>(3 * q + 2)];
    }
  }
}

}  // namespace

std::unique_ptr<Comm> make_comm_staged() { return std::make_unique<StagedComm>(); }

}  // namespace weft::md
