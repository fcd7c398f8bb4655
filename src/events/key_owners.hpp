// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "exchange.hpp"
#include "model.hpp"

// Which rank owns each key in the key shuffle: the few heavy keys of a
// skewed (Zipf) stream placed by load, every other key by its hash.
namespace weft::events {

// HeavyKey is a key that carries a large share of the events, with its
// estimated number of events.
struct HeavyKey {
  std::string key;
  std::int64_t weight = 0;
};

// kBucketsPerRank: the light keys (all but the heavy ones) fall into
// ranks * kBucketsPerRank buckets by hash, key_bucket(key_hash(key),
// buckets); bucket b belongs to rank b mod ranks unless moved, which is
// owner_of_key()'s answer for all of its keys.
inline constexpr int kBucketsPerRank = 64;

// Placement is the owner rank of each heavy key and of each light bucket.
struct Placement {
  std::vector<int> heavy;
  std::vector<int> buckets;
};

// assign_heavy_keys() places heavy keys on `light_load.size()` ranks
// (at least 1): heaviest first (equal weights in the order of their key
// bytes), each onto the rank with the least load so far (equal loads: the
// lowest rank), where rank r starts with light_load[r] (the events of the
// light keys it owns) and grows by every key placed on it. Returns the
// owner of keys[i] at [i]. Pure: the answer depends only on the keys'
// bytes and weights (not their order in `keys`) and on the light loads.
std::vector<int> assign_heavy_keys(std::span<const HeavyKey> keys,
                                   std::vector<std::int64_t> light_load);

// place_keys() is the whole placement on `ranks` ranks, pure like
// assign_heavy_keys(): every light bucket starts on its rank (bucket b of
// bucket_load.size(), a multiple of ranks, on b mod ranks), the heavy keys
// go where assign_heavy_keys() puts them; then, while a rank above the
// mean load holds a bucket lighter than its excess over the least loaded
// rank, one such bucket moves there (from the busiest such rank, the
// bucket nearest half that excess; equal: the lower rank, the lower
// bucket). A key heavier than the mean load thus ends alone on its rank:
// no other heavy key, and no bucket with a positive load.
Placement place_keys(std::span<const HeavyKey> heavy, std::span<const std::int64_t> bucket_load,
                     int ranks);

// EventPieces is a rank's events held in contiguous pieces (the ingest's
// parsed chunks, before they move together), read by index as one sequence.
class EventPieces {
 public:
  EventPieces() = default;
  explicit EventPieces(std::span<const Event> all) { add(all); }
  void add(std::span<const Event> piece) {
    if (piece.empty()) return;
    pieces_.push_back(piece);
    starts_.push_back(size_);
    size_ += piece.size();
  }
  std::size_t size() const { return size_; }
  const Event& operator[](std::size_t i) const {
    const auto k = static_cast<std::size_t>(std::upper_bound(starts_.begin(), starts_.end(), i) -
                                            starts_.begin() - 1);
    return pieces_[k][i - starts_[k]];
  }

 private:
  std::vector<std::span<const Event>> pieces_;
  std::vector<std::size_t> starts_;
  std::size_t size_ = 0;
};

// KeyOwners is the owner rank of every key for the key shuffle. Heavy keys
// (estimated at least 1/kHeavyShare of the mean events per rank) and the
// buckets of the light keys are placed by place_keys() on estimated loads,
// so that the busiest rank holds about the mean number of events even when
// one key has a tenth of them all; a light key whose bucket did not move
// stays on owner_of_key() (its key_hash()'s bucket among the ranks). A
// key's events all go to one rank: a key heavier than the mean load still
// makes its rank the busiest.
//
//   const KeyOwners owners = KeyOwners::build(events, comm);  // collective
//   for (const Event& e : events) out[owners(e.key)].push_back(e);
//
// Every rank of `comm` gets the same KeyOwners from build(); on 1 rank
// every key's owner is 0. Costs (2-vCPU EPYC guest, 10^7 events of Zipf
// keys on a rank): build() 20–30 ms, operator() 1–5 ns an event more than
// owner_of_key().
class KeyOwners {
 public:
  // kStride: build() samples one event of every kStride by index (the one
  // picked in each block is a hash of the block's index); kHeavyShare: a
  // key is heavy from this fraction of the mean load on; kMinSamples: the
  // least picks of a heavy key (fewer: too rough an estimate to place by).
  static constexpr std::size_t kStride = 64;
  static constexpr std::int64_t kHeavyShare = 128;
  static constexpr std::int64_t kMinSamples = 8;

  // KeyOwners() puts every key on rank 0 (the 1-rank answer).
  KeyOwners() = default;
  // KeyOwners() from a placement on `ranks` ranks: heavy[i].key on rank
  // placement.heavy[i] (a key listed twice: the first), a light key on the
  // owner of its bucket (placement.buckets: ranks * kBucketsPerRank
  // owners; empty: every bucket on its rank, so owner_of_key()).
  // std::invalid_argument for counts that do not match or owners outside
  // the ranks.
  KeyOwners(int ranks, std::vector<HeavyKey> heavy, Placement placement);

  // build() samples this rank's `events` (one of every `stride`, a power
  // of two; 1: each event is a pick, for events that are a sample already),
  // agrees with the other ranks on the heavy keys with their estimated
  // counts and on the estimated load of each light bucket, and places them
  // (an allreduce of the sample size, an allgatherv of the local
  // candidates' bytes, an allreduce of the candidates' and buckets'
  // counts). Collective over `comm`.
  static KeyOwners build(const EventPieces& events, MPI_Comm comm, std::size_t stride = kStride);
  static KeyOwners build(const Events& events, MPI_Comm comm) {
    return build(EventPieces(std::span<const Event>(events.data(), events.size())), comm);
  }

  // operator() is the rank that owns `key` (inline: the key shuffle asks
  // for every event).
  int operator()(std::string_view key) const {
    if (ranks_ == 1) return 0;
    const std::uint64_t h = key_hash(key);
    std::int32_t owner = buckets_[key_bucket(h, buckets_.size())];
    if (!table_.empty()) {
      // All kProbes slots, without branches (heavy and light keys interleave
      // at random: a branch on the match would be mispredicted half the time).
      const Slot* s = table_.data() + home(h);
      for (int k = 0; k < kProbes; ++k) {
        const std::int32_t hit = -static_cast<std::int32_t>(s[k].hash == h);
        owner = (owner & ~hit) | (s[k].owner & hit);
      }
    }
    return owner;
  }

  int ranks() const { return ranks_; }
  // heavy() is the heavy keys with their estimated counts (from build():
  // heaviest first, equal counts in the order of their bytes).
  const std::vector<HeavyKey>& heavy() const { return heavy_; }
  // moved() is how many light buckets left their rank.
  int moved() const;

 private:
  // Slot is an entry of the table of the heavy keys by their key_hash()
  // (a free slot: hash 0 and bucket 0's owner, the owner of a light key of
  // hash 0). A heavy key is in one of the kProbes slots from its home slot
  // on. Only the hash is compared: a key with a heavy key's hash goes with
  // it, still one owner per key.
  struct Slot {
    std::uint64_t hash = 0;
    std::int32_t owner = 0;
  };
  static constexpr int kProbes = 2;
  std::size_t home(std::uint64_t hash) const {
    return static_cast<std::size_t>((hash * 0x9e3779b97f4a7c15ull) >> shift_);
  }
  int ranks_ = 1;
  std::vector<HeavyKey> heavy_;
  std::vector<Slot> table_;
  int shift_ = 64;
  std::vector<std::int32_t> buckets_;
};

}  // namespace weft::events
