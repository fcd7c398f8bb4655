// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: the lock a run holds on its output directory, and the watch that
// stops ranks whose launcher died.

#include <mpi.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace weft::app {

// OutputLock is an exclusive flock() on `<dir>/.weft.lock`, held by rank 0
// for the life of the run and removed at its end (the kernel drops the lock
// when the process ends, also by SIGKILL, so a lock file left by dead
// processes is taken over without a question). The file says who holds it:
// host, the pid of every rank, the command and when it started.
class OutputLock {
 public:
  OutputLock() = default;
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  // take() locks `dir` (creating the lock file; `dir` must exist). Returns
  // "" or, when live processes hold it, a message saying which. Rank 0.
  std::string take(const std::string& dir);
  bool held() const { return fd_ >= 0; }
  // describe() writes who holds the lock: every rank's host and pid (from
  // `comm`) and `what` (the command). Collective.
  void describe(MPI_Comm comm, const std::string& what);

 private:
  int fd_ = -1;
  std::string path_;
};

// OrphanWatch stops this process (SIGTERM to itself: a checkpoint and exit
// 75, as any stop signal) within a second of its parent — the MPI launcher
// — dying, e.g. `kill -9` of mpirun, which leaves the ranks running.
class OrphanWatch {
 public:
  OrphanWatch();
  ~OrphanWatch();
  OrphanWatch(const OrphanWatch&) = delete;
  OrphanWatch& operator=(const OrphanWatch&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace weft::app
