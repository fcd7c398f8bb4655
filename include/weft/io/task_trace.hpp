// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "weft/go/trace.hpp"
#include "weft/io/parameters.hpp"

namespace weft::io {

// write_task_trace() stores one rank's weft::go task timeline in `path`
// (/runtime/trace/{name, worker, start_ns, end_ns}, attributes rank and
// workers; the resolved deck in /parameters), replacing the file atomically.
// Serial: call on the rank whose trace it is. tools/plot-tasks draws it.
void write_task_trace(const std::string& path, const std::vector<go::TaskRecord>& records, int rank,
                      int workers, const RunInfo& run);

}  // namespace weft::io
