// SPDX-License-Identifier: Apache-2.0
#include "key_owners.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <queue>
#include <stdexcept>
#include <utility>

#include "exchange.hpp"
#include "weft/core/mix64.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::events {
namespace {

// heavier() orders heavy keys heaviest first, equal weights by key bytes.
bool heavier(const HeavyKey& a, const HeavyKey& b) {
  return a.weight != b.weight ? a.weight > b.weight : a.key < b.key;
}

// Sample is a rank's sampled events: how many times each key was picked,
// in an open-addressing table by the keys' key_hash() (a key is known by
// its hash, as in KeyOwners), with the index of the first event picked
// with each hash.
class Sample {
 public:
  struct Entry {
    std::uint64_t hash = 0;
    std::uint32_t count = 0;  // 0: a free slot
    std::uint32_t event = 0;
  };
  // Sample() sizes the table for about `keys` keys (it grows past half full).
  explicit Sample(std::size_t keys) {
    std::size_t size = 1024;
    while (size < 2 * keys && size < (std::size_t{1} << 22)) size *= 2;
    slots_.resize(size);
  }
  void add(std::uint64_t hash, std::size_t event) {
    std::size_t at = slot(hash);
    while (slots_[at].count != 0 && slots_[at].hash != hash) at = (at + 1) & (slots_.size() - 1);
    if (slots_[at].count++ == 0) {
      slots_[at].hash = hash;
      slots_[at].event = static_cast<std::uint32_t>(event);
      if (2 * ++used_ > slots_.size()) grow();
    }
  }
  void prefetch(std::uint64_t hash) const { __builtin_prefetch(&slots_[slot(hash)]); }
  // count() is how many times the key of `hash` was picked.
  std::int64_t count(std::uint64_t hash) const {
    for (std::size_t at = slot(hash); slots_[at].count != 0; at = (at + 1) & (slots_.size() - 1))
      if (slots_[at].hash == hash) return slots_[at].count;
    return 0;
  }
  // entries() is every slot; the free ones have count 0.
  const std::vector<Entry>& entries() const { return slots_; }

