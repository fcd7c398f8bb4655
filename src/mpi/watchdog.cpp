// SPDX-License-Identifier: Apache-2.0
#include "weft/mpi/watchdog.hpp"

#include <mpi.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace weft::mpi {
namespace {

using Clock = std::chrono::steady_clock;

struct Timer {
  std::mutex m;
  std::condition_variable cv;
  bool armed = false;
  bool started = false;
  Clock::time_point deadline;
  std::string message;
  int code = 0;
  double seconds = 0;
};

Timer& timer() {
  static Timer* t = new Timer;  // never destroyed: its thread may outlive main()
  return *t;
}

[[noreturn]] void fire(const Timer& t) {
  int rank = 0, finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  std::fprintf(
      stderr,
      "[rank %d] error: %s (waited %g s; another rank may wait for ever inside a "
      "collective call of the I/O library after a write failed); ending the job (exit %d)\n",
      rank, t.message.c_str(), t.seconds, t.code);
  std::fflush(stderr);
  if (!finalized) MPI_Abort(MPI_COMM_WORLD, t.code);
  std::_Exit(t.code);
}

void watch() {
  Timer& t = timer();
  std::unique_lock lock(t.m);
  for (;;) {
    if (!t.armed) {
      t.cv.wait(lock);
      continue;
    }
    if (t.cv.wait_until(lock, t.deadline) == std::cv_status::timeout && t.armed &&
        Clock::now() >= t.deadline)
      fire(t);
  }
}

}  // namespace

void arm_abort_timer(const std::string& message, double seconds, int exit_code) {
  Timer& t = timer();
  {
    std::lock_guard lock(t.m);
    if (t.armed) return;  // the first failure's deadline and message stand
    t.armed = true;
    t.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(seconds));
    t.message = message;
    t.code = exit_code;
    t.seconds = seconds;
    if (!t.started) {
      t.started = true;
      std::thread(watch).detach();
    }
  }
  t.cv.notify_one();
}

void disarm_abort_timer() {
  Timer& t = timer();
  {
    std::lock_guard lock(t.m);
    t.armed = false;
  }
  t.cv.notify_one();
}

}  // namespace weft::mpi
