// SPDX-License-Identifier: Apache-2.0
// Private: the scheduler of weft::go (tasks, workers, pool state). See
// docs/runtime.md for the model and the invariants.
#pragma once

#include <atomic>
#include <boost/context/detail/fcontext.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "weft/go/go.hpp"
#include "weft/go/impl/spinlock.hpp"
#include "weft/go/impl/wait.hpp"
#include "weft/go/pool.hpp"
#include "weft/go/trace.hpp"

namespace weft::go::detail {

namespace bctx = boost::context::detail;

class PoolImpl;
struct Worker;

// Task is a fiber. The descriptor and the closure share one heap block; the
// stack is taken from the worker's cache only when the task first runs, so
// a queued task costs a small allocation, not a stack.
struct Task {
  bctx::fcontext_t ctx = nullptr;     // where to resume the task
  bctx::fcontext_t caller = nullptr;  // scheduler that resumed it last
  std::atomic<int> pstate{0};         // kRunning, kParked, kNotified
  PoolImpl* pool = nullptr;
  WaitSync* wait_sync = nullptr;  // current episode (deadlock unwinding)
  const char* wait_what = nullptr;
  const void* wait_obj = nullptr;
  const char* wait_name = nullptr;
  bool unwinding = false;
  bool root = false;
  const ClosureOps* ops = nullptr;
  void* closure = nullptr;
  void* stack_mem = nullptr;    // mmap'ed block (nullptr until first run)
  std::size_t stack_alloc = 0;  // wanted: usable size + guard
  void* stack_lo = nullptr;     // usable stack [stack_lo, stack_lo + stack_len)
  std::size_t stack_len = 0;
  bool pooled = false;       // stack of the pool's default size (cacheable)
  bool small_block = false;  // the block came from TaskBlocks
  bool untraced = false;     // left out of the trace (a block share found taken)
  Task* reg_prev = nullptr;
  Task* reg_next = nullptr;
  int reg_list = 0;
  std::uint64_t id = 0;  // grows along spawn chains (children > parent)
  int start_worker = -1;
  std::int64_t start_ns = 0;
  void* asan_fake = nullptr;   // ASan builds: the fake stack while switched out
  void* tsan_fiber = nullptr;  // TSan builds: this task's fiber (from its first run on)
  char name[48] = {};
};

inline constexpr int kRunning = 0;
inline constexpr int kParked = 1;
inline constexpr int kNotified = 2;

enum class Action { none, park, yield, finish };

// RunQueue is a worker's deque of runnable tasks. The owner pushes and pops
// at the tail (LIFO: work-first, like Cilk, which keeps spawn trees
// depth-first and memory bounded) and, every few ticks, pops the head for
// fairness; thieves take the oldest half from the head. yield() pushes at
// the head.
class RunQueue {
 public:
  RunQueue() : ring_(256) {}
  void push_back(Task* t);
  void push_front(Task* t);
  // pop() takes the tail (newest), or the head (oldest) if fifo.
  Task* pop(bool fifo);
  // steal_into() moves about half of this queue into dst and returns one
  // task to run right away (nullptr if empty).
  Task* steal_into(RunQueue& dst);
  std::size_t approx_size() const noexcept { return size_.load(std::memory_order_acquire); }

 private:
  void grow();
  Spinlock mu_;
  std::vector<Task*> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::atomic<std::size_t> size_{0};
};

// TimerHeap is a pool's binary min-heap of armed TimerNodes.
class TimerHeap {
 public:
  void add(TimerNode* n);
  void cancel(TimerNode* n) noexcept;
  // fire_expired() fires every node due at `now`; returns how many fired.
  int fire_expired(TimePoint now);
  int count() const noexcept { return count_.load(std::memory_order_acquire); }
  std::int64_t next_ns() const noexcept { return next_ns_.load(std::memory_order_acquire); }

 private:
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);
  void remove_at(std::size_t i);
  void publish_next();
  std::mutex mu_;
  std::vector<TimerNode*> heap_;
  std::atomic<int> count_{0};
  std::atomic<std::int64_t> next_ns_{INT64_MAX};
};

