// SPDX-License-Identifier: Apache-2.0
// Private: the parking protocol every blocking primitive of weft::go is
// built on. Not part of the public API; names may change.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>

namespace weft::go::detail {

struct Task;  // defined in src/go/scheduler.hpp

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// ForcedUnwind is thrown inside a task whose pool gave up on it (deadlock)
// to run its destructors. It is not a std::exception; a catch (...) that
// sees it must rethrow.
struct ForcedUnwind {};

// kTimeout and kUnwind are WaitSync::winner values besides case indices.
inline constexpr int kTimeout = -2;
inline constexpr int kUnwind = -3;

// WaitSync is one blocking episode of one task: every queue the task waits
// in (one channel, several select cases, a timer) points to the same
// WaitSync, and exactly one waker wins claim() and then calls ready().
struct WaitSync {
  Task* task = nullptr;
  std::atomic<int> claimed{0};
  int winner = -1;  // case index that woke us, kTimeout or kUnwind

  // claim() returns true for exactly one caller per episode.
  bool claim() noexcept {
    int expected = 0;
    return claimed.load(std::memory_order_relaxed) == 0 &&
           claimed.compare_exchange_strong(expected, 1, std::memory_order_acq_rel);
  }
};

// Waiter is a task's entry in one wait queue (Go's sudog). It lives on the
// waiting task's stack.
struct Waiter {
  WaitSync* sync = nullptr;
  void* elem = nullptr;  // send: T* source; recv: std::optional<T>* target
  int index = 0;         // case index reported through WaitSync::winner
  bool success = false;  // recv: a value was delivered (false: closed)
  bool queued = false;
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
};

// WaitQueue is an intrusive FIFO of waiters, protected by its owner's lock.
struct WaitQueue {
  Waiter* head = nullptr;
  Waiter* tail = nullptr;

  bool empty() const noexcept { return head == nullptr; }
  void push_back(Waiter* w) noexcept {
    w->prev = tail;
    w->next = nullptr;
    if (tail) {
      tail->next = w;
    } else {
      head = w;
    }
    tail = w;
    w->queued = true;
  }
  void remove(Waiter* w) noexcept {
    if (!w->queued) return;
    if (w->prev) {
      w->prev->next = w->next;
    } else {
      head = w->next;
    }
    if (w->next) {
      w->next->prev = w->prev;
    } else {
      tail = w->prev;
    }
    w->prev = w->next = nullptr;
    w->queued = false;
  }
  // dequeue() removes and returns the first waiter whose episode it could
  // claim; waiters already claimed elsewhere (select, timeout) are dropped.
  Waiter* dequeue() noexcept {
    while (Waiter* w = head) {
      remove(w);
      if (w->sync->claim()) return w;
    }
    return nullptr;
  }
};

// current_task() returns the running task, or nullptr on a thread that is
// not executing a weft::go task.
Task* current_task() noexcept;

// require_task() returns current_task() or throws std::logic_error naming
// the operation that needs a task.
Task* require_task(const char* operation);

// park() suspends the current task until ready() is called for its episode
// (a ready() that comes first is remembered). what/obj/obj_name describe
// the wait for the deadlock report. If the task is being unwound (pool
// deadlock) park() returns at once with sync.winner == kUnwind.
void park(WaitSync& sync, const char* what, const void* obj, const char* obj_name);

// ready() makes the task of a claimed episode runnable. Callable from any
// thread.
void ready(Task* task);

// throw_unwind() throws the internal exception that unwinds a task's stack
// when its pool gave up on it (deadlock). Never catch it without rethrow.
[[noreturn]] void throw_unwind();

// TimerNode is an entry in the current pool's timer heap.
struct TimerNode {
  TimePoint when{};
  void (*fire)(TimerNode*) = nullptr;  // runs on a worker, no locks held
  void* arg = nullptr;
  int heap_index = -1;
  std::atomic<int> state{0};  // 0 idle, 1 armed, 2 firing, 3 done
  void* pool = nullptr;
};

// add_timer() arms node on the current task's pool. cancel_timer() disarms
// it and, if it is firing right now, waits until fire() returned; after it
// the node may be destroyed.
void add_timer(TimerNode& node);
void cancel_timer(TimerNode& node) noexcept;

// wake_on_timeout() is a TimerNode::fire that claims the WaitSync in arg
// with kTimeout and readies its task.
void wake_on_timeout(TimerNode* node);

}  // namespace weft::go::detail
