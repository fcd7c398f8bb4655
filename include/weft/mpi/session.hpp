// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <string>

namespace weft::mpi {

// Session initializes MPI for its lifetime (MPI_Init_thread) and finalizes
// it in the destructor (MPI_Finalize). Exactly one per process, made by
// main() (the `weft` executable, the benchmarks, the MPI test main) before
// anything else touches MPI:
//
//   int main(int argc, char** argv) {
//     weft::mpi::Session mpi(&argc, &argv);
//     if (mpi.rank() == 0) std::puts("hello");
//     return run(MPI_COMM_WORLD);
//   }  // MPI_Finalize here
//
// The thread level is chosen here and nowhere else: kThreadLevel.
//
// The constructor also sets MPI_ERRORS_RETURN on MPI_COMM_WORLD, so that a
// failing call returns an error code (turned into mpi::Error by check())
// instead of aborting the job; communicators made from MPI_COMM_WORLD
// inherit it.
class Session {
 public:
  // kThreadLevel is MPI_THREAD_SERIALIZED: several threads make MPI calls,
  // one at a time. weft's fiber pool runs tasks on several worker threads,
  // and with MpiProgress::polling (what the MD engine uses) a task makes its
  // own MPI calls under the pool's MPI lock, on whichever worker runs it
  // (include/weft/go/mpi_await.hpp, docs/runtime.md). The default agent mode
  // needs only FUNNELED (run()'s caller makes every call), which SERIALIZED
  // includes. MULTIPLE is not asked for: nothing needs it, and Open MPI
  // 4.1's MULTIPLE has caveats (MPI-IO is not thread-safe under it).
  static constexpr int kThreadLevel = MPI_THREAD_SERIALIZED;

  // Session() calls MPI_Init_thread(argc, argv, kThreadLevel) (both may be
  // null) and throws mpi::Error if MPI cannot provide kThreadLevel (after
  // finalizing it again). Before it, with Open MPI, set_local_defaults().
  // Collective over MPI_COMM_WORLD.
  explicit Session(int* argc = nullptr, char*** argv = nullptr);
  // ~Session() calls MPI_Finalize. Collective over MPI_COMM_WORLD.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // rank() is this process's rank in MPI_COMM_WORLD. Not collective.
  int rank() const noexcept { return rank_; }
  // size() is the number of processes in MPI_COMM_WORLD. Not collective.
  int size() const noexcept { return size_; }

 private:
  int rank_ = 0, size_ = 1;
};

// set_local_defaults() chooses Open MPI's cheap start-up where every rank
// is on one node, unless the environment already chose (an OMPI_MCA_pml or
// OMPI_MCA_ess_singleton_isolated variable set, even empty):
//
// - launched by Open MPI's mpirun with every rank on this node
//   (OMPI_COMM_WORLD_LOCAL_SIZE = OMPI_COMM_WORLD_SIZE): OMPI_MCA_pml=ob1,
//   shared memory (vader) between the ranks; the default probes UCX, OFI
//   and PSM network transports first, 0.2 s of every start on a machine
//   without them;
// - started without a launcher (a singleton: none of OMPI_COMM_WORLD_SIZE,
//   PMIX_RANK, PMI_RANK, SLURM_PROCID): the same and
//   OMPI_MCA_ess_singleton_isolated=1, no orted started behind the process
//   (weft spawns no processes); MPI_Init takes 0.05 s instead of 0.4 s.
//
// Jobs over several nodes and srun are left as they are. Called by
// Session() before MPI_Init_thread; not collective; no effect with another
// MPI library.
void set_local_defaults();

// initialized() is true once MPI_Init_thread has been called (MPI_Initialized).
// Not collective; may be called at any time.
bool initialized();

// finalized() is true once MPI_Finalize has been called (MPI_Finalized). Not
// collective; may be called at any time.
bool finalized();

// library_version() is the MPI library's version line, e.g. "Open MPI
// v4.1.4" (MPI_Get_library_version, up to the first comma or newline). Not
// collective; may be called before MPI is initialized.
std::string library_version();

// wtime() is MPI's wall clock in seconds (MPI_Wtime). Not collective.
inline double wtime() { return MPI_Wtime(); }

// abort() ends every process of the job with exit code `code`
// (MPI_Abort on MPI_COMM_WORLD). Not collective: one rank may call it.
[[noreturn]] void abort(int code);

}  // namespace weft::mpi
