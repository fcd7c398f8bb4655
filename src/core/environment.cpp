// SPDX-License-Identifier: Apache-2.0
#include "weft/core/environment.hpp"

#include <fmt/format.h>
#include <sched.h>

#include <boost/version.hpp>
#include <charconv>
#include <cstdlib>

#include "weft/core/error.hpp"

namespace weft {

ThreadChoice choose_threads(int deck_threads, int ranks_on_node, int cores_on_node,
                            const GetEnv& getenv) {
  if (deck_threads > 0) return {deck_threads, "deck runtime.threads"};
  for (const char* name : {"WEFT_NUM_THREADS", "SLURM_CPUS_PER_TASK", "OMP_NUM_THREADS"}) {
    const char* v = getenv(name);
    if (!v || !*v) continue;
    std::string_view s(v);
    // OMP_NUM_THREADS may be a list ("4,2") for nested levels: use the first.
    if (std::string_view(name) == "OMP_NUM_THREADS") s = s.substr(0, s.find(','));
    int n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || end != s.data() + s.size() || n <= 0) {
      throw InputError(fmt::format(
          "environment variable {}='{}' is not a positive integer; set it to the number of "
          "threads per rank, or unset it",
          name, v));
    }
    return {n, name};
  }
  const int ranks = ranks_on_node > 0 ? ranks_on_node : 1;
  const int n = cores_on_node / ranks;
  return {n > 0 ? n : 1, fmt::format("{} cores / {} ranks on the node", cores_on_node, ranks)};
}

int thread_cap(int cores) { return kThreadsPerCore * (cores > 0 ? cores : 1); }

void check_thread_cap(const ThreadChoice& t, int cores) {
  const int cap = thread_cap(cores);
  if (t.threads <= cap) return;
  const bool deck = t.source.rfind("deck ", 0) == 0;
  const std::string name = deck ? t.source.substr(5) : t.source;
  const std::string asked =
      deck ? fmt::format("{} = {}", name, t.threads) : fmt::format("{}={}", name, t.threads);
  const std::string fix =
      deck ? fmt::format("lower {} to at most {} (0: the rank's share of the node's cores)", name,
                         cap)
           : fmt::format(
                 "set {} to at most {}, or unset it (then the rank's share of the "
                 "node's cores is used)",
                 name, cap);
  throw InputError(fmt::format(
      "{} asks for {} worker threads per rank, more than {} per core of the {} core{} this "
      "rank may run on (at most {}); {}",
      asked, t.threads, kThreadsPerCore, cores, cores == 1 ? "" : "s", cap, fix));
}

int cores_available() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  const int n = CPU_COUNT(&set);
  return n > 0 ? n : 1;
}

std::string affinity_text() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return "?";
  std::string out;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (!CPU_ISSET(c, &set)) continue;
    int e = c;
    while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, &set)) ++e;
    if (!out.empty()) out += ',';
    out += e == c ? fmt::format("{}", c) : fmt::format("{}-{}", c, e);
    c = e;
  }
  return out;
}

Versions versions() {
  Versions v;
  v.weft = WEFT_VERSION;
  v.compiler = "g++ " __VERSION__;
  v.boost = fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
                        BOOST_VERSION % 100);
#if defined(__AVX512F__)
  v.simd_bits = 512;
  v.simd = "AVX-512";
#elif defined(__AVX2__)
  v.simd_bits = 256;
  v.simd = "AVX2";
#elif defined(__AVX__)
  v.simd_bits = 256;
  v.simd = "AVX";
#elif defined(__SSE2__)
  v.simd_bits = 128;
  v.simd = "SSE2";
#else
  v.simd_bits = 64;
  v.simd = "scalar";
#endif
  return v;
}

}  // namespace weft
