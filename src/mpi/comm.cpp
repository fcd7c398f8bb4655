// SPDX-License-Identifier: Apache-2.0
// Owned MPI objects: communicators (Comm, Cartesian grids), derived
// datatypes (Datatype) and user-defined reductions (Op).
#include "weft/mpi/comm.hpp"

#include "weft/mpi/datatype.hpp"
#include "weft/mpi/op.hpp"
#include "weft/mpi/session.hpp"

namespace weft::mpi {

// ------------------------------------------------------------------- Comm

void Comm::free_now() noexcept {
  if (c_ != MPI_COMM_NULL && !finalized()) MPI_Comm_free(&c_);
}

int Comm::tag_ub() const {
  void* value = nullptr;
  int found = 0;
  check(MPI_Comm_get_attr(c_, MPI_TAG_UB, &value, &found), "MPI_Comm_get_attr(MPI_TAG_UB)");
  return found && value ? *static_cast<int*>(value) : 32767;
}

Comm Comm::dup() const {
  MPI_Comm d = MPI_COMM_NULL;
  check(MPI_Comm_dup(c_, &d), "MPI_Comm_dup");
  return adopt(d);
}

Comm Comm::split(int color, int key) const {
  MPI_Comm s = MPI_COMM_NULL;
  check(MPI_Comm_split(c_, color, key, &s), "MPI_Comm_split");
  return adopt(s);
}

Comm Comm::split_shared() const {
  MPI_Comm s = MPI_COMM_NULL;
  check(MPI_Comm_split_type(c_, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &s), "MPI_Comm_split_type");
  return adopt(s);
}

Comm cart_create(const Comm& comm, std::span<const int> dims, std::span<const int> periodic) {
  if (periodic.size() != dims.size())
    throw Error("MPI_Cart_create (dims and periodic differ in length)", MPI_ERR_DIMS);
  MPI_Comm cart = MPI_COMM_NULL;
  check(MPI_Cart_create(comm.get(), static_cast<int>(dims.size()), dims.data(), periodic.data(), 0,
                        &cart),
        "MPI_Cart_create");
  return Comm::adopt(cart);
}

// --------------------------------------------------------------- Datatype

Datatype Datatype::bytes(int n) {
  Datatype d;
  check(MPI_Type_contiguous(n, MPI_BYTE, &d.t_), "MPI_Type_contiguous");
  check(MPI_Type_commit(&d.t_), "MPI_Type_commit");
  return d;
}

void Datatype::reset() noexcept {
  if (t_ != MPI_DATATYPE_NULL && !finalized()) MPI_Type_free(&t_);
  t_ = MPI_DATATYPE_NULL;
}

// --------------------------------------------------------------------- Op

Op::Op(MPI_User_function* f, bool commutative) {
  check(MPI_Op_create(f, commutative ? 1 : 0, &op_), "MPI_Op_create");
}

void Op::reset() noexcept {
  if (op_ != MPI_OP_NULL && !finalized()) MPI_Op_free(&op_);
  op_ = MPI_OP_NULL;
}

void allreduce(const void* in, void* out, int count, MPI_Datatype type, MPI_Op op,
               const Comm& comm) {
  check(MPI_Allreduce(in == out ? MPI_IN_PLACE : in, out, count, type, op, comm.get()),
        "MPI_Allreduce");
}

}  // namespace weft::mpi
