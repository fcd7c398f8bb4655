// SPDX-License-Identifier: Apache-2.0
// Chan<T> and WaitGroup semantics, and the 4x4 producer/consumer stress.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "go_test_util.hpp"
#include "weft/go/chan.hpp"
#include "weft/go/go.hpp"
#include "weft/go/wait_group.hpp"

namespace wg = weft::go;
using namespace std::chrono_literals;

namespace {

class ChanTest : public wg::test::WorkersTest {};
WEFT_GO_INSTANTIATE(ChanTest);

TEST_P(ChanTest, UnbufferedSendWaitsForReceiver) {
  run([] {
    wg::Chan<int> ch(0);
    std::atomic<bool> sent{false};
    wg::go([&] {
      ch.send(7);
      sent = true;
    });
    wg::sleep_for(30ms);
    EXPECT_FALSE(sent.load());
    EXPECT_EQ(ch.recv(), 7);
    for (int i = 0; i < 1000 && !sent; ++i) wg::sleep_for(1ms);
    EXPECT_TRUE(sent.load());
  });
}

TEST_P(ChanTest, BufferedKeepsFifoOrderWithOddCapacity) {
  run([] {
    wg::Chan<int> ch(3);
    wg::go([&] {
      for (int i = 0; i < 1000; ++i) ch.send(i);
      ch.close();
    });
    int expect = 0;
    for (int v : ch) EXPECT_EQ(v, expect++);
    EXPECT_EQ(expect, 1000);
  });
}

TEST_P(ChanTest, PerProducerOrderIsKept) {
  run([] {
    wg::Chan<std::pair<int, int>> ch(5);
    wg::WaitGroup g;
    for (int p = 0; p < 4; ++p) {
      g.add();
      wg::go([&, p] {
        for (int i = 0; i < 500; ++i) ch.send({p, i});
        g.done();
      });
    }
    wg::go([&] {
      g.wait();
      ch.close();
    });
    std::vector<int> last(4, -1);
    for (auto [p, i] : ch) {
      EXPECT_EQ(i, last[static_cast<std::size_t>(p)] + 1);
      last[static_cast<std::size_t>(p)] = i;
    }
    for (int l : last) EXPECT_EQ(l, 499);
  });
}

TEST_P(ChanTest, CapacityAndTryOps) {
  run([] {
    wg::Chan<int> ch(2);
    EXPECT_EQ(ch.capacity(), 2u);
    EXPECT_FALSE(ch.try_recv());
    EXPECT_TRUE(ch.try_send(1));
    EXPECT_TRUE(ch.try_send(2));
    EXPECT_FALSE(ch.try_send(3));
    EXPECT_EQ(ch.size(), 2u);
    EXPECT_EQ(ch.try_recv(), 1);
    EXPECT_EQ(ch.try_recv(), 2);
    EXPECT_FALSE(ch.try_recv());
    wg::Chan<int> rv(0);
    EXPECT_FALSE(rv.try_send(1));  // nobody waiting
  });
}

TEST_P(ChanTest, DrainAfterClose) {
  run([] {
    wg::Chan<std::string> ch(4);
    ch.send("a");
    ch.send("b");
    ch.close();
    EXPECT_TRUE(ch.closed());
    EXPECT_EQ(ch.recv(), "a");
    EXPECT_EQ(ch.recv(), "b");
    EXPECT_FALSE(ch.recv());
    EXPECT_FALSE(ch.recv());
    EXPECT_THROW(ch.send("c"), wg::ChannelClosed);
    EXPECT_THROW(ch.try_send("c"), wg::ChannelClosed);
    EXPECT_THROW(ch.close(), wg::ChannelClosed);
  });
}

TEST_P(ChanTest, CloseWakesEveryBlockedReceiverAndSender) {
  run([] {
    wg::Chan<int> ch(0);
    wg::Chan<int> full(1);
    full.send(0);
    std::atomic<int> receivers_empty{0}, senders_threw{0};
    wg::WaitGroup g;
    for (int i = 0; i < 5; ++i) {
      g.add();
      wg::go([&] {
        if (!ch.recv()) receivers_empty++;
        g.done();
      });
      g.add();
      wg::go([&] {
        try {
          full.send(1);
        } catch (const wg::ChannelClosed&) {
          senders_threw++;
        }
        g.done();
      });
    }
    wg::sleep_for(20ms);
    ch.close();
    full.close();
    g.wait();
    EXPECT_EQ(receivers_empty.load(), 5);
    EXPECT_EQ(senders_threw.load(), 5);
    EXPECT_EQ(full.recv(), 0);  // the buffered value survives close
  });
}

TEST_P(ChanTest, TimedVariants) {
  run([] {
    wg::Chan<int> ch(0);
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(ch.recv_for(20ms));
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 20ms);
    t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(ch.send_for(5, 20ms));
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 20ms);
    wg::go([&] { ch.send(9); });
    EXPECT_EQ(ch.recv_for(10s), 9);
    wg::go([&] { EXPECT_EQ(ch.recv(), 4); });
    EXPECT_TRUE(ch.send_for(4, 10s));
  });
}

