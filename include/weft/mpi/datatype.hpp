// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace weft::mpi {

// DoubleInt is a value with the rank that holds it, for MPI_MAXLOC and
// MPI_MINLOC reductions (MPI_DOUBLE_INT):
//
//   const mpi::DoubleInt mine{score, comm.rank()};
//   const mpi::DoubleInt worst = mpi::allreduce(mine, MPI_MAXLOC, comm);  // worst.rank has it
struct DoubleInt {
  double value = 0;
  int rank = 0;
};

// kHasDatatype<T> is false for every T: datatype<T>()'s static_assert
// names it so that it fires only for a T without a mapping.
template <class T>
inline constexpr bool kHasDatatype = false;

// datatype<T>() is the predefined MPI datatype of C++ type T, the mapping
// every typed wrapper of weft::mpi uses. Fixed-width integers map to the
// MPI fixed-width types (std::int64_t: MPI_INT64_T), the other integers to
// the C types; a type without a mapping does not compile. Not collective.
//
//   mpi::check(MPI_Bcast(v.data(), n, mpi::datatype<double>(), 0, comm), "MPI_Bcast");
template <class T>
MPI_Datatype datatype() {
  using U = std::remove_cv_t<T>;
  // A table, one type a line:
  // clang-format off
  if constexpr (std::is_same_v<U, double>) return MPI_DOUBLE;
  else if constexpr (std::is_same_v<U, float>) return MPI_FLOAT;
  else if constexpr (std::is_same_v<U, char>) return MPI_CHAR;
  else if constexpr (std::is_same_v<U, unsigned char>) return MPI_UNSIGNED_CHAR;
  else if constexpr (std::is_same_v<U, std::byte>) return MPI_BYTE;
  else if constexpr (std::is_same_v<U, int>) return MPI_INT;
  else if constexpr (std::is_same_v<U, unsigned>) return MPI_UNSIGNED;
  else if constexpr (std::is_same_v<U, std::int64_t>) return MPI_INT64_T;
  else if constexpr (std::is_same_v<U, std::uint64_t>) return MPI_UINT64_T;
  else if constexpr (std::is_same_v<U, long long>) return MPI_LONG_LONG;
  else if constexpr (std::is_same_v<U, unsigned long long>) return MPI_UNSIGNED_LONG_LONG;
  else if constexpr (std::is_same_v<U, long>) return MPI_LONG;
  else if constexpr (std::is_same_v<U, unsigned long>) return MPI_UNSIGNED_LONG;
  else if constexpr (std::is_same_v<U, DoubleInt>) return MPI_DOUBLE_INT;
  else static_assert(kHasDatatype<T>, "weft::mpi::datatype<T>(): no MPI datatype for T");
  // clang-format on
}

// Datatype owns a derived MPI datatype, committed on creation and freed
// by the destructor (unless MPI is finalized). Movable, not copyable.
// Records of a size known only at run time travel as one element each, so
// that counts stay counts of records:
//
//   mpi::Datatype record = mpi::Datatype::bytes(record_size);
//   mpi::alltoallv(send, send_counts, send_displs, recv, recv_counts, recv_displs,
//                  record.get(), comm);
class Datatype {
 public:
  Datatype() = default;
  // bytes() is a committed datatype of `n` contiguous bytes
  // (MPI_Type_contiguous of MPI_BYTE). Not collective.
  static Datatype bytes(int n);

  ~Datatype() { reset(); }
  Datatype(Datatype&& o) noexcept : t_(std::exchange(o.t_, MPI_DATATYPE_NULL)) {}
  Datatype& operator=(Datatype&& o) noexcept {
    if (this != &o) {
      reset();
      t_ = std::exchange(o.t_, MPI_DATATYPE_NULL);
    }
    return *this;
  }
  Datatype(const Datatype&) = delete;
  Datatype& operator=(const Datatype&) = delete;

  // get() is the MPI_Datatype handle (still owned). Not collective.
  MPI_Datatype get() const noexcept { return t_; }
  // reset() frees the datatype now (errors ignored). Not collective.
  void reset() noexcept;

 private:
  MPI_Datatype t_ = MPI_DATATYPE_NULL;
};

}  // namespace weft::mpi
