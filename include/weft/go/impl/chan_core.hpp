// SPDX-License-Identifier: Apache-2.0
// Private: the type-erased channel behind Chan<T> and select().
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "weft/go/impl/spinlock.hpp"
#include "weft/go/impl/wait.hpp"

namespace weft::go::detail {

// ElemOps moves values of the channel's element type T. A send source is a
// T*, a receive target a std::optional<T>* (empty), a slot raw storage.
struct ElemOps {
  void (*put)(void* slot, void* src) noexcept;    // construct slot from move(*src)
  void (*take)(void* dst, void* slot) noexcept;   // dst->emplace(move(*slot)); destroy slot
  void (*direct)(void* dst, void* src) noexcept;  // dst->emplace(move(*src))
  void (*destroy)(void* slot) noexcept;
  std::size_t size;
  std::size_t align;
};

enum class RecvResult { value, closed, would_block };

struct SelectCase;

// ChanCore is Go's hchan: a lock, a ring buffer of `capacity` slots and the
// queues of blocked senders and receivers.
class ChanCore {
 public:
  ChanCore(std::size_t capacity, const ElemOps& ops, std::string_view name);
  ~ChanCore();
  ChanCore(const ChanCore&) = delete;
  ChanCore& operator=(const ChanCore&) = delete;

  // send() blocks until delivered (true) or the deadline passed (false);
  // throws ChannelClosed. block=false makes it try_send.
  bool send(void* src, bool block, TimePoint deadline);
  // recv() blocks until a value arrived, the channel is closed and drained,
  // or (would_block) the deadline passed / block=false found nothing.
  RecvResult recv(void* dst, bool block, TimePoint deadline);
  void close();
  std::size_t size() const noexcept;
  std::size_t capacity() const noexcept { return cap_; }
  bool closed() const noexcept;
  const std::string& name() const noexcept { return name_; }

 private:
  friend int select_impl(SelectCase* cases, int n, bool has_default, TimePoint deadline);
  void* slot(std::size_t i) const noexcept { return buf_ + (i % cap_) * ops_.size; }
  // Both run with mu_ held; they release it.
  void send_to_receiver(Waiter* r, void* src) noexcept;
  void recv_from_sender(Waiter* s, void* dst) noexcept;

  mutable Spinlock mu_;
  std::size_t cap_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  bool closed_ = false;
  unsigned char* buf_ = nullptr;
  const ElemOps& ops_;
  WaitQueue recvq_;
  WaitQueue sendq_;
  std::string name_;
};

// SelectCase is one case of select(): ch == nullptr never fires (Go's nil
// channel). recv cases receive into elem (std::optional<T>*), send cases
// move from elem (T*).
struct SelectCase {
  ChanCore* ch = nullptr;
  void* elem = nullptr;
  bool is_send = false;
  bool ok = false;  // recv: a value arrived (false: closed and drained)
};

// select_impl() performs one of the ready cases, chosen uniformly at random,
// or blocks; returns the case index, -1 for default, kTimeout on timeout.
int select_impl(SelectCase* cases, int n, bool has_default, TimePoint deadline);

}  // namespace weft::go::detail
