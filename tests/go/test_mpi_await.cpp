// SPDX-License-Identifier: Apache-2.0
// await()/await_all()/mpi_call(): ring exchanges between ranks with compute
// in between, at 1, 2 and 4 workers per rank (run at 2 and 4 ranks).
#include <gtest/gtest.h>
#include <mpi.h>

#include <array>
#include <atomic>
#include <cmath>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "go_test_util.hpp"
#include "mpi_world.hpp"
#include "weft/go/go.hpp"
#include "weft/go/mpi_await.hpp"
#include "weft/go/parallel_for.hpp"
#include "weft/go/wait_group.hpp"
#include "weft/mpi/p2p.hpp"

namespace wg = weft::go;

namespace {

// MpiAwaitTest runs each test at 1, 2 and 4 workers under both progress
// modes (MPI thread agent, polling by the awaiting tasks).
class MpiAwaitTest : public ::testing::TestWithParam<std::tuple<int, wg::MpiProgress>> {
 protected:
  void run(const std::function<void()>& f) {
    wg::PoolOptions o;
    o.threads = std::get<0>(GetParam());
    o.mpi_progress = std::get<1>(GetParam());
    wg::Pool pool(o);
    pool.run(f);
  }
};
INSTANTIATE_TEST_SUITE_P(Workers, MpiAwaitTest,
                         ::testing::Combine(::testing::Values(1, 2, 4),
                                            ::testing::Values(wg::MpiProgress::agent,
                                                              wg::MpiProgress::polling)),
                         [](const auto& p) {
                           return "w" + std::to_string(std::get<0>(p.param)) +
                                  (std::get<1>(p.param) == wg::MpiProgress::agent ? "_agent"
                                                                                  : "_polling");
                         });

// One ring step: send `out` right, receive from the left, computing while
// the messages travel. Returns the received vector.
std::vector<double> ring_step(const std::vector<double>& out, int tag, MPI_Comm comm) {
  const int r = world_rank(), n = world_size();
  const int left = (r + n - 1) % n, right = (r + 1) % n;
  std::vector<double> in(out.size());
  std::array<MPI_Request, 2> reqs{};
  wg::mpi_call([&] {
    reqs[0] = weft::mpi::irecv(in.data(), static_cast<int>(in.size()), left, tag, comm);
    reqs[1] = weft::mpi::isend(out.data(), static_cast<int>(out.size()), right, tag, comm);
  });
  // Compute while the exchange is in flight.
  std::vector<double> roots(20000);
  wg::parallel_for(0, 20000, 1000, [&](std::int64_t i) {
    roots[static_cast<std::size_t>(i)] = std::sqrt(static_cast<double>(i));
  });
  EXPECT_EQ(roots[16], 4.0);
  wg::await_all(reqs);
  EXPECT_EQ(reqs[0], MPI_REQUEST_NULL);
  EXPECT_EQ(reqs[1], MPI_REQUEST_NULL);
  return in;
}

TEST_P(MpiAwaitTest, RingExchangeWithComputeInBetween) {
  const int r = world_rank(), n = world_size();
  run([&] {
    std::vector<double> v(1000, static_cast<double>(r));
    for (int step = 1; step <= 10; ++step) {
      v = ring_step(v, step, MPI_COMM_WORLD);
      const int origin = ((r - step) % n + n) % n;
      ASSERT_EQ(v.front(), origin) << "step " << step;
      ASSERT_EQ(v.back(), origin);
    }
  });
}

TEST_P(MpiAwaitTest, ManyTasksAwaitConcurrently) {
  const int r = world_rank(), n = world_size();
  constexpr int kTasks = 16;
  std::atomic<int> ok{0};
  run([&] {
    wg::WaitGroup g;
    for (int t = 0; t < kTasks; ++t) {
      g.add();
      wg::go({.name = "ring"}, [&, t] {
        const int left = (r + n - 1) % n, right = (r + 1) % n;
        int out = r * 100 + t, in = -1;
        MPI_Request rq = MPI_REQUEST_NULL, sq = MPI_REQUEST_NULL;
        wg::mpi_call([&] { rq = weft::mpi::irecv(&in, 1, left, 1000 + t, MPI_COMM_WORLD); });
        wg::mpi_call([&] { sq = weft::mpi::isend(&out, 1, right, 1000 + t, MPI_COMM_WORLD); });
        MPI_Status st;
        wg::await(rq, &st);
        wg::await(sq);
        if (in == left * 100 + t && st.MPI_SOURCE == left && st.MPI_TAG == 1000 + t) ok++;
        g.done();
      });
    }
    g.wait();
  });
  EXPECT_EQ(ok.load(), kTasks);
}

TEST_P(MpiAwaitTest, MpiCallReturnsValuesAndExceptions) {
  run([] {
    int n = wg::mpi_call([] { return weft::mpi::world().size(); });
    EXPECT_EQ(n, world_size());
    EXPECT_THROW(wg::mpi_call([]() -> int { throw std::runtime_error("x"); }), std::runtime_error);
    MPI_Request null = MPI_REQUEST_NULL;
    wg::await(null);  // returns at once
  });
}

TEST(MpiAwaitPlain, OutsideATaskItIsMpiWait) {
  const int r = world_rank(), n = world_size();
  int out = r, in = -1;
  MPI_Request reqs[2] = {weft::mpi::irecv(&in, 1, (r + n - 1) % n, 7, MPI_COMM_WORLD),
                         weft::mpi::isend(&out, 1, (r + 1) % n, 7, MPI_COMM_WORLD)};
  wg::await_all(reqs);
  EXPECT_EQ(in, (r + n - 1) % n);
}

}  // namespace
