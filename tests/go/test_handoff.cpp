// SPDX-License-Identifier: Apache-2.0
// Hand-offs (runnext): a task readied by a running task runs next on the
// same worker (its speed is measured by tools/bench/runtime's ping-pong,
// not here), cannot starve the worker's queue, and is taken by another
// worker when its readier keeps running.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "go_test_util.hpp"
#include "weft/go/chan.hpp"
#include "weft/go/go.hpp"
#include "weft/go/pool.hpp"
#include "weft/go/wait_group.hpp"

namespace wg = weft::go;

namespace {

class HandoffTest : public wg::test::WorkersTest {};
WEFT_GO_INSTANTIATE(HandoffTest);

// A pair handing off for ever on one worker must still let the queue run:
// a task spawned (queued) once the pair is handing off ends the pair.
TEST_P(HandoffTest, HandOffsDoNotStarveTheQueue) {
  run([&] {
    std::atomic<bool> stop{false};
    wg::Chan<int> a(0), b(0);
    wg::WaitGroup done;
    done.add(3);
    wg::go([&] {
      for (int round = 0; !stop.load(); ++round) {
        if (round == 100)
          wg::go([&] {  // queued behind the pair's hand-offs
            stop.store(true);
            done.done();
          });
        a.send(1);
        b.recv();
      }
      a.close();
      done.done();
    });
    wg::go([&] {
      for (int v : a) b.send(v);
      done.done();
    });
    done.wait();
  });
}

// A task readied by a task that then keeps its worker busy (spinning, no
// scheduling point) is taken by another worker: with 2 or more workers the
// spinner sees its partner run.
TEST_P(HandoffTest, AReadiedTaskIsTakenWhenItsReadierKeepsRunning) {
  if (GetParam() < 2) GTEST_SKIP() << "needs a second worker";
  run([&] {
    std::atomic<bool> ran{false};
    wg::Chan<int> c(0);
    wg::WaitGroup receiver;  // ran and c must outlive the receiver
    receiver.add();
    wg::go([&] {
      c.recv();
      ran.store(true);
      receiver.done();
    });
    // Let the receiver park first, then ready it and spin.
    bool gave_up = false;
    while (!ran.load() && !gave_up) {
      if (c.try_send(1)) {
        const auto t0 = std::chrono::steady_clock::now();
        while (!ran.load() && !gave_up)
          gave_up = std::chrono::steady_clock::now() - t0 > std::chrono::seconds(10);
      }
      if (!gave_up) wg::yield();
    }
    EXPECT_FALSE(gave_up) << "the readied task never ran while its readier spun";
    if (gave_up) c.close();  // (not reached when it works) let the receiver end
    receiver.wait();
  });
}

}  // namespace
