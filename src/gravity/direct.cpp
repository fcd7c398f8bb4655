// SPDX-License-Identifier: Apache-2.0
// Direct summation: the exact softened force on every particle of this rank
// from all N particles, O(N^2). Every rank gathers all positions and masses
// (MPI_Allgatherv), then its targets are split into blocks run by
// go::parallel_blocks through the executor. Each target's sum runs over
// the sources in global order, in kLanes interleaved partial sums added in
// a fixed order at the end: the result of a target depends on nothing but
// the positions and masses, so it is the same bits on any number of ranks,
// threads and either scheduler.
#include "direct.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>

#include "weft/go/blocks.hpp"
#include "weft/gravity/softening.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::gravity {
namespace {

constexpr int kLanes = 8;            // interleaved partial sums (vector width)
constexpr std::int64_t kBlock = 64;  // targets per block
constexpr double kFar = 1e18;        // position of padding sources (massless)

// Sources is every particle, structure of arrays, padded to whole lanes
// with massless particles far away.
struct Sources {
  std::vector<double> x, y, z, m;
  std::int64_t n = 0;  // real particles
};

Sources gather(const Particles& p, MPI_Comm comm) {
  const mpi::Comm c(comm);
  std::vector<double> local(3 * p.size());
  for (std::size_t i = 0; i < p.size(); ++i)
    for (int k = 0; k < 3; ++k) local[3 * i + static_cast<std::size_t>(k)] = p.pos[i][k];
  const std::vector<double> xyz = mpi::allgatherv(local.data(), static_cast<int>(local.size()), c);
  const std::vector<double> m = mpi::allgatherv(p.mass.data(), static_cast<int>(p.size()), c);
  Sources s;
  s.n = static_cast<std::int64_t>(m.size());
  const std::size_t padded = (m.size() + kLanes - 1) / kLanes * kLanes;
  s.x.assign(padded, kFar);
  s.y.assign(padded, kFar);
  s.z.assign(padded, kFar);
  s.m.assign(padded, 0.0);
  for (std::size_t j = 0; j < m.size(); ++j) {
    s.x[j] = xyz[3 * j];
    s.y[j] = xyz[3 * j + 1];
    s.z[j] = xyz[3 * j + 2];
    s.m[j] = m[j];
  }
  return s;
}

// sum_target() is the acceleration (per G) and minus the potential (per G:
// sum m phi, positive) at target `self` (a global index) from every source
// but itself; Kernel is PlummerPair or SplinePair (softening.hpp).
template <class Kernel>
void sum_target(const Kernel& k, const Sources& s, std::int64_t self, Vec3& acc, double& pot) {
  const double xi = s.x[static_cast<std::size_t>(self)], yi = s.y[static_cast<std::size_t>(self)],
               zi = s.z[static_cast<std::size_t>(self)];
  std::array<double, kLanes> ax{}, ay{}, az{}, ph{};
  const double *x = s.x.data(), *y = s.y.data(), *z = s.z.data(), *m = s.m.data();
  const auto padded = static_cast<std::int64_t>(s.m.size());
  for (std::int64_t j0 = 0; j0 < padded; j0 += kLanes) {
    // Lanes are independent sums: vectorising them reorders nothing.
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) {
      const std::int64_t j = j0 + l;
      const double dx = x[j] - xi, dy = y[j] - yi, dz = z[j] - zi;
      const double r2 = dx * dx + dy * dy + dz * dz;
      double f, phi;
      k.both(r2, f, phi);
      const double mass = m[j];  // loaded on every lane: a select, not a branch
      const double mj = j == self ? 0.0 : mass;
      const double mf = mj * f;
      ax[static_cast<std::size_t>(l)] += mf * dx;
      ay[static_cast<std::size_t>(l)] += mf * dy;
      az[static_cast<std::size_t>(l)] += mf * dz;
      ph[static_cast<std::size_t>(l)] += mj * phi;
    }
  }
  acc = Vec3::Zero();
  pot = 0;
  for (std::size_t l = 0; l < kLanes; ++l) {
    acc += Vec3(ax[l], ay[l], az[l]);
    pot += ph[l];
  }
}

template <class Kernel>
class Direct final : public ForceSolver {
 public:
  Direct(const GravityConfig& c, std::string kernel)
      : g_(c.G), k_(c.epsilon), kernel_(std::move(kernel)) {}

  ForceWork compute(Particles& p, MPI_Comm comm, go::Executor& exec, int min_level) override {
    const auto t0 = std::chrono::steady_clock::now();
    const Sources s = gather(p, comm);
    std::vector<std::int64_t> targets;
    for (std::size_t i = 0; i < p.size(); ++i)
      if (p.active(i, min_level)) targets.push_back(static_cast<std::int64_t>(i));
    const auto n = static_cast<std::int64_t>(targets.size());
    const std::int64_t nblocks = (n + kBlock - 1) / kBlock;
    exec.run([&] {
      go::parallel_blocks(
          exec.threads(), nblocks,
          [&](std::int64_t b, int) {
            const std::int64_t end = std::min(n, (b + 1) * kBlock);
            for (std::int64_t t = b * kBlock; t < end; ++t) {
              const std::int64_t i = targets[static_cast<std::size_t>(t)];
              const auto u = static_cast<std::size_t>(i);
              sum_target(k_, s, p.offset + i, p.acc[u], p.pot[u]);
              p.acc[u] *= g_;
              p.pot[u] *= -g_;
            }
          },
          "direct");
    });
    const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    return {n * std::max<std::int64_t>(s.n - 1, 0), n, dt.count()};
  }
  std::string describe() const override {
    return fmt::format("direct summation ({} softening)", kernel_);
  }

 private:
  double g_;
  Kernel k_;
  std::string kernel_;
};

}  // namespace

std::unique_ptr<ForceSolver> make_direct(const GravityConfig& c) {
  if (c.softening == "plummer") return std::make_unique<Direct<PlummerPair>>(c, c.softening);
  return std::make_unique<Direct<SplinePair>>(c, c.softening);
}

}  // namespace weft::gravity
