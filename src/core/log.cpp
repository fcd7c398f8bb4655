// SPDX-License-Identifier: Apache-2.0
#include "weft/core/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <memory>

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

// OutSink prints only messages below warning level: warnings and errors
// go to stderr, so nothing is printed twice.
class OutSink final : public spdlog::sinks::stdout_sink_mt {
 public:
  void log(const spdlog::details::log_msg& msg) override {
    if (msg.level < spdlog::level::warn) spdlog::sinks::stdout_sink_mt::log(msg);
  }
};

}  // namespace

void setup(int rank, int size, const Options& options) {
  g_rank = rank;
  g_verbosity = options.verbosity;
  const std::string tag = size > 1 ? "[rank " + std::to_string(rank) + "] " : "";
  auto out = std::make_shared<OutSink>();
  out->set_level(rank == 0 ? level_for(options.verbosity) : spdlog::level::off);
  out->set_pattern(options.verbosity > 0 ? "[%l] %v" : "%v");
  auto err = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  err->set_level(spdlog::level::warn);
  err->set_pattern(tag + "%l: %v");
  std::vector<spdlog::sink_ptr> sinks{out, err};
  auto logger = std::make_shared<spdlog::logger>("weft", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void add_rank_file(const std::string& path) {
  auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, true);
  file->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [rank " + std::to_string(g_rank) + "] [%l] %v");
  file->set_level(level_for(std::max(g_verbosity, 1)));
  spdlog::default_logger()->sinks().push_back(file);
}

void flush() { spdlog::default_logger()->flush(); }

}  // namespace weft::log
