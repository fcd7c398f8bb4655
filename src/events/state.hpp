// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <vector>

#include "ingest.hpp"
#include "model.hpp"
#include "outputs.hpp"

// The state of one rank between two stages of the pipeline, and its form in
// a checkpoint (one column of int64 words: the byte length, then the bytes).
namespace weft::events {

// PipelineState is what a rank holds between stages.
struct PipelineState {
  Events events;                // before step 1: as read; after: this rank's keys, sorted
  Tables tables;                // the quarantine from the start, the rest as stages fill it
  std::int64_t rows = 0;        // rows this rank read
  std::int64_t bytes = 0;       // bytes this rank read
  std::vector<Cursor> cursors;  // during ingest steps: where each input's reading stands
};

// pack_state() is the state as int64 words; unpack_state() its inverse
// (std::runtime_error on words that are not a packed state).
std::vector<std::int64_t> pack_state(const PipelineState& s);
PipelineState unpack_state(const std::vector<std::int64_t>& words);

}  // namespace weft::events
