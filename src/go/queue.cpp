// SPDX-License-Identifier: Apache-2.0
// RunQueue and TimerHeap of the weft::go scheduler.
#include <algorithm>
#include <mutex>

#include "scheduler.hpp"

namespace weft::go::detail {

void RunQueue::grow() {
  std::vector<Task*> bigger(ring_.size() * 2);
  for (std::size_t i = 0; i < count_; ++i) bigger[i] = ring_[(head_ + i) & (ring_.size() - 1)];
  ring_.swap(bigger);
  head_ = 0;
}

void RunQueue::push_back(Task* t) {
  std::lock_guard lk(mu_);
  if (count_ == ring_.size()) grow();
  ring_[(head_ + count_) & (ring_.size() - 1)] = t;
  ++count_;
  size_.store(count_, std::memory_order_release);
}

void RunQueue::push_front(Task* t) {
  std::lock_guard lk(mu_);
  if (count_ == ring_.size()) grow();
  head_ = (head_ + ring_.size() - 1) & (ring_.size() - 1);
  ring_[head_] = t;
  ++count_;
  size_.store(count_, std::memory_order_release);
}

Task* RunQueue::pop(bool fifo) {
  if (size_.load(std::memory_order_acquire) == 0) return nullptr;
  std::lock_guard lk(mu_);
  if (count_ == 0) return nullptr;
  Task* t = nullptr;
  if (fifo) {
    t = ring_[head_];
    head_ = (head_ + 1) & (ring_.size() - 1);
  } else {
    t = ring_[(head_ + count_ - 1) & (ring_.size() - 1)];
  }
  --count_;
  size_.store(count_, std::memory_order_release);
  return t;
}

Task* RunQueue::steal_into(RunQueue& dst) {
  if (size_.load(std::memory_order_acquire) == 0) return nullptr;
  Task* batch[64];
  std::size_t k = 0;
  {
    std::lock_guard lk(mu_);
    std::size_t take = std::min<std::size_t>((count_ + 1) / 2, 64);
    for (; k < take; ++k) {
      batch[k] = ring_[head_];
      head_ = (head_ + 1) & (ring_.size() - 1);
      --count_;
    }
    size_.store(count_, std::memory_order_release);
  }
  if (k == 0) return nullptr;
  if (k > 1) {
    std::lock_guard lk(dst.mu_);
    for (std::size_t i = 1; i < k; ++i) {
      if (dst.count_ == dst.ring_.size()) dst.grow();
      dst.ring_[(dst.head_ + dst.count_) & (dst.ring_.size() - 1)] = batch[i];
      ++dst.count_;
    }
    dst.size_.store(dst.count_, std::memory_order_release);
  }
  return batch[0];
}

namespace {
std::int64_t to_ns(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
}  // namespace

void TimerHeap::sift_up(std::size_t i) {
  while (i > 0) {
    std::size_t p = (i - 1) / 2;
    if (heap_[p]->when <= heap_[i]->when) break;
    std::swap(heap_[p], heap_[i]);
    heap_[p]->heap_index = static_cast<int>(p);
    heap_[i]->heap_index = static_cast<int>(i);
    i = p;
  }
}

void TimerHeap::sift_down(std::size_t i) {
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && heap_[l]->when < heap_[m]->when) m = l;
    if (r < n && heap_[r]->when < heap_[m]->when) m = r;
    if (m == i) break;
    std::swap(heap_[m], heap_[i]);
    heap_[m]->heap_index = static_cast<int>(m);
    heap_[i]->heap_index = static_cast<int>(i);
    i = m;
  }
}

void TimerHeap::remove_at(std::size_t i) {
  TimerNode* gone = heap_[i];
  gone->heap_index = -1;
  TimerNode* last = heap_.back();
  heap_.pop_back();
  if (i < heap_.size()) {
    heap_[i] = last;
    last->heap_index = static_cast<int>(i);
    sift_down(i);
    sift_up(i);
  }
  count_.store(static_cast<int>(heap_.size()), std::memory_order_release);
}

void TimerHeap::publish_next() {
  next_ns_.store(heap_.empty() ? INT64_MAX : to_ns(heap_.front()->when), std::memory_order_release);
}

void TimerHeap::add(TimerNode* n) {
  std::lock_guard lk(mu_);
  n->state.store(1, std::memory_order_relaxed);
  n->heap_index = static_cast<int>(heap_.size());
  heap_.push_back(n);
  sift_up(heap_.size() - 1);
  count_.store(static_cast<int>(heap_.size()), std::memory_order_release);
  publish_next();
}

namespace {
// tls_firing is the timer whose callback this thread runs (fire_expired()).
thread_local TimerNode* tls_firing = nullptr;
}  // namespace

void TimerHeap::cancel(TimerNode* n) noexcept {
  {
    std::lock_guard lk(mu_);
    if (n->heap_index >= 0) {
      remove_at(static_cast<std::size_t>(n->heap_index));
      n->state.store(3, std::memory_order_release);
      publish_next();
      return;
    }
  }
  // Not in the heap: idle, done, or firing right now. Firing on this very
  // thread (a callback destroying its own node): nothing to wait for.
  if (tls_firing == n) {
    tls_firing = nullptr;
    return;
  }
  // Firing on another worker: wait until its callback returned.
  while (n->state.load(std::memory_order_acquire) == 2) sched_yield();
}

int TimerHeap::fire_expired(TimePoint now) {
  if (count() == 0 || to_ns(now) < next_ns()) return 0;
  // One node at a time: the others stay in the heap while a callback runs,
  // so a callback that cancels another due timer (a context's deadline
  // cancelling its child, whose last owner then destroys it with its timer
  // node) removes it from the heap instead of waiting for a firing that
  // would only start after the callback returned (a self-deadlock).
  int k = 0;
  for (; k < 32; ++k) {
    TimerNode* n = nullptr;
    {
      std::lock_guard lk(mu_);
      if (heap_.empty() || heap_.front()->when > now) break;
      n = heap_.front();
      remove_at(0);
      n->state.store(2, std::memory_order_relaxed);
      publish_next();
    }
    tls_firing = n;
    n->fire(n);
    // A callback may end its own node's owner (the last reference to a
    // context dropped inside its own deadline): cancel() then cleared
    // tls_firing and the node must not be touched again.
    if (tls_firing == n) n->state.store(3, std::memory_order_release);  // last touch
    tls_firing = nullptr;
  }
  return k;
}

}  // namespace weft::go::detail