TEST_P(ChanTest, MoveOnlyValues) {
  run([] {
    wg::Chan<std::unique_ptr<int>> ch(1);
    wg::go([&] {
      for (int i = 0; i < 10; ++i) ch.send(std::make_unique<int>(i));
      ch.close();
    });
    int expect = 0;
    while (auto p = ch.recv()) EXPECT_EQ(**p, expect++);
    EXPECT_EQ(expect, 10);
  });
}

TEST_P(ChanTest, BufferedValuesAreDestroyedWithTheChannel) {
  auto token = std::make_shared<int>(1);
  run([&] {
    wg::Chan<std::shared_ptr<int>> ch(3);
    ch.send(token);
    ch.send(token);
  });
  EXPECT_EQ(token.use_count(), 1);
}

// Stress: 4 producers and 4 consumers move 10^6 distinct values through
// one channel; every value arrives exactly once.
TEST_P(ChanTest, StressFourProducersFourConsumers) {
  const long total = wg::test::scaled(1'000'000);
  const long per = total / 4;
  std::vector<std::atomic<unsigned char>> seen(static_cast<std::size_t>(per * 4));
  std::atomic<long> received{0};
  run([&] {
    wg::Chan<long> ch(64);
    wg::WaitGroup producers, consumers;
    for (int p = 0; p < 4; ++p) {
      producers.add();
      wg::go({.name = "producer"}, [&, p] {
        for (long i = 0; i < per; ++i) ch.send(p * per + i);
        producers.done();
      });
    }
    for (int c = 0; c < 4; ++c) {
      consumers.add();
      wg::go({.name = "consumer"}, [&] {
        long n = 0;
        for (long v : ch) {
          seen[static_cast<std::size_t>(v)].fetch_add(1, std::memory_order_relaxed);
          ++n;
        }
        received.fetch_add(n);
        consumers.done();
      });
    }
    producers.wait();
    ch.close();
    consumers.wait();
  });
  EXPECT_EQ(received.load(), per * 4);
  long bad = 0;
  for (auto& s : seen) bad += s.load() != 1;
  EXPECT_EQ(bad, 0) << "values lost or duplicated";
}

TEST_P(ChanTest, StressUnbuffered) {
  const long total = wg::test::scaled(200'000);
  std::atomic<long> sum{0};
  run([&] {
    wg::Chan<long> ch(0);
    wg::WaitGroup producers, consumers;
    for (int p = 0; p < 4; ++p) {
      producers.add();
      wg::go([&, p] {
        for (long i = p; i < total; i += 4) ch.send(i);
        producers.done();
      });
    }
    for (int c = 0; c < 4; ++c) {
      consumers.add();
      wg::go([&] {
        long s = 0;
        for (long v : ch) s += v;
        sum += s;
        consumers.done();
      });
    }
    producers.wait();
    ch.close();
    consumers.wait();
  });
  EXPECT_EQ(sum.load(), total * (total - 1) / 2);
}

// Destroying a channel a task is blocked on is a lifetime bug; it aborts
// with a message instead of corrupting memory later.
TEST(ChanDeathTest, DestroyedWhileATaskIsBlockedAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        wg::Pool pool({.threads = 1});
        pool.run([] {
          auto* ch = new wg::Chan<int>(0, "doomed");
          wg::go([ch] { ch->recv(); });
          wg::sleep_for(10ms);
          delete ch;
        });
      },
      "channel 'doomed' .* destroyed while tasks are blocked on it");
}

class WaitGroupTest : public wg::test::WorkersTest {};
WEFT_GO_INSTANTIATE(WaitGroupTest);

TEST_P(WaitGroupTest, WaitReturnsAfterEveryDone) {
  run([] {
    wg::WaitGroup g;
    std::atomic<int> n{0};
    for (int i = 0; i < 50; ++i) {
      g.add();
      wg::go([&, i] {
        wg::sleep_for(std::chrono::microseconds(100 * (i % 7)));
        n++;
        g.done();
      });
    }
    g.wait();
    EXPECT_EQ(n.load(), 50);
    EXPECT_EQ(g.count(), 0);
    g.wait();  // zero: returns at once
  });
}

TEST_P(WaitGroupTest, SeveralWaiters) {
  run([] {
    wg::WaitGroup g, waiters;
    std::atomic<int> woke{0};
    g.add(1);
    for (int i = 0; i < 5; ++i) {
      waiters.add();
      wg::go([&] {
        g.wait();
        woke++;
        waiters.done();
      });
    }
    wg::sleep_for(10ms);
    EXPECT_EQ(woke.load(), 0);
    g.done();
    waiters.wait();
    EXPECT_EQ(woke.load(), 5);
  });
}

TEST_P(WaitGroupTest, NegativeCounterThrows) {
  run([] {
    wg::WaitGroup g;
    EXPECT_THROW(g.done(), std::logic_error);
  });
}

}  // namespace
