// SPDX-License-Identifier: Apache-2.0
// `weft check`, `weft info`, `weft help deck`: commands that need no MPI job.
#include "weft/app/commands.hpp"

#include <fmt/format.h>
#include <hdf5.h>
#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "weft/app/deck.hpp"
#include "weft/core/environment.hpp"
#include "weft/core/error.hpp"
#include "weft/core/memory.hpp"
#include "weft/deck/document.hpp"
#include "weft/mpi/session.hpp"

namespace weft::app {

int launch_rank() {
  for (const char* v : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    if (const char* s = std::getenv(v)) return std::atoi(s);
  }
  return 0;
}

int cmd_check(const std::vector<std::string>& decks, const std::vector<std::string>& sets,
              const Registry& apps) {
  int bad = 0;
  for (const std::string& deck_path : decks) {
    deck::Diagnostics d;
    auto loaded = load_deck_file(deck_path, sets, apps, d);
    if (!loaded) {
      std::fputs(d.format().c_str(), stderr);
      ++bad;
      continue;
    }
    if (decks.size() > 1) {  // several: one line each
      std::fputs(fmt::format("{}: valid\n", deck_path).c_str(), stdout);
      continue;
    }
    std::fputs(
        fmt::format("# {}: valid. The resolved deck, every default filled in:\n\n", deck_path)
            .c_str(),
        stdout);
    std::fputs(loaded->resolved.c_str(), stdout);
    std::fputs("\n", stdout);
  }
  if (bad > 0 && decks.size() > 1)
    std::fputs(fmt::format("{} of {} decks are not valid\n", bad, decks.size()).c_str(), stderr);
  std::fflush(stdout);
  return bad > 0 ? static_cast<int>(ExitCode::bad_input) : 0;
}

int cmd_info() {
  const Versions v = versions();
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  const ThreadChoice t = choose_threads(0, 1, cores_available());
  fmt::print("weft      {}\n", v.weft);
  fmt::print("compiler  {}\n", v.compiler);
  fmt::print("MPI       {}\n", mpi::library_version());
  fmt::print("HDF5      {}.{}.{} (parallel)\n", maj, min, rel);
  fmt::print("Boost     {} (Fiber, Context)\n", v.boost);
  fmt::print("OpenMP    {}\n", _OPENMP);
  fmt::print("SIMD      {} ({}-bit, {} doubles per vector)\n", v.simd, v.simd_bits,
             v.simd_bits / 64);
  fmt::print("CPUs      {} usable by this process ({}); {} online\n", cores_available(),
             affinity_text(), std::thread::hardware_concurrency());
  const int cap = thread_cap(cores_available());
  fmt::print("threads   {} per rank for a single rank here (from {}){}\n", t.threads, t.source,
             t.threads > cap ? fmt::format("; more than the {} `weft run` allows ({} per core)",
                                           cap, kThreadsPerCore)
                             : "");
  const MemoryAvailable mem = memory_available();
  fmt::print("memory    {}\n", mem.bytes ? mem.source : "unknown (no /proc/meminfo)");
  return 0;
}

int cmd_help_deck(const Registry& apps) {
  std::fputs(deck_reference(apps).c_str(), stdout);
  return 0;
}

}  // namespace weft::app
