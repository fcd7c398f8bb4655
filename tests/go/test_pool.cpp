// SPDX-License-Identifier: Apache-2.0
// Pool, go(), yield/sleep, stacks, trace.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include "go_test_util.hpp"
#include "weft/go/blocks.hpp"
#include "weft/go/chan.hpp"
#include "weft/go/go.hpp"
#include "weft/go/pool.hpp"
#include "weft/go/wait_group.hpp"

namespace wg = weft::go;
using namespace std::chrono_literals;

namespace {

class PoolTest : public wg::test::WorkersTest {};
WEFT_GO_INSTANTIATE(PoolTest);

TEST_P(PoolTest, RunWaitsForEveryTask) {
  std::atomic<int> done{0};
  run([&] {
    for (int i = 0; i < 200; ++i) {
      wg::go([&, i] {
        for (int k = 0; k < i % 5; ++k) wg::yield();
        done.fetch_add(1);
      });
    }
  });
  EXPECT_EQ(done.load(), 200);
}

TEST_P(PoolTest, CreatedAndDestroyed100Times) {
  for (int round = 0; round < 100; ++round) {
    wg::Pool pool(options());
    std::atomic<int> n{0};
    pool.run([&] {
      wg::WaitGroup g;
      for (int i = 0; i < 10; ++i) {
        g.add();
        wg::go([&] {
          n.fetch_add(1);
          g.done();
        });
      }
      g.wait();
    });
    ASSERT_EQ(n.load(), 10) << "round " << round;
  }
}

TEST_P(PoolTest, SeveralPoolsAtOnce) {
  std::atomic<long> total{0};
  auto body = [&] {
    wg::Pool pool(options());
    pool.run([&] {
      wg::Chan<int> ch(4);
      wg::go([&] {
        for (int i = 1; i <= 1000; ++i) ch.send(i);
        ch.close();
      });
      for (int v : ch) total.fetch_add(v);
    });
  };
  std::thread a(body), b(body);
  a.join();
  b.join();
  EXPECT_EQ(total.load(), 2 * 500500);
}

TEST_P(PoolTest, RunCanBeCalledRepeatedly) {
  wg::Pool pool(options());
  for (int i = 0; i < 5; ++i) {
    int x = 0;
    pool.run([&] { x = i; });
    EXPECT_EQ(x, i);
  }
}

TEST_P(PoolTest, RootExceptionIsRethrownFromRun) {
  wg::Pool pool(options());
  EXPECT_THROW(pool.run([] { throw std::runtime_error("boom"); }), std::runtime_error);
  int x = 0;
  pool.run([&] { x = 1; });  // the pool is still usable
  EXPECT_EQ(x, 1);
}

TEST_P(PoolTest, GoOutsideATaskThrows) {
  EXPECT_THROW(wg::go([] {}), std::logic_error);
  wg::Chan<int> ch;
  EXPECT_THROW(ch.recv(), std::logic_error);
}

TEST_P(PoolTest, SpawnTreeSums) {
  // A small skynet: 10^4 leaves in a 10-ary tree, sums through channels.
  std::function<void(wg::Chan<long>&, long, long)> node = [&](wg::Chan<long>& out, long num,
                                                              long size) {
    if (size == 1) {
      out.send(num);
      return;
    }
    wg::Chan<long> sub(0);
    for (long i = 0; i < 10; ++i) {
      wg::go([&, i] { node(sub, num + i * (size / 10), size / 10); });
    }
    long sum = 0;
    for (int i = 0; i < 10; ++i) sum += *sub.recv();
    out.send(sum);
  };
  long result = 0;
  run([&] {
    wg::Chan<long> out(1);
    wg::go([&] { node(out, 0, 10000); });
    result = *out.recv();
  });
  EXPECT_EQ(result, 10000L * 9999 / 2);
}

TEST_P(PoolTest, SleepForWaitsAtLeastThatLong) {
  run([] {
    auto t0 = std::chrono::steady_clock::now();
    wg::sleep_for(30ms);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 30ms);
  });
}

TEST_P(PoolTest, ManySleepersRunConcurrently) {
  auto t0 = std::chrono::steady_clock::now();
  run([] {
    for (int i = 0; i < 100; ++i) wg::go([] { wg::sleep_for(50ms); });
  });
  auto dt = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(dt, 50ms);
  EXPECT_LT(dt, 2000ms);  // not 100 x 50 ms: sleeping parks, it does not block workers
}

