// SPDX-License-Identifier: Apache-2.0
// ChanCore (Go's hchan) and select().
#include "weft/go/chan.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>

#include "scheduler.hpp"

namespace weft::go::detail {

namespace {

void throw_closed_send() { throw ChannelClosed("weft::go: send on a closed channel"); }

// ArmedTimer arms a timeout for one wait episode (if the deadline is finite)
// and disarms it when the episode ends.
class ArmedTimer {
 public:
  ArmedTimer(WaitSync& sync, TimePoint deadline) {
    if (deadline == TimePoint::max()) return;
    node_.when = deadline;
    node_.fire = &wake_on_timeout;
    node_.arg = &sync;
    add_timer(node_);
    armed_ = true;
  }
  ~ArmedTimer() {
    if (armed_) cancel_timer(node_);
  }
  ArmedTimer(const ArmedTimer&) = delete;
  ArmedTimer& operator=(const ArmedTimer&) = delete;

 private:
  TimerNode node_;
  bool armed_ = false;
};

thread_local std::uint64_t tls_rng = 0x2545F4914F6CDD1Dull;

std::uint32_t fast_random() noexcept {
  std::uint64_t x = tls_rng;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  tls_rng = x;
  return static_cast<std::uint32_t>(x >> 32);
}

}  // namespace

ChanCore::ChanCore(std::size_t capacity, const ElemOps& ops, std::string_view name)
    : cap_(capacity), ops_(ops), name_(name) {
  if (cap_ > 0) {
    buf_ = static_cast<unsigned char*>(::operator new (
        cap_* ops_.size, std::align_val_t{std::max(ops_.align, alignof(std::max_align_t))}));
  }
}

ChanCore::~ChanCore() {
  if (!recvq_.empty() || !sendq_.empty()) {
    std::fprintf(stderr,
                 "weft::go: channel '%s' (%p) destroyed while tasks are blocked on it; a channel "
                 "must outlive "
                 "every task that uses it (wait for them first)\n",
                 name_.c_str(), static_cast<void*>(this));
    std::abort();
  }
  for (std::size_t i = 0; i < count_; ++i) ops_.destroy(slot(head_ + i));
  if (buf_)
    ::operator delete (buf_, std::align_val_t{std::max(ops_.align, alignof(std::max_align_t))});
}

std::size_t ChanCore::size() const noexcept {
  std::lock_guard lk(mu_);
  return count_;
}

bool ChanCore::closed() const noexcept {
  std::lock_guard lk(mu_);
  return closed_;
}

void ChanCore::send_to_receiver(Waiter* r, void* src) noexcept {
  ops_.direct(r->elem, src);
  r->success = true;
  r->sync->winner = r->index;
  Task* t = r->sync->task;
  mu_.unlock();
  ready(t);
}

void ChanCore::recv_from_sender(Waiter* s, void* dst) noexcept {
  if (cap_ == 0) {
    ops_.direct(dst, s->elem);
  } else {
    // Buffer full: take its head, the sender's value goes to the tail.
    ops_.take(dst, slot(head_));
    ops_.put(slot(head_), s->elem);
    head_ = (head_ + 1) % cap_;
  }
  s->success = true;
  s->sync->winner = s->index;
  Task* t = s->sync->task;
  mu_.unlock();
  ready(t);
}

bool ChanCore::send(void* src, bool block, TimePoint deadline) {
  mu_.lock();
  if (closed_) {
    mu_.unlock();
    throw_closed_send();
  }
  if (Waiter* r = recvq_.dequeue()) {
    send_to_receiver(r, src);
    return true;
  }
  if (count_ < cap_) {
    ops_.put(slot(head_ + count_), src);
    ++count_;
    mu_.unlock();
    return true;
  }
  if (!block || deadline <= Clock::now()) {
    mu_.unlock();
    return false;
  }
  Task* self = current_task();
  if (!self) {
    mu_.unlock();
    require_task("Chan::send");
  }
  WaitSync sync;
  sync.task = self;
  Waiter w;
  w.sync = &sync;
  w.elem = src;
  sendq_.push_back(&w);
  ArmedTimer timer(sync, deadline);
  mu_.unlock();
  park(sync, "Chan::send", this, name_.c_str());
  if (sync.winner == 0) {
    if (!w.success) throw_closed_send();
    return true;
  }
  mu_.lock();
  sendq_.remove(&w);
  mu_.unlock();
  if (sync.winner == kUnwind) throw_unwind();
  return false;
}

RecvResult ChanCore::recv(void* dst, bool block, TimePoint deadline) {
  mu_.lock();
  if (Waiter* s = sendq_.dequeue()) {
    recv_from_sender(s, dst);
    return RecvResult::value;
  }
  if (count_ > 0) {
    ops_.take(dst, slot(head_));
    head_ = (head_ + 1) % cap_;
    --count_;
    mu_.unlock();
    return RecvResult::value;
  }
  if (closed_) {
    mu_.unlock();
    return RecvResult::closed;
  }
  if (!block || deadline <= Clock::now()) {
    mu_.unlock();
    return RecvResult::would_block;
  }
  Task* self = current_task();
  if (!self) {
    mu_.unlock();
    require_task("Chan::recv");
  }
  WaitSync sync;
  sync.task = self;
  Waiter w;
  w.sync = &sync;
  w.elem = dst;
  recvq_.push_back(&w);
  ArmedTimer timer(sync, deadline);
  mu_.unlock();
  park(sync, "Chan::recv", this, name_.c_str());
  if (sync.winner == 0) return w.success ? RecvResult::value : RecvResult::closed;
  mu_.lock();
  recvq_.remove(&w);
  mu_.unlock();
  if (sync.winner == kUnwind) throw_unwind();
  return RecvResult::would_block;
}

void ChanCore::close() {
  Waiter* woken = nullptr;
  {
    std::lock_guard lk(mu_);
    if (closed_) throw ChannelClosed("weft::go: close of a closed channel");
    closed_ = true;
    for (WaitQueue* q : {&recvq_, &sendq_}) {
      while (Waiter* w = q->dequeue()) {
        w->success = false;
        w->sync->winner = w->index;
        w->next = woken;
        woken = w;
      }
    }
  }
  while (woken) {
    Waiter* next = woken->next;
    ready(woken->sync->task);  // woken may be gone after this
    woken = next;
  }
}

// -------------------------------------------------------------- select

int select_impl(SelectCase* cases, int n, bool has_default, TimePoint deadline) {
  constexpr int kMax = 64;
  if (n > kMax) throw std::length_error("weft::go::select(): at most 64 cases");
  std::array<int, kMax> poll{};
  std::array<ChanCore*, kMax> locks{};
  int nlocks = 0;
  // Random poll order (Fisher-Yates) gives every ready case the same chance.
  for (int i = 0; i < n; ++i) {
    int j = static_cast<int>(fast_random() % static_cast<std::uint32_t>(i + 1));
    poll[static_cast<std::size_t>(i)] = poll[static_cast<std::size_t>(j)];
    poll[static_cast<std::size_t>(j)] = i;
  }
  for (int i = 0; i < n; ++i) {
    if (cases[i].ch) locks[static_cast<std::size_t>(nlocks++)] = cases[i].ch;
  }
  std::sort(locks.begin(), locks.begin() + nlocks);
  nlocks = static_cast<int>(std::unique(locks.begin(), locks.begin() + nlocks) - locks.begin());
  auto lock_all = [&] {
    for (int i = 0; i < nlocks; ++i) locks[static_cast<std::size_t>(i)]->mu_.lock();
  };
  auto unlock_all_but = [&](ChanCore* keep) {
    for (int i = nlocks - 1; i >= 0; --i) {
      if (locks[static_cast<std::size_t>(i)] != keep)
        locks[static_cast<std::size_t>(i)]->mu_.unlock();
    }
  };

  lock_all();
  for (int k = 0; k < n; ++k) {
    const int i = poll[static_cast<std::size_t>(k)];
    SelectCase& c = cases[i];
    ChanCore* ch = c.ch;
    if (!ch) continue;
    if (c.is_send) {
      if (ch->closed_) {
        unlock_all_but(nullptr);
        throw_closed_send();
      }
      if (Waiter* r = ch->recvq_.dequeue()) {
        unlock_all_but(ch);
        ch->send_to_receiver(r, c.elem);
        return i;
      }
      if (ch->count_ < ch->cap_) {
        ch->ops_.put(ch->slot(ch->head_ + ch->count_), c.elem);
        ++ch->count_;
        unlock_all_but(nullptr);
        return i;
      }
    } else {
      if (Waiter* s = ch->sendq_.dequeue()) {
        unlock_all_but(ch);
        ch->recv_from_sender(s, c.elem);
        c.ok = true;
        return i;
      }
      if (ch->count_ > 0) {
        ch->ops_.take(c.elem, ch->slot(ch->head_));
        ch->head_ = (ch->head_ + 1) % ch->cap_;
        --ch->count_;
        unlock_all_but(nullptr);
        c.ok = true;
        return i;
      }
      if (ch->closed_) {
        unlock_all_but(nullptr);
        c.ok = false;
        return i;
      }
    }
  }
  if (has_default || deadline <= Clock::now()) {
    unlock_all_but(nullptr);
    return has_default ? -1 : kTimeout;
  }
  Task* self = current_task();
  if (!self) {
    unlock_all_but(nullptr);
    require_task("select");
  }
  WaitSync sync;
  sync.task = self;
  std::array<Waiter, kMax> ws;
  for (int i = 0; i < n; ++i) {
    if (!cases[i].ch) continue;
    Waiter& w = ws[static_cast<std::size_t>(i)];
    w.sync = &sync;
    w.elem = cases[i].elem;
    w.index = i;
    (cases[i].is_send ? cases[i].ch->sendq_ : cases[i].ch->recvq_).push_back(&w);
  }
  ArmedTimer timer(sync, deadline);
  ChanCore* first = nlocks > 0 ? locks[0] : nullptr;
  unlock_all_but(nullptr);
  park(sync, "select", first, first ? first->name_.c_str() : nullptr);
  const int won = sync.winner;
  // Withdraw the losing waiters. The waker already dequeued the winning one
  // and the winning channel is not touched again unless another case uses
  // it too, so a closer may destroy that channel as soon as close() returns.
  for (int i = 0; i < n; ++i) {
    ChanCore* ch = cases[i].ch;
    if (!ch || i == won) continue;
    Waiter& w = ws[static_cast<std::size_t>(i)];
    std::lock_guard lk(ch->mu_);
    (cases[i].is_send ? ch->sendq_ : ch->recvq_).remove(&w);
  }
  if (won == kUnwind) throw_unwind();
  if (won == kTimeout) return kTimeout;
  Waiter& w = ws[static_cast<std::size_t>(won)];
  if (cases[won].is_send) {
    if (!w.success) throw_closed_send();
  } else {
    cases[won].ok = w.success;
  }
  return won;
}

}  // namespace weft::go::detail
