// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <string>

#include "weft/core/error.hpp"

// weft::mpi is the only code in weft that calls MPI's C API (apart from the
// fiber runtime's request polling, src/go/mpi_await.cpp). Every call is
// checked: mpi::Session sets MPI_ERRORS_RETURN on MPI_COMM_WORLD (every
// communicator made from it inherits the handler), so a failing call returns
// its error code instead of aborting the job, and check() turns that code
// into an mpi::Error naming the call and MPI's own explanation.
//
// Headers, one concept each:
//   error.hpp        Error, check()
//   session.hpp      Session (MPI_Init_thread/MPI_Finalize), wtime(), abort()
//   comm.hpp         Comm (owning or borrowed communicator), Cartesian grids
//   datatype.hpp     datatype<T>(), DoubleInt, Datatype (derived types)
//   collectives.hpp  allreduce, bcast, gather, allgather(v), exscan, alltoall(v),
//                    barrier; agreement across ranks: first_error,
//                    broadcast_string, rank0_then_agree, exclusive_scan_offsets
//   p2p.hpp          sendrecv, isend, irecv, waitall
namespace weft::mpi {

// Error is a failed MPI call. It is a RunError: a run that meets one fails
// with exit code run_failed. what() reads
// "MPI: MPI_Isend failed: MPI_ERR_RANK: invalid rank".
//
//   try {
//     mpi::barrier(comm);
//   } catch (const mpi::Error& e) {
//     spdlog::error("{} (error class {})", e.what(), e.error_class());
//   }
class Error : public RunError {
 public:
  // Error() describes the failure of `call` with MPI error code `code`.
  // Not collective.
  Error(const char* call, int code);

  // call() is the name of the MPI function that failed ("MPI_Bcast"). Not
  // collective.
  const std::string& call() const noexcept { return call_; }
  // code() is the error code the call returned. Not collective.
  int code() const noexcept { return code_; }
  // error_class() is the MPI error class of code() (MPI_ERR_RANK, ...). Not
  // collective.
  int error_class() const noexcept;

 private:
  std::string call_;
  int code_;
};

// error_string() is MPI's text for an error code (MPI_Error_string), e.g.
// "MPI_ERR_RANK: invalid rank". Not collective.
std::string error_string(int code);

// fail() throws Error(call, code). Out of line, so that check() inlines to
// one compare and branch. Not collective.
[[noreturn]] void fail(int code, const char* call);

// check() throws Error when `code`, the return value of MPI function `call`,
// is not MPI_SUCCESS:
//
//   mpi::check(MPI_Barrier(comm), "MPI_Barrier");
//
// Not collective (the call it checks may be).
inline void check(int code, const char* call) {
  if (code != MPI_SUCCESS) [[unlikely]]
    fail(code, call);
}

}  // namespace weft::mpi
