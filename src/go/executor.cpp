// SPDX-License-Identifier: Apache-2.0
#include "weft/go/executor.hpp"

#include <string>

#include "weft/core/error.hpp"
#include "weft/go/go.hpp"

namespace weft::go {

Scheduler parse_scheduler(std::string_view name) {
  if (name == "fibers") return Scheduler::fibers;
  if (name == "openmp") return Scheduler::openmp;
  throw weft::InputError("runtime.scheduler = \"" + std::string(name) +
                         "\" is not a scheduler; use \"fibers\" or \"openmp\"");
}

std::string_view to_string(Scheduler s) noexcept {
  return s == Scheduler::openmp ? "openmp" : "fibers";
}

Executor::Executor(const ExecutorConfig& config) : config_(config) {
  if (config_.threads < 1)
    throw weft::InputError("threads per rank must be at least 1, not " +
                           std::to_string(config_.threads));
  if (config_.scheduler == Scheduler::fibers) {
    PoolOptions po;
    po.threads = config_.threads;
    po.stack_size = config_.stack_size;
    po.trace = config_.trace;
    po.bind_cpus = config_.bind;
    po.mpi_progress = config_.mpi_progress;
    pool_ = std::make_unique<Pool>(po);
  }
}

Executor::~Executor() = default;

void Executor::run(const std::function<void()>& f) {
  // Inside one of the pool's tasks (a run loop that runs as a task and calls
  // an application's step, which runs its kernels through the executor), f
  // runs right there: one pool run for the whole loop, not one per step.
  if (pool_ && !in_task())
    pool_->run(f);
  else
    f();
}

std::string_view Executor::describe() const noexcept {
  return pool_ ? "fibers (weft::go)" : "openmp";
}

std::vector<TaskRecord> Executor::trace() const {
  return pool_ ? pool_->trace() : std::vector<TaskRecord>{};
}

}  // namespace weft::go
