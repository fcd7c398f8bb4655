// SPDX-License-Identifier: Apache-2.0
#include "output_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "weft/mpi/collectives.hpp"

namespace weft::app {

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still held (take() checks for this)
  ::close(fd_);             // releases the flock
}

std::string OutputLock::take(const std::string& dir) {
  if (fd_ >= 0) return "";
  const std::string path = dir + "/.weft.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return fmt::format("cannot create {}: {}; check the permissions of output.dir", path,
                       std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    std::string holder(4096, '\0');
    const ssize_t n = ::pread(fd, holder.data(), holder.size() - 1, 0);
    holder.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!holder.empty() && holder.back() == '\n') holder.pop_back();
    ::close(fd);
    if (err == EWOULDBLOCK)
      return fmt::format(
          "output.dir '{}' is in use by a run that is still alive ({}); wait for it to end, stop "
          "it (kill -TERM those processes: they write a checkpoint), or choose another "
          "output.dir",
          dir, holder.empty() ? "its processes did not say who they are" : holder);
    return fmt::format("cannot lock {}: {}", path, std::strerror(err));
  }
  // A run that ended removed the file after we opened it: lock the new one.
  struct stat held {
  }, now{};
  if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &now) != 0 || held.st_ino != now.st_ino ||
      held.st_dev != now.st_dev) {
    ::close(fd);
    return take(dir);
  }
  fd_ = fd;
  path_ = path;
  return "";
}

void OutputLock::describe(MPI_Comm comm, const std::string& what) {
  char host[64] = {};
  ::gethostname(host, sizeof host - 1);
  const std::string mine = fmt::format("{}:{}", host, ::getpid());
  constexpr int kLen = 96;
  std::string padded = mine;
  padded.resize(kLen - 1, ' ');
  const mpi::Comm c(comm);
  std::vector<char> all(static_cast<std::size_t>(c.size()) * kLen);
  mpi::gather(padded.c_str(), kLen, all.data(), 0, comm);
  if (fd_ < 0) return;
  std::string ranks;
  for (int r = 0; r < c.size(); ++r) {
    std::string one(&all[static_cast<std::size_t>(r) * kLen], kLen - 1);
    one.erase(one.find_last_not_of(' ') + 1);
    ranks += (r ? " " : "") + one;
  }
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  const std::string text = fmt::format("held by {} rank{} (host:pid {}) since {}: {}\n", c.size(),
                                       c.size() == 1 ? "" : "s", ranks, when, what);
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, text.data(), text.size(), 0);
}

OrphanWatch::OrphanWatch() {
  const pid_t parent = ::getppid();
  thread_ = std::thread([this, parent] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
      if (::getppid() != parent) {  // the launcher died: we were re-parented
        ::kill(::getpid(), SIGTERM);
        return;
      }
    }
  });
}

OrphanWatch::~OrphanWatch() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

}  // namespace weft::app
