// SPDX-License-Identifier: Apache-2.0
// Task affinity (TaskOptions::worker): the block loops' shares stay on their
// workers call after call, and another worker takes a posted task when its
// worker is kept busy.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "go_test_util.hpp"
#include "weft/go/blocks.hpp"
#include "weft/go/go.hpp"
#include "weft/go/pool.hpp"
#include "weft/go/wait_group.hpp"

namespace wg = weft::go;

namespace {

class AffinityTest : public wg::test::WorkersTest {};
WEFT_GO_INSTANTIATE(AffinityTest);

// BusyWorker keeps worker 1 spinning without a scheduling point (at most
// 10 s) from its construction, inside a task, until release(); the
// destructor releases it and waits for the spinner to end.
class BusyWorker {
 public:
  BusyWorker() {
    done_.add(1);
    wg::go({.name = "spinner", .worker = 1}, [this] {
      on_.store(wg::worker_index());
      const auto t0 = std::chrono::steady_clock::now();
      while (!release_.load() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) {
      }
      done_.done();
    });
    while (on_.load() < 0) wg::yield();
  }
  ~BusyWorker() {
    release();
    done_.wait();
  }
  BusyWorker(const BusyWorker&) = delete;
  BusyWorker& operator=(const BusyWorker&) = delete;
  int on() const { return on_.load(); }  // the worker the spinner runs on
  void release() { release_.store(true); }

