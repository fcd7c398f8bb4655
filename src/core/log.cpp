// SPDX-License-Identifier: Apache-2.0
#include "weft/core/log.hpp"

#include <fcntl.h>
#include <spdlog/sinks/base_sink.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <mutex>

namespace weft::log {
namespace {

spdlog::level::level_enum level_for(int verbosity) {
  if (verbosity < 0) return spdlog::level::warn;
  if (verbosity == 0) return spdlog::level::info;
  if (verbosity == 1) return spdlog::level::debug;
  return spdlog::level::trace;
}

int g_rank = 0;
int g_verbosity = 0;

// LineSink writes each message to a file descriptor with one write() of the
// whole line, so that lines of different ranks (over mpirun's pipes, into a
// shared log file opened O_APPEND) never interleave within a line. Messages
// at or above `below` are left to another sink (warnings go to stderr only).
class LineSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  LineSink(int fd, bool own, spdlog::level::level_enum below = spdlog::level::off)
      : fd_(fd), own_(own), below_(below) {}
  // mark_warnings() prefixes warnings and errors with `tag` and their level
  // ("[rank 1] warning: ...") in a sink whose pattern is the bare message.
  void mark_warnings(std::string tag) {
    mark_ = true;
    tag_ = std::move(tag);
  }
  ~LineSink() override {
    if (own_) ::close(fd_);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (msg.level >= below_) return;
    spdlog::memory_buf_t buf;
    if (mark_ && msg.level >= spdlog::level::warn) {
      const auto level = spdlog::level::to_string_view(msg.level);
      buf.append(tag_.data(), tag_.data() + tag_.size());
      buf.append(level.data(), level.data() + level.size());
      buf.append(std::string_view(": "));
    }
    formatter_->format(msg, buf);
    const char* p = buf.data();
    std::size_t n = buf.size();
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return;  // nowhere to write (a closed pipe): drop the message
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  void flush_() override {}

 private:
  int fd_;
  bool own_;
  spdlog::level::level_enum below_;
  bool mark_ = false;
  std::string tag_;
};

}  // namespace

void setup(int rank, int size, const Options& options) {
  g_rank = rank;
  g_verbosity = options.verbosity;
  const std::string tag = size > 1 ? "[rank " + std::to_string(rank) + "] " : "";
  auto out = std::make_shared<LineSink>(STDOUT_FILENO, false, spdlog::level::warn);
  out->set_level(rank == 0 ? level_for(options.verbosity) : spdlog::level::off);
  out->set_pattern(options.verbosity > 0 ? "[%l] %v" : "%v");
  auto err = std::make_shared<LineSink>(STDERR_FILENO, false);
  err->set_level(spdlog::level::warn);
  err->set_pattern(tag + "%l: %v");
  std::vector<spdlog::sink_ptr> sinks{out, err};
  auto logger = std::make_shared<spdlog::logger>("weft", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void add_rank_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  auto file = std::make_shared<LineSink>(fd, true);
  file->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [rank " + std::to_string(g_rank) + "] [%l] %v");
  file->set_level(level_for(std::max(g_verbosity, 1)));
  spdlog::default_logger()->sinks().push_back(file);
}

bool add_run_log(const std::string& path, int size, const std::string& preface) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  if (g_rank == 0 && !preface.empty() && ::write(fd, preface.data(), preface.size()) < 0) {
    ::close(fd);
    return false;
  }
  auto file = std::make_shared<LineSink>(fd, true);
  file->set_pattern("%v");
  file->mark_warnings(size > 1 ? "[rank " + std::to_string(g_rank) + "] " : "");
  file->set_level(g_rank == 0 ? level_for(std::max(g_verbosity, 0)) : spdlog::level::warn);
  spdlog::default_logger()->sinks().push_back(file);
  return true;
}

void flush() { spdlog::default_logger()->flush(); }

}  // namespace weft::log
