// SPDX-License-Identifier: Apache-2.0
// The deadlock report: every task blocked, nothing left to wake one.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "go_test_util.hpp"
#include "weft/go/chan.hpp"
#include "weft/go/go.hpp"
#include "weft/go/select.hpp"
#include "weft/go/wait_group.hpp"

namespace wg = weft::go;
using namespace std::chrono_literals;

namespace {

class DeadlockTest : public wg::test::WorkersTest {};
WEFT_GO_INSTANTIATE(DeadlockTest);

TEST_P(DeadlockTest, ReportNamesTasksAndChannels) {
  wg::Pool pool(options());
  std::string what;
  testing::internal::CaptureStderr();
  try {
    pool.run([] {
      wg::Chan<int> requests(0, "requests");
      wg::Chan<int> replies(0, "replies");
      wg::go({.name = "server"}, [&] {
        int r = *requests.recv();
        replies.send(r);
      });
      wg::go({.name = "idle-client"}, [&] { replies.recv(); });
      replies.recv();  // nobody sends a request: all three wait forever
    });
  } catch (const wg::DeadlockError& e) {
    what = e.what();
  }
  const std::string err = testing::internal::GetCapturedStderr();
  ASSERT_FALSE(what.empty()) << "run() did not throw DeadlockError";
  EXPECT_NE(what.find("deadlock"), std::string::npos) << what;
  EXPECT_NE(what.find("all 3 tasks are blocked"), std::string::npos) << what;
  EXPECT_NE(what.find("task 'server'"), std::string::npos) << what;
  EXPECT_NE(what.find("Chan::recv on 'requests'"), std::string::npos) << what;
  EXPECT_NE(what.find("task 'idle-client'"), std::string::npos) << what;
  EXPECT_NE(what.find("task 'main'"), std::string::npos) << what;
  EXPECT_NE(what.find("'replies'"), std::string::npos) << what;
  EXPECT_NE(err.find("task 'server'"), std::string::npos) << "report not printed to stderr";
  // The pool survives and runs again.
  int x = 0;
  pool.run([&] { x = 1; });
  EXPECT_EQ(x, 1);
}

TEST_P(DeadlockTest, WaitGroupAndSelectDeadlocks) {
  wg::Pool pool(options());
  testing::internal::CaptureStderr();
  std::string what;
  try {
    pool.run([] {
      wg::WaitGroup g;
      g.add(2);
      wg::Chan<int> a(0, "a");
      wg::go({.name = "selector"}, [&] {
        wg::select(wg::on_recv(a), wg::on_send(a, 1));  // with itself: never matches
        g.done();
      });
      g.wait();
    });
  } catch (const wg::DeadlockError& e) {
    what = e.what();
  }
  const std::string err = testing::internal::GetCapturedStderr();
  ASSERT_FALSE(what.empty()) << "run() did not throw DeadlockError; stderr:\n" << err;
  EXPECT_NE(what.find("WaitGroup::wait"), std::string::npos) << what;
  EXPECT_NE(what.find("task 'selector' "), std::string::npos) << what;
  EXPECT_NE(what.find("select"), std::string::npos) << what;
}

TEST_P(DeadlockTest, NoFalseAlarmWhileATimerIsPending) {
  wg::Pool pool(options());
  int got = 0;
  EXPECT_NO_THROW(pool.run([&] {
    wg::Chan<int> ch(0);
    wg::go([&] {
      wg::sleep_for(50ms);  // everyone else is blocked meanwhile
      ch.send(5);
    });
    got = *ch.recv();
  }));
  EXPECT_EQ(got, 5);
}

TEST_P(DeadlockTest, RootFailureUnblocksTheOthers) {
  wg::Pool pool(options());
  testing::internal::CaptureStderr();
  wg::Chan<int> forever(0, "forever");  // outlives the run
  EXPECT_THROW(pool.run([&] {
    wg::go({.name = "orphan"}, [&] { forever.recv(); });
    wg::yield();
    throw std::runtime_error("main failed");
  }),
               std::runtime_error);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("task 'orphan'"), std::string::npos) << err;
}

}  // namespace