 private:
  std::atomic<bool> release_{false};
  std::atomic<int> on_{-1};
  wg::WaitGroup done_;
};

// A task posted for a worker that stays busy (a task spinning without a
// scheduling point) is run by another worker.
TEST_P(AffinityTest, APostedTaskIsTakenWhenItsWorkerStaysBusy) {
  if (GetParam() < 2) GTEST_SKIP() << "needs a second worker";
  run([&] {
    std::atomic<bool> release{false}, ran{false};
    std::atomic<int> spinner_on{-1};
    wg::WaitGroup done;
    done.add(2);
    wg::go([&] {  // occupies whichever worker runs it
      spinner_on.store(wg::worker_index());
      const auto t0 = std::chrono::steady_clock::now();
      while (!release.load() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) {
      }
      done.done();
    });
    while (spinner_on.load() < 0) wg::yield();
    wg::go({.name = "posted", .worker = spinner_on.load()}, [&] {
      ran.store(true);
      release.store(true);
      done.done();
    });
    done.wait();
    EXPECT_TRUE(ran.load());
    EXPECT_TRUE(release.load()) << "the posted task ran only after its worker's 10 s spin ended";
  });
}

// parallel_blocks() runs share w on worker w, call after call, whichever
// worker the caller runs on, when every worker is free to take its share.
// Each share here waits until all have started, so the caller (which runs
// its own share) cannot run a share that is not started yet (the
// help-first join does that for a worker that is busy or off its core).
// Another worker would take a share only after running dry for
// mail_patience: with 10 s here, a share waits for its own worker however
// busy the machine is.
TEST_P(AffinityTest, BlockSharesRunOnTheirWorkers) {
  const int n = GetParam();
  wg::PoolOptions o = options();
  o.mail_patience = std::chrono::seconds(10);
  wg::Pool pool(o);
  pool.run([&] {
    std::atomic<int> home{0}, total{0};
    for (int caller = 0; caller < n; ++caller) {
      wg::WaitGroup done;
      done.add(1);
      wg::go({.name = "caller", .worker = caller}, [&] {
        for (int step = 0; step < 20; ++step) {
          std::vector<int> on(static_cast<std::size_t>(n), -1);
          std::atomic<int> started{0};
          wg::parallel_blocks(
              n, n,
              [&](std::int64_t b, int) {
                on[static_cast<std::size_t>(b)] = wg::worker_index();
                ++started;
                const auto t0 = std::chrono::steady_clock::now();
                while (started.load() < n &&
                       std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) {
                  std::this_thread::yield();  // more workers than cores: let the others start
                }
              },
              "share");
          for (int k = 0; k < n; ++k) {
            home += on[static_cast<std::size_t>(k)] == k;
            ++total;
          }
        }
        done.done();
      });
      done.wait();
    }
    // Without affinity a caller's own worker runs the share it queued last
    // and the others are stolen in queue order: share w lands on worker w
    // by chance only (about 1 in n).
    EXPECT_EQ(home.load(), total.load())
        << home.load() << " of " << total.load() << " shares ran on their worker";
  });
}

// A share whose worker is kept busy is run by the caller as soon as the
// caller is done with its own (help-first join): the fork-join does not wait
// for mail_patience, let alone for the busy worker.
TEST_P(AffinityTest, TheCallerRunsSharesNotStartedWhenItsOwnIsDone) {
  const int n = GetParam();
  if (n < 2) GTEST_SKIP() << "needs a second worker";
  wg::PoolOptions o = options();
  o.mail_patience = std::chrono::seconds(10);
  wg::Pool pool(o);
  pool.run([&] {
    BusyWorker busy;
    ASSERT_EQ(busy.on(), 1);
    wg::WaitGroup joined;
    joined.add(1);
    std::vector<int> ran(static_cast<std::size_t>(n), 0);
    const auto t0 = std::chrono::steady_clock::now();
    wg::go({.name = "caller", .worker = 0}, [&] {
      wg::parallel_blocks(n, n, [&](std::int64_t b, int) { ran[static_cast<std::size_t>(b)] = 1; });
      joined.done();
    });
    joined.wait();
    const auto waited = std::chrono::steady_clock::now() - t0;
    busy.release();
    for (int k = 0; k < n; ++k) EXPECT_EQ(ran[static_cast<std::size_t>(k)], 1) << "share " << k;
    EXPECT_LT(waited, std::chrono::seconds(5)) << "the fork-join waited for the busy worker";
  });
}

// parallel_dynamic() runs every block once, on the worker it names, with
// one block at a time per worker; a worker kept busy takes none of them.
TEST_P(AffinityTest, DynamicBlocksRunOnceWhoeverIsFree) {
  const int n = GetParam();
  run([&] {
    for (const std::int64_t nblocks : {0, 1, 7, 1000}) {
      std::vector<std::atomic<int>> ran(static_cast<std::size_t>(nblocks));
      std::vector<std::atomic<int>> busy(static_cast<std::size_t>(std::max(1, n)));
      std::atomic<bool> overlap{false};
      wg::parallel_dynamic(std::max(1, n), nblocks, [&](std::int64_t b, int w) {
        if (busy[static_cast<std::size_t>(w)].fetch_add(1) != 0) overlap.store(true);
        ran[static_cast<std::size_t>(b)].fetch_add(1);
        busy[static_cast<std::size_t>(w)].fetch_sub(1);
      });
      for (std::int64_t b = 0; b < nblocks; ++b) {
        EXPECT_EQ(ran[static_cast<std::size_t>(b)].load(), 1) << "block " << b << " of " << nblocks;
      }
      EXPECT_FALSE(overlap.load()) << "two blocks ran at once under one worker index";
    }
  });
  if (n < 2) return;
  // A worker kept spinning: the others take every block.
  wg::PoolOptions o = options();
  o.mail_patience = std::chrono::seconds(10);
  wg::Pool pool(o);
  pool.run([&] {
    BusyWorker busy;
    std::vector<int> by(200, -1);
    wg::WaitGroup joined;
    joined.add(1);
    wg::go({.name = "caller", .worker = 0}, [&] {
      wg::parallel_dynamic(n, 200,
                           [&](std::int64_t b, int w) { by[static_cast<std::size_t>(b)] = w; });
      joined.done();
    });
    joined.wait();
    busy.release();
    for (std::size_t b = 0; b < by.size(); ++b) {
      EXPECT_GE(by[b], 0) << "block " << b;
      EXPECT_NE(by[b], 1) << "block " << b << " waited for the busy worker";
    }
  });
}

}  // namespace
