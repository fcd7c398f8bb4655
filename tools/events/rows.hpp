// SPDX-License-Identifier: Apache-2.0
// generate_block: the CSV text of slots [lo, hi) of a Plan, with what the
// ground truth needs from them (malformed rows and their lines).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "plan.hpp"

namespace weft::events_gen {

struct Block {
  std::string text;
  std::uint64_t lines = 0;                         // physical lines of `text`
  std::uint64_t rows = 0;                          // data rows written
  std::vector<std::pair<int, std::uint64_t>> bad;  // (reason, line within the block, 0-based)
  // history[j]: clean rows of account j (the j-th outlier's) at slots before
  // that outlier's slot minus the jitter, a lower bound of its prior events.
  std::vector<std::uint64_t> history;
};

// generate_block fills `b` (cleared first) with the rows of slots [lo, hi).
void generate_block(const Plan& plan, std::uint64_t lo, std::uint64_t hi, Block& b);

// header is the CSV header line of the domain, without its line end.
const char* header(Domain d);

}  // namespace weft::events_gen
