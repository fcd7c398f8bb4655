// SPDX-License-Identifier: Apache-2.0
#include "state.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <stdexcept>

#include "exchange.hpp"

namespace weft::events {
namespace {

constexpr std::uint32_t kMagic = 0x45565434;  // "EVT4": 64-byte events
// kMagicOld: "EVT1" (no ingest cursors), "EVT2" (events' texts with
// lengths), "EVT3" (80-byte events).
constexpr std::uint32_t kMagicOld[] = {0x45565431, 0x45565432, 0x45565433};

template <class T, class V>
void put_all(Packer& p, const V& v, void (*put_one)(Packer&, const T&)) {
  p.put(static_cast<std::uint64_t>(v.size()));
  for (const T& x : v) put_one(p, x);
}

template <class T, class V = std::vector<T>>
V get_all(Unpacker& u, T (*get_one)(Unpacker&)) {
  const auto n = u.get<std::uint64_t>();
  if (n > u.bytes.size()) throw std::runtime_error("a packed state with a bad count");
  V v;
  v.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) v.push_back(get_one(u));
  return v;
}

void put_bad(Packer& p, const BadRow& b) {
  p.put(b.file);
  p.put(b.line);
  p.put(static_cast<std::uint8_t>(b.reason));
  p.put_string(b.detail);
}
BadRow get_bad(Unpacker& u) {
  BadRow b;
  b.file = u.get<std::int32_t>();
  b.line = u.get<std::int64_t>();
  b.reason = static_cast<Reason>(u.get<std::uint8_t>());
  b.detail = u.get_string();
  return b;
}

void put_key(Packer& p, const KeyStats& s) {
  p.put_string(s.key);
  for (std::int64_t v : {s.count, s.sum_units, s.min_units, s.max_units, s.first_time, s.last_time,
                         s.distinct_counterparties})
    p.put(v);
  for (double v : {s.sum, s.mean, s.stddev, s.min, s.max}) p.put(v);
}
KeyStats get_key(Unpacker& u) {
  KeyStats s;
  s.key = u.get_string();
  for (std::int64_t* v : {&s.count, &s.sum_units, &s.min_units, &s.max_units, &s.first_time,
                          &s.last_time, &s.distinct_counterparties})
    *v = u.get<std::int64_t>();
  for (double* v : {&s.sum, &s.mean, &s.stddev, &s.min, &s.max}) *v = u.get<double>();
  return s;
}

void put_day(Packer& p, const DayRow& d) {
  p.put(d.day);
  p.put(d.count);
  p.put(d.sum_units);
  p.put(d.sum);
}
DayRow get_day(Unpacker& u) {
  DayRow d;
  d.day = u.get<std::int64_t>();
  d.count = u.get<std::int64_t>();
  d.sum_units = u.get<std::int64_t>();
  d.sum = u.get<double>();
  return d;
}

void put_flag(Packer& p, const Flag& f) {
  p.put_string(f.rule);
  p.put_string(f.key);
  p.put(f.score);
  p.put(f.first_time_us);
  p.put(f.last_time_us);
  p.put(static_cast<std::uint64_t>(f.events.size()));
  for (std::int64_t id : f.events) p.put(id);
}
Flag get_flag(Unpacker& u) {
  Flag f;
  f.rule = u.get_string();
  f.key = u.get_string();
  f.score = u.get<double>();
  f.first_time_us = u.get<std::int64_t>();
  f.last_time_us = u.get<std::int64_t>();
  const auto n = u.get<std::uint64_t>();
  if (n > u.bytes.size()) throw std::runtime_error("a packed flag with a bad count");
  for (std::uint64_t i = 0; i < n; ++i) f.events.push_back(u.get<std::int64_t>());
  return f;
}

void put_cursor(Packer& p, const Cursor& c) {
  for (std::int64_t v : {c.pos, c.end, c.line}) p.put(v);
}
Cursor get_cursor(Unpacker& u) {
  Cursor c;
  for (std::int64_t* v : {&c.pos, &c.end, &c.line}) *v = u.get<std::int64_t>();
  return c;
}

void put_event(Packer& p, const Event& e) { pack_event(p, e); }
Event get_event(Unpacker& u) {
  Event e;
  unpack_event(u, e);
  return e;
}

}  // namespace

std::vector<std::int64_t> pack_state(const PipelineState& s) {
  Packer p;
  p.put(kMagic);
  p.put(s.rows);
  p.put(s.bytes);
  put_all<Event>(p, s.events, &put_event);
  put_all<BadRow>(p, s.tables.bad, &put_bad);
  put_all<KeyStats>(p, s.tables.keys, &put_key);
  put_all<DayRow>(p, s.tables.days, &put_day);
  put_all<Flag>(p, s.tables.flags, &put_flag);
  put_all<Cursor>(p, s.cursors, &put_cursor);
  std::vector<std::int64_t> words(1 + (p.bytes.size() + 7) / 8, 0);
  words[0] = static_cast<std::int64_t>(p.bytes.size());
  std::memcpy(words.data() + 1, p.bytes.data(), p.bytes.size());
  return words;
}

PipelineState unpack_state(const std::vector<std::int64_t>& words) {
  if (words.empty() || words[0] < 0 ||
      static_cast<std::uint64_t>(words[0]) > (words.size() - 1) * 8)
    throw std::runtime_error("not a packed events state");
  std::string bytes(static_cast<std::size_t>(words[0]), '\0');
  std::memcpy(bytes.data(), words.data() + 1, bytes.size());
  Unpacker u{bytes};
  const std::uint32_t magic = bytes.size() < 20 ? 0 : u.get<std::uint32_t>();
  if (std::find(std::begin(kMagicOld), std::end(kMagicOld), magic) != std::end(kMagicOld))
    throw std::runtime_error(
        "its events state has an earlier format; continue it with the weft that wrote it, or "
        "run again");
  if (magic != kMagic) throw std::runtime_error("not a packed events state");
  PipelineState s;
  s.rows = u.get<std::int64_t>();
  s.bytes = u.get<std::int64_t>();
  s.events = get_all<Event, Events>(u, &get_event);
  s.tables.bad = get_all<BadRow>(u, &get_bad);
  s.tables.keys = get_all<KeyStats>(u, &get_key);
  s.tables.days = get_all<DayRow>(u, &get_day);
  s.tables.flags = get_all<Flag>(u, &get_flag);
  s.cursors = get_all<Cursor>(u, &get_cursor);
  if (!u.done()) throw std::runtime_error("a packed events state with bytes left over");
  return s;
}

}  // namespace weft::events
