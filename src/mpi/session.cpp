// SPDX-License-Identifier: Apache-2.0
// The process-level parts of weft::mpi: errors, the session, clocks.
#include "weft/mpi/session.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <string_view>

#include "weft/mpi/error.hpp"

namespace weft::mpi {

// ------------------------------------------------------------------ Error

std::string error_string(int code) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int len = 0;
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) return fmt::format("MPI error {}", code);
  return std::string(text, static_cast<std::size_t>(len));
}

Error::Error(const char* call, int code)
    : RunError(fmt::format("MPI: {} failed: {}", call, error_string(code))),
      call_(call),
      code_(code) {}

int Error::error_class() const noexcept {
  int c = code_;
  MPI_Error_class(code_, &c);
  return c;
}

void fail(int code, const char* call) { throw Error(call, code); }

// ---------------------------------------------------------------- Session

void set_local_defaults() {
#ifdef OPEN_MPI
  auto set = [](const char* name, const char* value) {
    if (!std::getenv(name)) setenv(name, value, 0);
  };
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  bool launched = false;
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"})
    launched = launched || std::getenv(v) != nullptr;
  // OMPIO's `sm` shared-file-pointer component guards every MPI_File_open
  // with a POSIX semaphore named after the file's base name
  // (/dev/shm/sem.OMPIO_<name>); a process killed while holding it leaves
  // it taken, and every later run that opens a file of that name on the
  // node (the same checkpoint step) hangs there. HDF5 uses no shared file
  // pointers: the other components only lock a file beside it (fcntl locks
  // end with the process).
  set("OMPI_MCA_sharedfp", "^sm");
  if (!launched) {
    set("OMPI_MCA_ess_singleton_isolated", "1");
    set("OMPI_MCA_pml", "ob1");
  } else if (size && local && std::string_view(size) == local) {
    set("OMPI_MCA_pml", "ob1");
    // Every rank on this node: no network card to place ranks near, so
    // hwloc skips the PCI devices (reading their config space is 15 of the
    // 90 ms of MPI_Init on the 2-vCPU guest).
    set("HWLOC_COMPONENTS", "-pci,-linuxio");
  }
#endif
}

Session::Session(int* argc, char*** argv) {
  set_local_defaults();
  int provided = MPI_THREAD_SINGLE;
  check(MPI_Init_thread(argc, argv, kThreadLevel, &provided), "MPI_Init_thread");
  if (provided < kThreadLevel) {
    MPI_Finalize();
    throw Error("MPI_Init_thread (MPI_THREAD_SERIALIZED not provided)", MPI_ERR_OTHER);
  }
  check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

Session::~Session() { MPI_Finalize(); }

// ---------------------------------------------------------------- process

bool initialized() {
  int flag = 0;
  MPI_Initialized(&flag);
  return flag != 0;
}

bool finalized() {
  int flag = 0;
  MPI_Finalized(&flag);
  return flag != 0;
}

std::string library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int len = 0;
  check(MPI_Get_library_version(text, &len), "MPI_Get_library_version");
  const std::string v(text, static_cast<std::size_t>(len));
  return v.substr(0, v.find_first_of(",\n"));
}

void abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort does not return; this tells the compiler so
}

}  // namespace weft::mpi
