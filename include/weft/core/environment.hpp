// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <string>

namespace weft {

// ThreadChoice is how many worker threads a rank uses and why.
struct ThreadChoice {
  int threads = 1;
  std::string source;  // "deck runtime.threads", "WEFT_NUM_THREADS", ... for the banner
};

using GetEnv = std::function<const char*(const char*)>;

// choose_threads() picks the threads per rank, first match wins: the deck
// (deck_threads > 0), WEFT_NUM_THREADS, SLURM_CPUS_PER_TASK,
// OMP_NUM_THREADS, else max(1, cores_on_node / ranks_on_node). A variable
// that is set but not a positive integer is an InputError.
ThreadChoice choose_threads(
    int deck_threads, int ranks_on_node, int cores_on_node,
    const GetEnv& getenv = [](const char* n) { return std::getenv(n); });

// kThreadsPerCore is how many worker threads a rank may run per core it may
// run on (thread_cap()).
inline constexpr int kThreadsPerCore = 4;

// thread_cap() is the most worker threads per rank: kThreadsPerCore times
// the `cores` the rank may run on (at least one core).
int thread_cap(int cores);

// check_thread_cap() throws an InputError when `t` asks for more than
// thread_cap(cores) threads, naming where the number came from (the deck key
// or the environment variable), the number, the cap and how to fix it.
void check_thread_cap(const ThreadChoice& t, int cores);

// cores_available() is the number of CPUs this process may run on
// (sched_getaffinity), at least 1.
int cores_available();

// affinity_text() lists the CPUs this process may run on, as "0-3,6".
std::string affinity_text();

// Versions of what weft was built with and runs on (the MPI library's is
// weft::mpi::library_version()).
struct Versions {
  std::string weft, compiler, boost, simd;
  int simd_bits = 0;  // widest vector registers the build targets
};

// versions() describes this build.
Versions versions();

}  // namespace weft
