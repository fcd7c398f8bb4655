// SPDX-License-Identifier: Apache-2.0
#include "weft/io/space.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>

#include "agree.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::io {
namespace fs = std::filesystem;
namespace {

constexpr std::uint64_t kUnknown = std::numeric_limits<std::uint64_t>::max();
// Below this, a failed write is put down to a full file system.
constexpr std::uint64_t kNearlyFull = 1 << 20;

// existing() is `path` or its nearest ancestor that exists.
fs::path existing(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  while (!p.empty() && !fs::exists(p, ec) && p != p.parent_path()) p = p.parent_path();
  return p;
}

}  // namespace

std::uint64_t free_bytes(const std::string& path) {
  struct statvfs s {};
  if (::statvfs(existing(path).c_str(), &s) != 0) return kUnknown;
  return static_cast<std::uint64_t>(s.f_bavail) * s.f_frsize;
}

double io_timeout() {
  static const double seconds = [] {
    const char* v = std::getenv("WEFT_IO_TIMEOUT");
    char* end = nullptr;
    const double s = v ? std::strtod(v, &end) : 0;
    return v && end != v && s > 0 ? s : 600.0;
  }();
  return seconds;
}

std::string megabytes(std::uint64_t bytes) { return fmt::format("{:.1f} MB", bytes / 1e6); }

void ensure_space(const std::string& path, std::uint64_t bytes, const std::string& what,
                  MPI_Comm comm) {
  std::string problem;
  if (mpi::Comm(comm).rank() == 0) {
    const std::uint64_t need = bytes + bytes / 20 + (256 << 10);
    const std::uint64_t have = free_bytes(path);
    if (have != kUnknown && have < need) {
      const fs::path dir = existing(path);
      problem = fmt::format(
          "no space left on device on {}: {} needs {}, {} free. Free space there or set "
          "output.dir to a larger file system",
          dir.string(), what, megabytes(need), megabytes(have));
    }
  }
  problem = mpi::broadcast_string(problem, comm);
  if (!problem.empty()) throw NoSpace(problem);
}

std::string write_failure(const std::string& path, const std::string& error) {
  const std::uint64_t have = free_bytes(path);
  if (have == kUnknown || have >= kNearlyFull) return error;
  return fmt::format("no space left on device on {} ({} free): {}", existing(path).string(),
                     megabytes(have), error);
}

SpaceReserve::SpaceReserve(const std::string& dir, std::uint64_t bytes) {
  const std::string path = dir + "/.weft.reserve";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw RunError(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  path_ = path;
  const int err = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes));
  ::close(fd);
  if (err != 0) {
    release();
    const std::string cause = std::strerror(err);
    if (err == ENOSPC)
      throw NoSpace(fmt::format(
          "no space left on device on {}: weft keeps {} there to close its files safely, {} "
          "free. Free space there or set output.dir to a larger file system",
          dir, megabytes(bytes), megabytes(free_bytes(dir))));
    throw RunError(fmt::format("cannot reserve {} in {}: {}", megabytes(bytes), path, cause));
  }
}

void SpaceReserve::release() {
  if (path_.empty()) return;
  ::unlink(path_.c_str());
  path_.clear();
}

}  // namespace weft::io