 private:
  std::size_t slot(std::uint64_t hash) const {
    return static_cast<std::size_t>(mix64(hash)) & (slots_.size() - 1);
  }
  void grow() {
    std::vector<Entry> old(2 * slots_.size());
    old.swap(slots_);
    for (const Entry& e : old)
      if (e.count != 0) {
        std::size_t at = slot(e.hash);
        while (slots_[at].count != 0) at = (at + 1) & (slots_.size() - 1);
        slots_[at] = e;
      }
  }
  std::vector<Entry> slots_;
  std::size_t used_ = 0;
};

// sample() picks one event of every `stride` (a power of two) by index, at
// a place in the block given by a hash of the block's index (no period of
// the input lines up with the picks); `picked` is how many.
Sample sample(const EventPieces& events, std::size_t stride, std::int64_t& picked) {
  constexpr std::size_t ahead = 8;
  if (stride == 0 || (stride & (stride - 1)) != 0)
    throw std::invalid_argument("KeyOwners: the stride is not a power of two");
  if (events.size() > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("KeyOwners: more than 2^32 events on a rank");
  auto at = [stride](std::size_t block) { return block * stride + (mix64(block) & (stride - 1)); };
  const std::size_t picks = events.size() / stride;
  Sample counts(picks / 8);
  // Two steps ahead of the one counted (picks are kStride events apart: too
  // far for the hardware to fetch ahead): the event, then its slot.
  std::array<std::uint64_t, ahead> hashes{};
  picked = 0;
  for (std::size_t block = 0; at(block) < events.size(); ++block, ++picked) {
    const std::size_t i = at(block);
    const std::uint64_t hash = block < ahead ? key_hash(events[i].key) : hashes[block % ahead];
    if (const std::size_t next = at(block + 2 * ahead); next < events.size())
      __builtin_prefetch(&events[next].key);
    if (const std::size_t next = at(block + ahead); next < events.size()) {
      hashes[block % ahead] = key_hash(events[next].key);
      counts.prefetch(hashes[block % ahead]);
    }
    counts.add(hash, i);
  }
  return counts;
}

// candidates() is the union over all ranks of the keys picked at least
// `least` times on one rank, sorted by their bytes: each rank's candidates
// travel as (4-byte length, bytes) records in one MPI_Allgatherv. `bytes`
// holds the gathered records the views point into. Collective over comm.
std::vector<std::string_view> candidates(const EventPieces& events, const Sample& counts,
                                         std::int64_t least, std::vector<char>& bytes,
                                         const mpi::Comm& comm) {
  std::vector<char> mine;
  for (const auto& [hash, n, event] : counts.entries()) {
    if (n == 0 || n < least) continue;
    const std::string_view key = events[event].key;
    const auto size = static_cast<std::uint32_t>(key.size());
    const char* p = reinterpret_cast<const char*>(&size);
    mine.insert(mine.end(), p, p + sizeof size);
    mine.insert(mine.end(), key.begin(), key.end());
  }
  bytes = mpi::allgatherv(mine.data(), static_cast<int>(mine.size()), comm);
  std::vector<std::string_view> keys;
  for (std::size_t at = 0; at + sizeof(std::uint32_t) <= bytes.size();) {
    std::uint32_t size = 0;
    std::memcpy(&size, bytes.data() + at, sizeof size);
    at += sizeof size;
    keys.emplace_back(bytes.data() + at, size);
    at += size;
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace

std::vector<int> assign_heavy_keys(std::span<const HeavyKey> keys,
                                   std::vector<std::int64_t> light_load) {
  if (light_load.empty()) throw std::invalid_argument("assign_heavy_keys: no ranks");
  std::vector<std::size_t> order(keys.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return heavier(keys[a], keys[b]); });
  // The least loaded rank on top; equal loads: the lowest rank.
  using Load = std::pair<std::int64_t, int>;
  std::priority_queue<Load, std::vector<Load>, std::greater<>> least;
  for (std::size_t r = 0; r < light_load.size(); ++r)
    least.emplace(light_load[r], static_cast<int>(r));
  std::vector<int> owner(keys.size());
  for (const std::size_t i : order) {
    const auto [load, rank] = least.top();
    least.pop();
    owner[i] = rank;
    least.emplace(load + keys[i].weight, rank);
  }
  return owner;
}

Placement place_keys(std::span<const HeavyKey> heavy, std::span<const std::int64_t> bucket_load,
                     int ranks) {
  const auto n = static_cast<std::size_t>(ranks);
  if (ranks < 1 || bucket_load.size() % n != 0)
    throw std::invalid_argument("place_keys: at least one rank and the same buckets on each");
  Placement p;
  p.buckets.resize(bucket_load.size());
  std::vector<std::int64_t> load(n);
  std::vector<std::vector<std::size_t>> held(n);  // the buckets on each rank
  for (std::size_t b = 0; b < bucket_load.size(); ++b) {
    p.buckets[b] = static_cast<int>(b % n);
    load[b % n] += bucket_load[b];
    held[b % n].push_back(b);
  }
  p.heavy = assign_heavy_keys(heavy, load);
  for (std::size_t k = 0; k < heavy.size(); ++k)
    load[static_cast<std::size_t>(p.heavy[k])] += heavy[k].weight;
  const std::int64_t total = std::accumulate(load.begin(), load.end(), std::int64_t{0});
  std::vector<std::size_t> busiest(n);
  // Each move lowers the sum of the squared loads: a bounded number of them.
  for (std::size_t moves = 0; moves < 16 * bucket_load.size(); ++moves) {
    const auto least =
        static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    std::iota(busiest.begin(), busiest.end(), std::size_t{0});
    std::stable_sort(busiest.begin(), busiest.end(),
                     [&](std::size_t a, std::size_t b) { return load[a] > load[b]; });
    std::size_t from = n, pick = 0;
    for (const std::size_t r : busiest) {
      if (load[r] * ranks <= total) break;  // not above the mean
      const std::int64_t excess = load[r] - load[least];
      std::int64_t best = std::numeric_limits<std::int64_t>::max();
      for (std::size_t i = 0; i < held[r].size(); ++i) {
        const std::int64_t w = bucket_load[held[r][i]];
        const std::int64_t off = std::abs(2 * w - excess);
        if (w > 0 && w < excess && (off < best || (off == best && held[r][i] < held[r][pick]))) {
          best = off;
          pick = i;
          from = r;
        }
      }
      if (from != n) break;
    }
    if (from == n) break;
    const std::size_t b = held[from][pick];
    held[from].erase(held[from].begin() + static_cast<std::ptrdiff_t>(pick));
    held[least].push_back(b);
    p.buckets[b] = static_cast<int>(least);
    load[from] -= bucket_load[b];
    load[least] += bucket_load[b];
  }
  return p;
}

KeyOwners::KeyOwners(int ranks, std::vector<HeavyKey> heavy, Placement placement)
    : ranks_(ranks), heavy_(std::move(heavy)) {
  const auto buckets = static_cast<std::size_t>(ranks) * kBucketsPerRank;
  if (ranks < 1 || placement.heavy.size() != heavy_.size() ||
      (!placement.buckets.empty() && placement.buckets.size() != buckets))
    throw std::invalid_argument(
        "KeyOwners: at least one rank, an owner per heavy key and one per bucket");
  auto valid = [&](int r) {
    if (r < 0 || r >= ranks) throw std::invalid_argument("KeyOwners: an owner outside the ranks");
    return static_cast<std::int32_t>(r);
  };
  buckets_.resize(buckets);
  for (std::size_t b = 0; b < buckets; ++b)
    buckets_[b] = placement.buckets.empty()
                      ? static_cast<std::int32_t>(b % static_cast<std::size_t>(ranks))
                      : valid(placement.buckets[b]);
  if (heavy_.empty()) return;
  // The smallest table (at least 4 slots a key) in which every key sits
  // within kProbes slots of its home slot.
  for (int bits = 3;; ++bits) {
    shift_ = 64 - bits;
    const std::size_t size = (std::size_t{1} << bits) + kProbes - 1;
    table_.assign(size, Slot{0, buckets_[0]});
    std::vector<char> taken(size);
    bool fits = 4 * heavy_.size() <= (std::size_t{1} << bits);
    for (std::size_t i = 0; fits && i < heavy_.size(); ++i) {
      const std::uint64_t h = key_hash(heavy_[i].key);
      const std::int32_t owner = valid(placement.heavy[i]);
      std::size_t at = home(h), end = at + kProbes;
      while (at < end && taken[at] && table_[at].hash != h) ++at;
      if (at == end)
        fits = false;
      else if (!taken[at]) {  // (a hash seen before keeps its first owner)
        taken[at] = 1;
        table_[at] = {h, owner};
      }
    }
    if (fits) return;
  }
}

int KeyOwners::moved() const {
  int n = 0;
  for (std::size_t b = 0; b < buckets_.size(); ++b)
    n += buckets_[b] != static_cast<std::int32_t>(b % static_cast<std::size_t>(ranks_));
  return n;
}

KeyOwners KeyOwners::build(const EventPieces& events, MPI_Comm comm, std::size_t stride) {
  const mpi::Comm world(comm);
  const int ranks = world.size();
  if (ranks == 1) return {};
  std::int64_t picked = 0;
  const Sample counts = sample(events, stride, picked);
  // A key with `heavy` picks over all ranks has at least heavy / ranks on
  // one of them: those are the candidates.
  const std::int64_t total = mpi::allreduce(picked, MPI_SUM, world);
  const std::int64_t heavy = std::max(kMinSamples, total / (ranks * kHeavyShare));
  std::vector<char> bytes;
  const std::vector<std::string_view> keys =
      candidates(events, counts, (heavy + ranks - 1) / ranks, bytes, world);
  // One sum over all ranks: the candidates' picks, then each bucket's.
  const std::size_t n = keys.size();
  const auto buckets = static_cast<std::size_t>(ranks) * kBucketsPerRank;
  std::vector<std::int64_t> sums(n + buckets);
  for (std::size_t i = 0; i < n; ++i) sums[i] = counts.count(key_hash(keys[i]));
  for (const auto& [hash, c, event] : counts.entries())
    if (c != 0) sums[n + key_bucket(hash, buckets)] += c;
  mpi::allreduce(sums.data(), sums.data(), static_cast<int>(sums.size()), MPI_SUM, world);
  std::vector<std::int64_t> light(sums.begin() + static_cast<std::ptrdiff_t>(n), sums.end());
  std::vector<HeavyKey> plan;
  for (std::size_t i = 0; i < n; ++i)
    if (sums[i] >= heavy) {
      plan.push_back({std::string(keys[i]), sums[i] * static_cast<std::int64_t>(stride)});
      light[key_bucket(key_hash(keys[i]), buckets)] -= sums[i];
    }
  for (auto& l : light) l *= static_cast<std::int64_t>(stride);
  std::stable_sort(plan.begin(), plan.end(), heavier);
  Placement placement = place_keys(plan, light, ranks);
  return KeyOwners(ranks, std::move(plan), std::move(placement));
}

}  // namespace weft::events
