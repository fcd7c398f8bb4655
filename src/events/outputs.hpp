// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "analysis.hpp"
#include "model.hpp"
#include "weft/events/config.hpp"
#include "weft/io/parameters.hpp"

// Stage 5 of the pipeline: the result tables in events.h5 (written in
// parallel, each rank its rows) and, with output.csv, as CSV files sorted
// the same way whatever the number of ranks.
namespace weft::events {

// Tables is a rank's rows of every result table.
struct Tables {
  std::vector<KeyStats> keys;  // sorted by key
  std::vector<DayRow> days;    // sorted by day
  std::vector<Flag> flags;     // sorted by flag_order
  std::vector<BadRow> bad;     // any order
};

// write_h5() writes `path` (groups aggregates, per_day, flags, quarantine
// and /parameters with the resolved deck). Collective.
void write_h5(const std::string& path, const Tables& t, const Config& c, const io::RunInfo& run,
              MPI_Comm comm);

// write_csv() writes aggregates.csv, per_day.csv, flags.csv and
// quarantine.csv in `dir` from rank 0 (rows gathered and sorted by key,
// day, (rule, key, events) and (file, line)). Collective; weft::RunError on
// every rank when a file cannot be written.
void write_csv(const std::string& dir, const Tables& t, const Config& c, MPI_Comm comm);

}  // namespace weft::events
