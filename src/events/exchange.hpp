// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

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

// fnv1a64() is the 64-bit FNV-1a hash of `key`'s bytes.
inline std::uint64_t fnv1a64(std::string_view key) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}
// owner_of_key() is the rank that holds key `key` by its hash (fnv1a64()
// modulo `ranks`; KeyOwners places the heavy keys otherwise);
// owner_of_id() the rank that checks id `id`.
int owner_of_key(std::string_view key, int ranks);
int owner_of_id(std::int64_t id, int ranks);

// pack_event() / unpack_event() move an event through a byte stream (the
// unpacked one overwrites `e`, reusing its texts' memory): id, time_us,
// amount, value, line (8 bytes each), file, currency (4 bytes each), then
// key and counterparty as SmallText images (16 bytes; a text on the heap:
// its size in the image and its bytes after it). An event of short texts
// packs into 80 bytes, copied as blocks. packed_size() is its size there,
// at least kPackedLeast.
void pack_event(Packer& p, const Event& e);
void unpack_event(Unpacker& u, Event& e);
std::size_t packed_size(const Event& e);
inline constexpr std::size_t kPackedLeast =
    5 * sizeof(std::int64_t) + 2 * sizeof(std::int32_t) + 32;

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
