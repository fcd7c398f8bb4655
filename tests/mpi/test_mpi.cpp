// SPDX-License-Identifier: Apache-2.0
// weft::mpi at 1, 2 and 4 ranks: the agreement helpers (first_error,
// rank0_then_agree, broadcast_string, exclusive_scan_offsets), the typed
// wrappers, owned communicators that are freed, and errors that carry MPI's
// own explanation (mpi_main.cpp's Session sets MPI_ERRORS_RETURN).
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpi_world.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/comm.hpp"
#include "weft/mpi/datatype.hpp"
#include "weft/mpi/op.hpp"
#include "weft/mpi/p2p.hpp"
#include "weft/mpi/session.hpp"

namespace mpi = weft::mpi;

namespace {

TEST(FirstError, EveryRankGetsTheLowestFailingRanksMessage) {
  const int r = world_rank(), n = world_size();
  EXPECT_EQ(mpi::first_error("", MPI_COMM_WORLD), "");
  // Ranks 1 and above fail (rank 0 too when alone): the lowest one wins.
  const int lowest = n > 1 ? 1 : 0;
  const std::string mine = r >= lowest ? "rank " + std::to_string(r) + " failed" : "";
  EXPECT_EQ(mpi::first_error(mine, MPI_COMM_WORLD), "rank " + std::to_string(lowest) + " failed");
  // Only the last rank fails, with a long message.
  const std::string last(5000, 'x');
  EXPECT_EQ(mpi::first_error(r == n - 1 ? last : "", MPI_COMM_WORLD), last);
}

TEST(BroadcastString, FromAnyRoot) {
  const int r = world_rank(), n = world_size();
  EXPECT_EQ(mpi::broadcast_string(r == 0 ? "deck text" : "other", MPI_COMM_WORLD), "deck text");
  EXPECT_EQ(mpi::broadcast_string("from " + std::to_string(r), MPI_COMM_WORLD, n - 1),
            "from " + std::to_string(n - 1));
  EXPECT_EQ(mpi::broadcast_string(r == 0 ? "" : "ignored", MPI_COMM_WORLD), "");
}

TEST(Rank0ThenAgree, EveryRankThrowsRankZerosError) {
  const int r = world_rank();
  int runs = 0;
  try {
    mpi::rank0_then_agree(MPI_COMM_WORLD, [&] {
      ++runs;
      throw std::runtime_error("cannot rename a to b");
    });
    FAIL() << "no error on rank " << r;
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "cannot rename a to b");
    // Rank 0 rethrows its own exception; the others throw the default E.
    if (r != 0) {
      EXPECT_NE(dynamic_cast<const weft::RunError*>(&e), nullptr);
    }
  }
  EXPECT_EQ(runs, r == 0 ? 1 : 0);
  // The error type of the other ranks is chosen by the caller.
  EXPECT_THROW(mpi::rank0_then_agree<weft::InputError>(MPI_COMM_WORLD,
                                                       [] { throw weft::InputError("bad deck"); }),
               weft::InputError);
}

TEST(Rank0ThenAgree, SuccessReturnsEverywhereAfterRankZeroIsDone) {
  int done = 0;
  mpi::rank0_then_agree(MPI_COMM_WORLD, [&] { done = 1; });
  EXPECT_EQ(done, world_rank() == 0 ? 1 : 0);
}

TEST(ExclusiveScanOffsets, BlocksTileTheRows) {
  const int r = world_rank(), n = world_size();
  // Rank r has r + 1 items: offsets 0, 1, 3, 6; total n (n + 1) / 2.
  const auto [offset, total] = mpi::exclusive_scan_offsets(std::int64_t{r + 1}, MPI_COMM_WORLD);
  EXPECT_EQ(offset, std::int64_t{r} * (r + 1) / 2);
  EXPECT_EQ(total, std::int64_t{n} * (n + 1) / 2);
  // Empty blocks are fine, and unsigned counts too.
  const auto empty = mpi::exclusive_scan_offsets(std::uint64_t{0}, MPI_COMM_WORLD);
  EXPECT_EQ(empty.offset, 0u);
  EXPECT_EQ(empty.total, 0u);
}

