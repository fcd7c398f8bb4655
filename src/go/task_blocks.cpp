// SPDX-License-Identifier: Apache-2.0
// TaskBlocks: recycled heap blocks of small tasks (scheduler.hpp).
#include <cstdlib>
#include <mutex>
#include <new>
#include <utility>

#include "scheduler.hpp"

namespace weft::go::detail {

namespace {
constexpr std::size_t kTaskBatch = 64;     // blocks moved to or from the depot at once
constexpr std::size_t kDepotBatches = 64;  // the depot's cap (2 MiB of blocks)
}  // namespace

TaskBlocks::~TaskBlocks() {
  for (auto& batch : batches_) release(batch);
}

void* TaskBlocks::take(std::vector<void*>& mine) {
  if (mine.empty()) {
    std::lock_guard lk(mu_);
    if (!batches_.empty()) {
      mine.swap(batches_.back());
      batches_.pop_back();
    }
  }
  if (mine.empty()) return std::aligned_alloc(kTaskBlockAlign, kTaskBlock);
  void* block = mine.back();
  mine.pop_back();
  return block;
}

void TaskBlocks::give(std::vector<void*>& mine, void* block) noexcept {
  try {
    mine.push_back(block);
  } catch (...) {  // no room to keep it
    std::free(block);
    return;
  }
  if (mine.size() < 2 * kTaskBatch) return;
  std::vector<void*> batch;
  try {
    batch.assign(mine.end() - static_cast<std::ptrdiff_t>(kTaskBatch), mine.end());
  } catch (...) {
    return;
  }
  mine.resize(mine.size() - kTaskBatch);
  {
    std::lock_guard lk(mu_);
    if (batches_.size() < kDepotBatches) {
      try {
        batches_.push_back(std::move(batch));
        return;
      } catch (...) {
      }
    }
  }
  release(batch);
}

void TaskBlocks::release(std::vector<void*>& mine) noexcept {
  for (void* block : mine) std::free(block);
  mine.clear();
  mine.shrink_to_fit();
}

}  // namespace weft::go::detail
