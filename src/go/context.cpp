// SPDX-License-Identifier: Apache-2.0
#include "weft/go/context.hpp"

#include <algorithm>
#include <mutex>

#include "scheduler.hpp"

namespace weft::go {

namespace detail {

ContextState::~ContextState() {
  if (timer_armed) cancel_timer(timer);
}

void ContextState::cancel(CancelReason why) noexcept {
  int expected = 0;
  if (!reason.compare_exchange_strong(expected, static_cast<int>(why), std::memory_order_acq_rel))
    return;
  try {
    done.close();
  } catch (...) {
  }
  std::vector<std::weak_ptr<ContextState>> kids;
  {
    std::lock_guard lk(mu);
    kids.swap(children);
  }
  for (auto& k : kids) {
    if (auto c = k.lock()) c->cancel(why);
  }
}

namespace {
void deadline_fire(TimerNode* n) {
  static_cast<ContextState*>(n->arg)->cancel(CancelReason::deadline_exceeded);
}
}  // namespace

}  // namespace detail

Context::Context() : s_(std::make_shared<detail::ContextState>()) {}

Context Context::with_cancel() const { return with_deadline(detail::TimePoint::max()); }

Context Context::with_deadline(std::chrono::steady_clock::time_point deadline) const {
  auto c = std::make_shared<detail::ContextState>();
  c->parent = s_;
  c->deadline = std::min(deadline, s_->deadline);
  bool parent_done = false;
  {
    std::lock_guard lk(s_->mu);
    if (s_->reason.load(std::memory_order_acquire) != 0) {
      parent_done = true;
    } else {
      auto& kids = s_->children;
      if (kids.size() >= 16 && (kids.size() & (kids.size() - 1)) == 0) {
        kids.erase(std::remove_if(kids.begin(), kids.end(), [](auto& w) { return w.expired(); }),
                   kids.end());
      }
      kids.push_back(c);
    }
  }
  if (parent_done) {
    c->cancel(static_cast<CancelReason>(s_->reason.load()));
  } else if (c->deadline != detail::TimePoint::max()) {
    if (c->deadline <= detail::Clock::now()) {
      c->cancel(CancelReason::deadline_exceeded);
    } else if (detail::current_task()) {
      c->timer.when = c->deadline;
      c->timer.fire = &detail::deadline_fire;
      c->timer.arg = c.get();
      detail::add_timer(c->timer);
      c->timer_armed = true;
    }
  }
  return Context(std::move(c));
}

void Context::cancel() const { s_->cancel(CancelReason::cancelled); }

CancelReason Context::reason() const noexcept {
  int r = s_->reason.load(std::memory_order_acquire);
  if (r == 0 && s_->deadline != detail::TimePoint::max() && detail::Clock::now() >= s_->deadline) {
    s_->cancel(CancelReason::deadline_exceeded);
    r = s_->reason.load(std::memory_order_acquire);
  }
  return static_cast<CancelReason>(r);
}

void Context::check() const {
  switch (reason()) {
    case CancelReason::none:
      return;
    case CancelReason::cancelled:
      throw Cancelled("weft::go: context cancelled");
    case CancelReason::deadline_exceeded:
      throw Cancelled("weft::go: context deadline exceeded");
  }
}

std::chrono::steady_clock::time_point Context::deadline() const noexcept { return s_->deadline; }

Chan<std::monostate>& Context::done() const noexcept { return s_->done; }

}  // namespace weft::go