struct alignas(64) Worker {
  PoolImpl* pool = nullptr;
  int index = 0;
  std::thread thread;
  RunQueue queue;
  Action action = Action::none;
  Task* current = nullptr;
  // runnext is the task readied last by a task running here: it runs next
  // here (no hand-off to another worker, no OS wake-up: Go's runnext).
  // Thieves take it only after seeing it unchanged for a spin round
  // (runnext_seq counts placements); runnext_streak bounds how many
  // hand-offs in a row run before the queue gets a turn.
  std::atomic<Task*> runnext{nullptr};
  std::atomic<std::uint64_t> runnext_seq{0};
  unsigned runnext_streak = 0;
  std::int64_t last_runnext_wake_ns = 0;  // wake_for_runnext(), coarse clock
  std::vector<std::uint64_t> seen_seq;    // as a thief: each victim's runnext_seq last round
  // mail holds tasks spawned for this worker by others (TaskOptions::worker).
  Spinlock mail_mu;
  std::deque<Task*> mail;
  std::atomic<std::size_t> mail_size{0};
  std::vector<void*> stack_cache;
  std::vector<void*> task_blocks;  // this worker's free TaskBlocks blocks
  void* sched_stack_lo = nullptr;
  std::size_t sched_stack_len = 0;
  void* tsan_sched = nullptr;         // TSan builds: the worker thread's own fiber
  std::atomic<std::int64_t> live{0};  // spawned here minus finished here
  std::uint64_t clock = 0;            // Lamport clock for task ids
  std::uint64_t rng = 0;
  unsigned tick = 0;
  // Load detection (PoolImpl::spin_budget), touched by this worker's thread only.
  int schedstat_fd = -2;          // its /proc/thread-self/schedstat (-2: not opened yet)
  std::int64_t run_delay_ns = 0;  // its time runnable but waiting for a core, at the last look
  std::int64_t load_look_ns = 0;  // when it last looked (now_ns)
  std::int64_t loaded_until_ns = 0;
  // idle state, guarded by PoolImpl::idle_mu
  std::condition_variable cv;
  bool notified = false;
  bool idle = false;
  // registry of live tasks created here
  Spinlock reg_mu;
  Task* reg_head = nullptr;
  std::vector<TaskRecord> trace;

  std::uint64_t next_random() noexcept {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  }
};

// MpiCall is a closure a task funnels to the pool's MPI thread.
struct MpiCall {
  void (*fn)(void*) = nullptr;
  void* arg = nullptr;
  std::exception_ptr error;
  WaitSync* sync = nullptr;
};

// MpiAwait is one request registered by await()/await_all().
struct MpiAwait {
  void* request = nullptr;  // MPI_Request* of the caller
  void* status = nullptr;   // MPI_Status* or nullptr
  struct AwaitGroup* group = nullptr;
};

struct AwaitGroup {
  WaitSync* sync = nullptr;
  int remaining = 0;
};

// TaskBlocks recycles the heap blocks of small tasks (descriptor and
// closure, at most kTaskBlock bytes). Each worker keeps the blocks of tasks
// it finished and takes from them when it spawns; batches of kTaskBatch move
// through a pool-wide depot, so a task spawned on one worker and finished on
// another costs no malloc lock. glibc's arena lock, contended between the
// spawning and the finishing worker, was most of spawn+join's time.
inline constexpr std::size_t kTaskBlock = 512;
inline constexpr std::size_t kTaskBlockAlign = 64;
class TaskBlocks {
 public:
  TaskBlocks() = default;
  TaskBlocks(const TaskBlocks&) = delete;
  TaskBlocks& operator=(const TaskBlocks&) = delete;
  ~TaskBlocks();
  // take() returns a block from mine, the depot or the heap.
  void* take(std::vector<void*>& mine);
  // give() keeps a block in mine, passing a batch to the depot (or, past
  // its cap, back to the heap) when mine holds two.
  void give(std::vector<void*>& mine, void* block) noexcept;
  // release() frees the blocks in mine (a worker that stops).
  static void release(std::vector<void*>& mine) noexcept;

 private:
  Spinlock mu_;
  std::vector<std::vector<void*>> batches_;
};

class PoolImpl {
 public:
  explicit PoolImpl(const PoolOptions& options);
  ~PoolImpl();

  void run(std::function<void()> root);

  // create_task() builds a task; w is the spawning worker (nullptr when
  // run() creates the root).
  Task* create_task(Worker* w, Task* parent, const TaskOptions& options, const ClosureOps& ops,
                    void (*construct)(void*, void*), void* src);
  void enqueue(Task* t, Worker* w);
  void inject(Task* t);
  void wake_if_needed();
  // wake_for_runnext() is the wake-up of a task placed in w's runnext.
  void wake_for_runnext(Worker* w);
  void wake_one();

