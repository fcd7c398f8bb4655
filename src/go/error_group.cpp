// SPDX-License-Identifier: Apache-2.0
#include "weft/go/error_group.hpp"

#include <cstdio>
#include <mutex>

#include "scheduler.hpp"

namespace weft::go {

namespace {
std::string describe(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown exception";
  }
}

std::string message(const std::vector<TaskFailure>& f) {
  std::string m = "task '" + f.front().task + "' failed: " + describe(f.front().error);
  if (f.size() > 1) {
    m += " (and " + std::to_string(f.size() - 1) + " later failure" + (f.size() > 2 ? "s" : "") +
         ":";
    for (std::size_t i = 1; i < f.size() && i < 4; ++i)
      m += " '" + f[i].task + "': " + describe(f[i].error) + ";";
    if (f.size() > 4) m += " ...";
    m += ")";
  }
  return m;
}
}  // namespace

void detail::ErrorGroupState::fail(std::string_view task, std::exception_ptr e) {
  {
    std::lock_guard lk(mu);
    failures.push_back(TaskFailure{std::string(task), std::move(e)});
  }
  ctx.cancel();
}

void ErrorGroup::wait() {
  s_->wg.wait();
  std::vector<TaskFailure> f;
  {
    std::lock_guard lk(s_->mu);
    s_->observed = true;
    f = s_->failures;
  }
  if (!f.empty()) {
    std::string m = message(f);
    throw TaskError(m, std::move(f));
  }
}

ErrorGroup::~ErrorGroup() {
  detail::Task* self = detail::current_task();
  if (self && !self->unwinding) {
    try {
      s_->wg.wait();
    } catch (...) {
    }
  } else if (s_->wg.count() > 0 && !self) {
    std::fputs("weft::go: ErrorGroup destroyed outside a task with tasks still running\n", stderr);
  }
  std::lock_guard lk(s_->mu);
  if (!s_->observed && !s_->failures.empty()) {
    std::fprintf(stderr, "weft::go: ErrorGroup destroyed without wait(); %s\n",
                 message(s_->failures).c_str());
  }
}

}  // namespace weft::go
