// SPDX-License-Identifier: Apache-2.0
// select(): readiness, default, timeout, fairness, close, nil channels.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <optional>

#include "go_test_util.hpp"
#include "weft/go/chan.hpp"
#include "weft/go/go.hpp"
#include "weft/go/select.hpp"
#include "weft/go/wait_group.hpp"

namespace wg = weft::go;
using namespace std::chrono_literals;

namespace {

class SelectTest : public wg::test::WorkersTest {};
WEFT_GO_INSTANTIATE(SelectTest);

TEST_P(SelectTest, PicksTheReadyCase) {
  run([] {
    wg::Chan<int> a(1), b(1);
    b.send(5);
    int got = 0;
    int idx = wg::select(wg::on_recv(a, [&](std::optional<int> v) { got = *v; }),
                         wg::on_recv(b, [&](std::optional<int> v) { got = *v * 10; }));
    EXPECT_EQ(idx, 1);
    EXPECT_EQ(got, 50);
  });
}

TEST_P(SelectTest, DefaultWhenNothingReady) {
  run([] {
    wg::Chan<int> a(0);
    bool def = false;
    int idx = wg::select(wg::on_recv(a), wg::on_default([&] { def = true; }));
    EXPECT_EQ(idx, 1);
    EXPECT_TRUE(def);
  });
}

TEST_P(SelectTest, TimeoutFiresAfterTheDuration) {
  run([] {
    wg::Chan<int> a(0);
    bool timed_out = false;
    auto t0 = std::chrono::steady_clock::now();
    int idx = wg::select(wg::on_recv(a), wg::on_timeout(25ms, [&] { timed_out = true; }));
    auto dt = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(idx, 1);
    EXPECT_TRUE(timed_out);
    EXPECT_GE(dt, 25ms);
    EXPECT_LT(dt, 2s);
  });
}

TEST_P(SelectTest, TimeoutNotTakenWhenACaseArrivesFirst) {
  run([] {
    wg::Chan<int> a(0);
    wg::go([&] {
      wg::sleep_for(5ms);
      a.send(3);
    });
    int got = 0;
    int idx =
        wg::select(wg::on_recv(a, [&](std::optional<int> v) { got = *v; }), wg::on_timeout(10s));
    EXPECT_EQ(idx, 0);
    EXPECT_EQ(got, 3);
  });
}

TEST_P(SelectTest, BlocksUntilSendOrRecvPossible) {
  run([] {
    wg::Chan<int> in(0), out(0);
    wg::go([&] { EXPECT_EQ(out.recv(), 42); });
    int idx = wg::select(wg::on_recv(in), wg::on_send(out, 42));
    EXPECT_EQ(idx, 1);
    wg::go([&] { in.send(1); });
    idx = wg::select(wg::on_recv(in), wg::on_send(out, 43));
    EXPECT_EQ(idx, 0);
  });
}

// Fairness: with every case always ready, each is chosen with probability
// 1/k. Check each count against the binomial mean within 5 sigma.
TEST_P(SelectTest, UniformAmongReadyCases) {
  run([] {
    constexpr int kRounds = 30000;
    wg::Chan<int> a(1), b(1), c(1);
    int counts[3] = {0, 0, 0};
    for (int r = 0; r < kRounds; ++r) {
      a.try_send(0);
      b.try_send(1);
      c.try_send(2);
      int idx = wg::select(wg::on_recv(a), wg::on_recv(b), wg::on_recv(c));
      ASSERT_GE(idx, 0);
      counts[idx]++;
    }
    const double mean = kRounds / 3.0;
    const double sigma = std::sqrt(kRounds * (1.0 / 3) * (2.0 / 3));
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(counts[k], mean, 5 * sigma) << "case " << k;
  });
}

// Fairness with live producers: two tasks keep their channel filled; once
// both have a value ready, select must pick each half the time (5 sigma).
TEST_P(SelectTest, FairBetweenTwoProducers) {
  run([] {
    constexpr int kRounds = 4000;
    wg::Chan<int> a(1), b(1);
    wg::Chan<bool> stop(0);
    wg::WaitGroup producers;  // the channels must outlive the producers
    for (auto* ch : {&a, &b}) {
      producers.add();
      wg::go([ch, &stop, &producers] {
        for (;;) {
          bool quit = false;
          wg::select(wg::on_send(*ch, 1), wg::on_recv(stop, [&] { quit = true; }));
          if (quit) break;
        }
        producers.done();
      });
    }
    int na = 0, nb = 0;
    for (int i = 0; i < kRounds; ++i) {
      while (a.size() == 0 || b.size() == 0) wg::yield();
      wg::select(wg::on_recv(a, [&] { na++; }), wg::on_recv(b, [&] { nb++; }));
    }
    stop.close();
    producers.wait();
    const double sigma = std::sqrt(kRounds * 0.25);
    EXPECT_NEAR(na, kRounds / 2.0, 5 * sigma);
    EXPECT_NEAR(nb, kRounds / 2.0, 5 * sigma);
  });
}

TEST_P(SelectTest, ClosedChannelIsReadyWithEmptyValue) {
  run([] {
    wg::Chan<int> a(0), b(0);
    a.close();
    bool empty = false;
    int idx = wg::select(wg::on_recv(a, [&](std::optional<int> v) { empty = !v; }), wg::on_recv(b));
    EXPECT_EQ(idx, 0);
    EXPECT_TRUE(empty);
  });
}

TEST_P(SelectTest, CloseWakesABlockedSelect) {
  run([] {
    wg::Chan<int> a(0), b(0);
    wg::go([&] {
      wg::sleep_for(5ms);
      b.close();
    });
    bool closed = false;
    int idx =
        wg::select(wg::on_recv(a), wg::on_recv(b, [&](std::optional<int> v) { closed = !v; }));
    EXPECT_EQ(idx, 1);
    EXPECT_TRUE(closed);
  });
}

TEST_P(SelectTest, SendOnClosedThrows) {
  run([] {
    wg::Chan<int> a(1);
    a.close();
    EXPECT_THROW(wg::select(wg::on_send(a, 1), wg::on_default()), wg::ChannelClosed);
  });
}

TEST_P(SelectTest, NilChannelNeverFires) {
  run([] {
    wg::Chan<int>* nil = nullptr;
    int idx = wg::select(wg::on_recv(nil), wg::on_timeout(5ms));
    EXPECT_EQ(idx, 1);
  });
}

TEST_P(SelectTest, LosingCasesAreWithdrawn) {
  // After a select woke through one channel, its waiter on the other must be
  // gone: a later send there must reach the plain receiver, not the select.
  run([] {
    wg::Chan<int> a(0), b(0);
    wg::go([&] { a.send(1); });
    wg::select(wg::on_recv(a), wg::on_recv(b));
    wg::go([&] { b.send(2); });
    EXPECT_EQ(b.recv(), 2);
  });
}

TEST_P(SelectTest, ManySelectorsManySenders) {
  const long n = wg::test::scaled(50'000);
  long sum = 0;
  run([&] {
    wg::Chan<long> a(0), b(3);
    wg::Chan<long> results(0);
    wg::go([&] {
      for (long i = 0; i < n; ++i) a.send(i);
    });
    wg::go([&] {
      for (long i = 0; i < n; ++i) b.send(i);
    });
    for (int k = 0; k < 3; ++k) {
      wg::go([&] {
        long s = 0;
        for (;;) {
          long v = -1;
          bool done = false;
          wg::select(wg::on_recv(a, [&](std::optional<long> x) { v = *x; }),
                     wg::on_recv(b, [&](std::optional<long> x) { v = *x; }),
                     wg::on_timeout(200ms, [&] { done = true; }));
          if (done) break;
          s += v;
        }
        results.send(s);
      });
    }
    for (int k = 0; k < 3; ++k) sum += *results.recv();
  });
  EXPECT_EQ(sum, n * (n - 1));
}

}  // namespace
