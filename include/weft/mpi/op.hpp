// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <utility>

#include "weft/mpi/comm.hpp"

namespace weft::mpi {

// Op owns a user-defined reduction (MPI_Op_create), freed by the destructor
// (unless MPI is finalized). Movable, not copyable. Its function combines
// `len` elements of the reduction's datatype, in[i] into inout[i]; MPI
// cuts the buffers only between whole elements, so an element may be a
// record (a Datatype::bytes() of its size):
//
//   void merge(void* in, void* inout, int* len, MPI_Datatype*) { ... }
//   const mpi::Op op(&merge, true);
//   const mpi::Datatype pair = mpi::Datatype::bytes(16);
//   mpi::allreduce(words.data(), words.data(), n, pair.get(), op.get(), comm);
class Op {
 public:
  // Op() creates the operation (commutative: MPI may combine the ranks'
  // contributions in any order). Not collective.
  Op(MPI_User_function* f, bool commutative);
  ~Op() { reset(); }
  Op(Op&& o) noexcept : op_(std::exchange(o.op_, MPI_OP_NULL)) {}
  Op& operator=(Op&& o) noexcept {
    if (this != &o) {
      reset();
      op_ = std::exchange(o.op_, MPI_OP_NULL);
    }
    return *this;
  }
  Op(const Op&) = delete;
  Op& operator=(const Op&) = delete;

  // get() is the MPI_Op handle (still owned). Not collective.
  MPI_Op get() const noexcept { return op_; }
  // reset() frees the operation now (errors ignored). Not collective.
  void reset() noexcept;

 private:
  MPI_Op op_ = MPI_OP_NULL;
};

// allreduce() combines `count` elements of datatype `type` of every rank's
// `in` with `op` into every rank's `out` (`out` may be `in`: MPI_IN_PLACE),
// for records and user-defined operations; typed values use the overload in
// collectives.hpp. Collective over comm.
void allreduce(const void* in, void* out, int count, MPI_Datatype type, MPI_Op op,
               const Comm& comm);

}  // namespace weft::mpi
