// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstddef>
#include <iterator>
#include <new>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

#include "weft/go/impl/chan_core.hpp"

namespace weft::go {

// ChannelClosed is thrown by a send on a closed channel and by closing a
// closed channel (Go panics there): a program error, not an end-of-stream.
class ChannelClosed : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Chan<T> is a Go channel. Capacity 0 is a rendezvous (send waits for a
// receiver), capacity n >= 1 buffers n values. Values are delivered in FIFO
// order per sender; blocked senders and receivers are served in arrival
// order. All operations may be used by any number of tasks; the blocking
// ones must be called from a task and park it, never the worker thread.
// T must be nothrow move constructible. Destroy a channel only when no task
// is blocked on it.
//
//   weft::go::Chan<int> ch(16, "numbers");
//   weft::go::go([&] { for (int i = 0; i < 3; ++i) ch.send(i); ch.close(); });
//   for (int v : ch) std::printf("%d\n", v);   // 0 1 2, ends when closed
template <class T>
class Chan {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "Chan<T>: T must be nothrow move constructible");

 public:
  using value_type = T;

  // Chan() makes a channel with `capacity` slots; name shows in deadlock
  // reports.
  explicit Chan(std::size_t capacity = 0, std::string_view name = {})
      : core_(capacity, ops, name) {}

  // send() blocks until v is received (capacity 0) or buffered. Throws
  // ChannelClosed if the channel is closed, also while blocked.
  void send(T v) { core_.send(&v, true, detail::TimePoint::max()); }

  // send_for() is send() giving up after d; returns false on timeout (v is
  // then dropped).
  template <class Rep, class Period>
  bool send_for(T v, std::chrono::duration<Rep, Period> d) {
    return core_.send(&v, true, deadline(d));
  }

  // try_send() sends only if that needs no waiting; returns whether it did.
  bool try_send(T v) { return core_.send(&v, false, {}); }

  // recv() blocks until a value arrives; it returns an empty optional once
  // the channel is closed and every buffered value has been received.
  std::optional<T> recv() {
    std::optional<T> out;
    core_.recv(&out, true, detail::TimePoint::max());
    return out;
  }

  // recv_for() is recv() giving up after d: empty on timeout or when closed
  // and drained (use select() with a timeout to tell them apart).
  template <class Rep, class Period>
  std::optional<T> recv_for(std::chrono::duration<Rep, Period> d) {
    std::optional<T> out;
    core_.recv(&out, true, deadline(d));
    return out;
  }

  // try_recv() receives only if a value is ready now.
  std::optional<T> try_recv() {
    std::optional<T> out;
    core_.recv(&out, false, {});
    return out;
  }

  // close() marks the end of the stream: pending and future receivers drain
  // the buffer and then get empty optionals; blocked senders throw
  // ChannelClosed. Closing twice throws ChannelClosed.
  void close() { core_.close(); }

  // closed() tells whether close() was called.
  bool closed() const noexcept { return core_.closed(); }
  // size() is the number of buffered values; capacity() the buffer size.
  std::size_t size() const noexcept { return core_.size(); }
  std::size_t capacity() const noexcept { return core_.capacity(); }

  // iterator makes `for (T v : ch)` receive until closed and drained.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = T*;
    using reference = T&;
    iterator() = default;
    explicit iterator(Chan* ch) : ch_(ch) { ++*this; }
    T& operator*() { return *cur_; }
    iterator& operator++() {
      cur_ = ch_->recv();
      if (!cur_) ch_ = nullptr;
      return *this;
    }
    bool operator==(const iterator& o) const { return ch_ == o.ch_; }

   private:
    Chan* ch_ = nullptr;
    std::optional<T> cur_;
  };
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

  // core() is for select(); not for direct use.
  detail::ChanCore& core() noexcept { return core_; }

 private:
  template <class Rep, class Period>
  static detail::TimePoint deadline(std::chrono::duration<Rep, Period> d) {
    auto now = detail::Clock::now();
    if (d > detail::TimePoint::max() - now) return detail::TimePoint::max();
    return now + std::chrono::duration_cast<detail::Clock::duration>(d);
  }
  static constexpr detail::ElemOps ops{
      [](void* slot, void* src) noexcept { ::new (slot) T(std::move(*static_cast<T*>(src))); },
      [](void* dst, void* slot) noexcept {
        T* p = std::launder(static_cast<T*>(slot));
        static_cast<std::optional<T>*>(dst)->emplace(std::move(*p));
        p->~T();
      },
      [](void* dst, void* src) noexcept {
        static_cast<std::optional<T>*>(dst)->emplace(std::move(*static_cast<T*>(src)));
      },
      [](void* slot) noexcept { std::launder(static_cast<T*>(slot))->~T(); },
      sizeof(T),
      alignof(T)};
  detail::ChanCore core_;
};

}  // namespace weft::go
