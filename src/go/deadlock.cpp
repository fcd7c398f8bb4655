// SPDX-License-Identifier: Apache-2.0
// Quiescence: when every worker is idle, either the run is complete or, if
// tasks are still parked with nothing left to wake them, a deadlock; then
// the report and the youngest-first unwinding of the blocked tasks.
#include <algorithm>
#include <cstdio>
#include <mutex>
#include <string>

#include "scheduler.hpp"

namespace weft::go::detail {

void PoolImpl::check_quiescent(Worker* w, std::unique_lock<std::mutex>& lk) {
  if (!running.load(std::memory_order_acquire) || !root_injected.load(std::memory_order_seq_cst))
    return;
  if (inj_size.load(std::memory_order_seq_cst) > 0) return;
  std::int64_t live = ext_live.load(std::memory_order_acquire);
  for (const auto& v : workers) {
    if (v->queue.approx_size() > 0 || v->runnext.load(std::memory_order_acquire) ||
        v->mail_size.load(std::memory_order_acquire) > 0)
      return;
    live += v->live.load(std::memory_order_relaxed);
  }
  if (live == 0) {
    {
      std::lock_guard ak(agent_mu);
      run_done = true;
    }
    agent_cv.notify_all();
    return;
  }
  if (timers.count() > 0 || mpi_pending.load(std::memory_order_seq_cst) > 0) return;
  if (unwinding.load(std::memory_order_acquire)) return;
  // Every task is parked and nothing outside the tasks can wake one.
  idle_list.erase(std::find(idle_list.begin(), idle_list.end(), w));
  w->idle = false;
  nidle.fetch_sub(1, std::memory_order_seq_cst);
  deadlocked = true;
  lk.unlock();
  handle_deadlock(w);
  lk.lock();
}

std::string PoolImpl::deadlock_report() {
  std::vector<Task*> tasks;
  for (auto& v : workers) {
    std::lock_guard lk(v->reg_mu);
    for (Task* t = v->reg_head; t; t = t->reg_next) tasks.push_back(t);
  }
  std::sort(tasks.begin(), tasks.end(), [](Task* a, Task* b) { return a->id < b->id; });
  std::string out = "weft::go: deadlock: all " + std::to_string(tasks.size()) +
                    " tasks are blocked and no timer or MPI request can wake one:\n";
  char line[256];
  for (Task* t : tasks) {
    const char* what = t->wait_what ? t->wait_what : "(not parked)";
    if (t->wait_obj && t->wait_name && t->wait_name[0]) {
      std::snprintf(line, sizeof line, "  task '%s' (#%llu) blocked in %s on '%s' (%p)\n", t->name,
                    static_cast<unsigned long long>(t->id), what, t->wait_name, t->wait_obj);
    } else if (t->wait_obj) {
      std::snprintf(line, sizeof line, "  task '%s' (#%llu) blocked in %s on %p\n", t->name,
                    static_cast<unsigned long long>(t->id), what, t->wait_obj);
    } else {
      std::snprintf(line, sizeof line, "  task '%s' (#%llu) blocked in %s\n", t->name,
                    static_cast<unsigned long long>(t->id), what);
    }
    out += line;
  }
  return out;
}

void PoolImpl::handle_deadlock(Worker* /*w*/) {
  std::string rep = deadlock_report();
  std::fputs(rep.c_str(), stderr);
  std::fputs(
      "weft::go: unwinding the blocked tasks (youngest first); Pool::run() throws DeadlockError\n",
      stderr);
  std::fflush(stderr);
  {
    std::lock_guard lk(unwind_mu);
    report = std::move(rep);
    unwind_list.clear();
    for (auto& v : workers) {
      std::lock_guard rk(v->reg_mu);
      for (Task* t = v->reg_head; t; t = t->reg_next) {
        t->unwinding = true;
        unwind_list.push_back(t);
      }
    }
    std::sort(unwind_list.begin(), unwind_list.end(),
              [](Task* a, Task* b) { return a->id < b->id; });
    unwinding.store(true, std::memory_order_release);
  }
  unwind_next();
}

void PoolImpl::unwind_next() {
  Task* t = nullptr;
  {
    std::lock_guard lk(unwind_mu);
    while (!unwind_list.empty()) {
      Task* c = unwind_list.back();
      unwind_list.pop_back();
      if (c->wait_sync && c->wait_sync->claim()) {
        c->wait_sync->winner = kUnwind;
        t = c;
        break;
      }
    }
    if (!t) unwinding.store(false, std::memory_order_release);
  }
  if (t) ready(t);
}

}  // namespace weft::go::detail
