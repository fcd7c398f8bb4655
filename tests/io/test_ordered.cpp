// SPDX-License-Identifier: Apache-2.0
// io::IdOrder: every rank's atoms, in any order and any share, come out as
// contiguous blocks of rows sorted by id, with positions wrapped into the box.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "mpi_world.hpp"
#include "weft/io/ordered.hpp"
#include "weft/io/particles.hpp"
#include "weft/mpi/collectives.hpp"

namespace {

constexpr double kBox = 10.0;

// The fields of atom `id` are functions of the id. Positions reach several
// box lengths outside the box on either side, with image flags.
double pos(std::int64_t id, int d) {
  return static_cast<double>((id * (7 + d)) % 97) * 0.37 - 15.0;
}
std::int32_t img(std::int64_t id, int d) { return static_cast<std::int32_t>((id + d) % 5) - 2; }
double vel(std::int64_t id, int d) { return static_cast<double>(id) * (d + 1) + 0.5; }
double frc(std::int64_t id, int d) { return -static_cast<double>(id) * (d + 2) - 0.25; }

// Particles owns one rank's particle fields; view() is them for io.
struct Particles {
  std::vector<std::int64_t> id;
  std::vector<int> type;
  std::vector<double> x, y, z, vx, vy, vz, fx, fy, fz;
  std::vector<std::int32_t> imx, imy, imz;
  weft::io::ParticleBox box;
  std::int64_t natoms = 0;
  void push(std::int64_t i, int t, double px, double py, double pz, double ux = 0, double uy = 0,
            double uz = 0, std::int32_t ix = 0, std::int32_t iy = 0, std::int32_t iz = 0) {
    id.push_back(i);
    type.push_back(t);
    x.push_back(px), y.push_back(py), z.push_back(pz);
    vx.push_back(ux), vy.push_back(uy), vz.push_back(uz);
    fx.push_back(0), fy.push_back(0), fz.push_back(0);
    imx.push_back(ix), imy.push_back(iy), imz.push_back(iz);
  }
  weft::io::ParticleView view() const {
    return {.count = static_cast<std::int64_t>(id.size()),
            .total = natoms,
            .id = id.data(),
            .type = type.data(),
            .x = x.data(),
            .y = y.data(),
            .z = z.data(),
            .imx = imx.data(),
            .imy = imy.data(),
            .imz = imz.data(),
            .vx = vx.data(),
            .vy = vy.data(),
            .vz = vz.data(),
            .fx = fx.data(),
            .fy = fy.data(),
            .fz = fz.data(),
            .box = box,
            .type_names = {"", "A"}};
  }
};

// system_with() holds the given ids (in that order) on this rank.
Particles system_with(const std::vector<std::int64_t>& ids, std::int64_t natoms) {
  Particles s;
  s.box.lo = {0, 0, 0};
  s.box.hi = {kBox, kBox, kBox};
  s.natoms = natoms;
  for (const auto id : ids) {
    s.push(id, 1 + static_cast<int>(id % 3), pos(id, 0), pos(id, 1), pos(id, 2), vel(id, 0),
           vel(id, 1), vel(id, 2), img(id, 0), img(id, 1), img(id, 2));
    s.fx.back() = frc(id, 0);
    s.fy.back() = frc(id, 1);
    s.fz.back() = frc(id, 2);
  }
  return s;
}

// shares() deals the ids to ranks in random order, `skew` giving rank 0 a
// larger share (1: all of them).
std::vector<std::int64_t> my_share(std::vector<std::int64_t> ids, double skew, unsigned seed) {
  std::shuffle(ids.begin(), ids.end(), std::mt19937_64(seed));  // the same on every rank
  const auto n = static_cast<double>(ids.size());
  const double first = skew * n + (1 - skew) * n / world_size();
  auto bound = [&](int r) {
    if (r == 0) return std::size_t{0};
    if (r == world_size()) return ids.size();
    return static_cast<std::size_t>(first + (n - first) * (r - 1) / std::max(1, world_size() - 1));
  };
  return {ids.begin() + static_cast<std::ptrdiff_t>(bound(world_rank())),
          ids.begin() + static_cast<std::ptrdiff_t>(bound(world_rank() + 1))};
}

// expect_rows() checks that this rank's rows hold, in id order, exactly the
// atoms of `all_ids` that belong to them (ids and types when gathered,
// forces when `forces`), and that the blocks tile the rows.
void expect_rows(const weft::io::IdOrder& o, std::vector<std::int64_t> all_ids,
                 bool forces = false) {
  std::sort(all_ids.begin(), all_ids.end());
  ASSERT_EQ(o.total, static_cast<std::int64_t>(all_ids.size()));
  // The blocks of ranks 0..r-1 end where rank r's starts; all tile the rows.
  const auto [next, rows] = weft::mpi::exclusive_scan_offsets(o.count, MPI_COMM_WORLD);
  ASSERT_EQ(o.offset, next);
  ASSERT_EQ(rows, o.total);
  const bool ids = !o.id.empty();
  std::int64_t bad = 0, first_bad = -1;
  for (std::int64_t k = 0; k < o.count; ++k) {
    const auto u = static_cast<std::size_t>(k);
    const std::int64_t id = all_ids[static_cast<std::size_t>(o.offset + k)];
    bool ok = !ids || (o.id[u] == id && o.type[u] == 1 + id % 3);
    for (int d = 0; d < 3; ++d) {
      const double x = o.x[3 * u + d];
      // Wrapped into the box, the unwrapped position unchanged.
      ok = ok && x >= 0.0 && x < kBox &&
           std::abs(x + o.image[3 * u + d] * kBox - (pos(id, d) + img(id, d) * kBox)) < 1e-12 &&
           o.v[3 * u + d] == vel(id, d) && (!forces || o.f[3 * u + d] == frc(id, d));
    }
    if (!ok && bad++ == 0) first_bad = o.offset + k;
  }
  EXPECT_EQ(bad, 0) << "rows wrong on rank " << world_rank() << ", the first: row " << first_bad;
}

const weft::io::OrderedFields kAll{
    .positions = true, .velocities = true, .types = true, .ids = true};

TEST(IdOrder, DenseIdsInRandomOrderComeOutSortedAndWrapped) {
  std::vector<std::int64_t> ids(200011);
  std::iota(ids.begin(), ids.end(), 1);
  const auto mine = my_share(ids, 0.0, 42);
  const auto s = system_with(mine, static_cast<std::int64_t>(ids.size()));
  weft::io::IdOrder o(MPI_COMM_WORLD);
  // The frame fields, forces on every other gather; buffers are reused.
  for (int frame = 0; frame < 4; ++frame) {
    o.gather(s.view(), {.positions = true, .velocities = true, .forces = frame % 2 == 1});
    expect_rows(o, ids, frame % 2 == 1);
  }
}

// A duplicated id with another one missing looks dense (1..N, N atoms); every
// rank must report it, none may be left waiting in a collective call.
TEST(IdOrder, DuplicateIdIsAnErrorOnEveryRank) {
  std::vector<std::int64_t> ids(4000);
  std::iota(ids.begin(), ids.end(), 1);
  auto mine = my_share(ids, 0.0, 11);
  for (auto& id : mine)
    if (id == 1234) id = 1233;
  weft::io::IdOrder o(MPI_COMM_WORLD);
  EXPECT_THROW(o.gather(system_with(mine, 4000).view(), {.positions = true, .velocities = true}),
               std::logic_error);
}

// Lost and extra atoms of every kind are errors on every rank: a lost atom
// (count N - 1, ids still up to N), the atom with the largest id lost, an
// extra copy of an atom (N + 1), two swaps that keep the count, sum and sum
// of squares of ids (1..7 held as 1 1 4 5 5 6 6 plus 2 3 7 lost: caught by
// the count check alone, so here with 2 3 7 replaced), and a duplicate among
// sparse ids.
TEST(IdOrder, LostOrExtraAtomsAreErrorsOnEveryRank) {
  const std::int64_t n = 4000;
  std::vector<std::int64_t> ids(static_cast<std::size_t>(n));
  std::iota(ids.begin(), ids.end(), 1);
  auto gather_throws = [&](std::vector<std::int64_t> all, std::int64_t natoms) {
    weft::io::IdOrder o(MPI_COMM_WORLD);
    EXPECT_THROW(o.gather(system_with(my_share(all, 0.0, 5), natoms).view(), {.positions = true}),
                 std::logic_error);
  };
  {
    auto all = ids;
    all.erase(all.begin() + 1233);  // id 1234 lost
    gather_throws(all, n);
  }
  {
    auto all = ids;
    all.pop_back();  // id n lost
    gather_throws(all, n);
  }
  {
    auto all = ids;
    all.push_back(77);  // atom 77 twice
    gather_throws(all, n);
  }
  {
    auto all = ids;  // same count, sum and sum of squares as 1..7
    const std::vector<std::int64_t> fooled{1, 1, 4, 5, 5, 6, 6};
    std::copy(fooled.begin(), fooled.end(), all.begin());
    gather_throws(all, n);
  }
  {
    std::vector<std::int64_t> sparse(1000);
    for (std::size_t k = 0; k < sparse.size(); ++k)
      sparse[k] = 10 * static_cast<std::int64_t>(k) + 5;
    sparse[500] = sparse[501];
    gather_throws(sparse, 1000);
  }
}

// Positions just below the upper edge of a box that does not start at 0,
// and exactly on either edge, stay inside [lo, hi) with the unwrapped
// position unchanged.
TEST(IdOrder, WrapKeepsEdgePositionsInsideTheBox) {
  Particles s;
  s.box.lo = {-3.7, -3.7, -3.7};
  s.box.hi = {5.9, 5.9, 5.9};
  s.natoms = 6;
  const double hi = 5.9, lo = -3.7, len = hi - lo;
  const double xs[6] = {std::nextafter(hi, 0.0),   hi,       lo,
                        std::nextafter(lo, -10.0), hi + len, lo - 2 * len};
  if (world_rank() == 0)
    for (int k = 0; k < 6; ++k) s.push(k + 1, 1, xs[k], xs[k], xs[k]);
  weft::io::IdOrder o(MPI_COMM_WORLD);
  o.gather(s.view(), {.positions = true});
  for (std::int64_t k = 0; k < o.count; ++k) {
    const auto u = static_cast<std::size_t>(k);
    const double x = xs[static_cast<std::size_t>(o.offset + k)];
    EXPECT_GE(o.x[3 * u], lo) << "atom " << o.offset + k + 1;
    EXPECT_LT(o.x[3 * u], hi) << "atom " << o.offset + k + 1;
    EXPECT_NEAR(o.x[3 * u] + o.image[3 * u] * len, x, 1e-12) << "atom " << o.offset + k + 1;
  }
}

TEST(IdOrder, IdsAndTypesComeOutSorted) {
  std::vector<std::int64_t> ids(20011);
  std::iota(ids.begin(), ids.end(), 1);
  const auto mine = my_share(ids, 0.0, 43);
  weft::io::IdOrder o(MPI_COMM_WORLD);
  o.gather(system_with(mine, static_cast<std::int64_t>(ids.size())).view(), kAll);
  expect_rows(o, ids);
}

TEST(IdOrder, SparseIdsAreSortedAcrossRanks) {
  std::vector<std::int64_t> ids(5003);
  for (std::size_t k = 0; k < ids.size(); ++k) ids[k] = 5 * static_cast<std::int64_t>(k) + 1000003;
  const auto mine = my_share(ids, 0.0, 7);
  weft::io::IdOrder o(MPI_COMM_WORLD);
  o.gather(system_with(mine, static_cast<std::int64_t>(ids.size())).view(), kAll);
  expect_rows(o, ids);
}

TEST(IdOrder, AllAtomsOnOneRank) {
  std::vector<std::int64_t> ids(3001);
  std::iota(ids.begin(), ids.end(), 1);
  const auto mine = my_share(ids, 1.0, 3);
  weft::io::IdOrder o(MPI_COMM_WORLD);
  o.gather(system_with(mine, static_cast<std::int64_t>(ids.size())).view(), kAll);
  expect_rows(o, ids);
}

TEST(IdOrder, OnlyTheFieldsAskedForAreFilled) {
  std::vector<std::int64_t> ids(1000);
  std::iota(ids.begin(), ids.end(), 1);
  weft::io::IdOrder o(MPI_COMM_WORLD);
  o.gather(system_with(my_share(ids, 0.0, 5), 1000).view(), {.positions = true});
  EXPECT_EQ(o.x.size(), static_cast<std::size_t>(3 * o.count));
  EXPECT_TRUE(o.v.empty());
  EXPECT_TRUE(o.id.empty());
  EXPECT_TRUE(o.type.empty());
}

}  // namespace
