// SPDX-License-Identifier: Apache-2.0
// Context, ErrorGroup, parallel_for.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "go_test_util.hpp"
#include "weft/core/error.hpp"
#include "weft/go/context.hpp"
#include "weft/go/error_group.hpp"
#include "weft/go/go.hpp"
#include "weft/go/parallel_for.hpp"
#include "weft/go/select.hpp"

namespace wg = weft::go;
using namespace std::chrono_literals;

namespace {

class ContextTest : public wg::test::WorkersTest {};
WEFT_GO_INSTANTIATE(ContextTest);

TEST_P(ContextTest, CancelReachesChildrenNotParent) {
  run([] {
    wg::Context root;
    auto child = root.with_cancel();
    auto grandchild = child.with_cancel();
    auto sibling = root.with_cancel();
    child.cancel();
    EXPECT_TRUE(child.cancelled());
    EXPECT_TRUE(grandchild.cancelled());
    EXPECT_EQ(grandchild.reason(), wg::CancelReason::cancelled);
    EXPECT_FALSE(root.cancelled());
    EXPECT_FALSE(sibling.cancelled());
    EXPECT_THROW(grandchild.check(), wg::Cancelled);
    EXPECT_NO_THROW(root.check());
    auto late = child.with_cancel();  // child of a cancelled context
    EXPECT_TRUE(late.cancelled());
  });
}

TEST_P(ContextTest, DoneWakesEveryWaiter) {
  run([] {
    wg::Context ctx;
    std::atomic<int> woke{0};
    wg::WaitGroup g;
    for (int i = 0; i < 10; ++i) {
      g.add();
      wg::go([&] {
        EXPECT_FALSE(ctx.done().recv());
        woke++;
        g.done();
      });
    }
    wg::sleep_for(10ms);
    EXPECT_EQ(woke.load(), 0);
    ctx.cancel();
    g.wait();
    EXPECT_EQ(woke.load(), 10);
  });
}

TEST_P(ContextTest, DeadlineCancelsOnTime) {
  run([] {
    wg::Context root;
    auto t0 = std::chrono::steady_clock::now();
    auto ctx = root.with_timeout(30ms);
    auto inner = ctx.with_timeout(10s);  // the parent's deadline wins
    EXPECT_EQ(inner.deadline(), ctx.deadline());
    ctx.done().recv();
    auto dt = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(dt, 30ms);
    EXPECT_LT(dt, 2s);
    EXPECT_EQ(ctx.reason(), wg::CancelReason::deadline_exceeded);
    EXPECT_EQ(inner.reason(), wg::CancelReason::deadline_exceeded);
    EXPECT_FALSE(root.cancelled());
  });
}

// A parent's deadline that cancels a child due at the same instant, whose
// last owner drops it meanwhile: the child's timer is destroyed inside the
// parent's timer callback. Timers fire one at a time, so this cannot wait
// for itself (it hung once in ~30 runs of DeadlineCancelsOnTime/w2).
TEST_P(ContextTest, ChildDroppedWhileItsParentsDeadlineFires) {
  run([] {
    for (int round = 0; round < 200; ++round) {
      wg::Context root;
      auto parent = root.with_timeout(1ms);
      wg::WaitGroup done;
      done.add();
      {
        auto child = parent.with_timeout(10s);  // due with the parent
        wg::go([child, &done]() mutable {
          child.done().recv();
          child = wg::Context();  // drop the last reference at once
          done.done();
        });
      }
      parent.done().recv();
      done.wait();
    }
  });
}

TEST_P(ContextTest, SelectOnDone) {
  run([] {
    wg::Context root;
    auto ctx = root.with_cancel();
    wg::Chan<int> never(0);
    wg::go([ctx] {
      wg::sleep_for(5ms);
      ctx.cancel();
    });
    int idx = wg::select(wg::on_recv(never), wg::on_recv(ctx.done()));
    EXPECT_EQ(idx, 1);
  });
}

class ErrorGroupTest : public wg::test::WorkersTest {};
WEFT_GO_INSTANTIATE(ErrorGroupTest);

TEST_P(ErrorGroupTest, WaitWithoutFailures) {
  run([] {
    wg::ErrorGroup g;
    std::atomic<int> n{0};
    for (int i = 0; i < 20; ++i) g.go([&] { n++; });
    EXPECT_NO_THROW(g.wait());
    EXPECT_EQ(n.load(), 20);
    EXPECT_FALSE(g.context().cancelled());
  });
}

TEST_P(ErrorGroupTest, FirstFailureCancelsEveryTaskAndIsRethrownWithItsName) {
  run([] {
    wg::ErrorGroup g;
    std::atomic<int> stopped{0};
    constexpr int kWaiters = 12;
    for (int i = 0; i < kWaiters; ++i) {
      g.go({.name = "waiter"}, [&](const wg::Context& ctx) {
        wg::Chan<int> never(0);
        wg::select(wg::on_recv(never), wg::on_recv(ctx.done()));
        stopped++;
      });
    }
    g.go({.name = "failing-reader"}, [] {
      wg::sleep_for(5ms);
      throw std::runtime_error("checksum mismatch");
    });
    try {
      g.wait();
      FAIL() << "wait() did not throw";
    } catch (const wg::TaskError& e) {
      EXPECT_EQ(e.task_name(), "failing-reader");
      EXPECT_NE(std::string(e.what()).find("task 'failing-reader' failed: checksum mismatch"),
                std::string::npos)
          << e.what();
      EXPECT_THROW(std::rethrow_exception(e.cause()), std::runtime_error);
    }
    EXPECT_EQ(stopped.load(), kWaiters);  // cancellation reached every task
    EXPECT_TRUE(g.context().cancelled());
  });
}

TEST_P(ErrorGroupTest, LaterFailuresAreKept) {
  run([] {
    wg::ErrorGroup g;
    g.go({.name = "first"}, [] { throw std::runtime_error("one"); });
    g.go({.name = "second"}, [](const wg::Context& ctx) {
      ctx.done().recv();
      throw std::logic_error("two");
    });
    try {
      g.wait();
      FAIL();
    } catch (const wg::TaskError& e) {
      ASSERT_EQ(e.failures().size(), 2u);
      EXPECT_EQ(e.failures()[0].task, "first");
      EXPECT_EQ(e.failures()[1].task, "second");
      EXPECT_NE(std::string(e.what()).find("'second': two"), std::string::npos) << e.what();
    }
  });
}

TEST_P(ErrorGroupTest, ParentCancellationReachesTheGroup) {
  run([] {
    wg::Context root;
    wg::ErrorGroup g(root);
    std::atomic<int> stopped{0};
    for (int i = 0; i < 5; ++i) {
      g.go([&](const wg::Context& ctx) {
        ctx.done().recv();
        stopped++;
      });
    }
    wg::sleep_for(5ms);
    root.cancel();
    g.wait();
    EXPECT_EQ(stopped.load(), 5);
  });
}

class ParallelForTest : public wg::test::WorkersTest {};
WEFT_GO_INSTANTIATE(ParallelForTest);

TEST_P(ParallelForTest, EveryIndexOnceOnBothSchedulers) {
  for (auto sched : {wg::Scheduler::fibers, wg::Scheduler::openmp}) {
    std::vector<int> hits(100'003, 0);
    run([&] {
      wg::parallel_for(
          0, static_cast<std::int64_t>(hits.size()), 1000,
          [&](std::int64_t i) { hits[static_cast<std::size_t>(i)]++; }, sched);
    });
    EXPECT_EQ(std::count(hits.begin(), hits.end(), 1), static_cast<long>(hits.size()))
        << wg::to_string(sched);
  }
}

TEST_P(ParallelForTest, ChunksCoverTheRangeExactly) {
  run([] {
    std::atomic<std::int64_t> total{0};
    std::atomic<int> chunks{0};
    wg::parallel_for_chunks(10, 1010, 64, [&](std::int64_t lo, std::int64_t hi) {
      EXPECT_LE(hi - lo, 64);
      total += hi - lo;
      chunks++;
    });
    EXPECT_EQ(total.load(), 1000);
    EXPECT_EQ(chunks.load(), 16);
  });
}

TEST_P(ParallelForTest, UsesSeveralWorkers) {
  if (GetParam() < 2) GTEST_SKIP() << "needs 2 workers";
  run([] {
    std::vector<std::atomic<int>> used(8);
    wg::parallel_for(0, 64, 1, [&](std::int64_t) {
      used[static_cast<std::size_t>(wg::worker_index())]++;
      auto t0 = std::chrono::steady_clock::now();
      while (std::chrono::steady_clock::now() - t0 < 1ms) {
      }
    });
    int n = 0;
    for (auto& u : used) n += u.load() > 0;
    EXPECT_GE(n, 2);
  });
}

TEST_P(ParallelForTest, ExceptionIsRethrown) {
  for (auto sched : {wg::Scheduler::fibers, wg::Scheduler::openmp}) {
    run([&] {
      EXPECT_THROW(wg::parallel_for(
                       0, 1000, 10,
                       [](std::int64_t i) {
                         if (i == 500) throw std::runtime_error("bad");
                       },
                       sched),
                   std::runtime_error);
    });
  }
}

TEST(ParallelForPlain, OutsideAPoolRunsSerially) {
  std::int64_t sum = 0;
  wg::parallel_for(0, 100, 7, [&](std::int64_t i) { sum += i; });
  EXPECT_EQ(sum, 4950);
}

TEST(SchedulerParse, AcceptsTheDeckValues) {
  EXPECT_EQ(wg::parse_scheduler("fibers"), wg::Scheduler::fibers);
  EXPECT_EQ(wg::parse_scheduler("openmp"), wg::Scheduler::openmp);
  EXPECT_EQ(wg::to_string(wg::Scheduler::openmp), "openmp");
  try {
    wg::parse_scheduler("tbb");
    FAIL();
  } catch (const weft::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("\"fibers\" or \"openmp\""), std::string::npos);
  }
}

}  // namespace