TEST_P(PoolTest, TaskNameAndWorkerIndex) {
  run([&] {
    EXPECT_EQ(wg::task_name(), "main");
    EXPECT_EQ(wg::worker_count(), GetParam());
    wg::WaitGroup g;
    g.add();
    wg::go({.name = "named-task"}, [&] {
      EXPECT_EQ(wg::task_name(), "named-task");
      EXPECT_GE(wg::worker_index(), 0);
      EXPECT_LT(wg::worker_index(), GetParam());
      g.done();
    });
    g.wait();
  });
  EXPECT_FALSE(wg::in_task());
  EXPECT_EQ(wg::worker_index(), -1);
}

TEST_P(PoolTest, LargeStackOnRequest) {
  long sum = 0;
  run([&] {
    wg::WaitGroup g;
    g.add();
    wg::go({.name = "big", .stack_size = 2 << 20}, [&] {
      volatile char buf[1 << 20];
      std::memset(const_cast<char*>(buf), 1, sizeof buf);
      for (std::size_t i = 0; i < sizeof buf; i += 4096) sum += buf[i];
      g.done();
    });
    g.wait();
  });
  EXPECT_EQ(sum, 256);
}

TEST_P(PoolTest, TraceRecordsEveryTask) {
  wg::PoolOptions o = options();
  o.trace = true;
  wg::Pool pool(o);
  pool.run([] {
    for (int i = 0; i < 20; ++i) wg::go({.name = "traced"}, [] { wg::sleep_for(1ms); });
  });
  auto tr = pool.trace();
  ASSERT_EQ(tr.size(), 21u);
  std::set<std::uint64_t> ids;
  int traced = 0;
  for (const auto& r : tr) {
    ids.insert(r.id);
    traced += r.name == "traced";
    EXPECT_LE(r.start_ns, r.end_ns);
    EXPECT_GE(r.start_worker, 0);
    EXPECT_LT(r.end_worker, GetParam());
  }
  EXPECT_EQ(traced, 20);
  EXPECT_EQ(ids.size(), 21u);
  for (std::size_t i = 1; i < tr.size(); ++i) EXPECT_LE(tr[i - 1].start_ns, tr[i].start_ns);
  pool.clear_trace();
  EXPECT_TRUE(pool.trace().empty());
}

TEST_P(PoolTest, TraceShowsEveryShareOfABlockLoopWhoeverRanIt) {
  // The fork-join's caller runs one share itself and maybe others whose
  // worker was busy: those are not tasks, but the trace names them all, once
  // each round, with the time they took; a share's task that found its share
  // taken is left out.
  wg::PoolOptions o = options();
  o.trace = true;
  wg::Pool pool(o);
  const int workers = GetParam();
  constexpr int kRounds = 5;
  pool.run([&] {
    for (int r = 0; r < kRounds; ++r)
      wg::fiber_shares(workers, "share", [](int) { wg::sleep_for(200us); });
  });
  std::map<std::string, int> ran;  // share name -> records
  for (const auto& rec : pool.trace()) {
    if (rec.name == "main") continue;
    ++ran[rec.name];
    EXPECT_GE(rec.end_ns - rec.start_ns, 200'000) << rec.name << ": a bar for a share not run";
  }
  EXPECT_EQ(ran.size(), static_cast<std::size_t>(workers));
  for (int w = 0; w < workers; ++w)
    EXPECT_EQ(ran["share[" + std::to_string(w) + "]"], kRounds) << "share " << w;
}

TEST_P(PoolTest, TraceIsOffByDefault) {
  wg::Pool pool(options());
  pool.run([] { wg::go([] {}); });
  EXPECT_TRUE(pool.trace().empty());
}

TEST(PoolOptionsTest, BindCpusRuns) {
  wg::Pool pool({.threads = 2, .bind_cpus = true});
  std::atomic<int> n{0};
  pool.run([&] {
    for (int i = 0; i < 10; ++i) wg::go([&] { n++; });
  });
  EXPECT_EQ(n.load(), 10);
}

TEST(PoolOptionsTest, ZeroThreadsRejected) {
  EXPECT_THROW(wg::Pool({.threads = 0}), std::invalid_argument);
}

// A task failing outside any group names itself before the process ends.
TEST(PoolDeathTest, UncaughtTaskExceptionNamesTheTask) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        wg::Pool pool({.threads = 2});
        pool.run([] {
          wg::go({.name = "doomed-worker"}, [] { throw std::runtime_error("disk on fire"); });
          wg::sleep_for(1s);
        });
      },
      "task 'doomed-worker'.*disk on fire");
}

}  // namespace
