// SPDX-License-Identifier: Apache-2.0
// The weft::go scheduler: task creation, the worker loop, parking, idle
// sleep and the quiescence check (run completion or deadlock).
#include "scheduler.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>

#if defined(__SANITIZE_ADDRESS__)
#define WEFT_GO_ASAN 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

// ThreadSanitizer follows each task as a fiber of its own: every switch
// between a worker's loop and a task says so just before jump_fcontext
// (flags 0, so the switch orders what ran before it on this thread before
// what runs after it, as the hardware does). Without it TSan would see one
// thread's stack change under it and attribute a task's accesses to
// whichever worker runs it.
#if defined(__SANITIZE_THREAD__)
#define WEFT_GO_TSAN 1
#include <sanitizer/tsan_interface.h>
#endif

namespace weft::go::detail {

namespace {

thread_local Worker* tls_worker = nullptr;

constexpr std::size_t kStackCacheCap = 1024;
// Load detection (PoolImpl::spin_budget): a worker looks at its thread's run
// delay at most every kLoadLook ns; if it waited for a core more than
// 1/kLoadedShare of the time since, it spins only idle_spin_loaded for
// kLoadedFor ns. A gap of more than kPreemptedGap between two looks of a
// spin means the same. (On a quiet node a worker waits some us per 10 ms for
// kernel threads; beside a CPU-bound process, about half of its time.)
constexpr std::int64_t kLoadLook = 2'000'000;
constexpr std::int64_t kLoadedShare = 20;
constexpr std::int64_t kLoadedFor = 20'000'000;
constexpr auto kPreemptedGap = std::chrono::microseconds(200);
constexpr int kBusyRounds = 16;  // rounds of 64 pauses before sched_yield()
// Hand-offs through runnext in a row before the worker's queue gets a turn.
constexpr unsigned kRunnextStreak = 32;
// Least time between two wake-ups of a sleeper for tasks placed in one
// worker's runnext (wake_for_runnext())
// (nanoseconds of the coarse monotonic clock: it advances by whole ticks).
constexpr std::int64_t kRunnextWakeGapNs = 1'000'000;
// How long an idle worker sleeps while a task stands in another's runnext.
constexpr auto kStandingNap = std::chrono::milliseconds(1);

void* map_stack(std::size_t alloc, std::size_t guard) {
  void* p = mmap(nullptr, alloc, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  if (guard > 0 && mprotect(p, guard, PROT_NONE) != 0) {
    munmap(p, alloc);
    throw std::bad_alloc();
  }
  return p;
}

[[noreturn]] void report_and_terminate(Task* t) {
  std::string what = "unknown exception";
  try {
    throw;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  std::fprintf(stderr,
               "weft::go: task '%s' (#%llu) failed with an uncaught exception: %s\n"
               "weft::go: a task outside an ErrorGroup must not throw; terminating.\n",
               t->name, static_cast<unsigned long long>(t->id), what.c_str());
  std::fflush(stderr);
  std::terminate();
}

__attribute__((noinline)) void task_body(Task* t) noexcept {
  try {
    t->ops->invoke(t->closure);
  } catch (const ForcedUnwind&) {
  } catch (...) {
    if (t->root) {
      t->pool->root_error = std::current_exception();
    } else {
      report_and_terminate(t);
    }
  }
  t->ops->destroy(t->closure);
}

void task_entry(bctx::transfer_t tr) {
#if WEFT_GO_ASAN
  __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
  Task* t = static_cast<Task*>(tr.data);
  t->caller = tr.fctx;
  task_body(t);
  switch_out(Action::finish);
  __builtin_unreachable();
}

}  // namespace

__attribute__((noinline)) Worker* current_worker() noexcept { return tls_worker; }

Task* current_task() noexcept {
  Worker* w = current_worker();
  return w ? w->current : nullptr;
}

Task* require_task(const char* operation) {
  Task* t = current_task();
  if (!t)
    throw std::logic_error(std::string("weft::go: ") + operation +
                           " must be called from a weft::go task");
  return t;
}

[[noreturn]] void throw_unwind() { throw ForcedUnwind{}; }

void switch_out(Action action) {
  Worker* w = current_worker();
  Task* self = w->current;
  w->action = action;
#if WEFT_GO_ASAN
  __sanitizer_start_switch_fiber(action == Action::finish ? nullptr : &self->asan_fake,
                                 w->sched_stack_lo, w->sched_stack_len);
#endif
#if WEFT_GO_TSAN
  // A finished task's fiber is destroyed by the worker (finish_task()).
  __tsan_switch_to_fiber(w->tsan_sched, 0);
#endif
  bctx::transfer_t tr = bctx::jump_fcontext(self->caller, nullptr);
#if WEFT_GO_ASAN
  __sanitizer_finish_switch_fiber(self->asan_fake, nullptr, nullptr);
#endif
  self->caller = tr.fctx;
}

void park(WaitSync& sync, const char* what, const void* obj, const char* obj_name) {
  Task* self = current_task();
  if (self->unwinding && sync.claim()) {
    sync.winner = kUnwind;
    return;
  }
  self->wait_sync = &sync;
  self->wait_what = what;
  self->wait_obj = obj;
  self->wait_name = obj_name;
  switch_out(Action::park);
  self->wait_sync = nullptr;
  self->wait_what = nullptr;
}

void ready(Task* t) {
  if (t->pstate.exchange(kNotified, std::memory_order_acq_rel) != kParked) return;
  Worker* w = current_worker();
  if (w && w->current && w->pool == t->pool) {
    // Readied by a running task: it runs next on this worker, where the
    // data it was handed is warm; the task it displaces goes to the queue.
    w->runnext_seq.fetch_add(1, std::memory_order_relaxed);
    // Once published, t may run and finish on another worker: not touched
    // again here.
    if (Task* old = w->runnext.exchange(t, std::memory_order_seq_cst)) {
      w->queue.push_back(old);  // stealable work: wake a sleeper for it
      w->pool->wake_if_needed();
    } else {
      w->pool->wake_for_runnext(w);
    }
    return;
  }
  t->pool->enqueue(t, w);
}

void add_timer(TimerNode& node) {
  Task* t = require_task("a timed wait");
  node.pool = t->pool;
  t->pool->timers.add(&node);
  if (t->pool->nidle.load(std::memory_order_acquire) > 0) t->pool->wake_one();
}

void cancel_timer(TimerNode& node) noexcept {
  if (node.pool) static_cast<PoolImpl*>(node.pool)->timers.cancel(&node);
}

void wake_on_timeout(TimerNode* node) {
  auto* sync = static_cast<WaitSync*>(node->arg);
  if (sync->claim()) {
    sync->winner = kTimeout;
    ready(sync->task);
  }
}

// ---------------------------------------------------------------- PoolImpl

PoolImpl::PoolImpl(const PoolOptions& options) : opt(options), t0(Clock::now()) {
  if (opt.threads < 1) throw std::invalid_argument("weft::go::Pool: threads must be >= 1");
  n = opt.threads;
  idle_spin = opt.idle_spin;
  idle_spin_loaded = std::min(opt.idle_spin_loaded, opt.idle_spin);
  mail_patience = opt.mail_patience;
  if (const char* e = std::getenv("WEFT_GO_IDLE_SPIN_US")) {
    char* end = nullptr;
    const long us = std::strtol(e, &end, 10);
    if (end != e && *end == '\0' && us >= 0)
      idle_spin = idle_spin_loaded = std::chrono::microseconds(us);
  }
  page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  std::size_t want = std::max<std::size_t>(opt.stack_size, 16 * 1024);
  stack_size = (want + page - 1) / page * page;
  // Every stack has a guard page, in every build: an overflow then faults
  // at once instead of silently corrupting the memory below the stack.
  // Stacks are reused (per-worker cache), so the mprotect is paid once.
  guard = page;
  workers.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    w->pool = this;
    w->index = i;
    w->rng = 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(i + 1) ^
             reinterpret_cast<std::uintptr_t>(this);
    if (w->rng == 0) w->rng = 1;
    workers.push_back(std::move(w));
  }
  for (auto& w : workers) {
    Worker* wp = w.get();
    wp->thread = std::thread([this, wp] { worker_main(wp); });
  }
}

PoolImpl::~PoolImpl() {
  {
    std::lock_guard lk(idle_mu);
    stopping = true;
  }
  for (auto& w : workers) w->cv.notify_all();
  for (auto& w : workers) w->thread.join();
}

std::int64_t PoolImpl::now_ns() const noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
}

Task* PoolImpl::create_task(Worker* w, Task* parent, const TaskOptions& o, const ClosureOps& ops,
                            void (*construct)(void*, void*), void* src) {
  std::size_t want = stack_size;
  if (o.stack_size != 0) {
    want = (std::max<std::size_t>(o.stack_size, 16 * 1024) + page - 1) / page * page;
  }
  const std::size_t align = std::max<std::size_t>(ops.align, alignof(Task));
  const std::size_t cl_off = (sizeof(Task) + ops.align - 1) / ops.align * ops.align;
  const std::size_t bytes = (cl_off + ops.size + align - 1) / align * align;
#if WEFT_GO_ASAN
  const bool small = false;  // every block from the heap: ASan sees each task's lifetime
#else
  const bool small = w && align <= kTaskBlockAlign && bytes <= kTaskBlock;
#endif
  void* block = small ? task_blocks.take(w->task_blocks) : std::aligned_alloc(align, bytes);
  if (!block) throw std::bad_alloc();
  void* closure = static_cast<char*>(block) + cl_off;
  try {
    construct(closure, src);
  } catch (...) {
    if (small) {
      task_blocks.give(w->task_blocks, block);
    } else {
      std::free(block);
    }
    throw;
  }
  Task* t = ::new (block) Task;
  t->small_block = small;
  t->pool = this;
  t->ops = &ops;
  t->closure = closure;
  t->stack_alloc = want + guard;
  t->pooled = want == stack_size;
  const std::size_t len = std::min(o.name.size(), sizeof(t->name) - 1);
  std::memcpy(t->name, o.name.data(), len);
  t->name[len] = '\0';
  // Lamport-style id: larger than the parent's, unique through the low bits.
  std::uint64_t clock = w ? w->clock : 0;
  if (parent) clock = std::max(clock, parent->id >> 8);
  ++clock;
  if (w) w->clock = clock;
  t->id = (clock << 8) | static_cast<std::uint64_t>(w ? w->index + 1 : 0);
  Worker* home = w ? w : workers[0].get();
  t->reg_list = home->index;
  {
    std::lock_guard lk(home->reg_mu);
    t->reg_next = home->reg_head;
    if (home->reg_head) home->reg_head->reg_prev = t;
    home->reg_head = t;
  }
  if (w) {
    w->live.store(w->live.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  } else {
    ext_live.fetch_add(1, std::memory_order_acq_rel);
  }
  return t;
}

void PoolImpl::release_stack(Worker* w, void* mem, std::size_t alloc, bool pooled) {
#if WEFT_GO_ASAN
  ASAN_UNPOISON_MEMORY_REGION(mem, alloc);
#endif
  if (pooled && w && w->stack_cache.size() < kStackCacheCap) {
    w->stack_cache.push_back(mem);
    return;
  }
  munmap(mem, alloc);
}

void PoolImpl::enqueue(Task* t, Worker* w) {
  if (w && w->pool == this) {
    w->queue.push_back(t);
  } else {
    inject(t);
    return;
  }
  wake_if_needed();
}

void PoolImpl::inject(Task* t) {
  {
    std::lock_guard lk(inj_mu);
    inj.push_back(t);
    inj_size.store(inj.size(), std::memory_order_release);
  }
  wake_if_needed();
}

void PoolImpl::wake_if_needed() {
  // The fence orders the caller's queue push before the looks at the idle
  // counters (a worker going idle does the opposite), so a wake-up is not
  // lost. TSan does not model fences (GCC warns, -Wtsan); that is harmless
  // here: no plain data is read on the strength of this fence, only the
  // decision to wake a worker, and the queues are locked.
#if WEFT_GO_TSAN && defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif
  std::atomic_thread_fence(std::memory_order_seq_cst);
#if WEFT_GO_TSAN && defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  if (nspinning.load(std::memory_order_relaxed) == 0 && nidle.load(std::memory_order_relaxed) > 0)
    wake_one();
}

void PoolImpl::wake_for_runnext(Worker* w) {
  // A task in runnext is not stealable work: its readier runs it when it
  // parks or yields, which in a hand-off is a few hundred nanoseconds away,
  // far less than an OS wake-up (a futex call on this path doubled a
  // ping-pong round trip). Only a readier that keeps running would hold it
  // back: so a sleeper is woken at most once per kRunnextWakeGapNs per worker
  // (the woken worker takes a task left standing, see steal_runnext()), and
  // a worker that goes to sleep while a task stands in runnext sleeps at
  // most kStandingNap (idle()).
  if (nspinning.load(std::memory_order_seq_cst) != 0 || nidle.load(std::memory_order_seq_cst) == 0)
    return;
  // The coarse clock (a few ns; ticks every 1-4 ms) is enough for the gap.
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  const std::int64_t now = std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
  if (now - w->last_runnext_wake_ns < kRunnextWakeGapNs) return;
  w->last_runnext_wake_ns = now;
  wake_one();
}

void PoolImpl::wake_one() {
  Worker* w = nullptr;
  {
    std::lock_guard lk(idle_mu);
    if (idle_list.empty()) return;
    w = idle_list.back();
    idle_list.pop_back();
    w->idle = false;
    w->notified = true;
    nidle.fetch_sub(1, std::memory_order_seq_cst);
  }
  w->cv.notify_one();
}

bool PoolImpl::has_work_peek() const noexcept {
  if (inj_size.load(std::memory_order_seq_cst) > 0) return true;
  for (const auto& w : workers) {
    if (w->queue.approx_size() > 0 || w->mail_size.load(std::memory_order_seq_cst) > 0) return true;
  }
  if (timers.count() > 0 &&
      timers.next_ns() <=
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
              .count()) {
    return true;
  }
  return false;
}

Task* PoolImpl::find_work(Worker* w) {
  ++w->tick;
  if (timers.count() > 0) timers.fire_expired(Clock::now());
  Task* t = nullptr;
  if (w->runnext.load(std::memory_order_relaxed) &&
      (w->runnext_streak < kRunnextStreak || w->queue.approx_size() == 0)) {
    if ((t = w->runnext.exchange(nullptr, std::memory_order_acq_rel))) {
      ++w->runnext_streak;
      return t;
    }
  }
  w->runnext_streak = 0;
  if (w->tick % 61 == 0 && inj_size.load(std::memory_order_relaxed) > 0) {
    std::lock_guard lk(inj_mu);
    if (!inj.empty()) {
      t = inj.front();
      inj.pop_front();
      inj_size.store(inj.size(), std::memory_order_release);
      return t;
    }
  }
  t = w->queue.pop(w->tick % 31 == 0);
  if (t) return t;
  if ((t = take_mail(w))) return t;
  if (inj_size.load(std::memory_order_acquire) > 0) {
    std::lock_guard lk(inj_mu);
    if (!inj.empty()) {
      t = inj.front();
      inj.pop_front();
      inj_size.store(inj.size(), std::memory_order_release);
      return t;
    }
  }
  if (n > 1) {
    const int start = static_cast<int>(w->next_random() % static_cast<std::uint64_t>(n));
    for (int k = 0; k < n; ++k) {
      Worker* v = workers[static_cast<std::size_t>((start + k) % n)].get();
      if (v == w) continue;
      if ((t = v->queue.steal_into(w->queue))) return t;
    }
  }
  return nullptr;
}

Task* PoolImpl::steal_runnext(Worker* w) {
  if (w->seen_seq.size() != static_cast<std::size_t>(n))
    w->seen_seq.assign(static_cast<std::size_t>(n), 0);
  for (int k = 0; k < n; ++k) {
    Worker* v = workers[static_cast<std::size_t>(k)].get();
    if (v == w) continue;
    const std::uint64_t seq = v->runnext_seq.load(std::memory_order_acquire);
    Task* r = v->runnext.load(std::memory_order_acquire);
    std::uint64_t& seen = w->seen_seq[static_cast<std::size_t>(k)];
    if (r && seen == seq &&
        v->runnext.compare_exchange_strong(r, nullptr, std::memory_order_acq_rel))
      return r;
    seen = seq;
  }
  return nullptr;
}

void PoolImpl::post(Task* t, Worker* v) {
  {
    std::lock_guard lk(v->mail_mu);
    v->mail.push_back(t);
    v->mail_size.store(v->mail.size(), std::memory_order_seq_cst);
  }
  std::lock_guard lk(idle_mu);
  if (!v->idle) return;  // running or spinning: it looks at its mail next
  idle_list.erase(std::find(idle_list.begin(), idle_list.end(), v));
  v->idle = false;
  v->notified = true;
  nidle.fetch_sub(1, std::memory_order_seq_cst);
  v->cv.notify_one();
}

Task* PoolImpl::take_mail(Worker* v) {
  if (v->mail_size.load(std::memory_order_acquire) == 0) return nullptr;
  std::lock_guard lk(v->mail_mu);
  if (v->mail.empty()) return nullptr;
  Task* t = v->mail.front();
  v->mail.pop_front();
  v->mail_size.store(v->mail.size(), std::memory_order_release);
  return t;
}

bool PoolImpl::runnext_standing(const Worker* w) const noexcept {
  for (const auto& v : workers)
    if (v.get() != w && v->runnext.load(std::memory_order_seq_cst)) return true;
  return false;
}

namespace {
// run_delay() is the calling thread's time spent runnable but waiting for a
// core (ns, the second field of its schedstat), or -1 if unknown.
std::int64_t run_delay(int& fd) noexcept {
  if (fd == -2) fd = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[96];
  const ssize_t len = ::pread(fd, buf, sizeof buf - 1, 0);
  if (len <= 0) return -1;
  buf[len] = '\0';
  unsigned long long on_cpu = 0, waited = 0;
  if (std::sscanf(buf, "%llu %llu", &on_cpu, &waited) != 2) return -1;
  return static_cast<std::int64_t>(waited);
}
}  // namespace

std::chrono::microseconds PoolImpl::spin_budget(Worker* w) noexcept {
  if (idle_spin == idle_spin_loaded) return idle_spin;
  const std::int64_t now = now_ns();
  if (now - w->load_look_ns >= kLoadLook) {
    const std::int64_t delay = run_delay(w->schedstat_fd);
    if (delay < 0) {
      w->loaded_until_ns = INT64_MAX;  // cannot tell: assume a shared core
    } else {
      if (w->load_look_ns != 0 && (delay - w->run_delay_ns) * kLoadedShare > now - w->load_look_ns)
        w->loaded_until_ns = now + kLoadedFor;
      w->run_delay_ns = delay;
    }
    w->load_look_ns = now;
  }
  return now < w->loaded_until_ns ? idle_spin_loaded : idle_spin;
}

void PoolImpl::preempted(Worker* w) noexcept { w->loaded_until_ns = now_ns() + kLoadedFor; }

Task* PoolImpl::idle(Worker* w) {
  nspinning.fetch_add(1, std::memory_order_seq_cst);
  const auto idle_since = Clock::now();
  // Once the root has returned, the run ends when the last task is done:
  // look once, then go idle so that the end is seen without a spin.
  const auto spin_end = idle_since + spin_budget(w);
  auto last_look = idle_since;
  for (int i = 0;; ++i) {
    Task* t = find_work(w);
    if (!t && n > 1) t = steal_runnext(w);
    // Tasks posted for another worker: taken once this one has run dry for
    // mail_patience (their worker may be busy, waking up, or off its core).
    for (int k = 0; !t && k < n; ++k) {
      Worker* v = workers[static_cast<std::size_t>(k)].get();
      if (v != w && v->mail_size.load(std::memory_order_relaxed) > 0 &&
          Clock::now() - idle_since >= mail_patience)
        t = take_mail(v);
    }
    if (t) {
      nspinning.fetch_sub(1, std::memory_order_seq_cst);
      return t;
    }
    if (root_finished.load(std::memory_order_relaxed)) break;
    if (i < kBusyRounds) {
      for (int k = 0; k < 64; ++k) cpu_relax();
    } else {
      const auto now = Clock::now();
      if (now >= spin_end) break;
      if (now - last_look > kPreemptedGap) {  // this thread was off its core
        preempted(w);
        break;
      }
      last_look = now;
      sched_yield();
    }
  }
  nspinning.fetch_sub(1, std::memory_order_seq_cst);

  std::unique_lock lk(idle_mu);
  if (stopping) return nullptr;
  w->idle = true;
  w->notified = false;
  idle_list.push_back(w);
  nidle.fetch_add(1, std::memory_order_seq_cst);
  auto unregister = [&] {
    if (w->idle) {
      idle_list.erase(std::find(idle_list.begin(), idle_list.end(), w));
      w->idle = false;
      nidle.fetch_sub(1, std::memory_order_seq_cst);
    }
    w->notified = false;
  };
  lk.unlock();
  const bool work = has_work_peek();
  // A task standing in another worker's runnext is not stealable yet (its
  // readier may still take it), and a readier that saw this worker spinning
  // did not wake anyone: sleep only kStandingNap then, and look again, so a
  // readier that keeps running without a scheduling point cannot hold it
  // for ever.
  const bool standing = runnext_standing(w);
  lk.lock();
  if (work) {
    unregister();
    return nullptr;
  }
  for (;;) {
    if (w->notified || stopping || !w->idle) break;
    if (nidle.load(std::memory_order_seq_cst) == n) {
      check_quiescent(w, lk);
      if (!w->idle) break;
    }
    TimePoint deadline = TimePoint::max();
    if (timers.count() > 0) deadline = TimePoint{std::chrono::nanoseconds(timers.next_ns())};
    if (standing) deadline = std::min(deadline, Clock::now() + kStandingNap);
    if (deadline != TimePoint::max()) {
      if (w->cv.wait_until(lk, deadline) == std::cv_status::timeout) break;
    } else {
      w->cv.wait(lk);
    }
  }
  unregister();
  return nullptr;
}

void PoolImpl::run_task(Worker* w, Task* t) {
  w->current = t;
  t->pstate.store(kRunning, std::memory_order_relaxed);
  if (opt.trace && t->start_worker < 0) {
    t->start_worker = w->index;
    t->start_ns = now_ns();
  } else if (t->start_worker < 0) {
    t->start_worker = w->index;
  }
  if (!t->ctx) {
    // First run: take a stack (the worker's cache for the default size).
    void* mem = nullptr;
    if (t->pooled && !w->stack_cache.empty()) {
      mem = w->stack_cache.back();
      w->stack_cache.pop_back();
    } else {
      mem = map_stack(t->stack_alloc, guard);
    }
    t->stack_mem = mem;
    t->stack_lo = static_cast<char*>(mem) + guard;
    t->stack_len = t->stack_alloc - guard;
    t->ctx =
        bctx::make_fcontext(static_cast<char*>(mem) + t->stack_alloc, t->stack_len, &task_entry);
#if WEFT_GO_TSAN
    t->tsan_fiber = __tsan_create_fiber(0);
    __tsan_set_fiber_name(t->tsan_fiber, t->name);
#endif
  }
  w->action = Action::none;
#if WEFT_GO_ASAN
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(&fake, t->stack_lo, t->stack_len);
#endif
#if WEFT_GO_TSAN
  __tsan_switch_to_fiber(t->tsan_fiber, 0);
#endif
  bctx::transfer_t tr = bctx::jump_fcontext(t->ctx, t);
#if WEFT_GO_ASAN
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
  w->current = nullptr;
  switch (w->action) {
    case Action::park:
      t->ctx = tr.fctx;
      if (t->pstate.exchange(kParked, std::memory_order_acq_rel) == kNotified) {
        w->queue.push_back(t);
      }
      break;
    case Action::yield:
      t->ctx = tr.fctx;
      // Tasks readied from outside the workers (the MPI thread) wait in the
      // injection queue; a yielding task goes behind them (Go's Gosched), or
      // they would only be looked at every 61st scheduling round.
      if (inj_size.load(std::memory_order_acquire) > 0) {
        inject(t);
      } else {
        w->queue.push_front(t);
        wake_if_needed();
      }
      break;
    case Action::finish:
      finish_task(w, t);
      break;
    case Action::none:
      std::fputs("weft::go: internal error: a task switched out without an action\n", stderr);
      std::abort();
  }
}

void PoolImpl::finish_task(Worker* w, Task* t) {
  Worker* home = workers[static_cast<std::size_t>(t->reg_list)].get();
  {
    std::lock_guard lk(home->reg_mu);
    if (t->reg_prev) {
      t->reg_prev->reg_next = t->reg_next;
    } else {
      home->reg_head = t->reg_next;
    }
    if (t->reg_next) t->reg_next->reg_prev = t->reg_prev;
  }
  if (opt.trace && !t->untraced) {
    w->trace.push_back(
        TaskRecord{t->name, t->id, t->start_worker, w->index, t->start_ns, now_ns()});
  }
  w->live.store(w->live.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  if (t->root) root_finished.store(true, std::memory_order_release);
#if WEFT_GO_TSAN
  __tsan_destroy_fiber(t->tsan_fiber);  // we are on the worker's own fiber again
#endif
  release_stack(w, t->stack_mem, t->stack_alloc, t->pooled);
  const bool small = t->small_block;
  t->~Task();
  if (small) {
    task_blocks.give(w->task_blocks, t);
  } else {
    std::free(t);
  }
  if (unwinding.load(std::memory_order_acquire)) unwind_next();
}

void PoolImpl::worker_main(Worker* w) {
  tls_worker = w;
  if (opt.bind_cpus) {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
      std::vector<int> cpus;
      for (int c = 0; c < CPU_SETSIZE; ++c) {
        if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
      }
      if (!cpus.empty()) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpus[static_cast<std::size_t>(opt.cpu_offset + w->index) % cpus.size()], &one);
        pthread_setaffinity_np(pthread_self(), sizeof one, &one);
      }
    }
  }
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstack(&attr, &w->sched_stack_lo, &w->sched_stack_len);
    pthread_attr_destroy(&attr);
  }
#if WEFT_GO_TSAN
  w->tsan_sched = __tsan_get_current_fiber();
#endif
  for (;;) {
    Task* t = find_work(w);
    if (!t) t = idle(w);
    if (t) {
      run_task(w, t);
      continue;
    }
    std::lock_guard lk(idle_mu);
    if (stopping) break;
  }
  for (void* mem : w->stack_cache) {
#if WEFT_GO_ASAN
    ASAN_UNPOISON_MEMORY_REGION(mem, stack_size + guard);
#endif
    munmap(mem, stack_size + guard);
  }
  w->stack_cache.clear();
  w->stack_cache.shrink_to_fit();
  TaskBlocks::release(w->task_blocks);
  if (w->schedstat_fd >= 0) ::close(w->schedstat_fd);
  w->schedstat_fd = -2;
  tls_worker = nullptr;
}

}  // namespace weft::go::detail
