// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/core/huge_pages.hpp"
#include "weft/core/small_text.hpp"
#include "weft/events/vocabulary.hpp"

// The rows of the events pipeline: valid events and quarantined rows (the
// reasons and the calendar are in weft/events/vocabulary.hpp).
namespace weft::events {

// Event is one valid row, in 64 bytes (one cache line: sorting and
// shuffling move every event, and a line-aligned event is read with one
// miss). For transactions `amount` is first the amount in 10^-dp units of
// `currency` and, after conversion, in 10^-dp base units (x of
// docs/events-data.md; the rules see it as a double: x_of()). For sensors
// `value` is the reading; the two share their 8 bytes, each domain uses its
// own. `line`, `file` and `currency` share 8 bytes as bit-fields: lines up
// to kMaxLine (a file of at most kMaxInputBytes has fewer), kMaxInputs
// input files, kMaxCurrencies currencies. Its texts are SmallText: an Event
// moves as a copy of its 64 bytes.
struct Event {
  static constexpr int kLineBits = 42, kFileBits = 14, kCurrencyBits = 8;
  static constexpr std::int64_t kMaxLine = (std::int64_t{1} << (kLineBits - 1)) - 1;
  static constexpr std::int64_t kMaxInputBytes = kMaxLine - 1;
  static constexpr int kMaxInputs = 1 << (kFileBits - 1);
  static constexpr int kMaxCurrencies = (1 << (kCurrencyBits - 1)) - 1;

  std::int64_t id = 0;
  std::int64_t time_us = 0;  // microseconds since 1970-01-01T00:00:00Z
  union {
    std::int64_t amount = 0;  // transactions
    double value;             // sensors
  };
  std::int64_t line : kLineBits = 0;           // 1-based line of the row's first physical line
  std::int64_t file : kFileBits = 0;           // index into Config::inputs
  std::int64_t currency : kCurrencyBits = -1;  // index into Rates::currencies; -1: base
  SmallText key;
  SmallText counterparty;
};
static_assert(sizeof(Event) == 64, "an Event fills 64 bytes, a cache line: keep it so");

// x_of() is the number the rules and the moments see: a transaction's
// amount (base minor units after conversion) as a double, a reading's value.
inline double x_of(const Event& e, bool transactions) {
  return transactions ? static_cast<double>(e.amount) : e.value;
}

// relocate() moves `from` into the slot `to` where `from` is not used again
// (it stays a valid event): an event whose texts and slot's texts are
// inline is copied as its 64 bytes, leaving `from` unwritten (a move
// would clear its texts: a write to every source's cache line).
inline void relocate(Event& to, Event& from) {
  if (to.key.is_inline() && to.counterparty.is_inline() && from.key.is_inline() &&
      from.counterparty.is_inline())
    std::memcpy(static_cast<void*>(&to), static_cast<const void*>(&from), sizeof(Event));
  else
    to = std::move(from);
}

// Events is a rank's or a chunk's events: large arrays on 2 MiB pages
// (fresh 4 KiB pages cost a fault each, ~9 µs on a VM: more than parsing
// the row).
using Events = HugePageVector<Event>;

// Bytes is a large byte buffer (input text, streams between ranks) on 2 MiB pages.
using Bytes = std::basic_string<char, std::char_traits<char>, HugePageAllocator<char>>;

// BadRow is one quarantined row.
struct BadRow {
  std::int32_t file = 0;
  std::int64_t line = 0;
  Reason reason = Reason::unparsable_field;
  std::string detail;  // what was wrong ("amount '12.3x' is not a decimal")
};

// before() orders events within a key: by (timestamp, event id).
inline bool before(const Event& a, const Event& b) {
  return a.time_us != b.time_us ? a.time_us < b.time_us : a.id < b.id;
}

}  // namespace weft::events