TEST(Collectives, TypedWrappersReduceGatherAndExchange) {
  const int r = world_rank(), n = world_size();
  EXPECT_EQ(mpi::allreduce(r, MPI_MAX, MPI_COMM_WORLD), n - 1);
  EXPECT_EQ(mpi::allreduce(1.5, MPI_SUM, MPI_COMM_WORLD), 1.5 * n);
  long long v[2] = {r, -r};
  mpi::allreduce(v, v, 2, MPI_MIN, MPI_COMM_WORLD);  // in place
  EXPECT_EQ(v[0], 0);
  EXPECT_EQ(v[1], -(n - 1));
  const mpi::DoubleInt worst =
      mpi::allreduce(mpi::DoubleInt{r == n / 2 ? 9.0 : 1.0, r}, MPI_MAXLOC, MPI_COMM_WORLD);
  EXPECT_EQ(worst.rank, n / 2);
  EXPECT_EQ(mpi::bcast(r + 7, 0, MPI_COMM_WORLD), 7);
  const std::vector<std::int64_t> all = mpi::allgather(std::int64_t{10 * r}, MPI_COMM_WORLD);
  ASSERT_EQ(static_cast<int>(all.size()), n);
  for (int k = 0; k < n; ++k) EXPECT_EQ(all[static_cast<std::size_t>(k)], 10 * k);
  const std::vector<int> mine(static_cast<std::size_t>(r), r);  // rank r sends r copies of r
  const std::vector<int> cat = mpi::allgatherv(mine.data(), r, MPI_COMM_WORLD);
  EXPECT_EQ(static_cast<int>(cat.size()), n * (n - 1) / 2);
  // the same to the last rank only: r copies of r, in rank order, there
  const std::vector<int> at_last = mpi::gatherv(mine.data(), r, n - 1, MPI_COMM_WORLD);
  if (r == n - 1) {
    EXPECT_EQ(at_last, cat);
  } else {
    EXPECT_TRUE(at_last.empty());
  }
  std::vector<int> to(static_cast<std::size_t>(n)), from(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) to[static_cast<std::size_t>(k)] = 100 * r + k;
  mpi::alltoall(to.data(), from.data(), 1, MPI_COMM_WORLD);
  for (int k = 0; k < n; ++k) EXPECT_EQ(from[static_cast<std::size_t>(k)], 100 * k + r);
  std::vector<char> names(static_cast<std::size_t>(2 * n));
  const char me[2] = {'a', static_cast<char>('0' + r)};
  mpi::gather(me, 2, names.data(), 0, MPI_COMM_WORLD);
  if (r == 0) {
    EXPECT_EQ(names[static_cast<std::size_t>(2 * n - 1)], '0' + n - 1);
  }
  mpi::barrier(MPI_COMM_WORLD);
}

// MinMax is a record reduced by a user-defined operation: the smallest and
// the largest value over the ranks, and their count.
struct MinMax {
  std::int64_t lo, hi, count;
};

void merge_min_max(void* in, void* inout, int* len, MPI_Datatype*) {
  const auto* a = static_cast<const MinMax*>(in);
  auto* b = static_cast<MinMax*>(inout);
  for (int i = 0; i < *len; ++i)
    b[i] = {std::min(a[i].lo, b[i].lo), std::max(a[i].hi, b[i].hi), a[i].count + b[i].count};
}

TEST(Collectives, UserOperationOnRecordsInPlace) {
  const int r = world_rank(), n = world_size();
  const mpi::Op op(&merge_min_max, true);
  const mpi::Datatype record = mpi::Datatype::bytes(sizeof(MinMax));
  // 1000 records: MPI may cut the buffer, only between whole records.
  std::vector<MinMax> v(1000);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto x = static_cast<std::int64_t>(i) * (r + 1);
    v[i] = {x, x, 1};
  }
  mpi::allreduce(v.data(), v.data(), static_cast<int>(v.size()), record.get(), op.get(),
                 MPI_COMM_WORLD);
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(v[i].lo, static_cast<std::int64_t>(i));
    EXPECT_EQ(v[i].hi, static_cast<std::int64_t>(i) * n);
    EXPECT_EQ(v[i].count, n);
  }
}

TEST(PointToPoint, RingOfSendrecvAndNonBlockingPairs) {
  const int r = world_rank(), n = world_size();
  const int left = (r + n - 1) % n, right = (r + 1) % n;
  EXPECT_EQ(mpi::sendrecv(r, right, left, 3, MPI_COMM_WORLD), left);
  EXPECT_EQ(mpi::sendrecv(r, MPI_PROC_NULL, MPI_PROC_NULL, 3, MPI_COMM_WORLD), 0);
  std::array<double, 3> out{1.0 * r, 2.0 * r, 3.0 * r}, in{};
  MPI_Request reqs[2] = {mpi::irecv(in.data(), 3, left, 4, MPI_COMM_WORLD),
                         mpi::isend(out.data(), 3, right, 4, MPI_COMM_WORLD)};
  mpi::waitall(reqs);
  EXPECT_EQ(reqs[0], MPI_REQUEST_NULL);
  EXPECT_EQ(in[2], 3.0 * left);
}

