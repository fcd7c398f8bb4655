// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <type_traits>
#include <utility>

#include "weft/go/chan.hpp"
#include "weft/go/impl/chan_core.hpp"

namespace weft::go {

namespace detail {
struct NoOp {
  void operator()() const noexcept {}
};
template <class T, class F>
struct RecvCase {
  ChanCore* ch;
  F f;
  std::optional<T> value{};
  SelectCase make() { return SelectCase{ch, &value, false, false}; }
  void invoke(const SelectCase&) {
    if constexpr (std::is_invocable_v<F&, std::optional<T>>) {
      f(std::move(value));
    } else {
      f();
    }
  }
};
template <class T, class F>
struct SendCase {
  ChanCore* ch;
  T value;
  F f;
  SelectCase make() { return SelectCase{ch, &value, true, false}; }
  void invoke(const SelectCase&) { f(); }
};
template <class F>
struct DefaultCase {
  F f;
};
template <class F>
struct TimeoutCase {
  Clock::duration d;
  F f;
};
template <class C>
struct IsChanCase : std::false_type {};
template <class T, class F>
struct IsChanCase<RecvCase<T, F>> : std::true_type {};
template <class T, class F>
struct IsChanCase<SendCase<T, F>> : std::true_type {};
template <class C>
struct IsDefaultCase : std::false_type {};
template <class F>
struct IsDefaultCase<DefaultCase<F>> : std::true_type {};
}  // namespace detail

// on_recv() is a select case receiving from ch; f gets the
// std::optional<T> (empty: ch is closed and drained) or no argument. A null
// channel pointer never fires (Go's nil channel).
template <class T, class F = detail::NoOp>
detail::RecvCase<T, F> on_recv(Chan<T>& ch, F f = {}) {
  return {&ch.core(), std::move(f)};
}
template <class T, class F = detail::NoOp>
detail::RecvCase<T, F> on_recv(Chan<T>* ch, F f = {}) {
  return {ch ? &ch->core() : nullptr, std::move(f)};
}

// on_send() is a select case sending v to ch, then calling f(). Selecting
// it on a closed channel throws ChannelClosed.
template <class T, class U, class F = detail::NoOp>
detail::SendCase<T, F> on_send(Chan<T>& ch, U&& v, F f = {}) {
  return {&ch.core(), T(std::forward<U>(v)), std::move(f)};
}
template <class T, class U, class F = detail::NoOp>
detail::SendCase<T, F> on_send(Chan<T>* ch, U&& v, F f = {}) {
  return {ch ? &ch->core() : nullptr, T(std::forward<U>(v)), std::move(f)};
}

// on_default() is chosen when no other case is ready (select never blocks).
template <class F = detail::NoOp>
detail::DefaultCase<F> on_default(F f = {}) {
  return {std::move(f)};
}

// on_timeout() is chosen when no case became ready within d.
template <class Rep, class Period, class F = detail::NoOp>
detail::TimeoutCase<F> on_timeout(std::chrono::duration<Rep, Period> d, F f = {}) {
  return {std::chrono::duration_cast<detail::Clock::duration>(d), std::move(f)};
}

// select() waits until one of its channel cases can proceed, performs
// exactly that one (chosen uniformly at random among the ready ones, as in
// Go), runs its handler and returns the case's position in the argument
// list. With on_default() it never blocks; with on_timeout() it blocks at
// most that long. At most 64 channel cases.
//
//   int got = 0;
//   weft::go::select(
//       weft::go::on_recv(results, [&](std::optional<int> v) { if (v) got = *v; }),
//       weft::go::on_recv(ctx.done(), [&] { throw weft::go::Cancelled("stop"); }),
//       weft::go::on_timeout(std::chrono::seconds(1), [&] { report_slow(); }));
template <class... Cs>
int select(Cs&&... cs) {
  constexpr std::size_t kChan =
      (std::size_t{0} + ... + (detail::IsChanCase<std::decay_t<Cs>>::value ? 1 : 0));
  static_assert(kChan <= 64, "select(): at most 64 channel cases");
  std::array<detail::SelectCase, (kChan > 0 ? kChan : 1)> arr{};
  bool has_default = false;
  auto deadline = detail::TimePoint::max();
  int k = 0;
  auto fill = [&](auto& c) {
    using C = std::decay_t<decltype(c)>;
    if constexpr (detail::IsChanCase<C>::value) {
      arr[static_cast<std::size_t>(k++)] = c.make();
    } else if constexpr (detail::IsDefaultCase<C>::value) {
      has_default = true;
    } else {
      deadline = std::min(deadline, detail::Clock::now() + c.d);
    }
  };
  (fill(cs), ...);
  const int r = detail::select_impl(arr.data(), static_cast<int>(kChan), has_default, deadline);
  int pos = 0;
  int chan_i = 0;
  int chosen = -1;
  auto dispatch = [&](auto& c) {
    using C = std::decay_t<decltype(c)>;
    if constexpr (detail::IsChanCase<C>::value) {
      if (chan_i == r && chosen < 0) {
        chosen = pos;
        c.invoke(arr[static_cast<std::size_t>(chan_i)]);
      }
      ++chan_i;
    } else if constexpr (detail::IsDefaultCase<C>::value) {
      if (r == -1 && chosen < 0) {
        chosen = pos;
        c.f();
      }
    } else {
      if (r == detail::kTimeout && chosen < 0) {
        chosen = pos;
        c.f();
      }
    }
    ++pos;
  };
  (dispatch(cs), ...);
  return chosen;
}

}  // namespace weft::go
