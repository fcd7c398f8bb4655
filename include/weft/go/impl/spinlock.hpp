// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sched.h>

#include <atomic>

namespace weft::go::detail {

// cpu_relax() tells the CPU we are in a spin-wait loop.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spinlock is a test-and-test-and-set lock for the runtime's short critical
// sections (queues, channels). It never suspends a fiber. A waiter backs off
// exponentially (32, 64, 128, 256 pauses) between looks at the flag and then
// yields the thread on every further look, so a preempted holder can finish.
// The backoff matters when two workers hammer one channel: polling the flag
// continuously pulls its cache line (shared with the channel's head and
// count) away from the holder on every poll, turning one cache-line transfer
// per operation into several, and the holder's next acquisition finds the
// line gone; backing off lets the holder finish a run of operations locally.
// (Go's runtime lock does the same with procyield(30).) It satisfies
// Lockable, so std::lock_guard and std::unique_lock work.
class Spinlock {
 public:
  void lock() noexcept {
    if (!flag_.exchange(true, std::memory_order_acquire)) return;
    lock_slow();
  }
  bool try_lock() noexcept {
    return !flag_.load(std::memory_order_relaxed) &&
           !flag_.exchange(true, std::memory_order_acquire);
  }
  void unlock() noexcept { flag_.store(false, std::memory_order_release); }

 private:
  __attribute__((noinline)) void lock_slow() noexcept {
    int backoff = 32;
    for (;;) {
      for (int i = 0; i < backoff; ++i) cpu_relax();
      if (!flag_.load(std::memory_order_relaxed) &&
          !flag_.exchange(true, std::memory_order_acquire))
        return;
      if (backoff < 256) {
        backoff *= 2;
      } else {
        sched_yield();
      }
    }
  }
  std::atomic<bool> flag_{false};
};

}  // namespace weft::go::detail
