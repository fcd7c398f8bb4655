// SPDX-License-Identifier: Apache-2.0
// The memory check of `weft run`: the application's estimate per rank
// against the memory each rank of the node may use, before set-up.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "run_support.hpp"
#include "weft/core/error.hpp"
#include "weft/core/memory.hpp"
#include "weft/mpi/comm.hpp"

namespace weft::app {

// Besides the application's estimate, a rank holds what it holds now (MPI,
// HDF5, the libraries) and some room for outputs and thread stacks.
constexpr std::uint64_t kRunSlack = 24ull << 20;

std::string memory_problem(const ApplicationKind& kind, const LoadedDeck& deck, int threads,
                           bool restart, MPI_Comm comm) {
  const int ranks = mpi::Comm(comm).size();
  const int on_node = ranks_on_node(comm);
  MemoryEstimate need;
  try {
    need = kind.memory_per_rank(deck, ranks, threads);
  } catch (const InputError& e) {
    // A restart takes its state from the checkpoint: an input file the
    // estimate reads may be gone (its count limits were checked first time).
    if (restart) return "";
    return e.what();
  }
  const RuntimeConfig& rt = deck.common.runtime;
  if (need.bytes == 0) return "";
  const std::uint64_t base = resident_bytes() + kRunSlack;
  const double total = static_cast<double>(need.bytes) + static_cast<double>(base);
  spdlog::debug("memory estimate: {} per rank ({} for the application, {} held now + {}; {})",
                format_bytes(total), format_bytes(static_cast<double>(need.bytes)),
                format_bytes(static_cast<double>(base - kRunSlack)),
                format_bytes(static_cast<double>(kRunSlack)), need.what);
  if (!rt.memory_check) return "";
  const std::string fix =
      "use more ranks or nodes, fewer atoms, or set runtime.memory_check = false (--set "
      "runtime.memory_check=false) to run anyway";
  if (rt.memory_gb > 0) {
    const double allowed = rt.memory_gb * 1e9;
    if (total <= allowed) return "";
    return fmt::format(
        "the run needs about {} per rank ({}), {} allowed per rank (runtime.memory_gb = {}); "
        "{}, or raise runtime.memory_gb",
        format_bytes(total), need.what, format_bytes(allowed), rt.memory_gb, fix);
  }
  const MemoryAvailable avail = memory_available();
  if (avail.bytes == 0) return "";  // nothing to compare with
  const double share = static_cast<double>(avail.bytes) / on_node;
  if (total <= share) return "";
  return fmt::format(
      "the run needs about {} per rank ({}), {} available per rank ({}, shared by {} rank{} on "
      "this node); {}, or set runtime.memory_gb to the memory per rank you know is there",
      format_bytes(total), need.what, format_bytes(share), avail.source, on_node,
      on_node == 1 ? "" : "s", fix);
}

}  // namespace weft::app