TEST(Comm, DupIsOwnedAndFreedAtScopeExit) {
  const mpi::Comm world = mpi::world();
  EXPECT_FALSE(world.owned());
  int handle = 0;  // Fortran handle: the slot of the communicator in MPI's table
  {
    const mpi::Comm d = world.dup();
    EXPECT_TRUE(d.owned());
    EXPECT_EQ(d.size(), world_size());
    EXPECT_EQ(d.rank(), world_rank());
    handle = static_cast<int>(MPI_Comm_c2f(d.get()));
  }
  // Freed: a new communicator takes the same slot again, however many times.
  for (int k = 0; k < 100; ++k) {
    mpi::Comm d = world.dup();
    EXPECT_EQ(static_cast<int>(MPI_Comm_c2f(d.get())), handle) << "round " << k;
    mpi::Comm moved = std::move(d);  // the moved-from one frees nothing
    EXPECT_TRUE(d.null());
    EXPECT_TRUE(moved.owned());
  }
  mpi::Comm d = world.dup();
  d.reset();
  EXPECT_TRUE(d.null());
}

TEST(Comm, SplitAndCartesianGrid) {
  const int r = world_rank(), n = world_size();
  const mpi::Comm evens = mpi::world().split(r % 2 == 0 ? 0 : MPI_UNDEFINED, r);
  EXPECT_EQ(evens.null(), r % 2 != 0);
  if (!evens.null()) {
    EXPECT_EQ(evens.size(), (n + 1) / 2);
  }
  EXPECT_GE(mpi::world().split_shared().size(), 1);

  const std::array<int, 3> dims = mpi::dims_create(n, std::array<int, 3>{0, 0, 1});
  EXPECT_EQ(dims[0] * dims[1] * dims[2], n);
  EXPECT_EQ(dims[2], 1);
  const mpi::Comm cart = mpi::cart_create(MPI_COMM_WORLD, dims, std::array<int, 3>{1, 0, 1});
  EXPECT_TRUE(cart.owned());
  const auto c = mpi::cart_coords<3>(cart, cart.rank());
  EXPECT_EQ(c[0] * dims[1] + c[1], r);  // no reordering: row-major
  const mpi::Shift x = mpi::cart_shift(cart, 0, 1);
  EXPECT_EQ(x.dest, ((c[0] + 1) % dims[0]) * dims[1] + c[1]);  // periodic
  const mpi::Shift y = mpi::cart_shift(cart, 1, 1);
  if (c[1] == 0) {
    EXPECT_EQ(y.source, MPI_PROC_NULL);  // a wall
  }
}

TEST(Error, CarriesTheCallAndMpisErrorString) {
  const int bad_rank = world_size() + 3;
  int x = 1;
  try {
    (void)mpi::isend(&x, 1, bad_rank, 0, MPI_COMM_WORLD);
    FAIL() << "sent to rank " << bad_rank;
  } catch (const mpi::Error& e) {
    EXPECT_EQ(e.call(), "MPI_Isend");
    EXPECT_EQ(e.error_class(), MPI_ERR_RANK);
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("MPI: MPI_Isend failed: ", 0), 0u) << m;
    EXPECT_NE(m.find(mpi::error_string(e.code())), std::string::npos) << m;
    EXPECT_NE(mpi::error_string(MPI_ERR_RANK).find("rank"), std::string::npos);
  }
  // A RunError: a run that meets one fails with exit code run_failed.
  EXPECT_THROW(mpi::barrier(MPI_COMM_NULL), weft::RunError);
}

TEST(Session, ProcessState) {
  EXPECT_TRUE(mpi::initialized());
  EXPECT_FALSE(mpi::finalized());
  EXPECT_NE(mpi::library_version().find("Open MPI"), std::string::npos) << mpi::library_version();
  int level = 0;
  mpi::check(MPI_Query_thread(&level), "MPI_Query_thread");
  EXPECT_EQ(level, mpi::Session::kThreadLevel);
  const double t0 = mpi::wtime();
  EXPECT_GE(mpi::wtime(), t0);
}

}  // namespace
