// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "weft/go/wait_group.hpp"
#include "weft/md/system.hpp"

namespace weft::md {

// kSwaps is the number of ghost swaps of the staged communication: two per
// dimension (swap 2d receives the ghosts above the subdomain along d, swap
// 2d + 1 those below).
inline constexpr int kSwaps = 6;

// GhostGate lets force kernels start before the ghost positions of a step
// have arrived (runtime.scheduler = "fibers"). The communication task calls
// arrived(k, first, n) once the ghosts of swap k are in place; a kernel
// block calls wait(mask) with the swaps it reads and parks only until those
// have arrived, so interior blocks (mask 0) never wait and a border block
// waits only for its own messages.
//
//   GhostGate gate([&](index first, index n) { repack(first, n); });
//   go("ghosts", [&] { comm.forward(ctx, &gate); });
//   for (auto& blk : blocks) { gate.wait(blk.ghost_swaps); compute(blk); }
//
// Every swap must arrive exactly once per gate (empty swaps too). wait()
// must be called from a weft::go task; arrived() happens-before the return
// of every wait() that covers it.
class GhostGate {
 public:
  using Hook = std::function<void(index first, index n)>;
  explicit GhostGate(Hook on_arrival = {}) : hook_(std::move(on_arrival)) {
    for (auto& w : wg_) w.add(1);
  }
  GhostGate(const GhostGate&) = delete;
  GhostGate& operator=(const GhostGate&) = delete;

  // arrived() runs the hook on the ghosts [first, first + n) of swap k, then
  // opens the swap.
  void arrived(int k, index first, index n) {
    if (hook_ && n > 0) hook_(first, n);
    open_.fetch_or(1u << k, std::memory_order_release);
    wg_[static_cast<std::size_t>(k)].done();
  }
  // wait() returns once every swap in mask (bit k = swap k) has arrived.
  void wait(unsigned mask) {
    if ((open_.load(std::memory_order_acquire) & mask) == mask) return;
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < kSwaps; ++k)
      if (mask & (1u << k)) wg_[static_cast<std::size_t>(k)].wait();
    blocked_ns_.fetch_add(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count(),
        std::memory_order_relaxed);
  }
  // note_early() counts pairs computed before the gate was complete.
  void note_early(std::int64_t pairs) { early_.fetch_add(pairs, std::memory_order_relaxed); }
  std::int64_t early_pairs() const { return early_.load(); }
  // blocked_seconds() is the time callers of wait() spent parked, summed.
  double blocked_seconds() const { return 1e-9 * static_cast<double>(blocked_ns_.load()); }
  // complete() tells whether every swap has arrived (a snapshot).
  bool complete() const { return open_.load(std::memory_order_acquire) == (1u << kSwaps) - 1; }

 private:
  Hook hook_;
  std::atomic<unsigned> open_{0};
  std::atomic<std::int64_t> blocked_ns_{0};
  std::atomic<std::int64_t> early_{0};
  std::array<weft::go::WaitGroup, kSwaps> wg_;
};

// ReverseGate lets the reverse communication of a step start while the
// force kernels still compute interior blocks (runtime.scheduler =
// "fibers"): each share calls ghosts_done() once it is past its blocks that
// add forces to ghosts (NeighborList::ghost_free_from), and the reverse
// task's wait() returns when all have, so every ghost force is final.
//
//   ReverseGate rev(workers);
//   go("reverse", [&] { rev.wait(); reduce_ghosts(); comm.reverse_ghosts(ctx); rev.finish(); });
//   // share w: ... rev.ghosts_done(); then its remaining interior blocks
class ReverseGate {
 public:
  explicit ReverseGate(int shares) { wg_.add(shares); }
  ReverseGate(const ReverseGate&) = delete;
  ReverseGate& operator=(const ReverseGate&) = delete;

  // ghosts_done() is called once per share.
  void ghosts_done() { wg_.done(); }
  // wait() returns when every share has called ghosts_done(). From a task.
  void wait() { wg_.wait(); }
  // finish() says that the reverse messages of the step are done;
  // finished() is a snapshot of it.
  void finish() { finished_.store(true, std::memory_order_release); }
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  // note_late() counts pairs computed while the reverse messages were in
  // flight; late_pairs() is their sum.
  void note_late(std::int64_t pairs) { late_.fetch_add(pairs, std::memory_order_relaxed); }
  std::int64_t late_pairs() const { return late_.load(); }

 private:
  weft::go::WaitGroup wg_;
  std::atomic<bool> finished_{false};
  std::atomic<std::int64_t> late_{0};
};

}  // namespace weft::md