  // Worker side.
  void worker_main(Worker* w);
  Task* find_work(Worker* w);
  // steal_runnext() takes another worker's runnext that has stayed there
  // since this thief's previous look (idle spinning only).
  Task* steal_runnext(Worker* w);
  Task* idle(Worker* w);
  bool has_work_peek() const noexcept;
  // post() queues t for worker v (TaskOptions::worker) and wakes v if it sleeps.
  void post(Task* t, Worker* v);
  // take_mail() pops the oldest task of v's mail (nullptr if none).
  Task* take_mail(Worker* v);
  // runnext_standing() is true when a worker other than w has a task in runnext.
  bool runnext_standing(const Worker* w) const noexcept;
  void run_task(Worker* w, Task* t);
  void finish_task(Worker* w, Task* t);
  void release_stack(Worker* w, void* mem, std::size_t alloc, bool pooled);
  void check_quiescent(Worker* w, std::unique_lock<std::mutex>& lk);
  void handle_deadlock(Worker* w);
  void unwind_next();
  std::string deadlock_report();
  std::int64_t now_ns() const noexcept;
  // spin_budget() is how long worker w (the calling thread's) spins before
  // it sleeps: idle_spin, or idle_spin_loaded while its thread waits for a
  // core (its run delay in /proc/thread-self/schedstat grew by more than
  // 1/kLoadedShare of the time since its last look, at most one look per
  // kLoadLook). preempted() marks it so for a while.
  std::chrono::microseconds spin_budget(Worker* w) noexcept;
  void preempted(Worker* w) noexcept;

  // MPI side (mpi_await.cpp).
  void agent_loop();

  PoolOptions opt;
  int n = 1;
  std::size_t page = 4096;
  std::chrono::microseconds idle_spin{1000};  // PoolOptions::idle_spin or WEFT_GO_IDLE_SPIN_US
  std::chrono::microseconds idle_spin_loaded{100};  // PoolOptions::idle_spin_loaded (or the same)
  std::chrono::microseconds mail_patience{100};     // PoolOptions::mail_patience
  std::size_t stack_size = 0;                       // usable bytes of a default stack
  std::size_t guard = 0;                            // guard bytes below each stack
  std::vector<std::unique_ptr<Worker>> workers;
  TimePoint t0;

  std::mutex idle_mu;
  std::vector<Worker*> idle_list;
  std::atomic<int> nidle{0};
  std::atomic<int> nspinning{0};
  bool stopping = false;

  std::mutex inj_mu;
  std::deque<Task*> inj;
  std::atomic<std::size_t> inj_size{0};

  TimerHeap timers;
  TaskBlocks task_blocks;

  std::atomic<std::int64_t> ext_live{0};
  std::atomic<bool> running{false};
  // root_injected: run()'s root task is in the injection queue (or beyond).
  // Until then, every worker being idle with no live task is the start of a
  // run, neither its end nor a deadlock, and check_quiescent() decides
  // nothing.
  std::atomic<bool> root_injected{false};
  // root_finished: run()'s root task has returned. Idle workers then skip
  // their spin, so the run's end (every worker idle, no task left) is seen
  // at once instead of after the idle spin (a run per MD step paid it).
  std::atomic<bool> root_finished{false};
  std::exception_ptr root_error;
  bool deadlocked = false;  // guarded by idle_mu while deciding
  std::string report;

  std::mutex unwind_mu;
  std::vector<Task*> unwind_list;  // youngest last
  std::atomic<bool> unwinding{false};

  std::mutex agent_mu;
  std::mutex mpi_mu;  // MpiProgress::polling: one worker in MPI at a time
  std::condition_variable agent_cv;
  bool run_done = false;
  std::vector<MpiCall*> calls_in;
  std::vector<MpiAwait> awaits_in;
  std::atomic<std::int64_t> mpi_pending{0};
};

// current_worker() is the worker of the calling thread (nullptr if none).
// Defined out of line: a fiber may resume on another thread, so no caller
// may cache the thread_local's address across a switch.
Worker* current_worker() noexcept;

// switch_out() saves the current task and returns to its worker's loop,
// which then performs `action`.
void switch_out(Action action);

}  // namespace weft::go::detail
