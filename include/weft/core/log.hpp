// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <spdlog/spdlog.h>

#include <string>

// Rank-aware logging on spdlog. After setup(), use spdlog's functions
// (spdlog::info, spdlog::warn, spdlog::debug, ...) anywhere:
//   - rank 0 prints info (or what the verbosity allows) to stdout;
//   - every rank prints warnings and errors to stderr, prefixed "[rank N]"
//     when there is more than one rank;
//   - with all_ranks, each rank also writes everything to its own file.
namespace weft::log {

struct Options {
  int verbosity = 0;       // -1 quiet (warnings only), 0 info, 1 debug (-v), 2 trace (-vv)
  bool all_ranks = false;  // --log-all-ranks
};

// setup() installs the default logger for this rank. Call once per process,
// before anything logs; safe to call again (replaces the logger).
void setup(int rank, int size, const Options& options);

// add_rank_file() starts writing this rank's log to `path` as well (used
// with --log-all-ranks once the output directory exists).
void add_rank_file(const std::string& path);

// add_run_log() appends this rank's messages to the run's log `path`
// (log.txt in the output directory): rank 0 everything it prints (after
// `preface`, what it printed before the file existed), the other ranks
// their warnings and errors, each line written whole (O_APPEND). Returns
// false when the file cannot be opened.
bool add_run_log(const std::string& path, int size, const std::string& preface = "");

// flush() flushes every sink (before exit or abort).
void flush();

}  // namespace weft::log
