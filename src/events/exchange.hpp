// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model.hpp"

// Moving rows between ranks: byte streams per destination sent by MPI
// all-to-all in rounds, events packed into them, and the two shuffles of
// the pipeline (duplicate ids by id hash, events by key: KeyOwners).
namespace weft::events {

// Packer appends plain values and strings to a byte stream.
struct Packer {
  Bytes bytes;
  template <class T>
  void put(const T& v) {
    bytes.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void put_string(std::string_view s) {
    put(static_cast<std::uint32_t>(s.size()));
    bytes.append(s);
  }
};

// Unpacker reads back what a Packer wrote, in the same order.
struct Unpacker {
  std::string_view bytes;
  std::size_t at = 0;
  bool done() const { return at >= bytes.size(); }
  template <class T>
  T get() {
    if (at + sizeof(T) > bytes.size()) throw std::runtime_error("a byte stream ends early");
    T v;
    std::memcpy(&v, bytes.data() + at, sizeof(T));
    at += sizeof(T);
    return v;
  }
  std::string get_string() { return std::string(get_view()); }
  // get_view() is the next string as a view into the stream.
  std::string_view get_view() {
    const auto n = get<std::uint32_t>();
    if (at + n > bytes.size()) throw std::runtime_error("a byte stream ends early");
    const std::string_view s = bytes.substr(at, n);
    at += n;
    return s;
  }
};

// exchange() sends out[r] to rank r and returns what every rank sent to
// this one, indexed by source rank (this rank's own stream is moved, not
// sent). After an all-to-all of the sizes, the streams go in rounds of at
// most `round_bytes` per pair (so any size fits MPI's int counts), each
// piece sent point to point from the sender's stream straight into the
// receiver's (no staging copies). `mpi_seconds` grows by the time spent in
// MPI. Collective over `comm`.
std::vector<Bytes> exchange(std::vector<Bytes> out, std::int64_t round_bytes, MPI_Comm comm,
                            double& mpi_seconds);
// exchange_into() is exchange() into streams the caller keeps: in[r] (r not
// this rank) becomes what rank r sent, reusing its memory; out[self] and
// in[self] are not touched. Collective over `comm`.
void exchange_into(const std::vector<Bytes>& out, std::vector<Bytes>& in, std::int64_t round_bytes,
                   MPI_Comm comm, double& mpi_seconds);

// streams() moves the packers' bytes out, one stream per rank.
std::vector<Bytes> streams(std::vector<Packer>& packers);

// key_hash() is a 64-bit hash of `key`'s bytes, read a word at a time:
// a key of 4 to 16 bytes as four overlapping 4-byte loads (the first and
// last bytes always among them), a shorter one as its first, middle and
// last bytes, a longer one 16 bytes a round; each step folds two words by
// the high and low halves of their 128-bit product (the scheme of
// wyhash). Equal bytes give equal hashes on every rank and machine (the
// loads are little-endian: x86-64 and AArch64). 2-3 ns a 7-byte key on
// the 2-vCPU EPYC guest, about half of FNV-1a's byte loop (which it
// replaced in the key shuffle).
namespace detail {
inline std::uint64_t load_le(const char* p, std::size_t bytes) {
  std::uint64_t v = 0;
  std::memcpy(&v, p, bytes);
  return v;
}
__extension__ typedef unsigned __int128 UInt128;
inline std::uint64_t fold(std::uint64_t a, std::uint64_t b) {
  const UInt128 r = static_cast<UInt128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}
}  // namespace detail
inline std::uint64_t key_hash(std::string_view key) {
  constexpr std::uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
  const char* p = key.data();
  const std::size_t n = key.size();
  std::uint64_t a = 0, b = 0, seed = k0;
  if (n <= 16) {
    if (n >= 4) {
      const std::size_t q = (n >> 3) << 2;  // 0 below 8 bytes, else 4
      a = detail::load_le(p, 4) << 32 | detail::load_le(p + q, 4);
      b = detail::load_le(p + n - 4, 4) << 32 | detail::load_le(p + n - 4 - q, 4);
    } else if (n > 0) {
      a = static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) << 16 |
          static_cast<std::uint64_t>(static_cast<unsigned char>(p[n >> 1])) << 8 |
          static_cast<unsigned char>(p[n - 1]);
    }
  } else {
    std::size_t left = n;
    for (; left > 16; p += 16, left -= 16)
      seed = detail::fold(detail::load_le(p, 8) ^ k1, detail::load_le(p + 8, 8) ^ seed);
    a = detail::load_le(p + left - 16, 8);
    b = detail::load_le(p + left - 8, 8);
  }
  return detail::fold(k1 ^ n, detail::fold(a ^ k1, b ^ seed));
}
// key_bucket() is the bucket of `n` (at most 2^32) that a key of hash
// `hash` falls into: the hash's low 32 bits modulo n (a 32-bit division).
inline std::uint32_t key_bucket(std::uint64_t hash, std::size_t n) {
  return static_cast<std::uint32_t>(hash) % static_cast<std::uint32_t>(n);
}
// owner_of_key() is the rank that holds key `key` by its hash (its
// key_bucket() among `ranks`; KeyOwners places the heavy keys otherwise);
// owner_of_id() the rank that checks id `id`.
int owner_of_key(std::string_view key, int ranks);
int owner_of_id(std::int64_t id, int ranks);

// pack_event() / unpack_event() move an event through a byte stream (the
// unpacked one overwrites `e`, reusing its texts' memory): the Event's
// first 32 bytes (id, time_us, amount or value, the word of line, file and
// currency), then key and counterparty as SmallText images (16 bytes; a
// text on the heap: its size in the image and its bytes after it). An event
// of short texts packs into its own 64 bytes, copied as blocks. packed_size() is its size there,
// at least kPackedLeast.
void pack_event(Packer& p, const Event& e);
void unpack_event(Unpacker& u, Event& e);
// inline_image() is whether the packed event at `p` (at least
// sizeof(Event) bytes) is an event of inline texts, its image its 64 bytes.
inline bool inline_image(const char* p) {
  auto tag = [p](std::size_t text) {
    return static_cast<unsigned char>(p[text + SmallText::kImage - 1]) <= SmallText::kInline;
  };
  return tag(offsetof(Event, key)) && tag(offsetof(Event, counterparty));
}
std::size_t packed_size(const Event& e);
inline constexpr std::size_t kPackedLeast = 4 * sizeof(std::int64_t) + 2 * SmallText::kImage;

// remove_duplicates() finds, over all ranks, the rows whose event id an
// earlier row (smaller (file, line)) has: they leave `events` for `bad`
// as duplicate_event_id; `removed`, when given, gains their indices in
// `events` (ascending). The others keep their order. Collective over `comm`.
void remove_duplicates(Events& events, std::vector<BadRow>& bad, std::int64_t round_bytes,
                       MPI_Comm comm, double& mpi_seconds,
                       std::vector<std::size_t>* removed = nullptr);

// sort_by_key() sorts events by (key bytes, timestamp, event id): keys of at
// most 7 bytes by dense numbers of their bytes, longer ones by comparison
// (key_order.cpp). `source`, when given, is the rank each event came from
// (one an event): each key's events are then gathered source by source, in
// their order within a source, before the sort by time, which is fastest on
// events already in time order (the input's order, when it is mostly by
// time, as exports are). The result does not depend on it.
void sort_by_key(Events& events, std::span<const std::int32_t> source = {});

}  // namespace weft::events
