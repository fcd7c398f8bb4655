// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <array>
#include <cstddef>
#include <span>
#include <utility>

#include "weft/mpi/error.hpp"

namespace weft::mpi {

// Comm is a communicator, either owned (freed by the destructor) or
// borrowed (a handle someone else frees, such as MPI_COMM_WORLD or a
// communicator passed in as MPI_Comm). Owned ones come only from the
// factories below (dup(), split(), split_shared(), cart_create(), adopt());
// an MPI_Comm converts implicitly to a borrowed Comm, so every helper of
// weft::mpi takes `const Comm&` and accepts either:
//
//   void f(MPI_Comm comm) {
//     mpi::Comm node = mpi::Comm(comm).split_shared();  // owned
//     const int here = node.size();
//     mpi::barrier(comm);                               // borrowed
//   }                                                   // node freed here
//
// Movable, not copyable. The destructor does not free a communicator once
// MPI is finalized (a Comm that outlives the Session is harmless).
class Comm {
 public:
  // Comm() is MPI_COMM_NULL. Not collective.
  Comm() = default;
  // Comm(handle) borrows `handle`: it is never freed by this object.
  // Implicit, so that MPI_Comm arguments bind to `const Comm&`. Not
  // collective.
  Comm(MPI_Comm handle) noexcept : c_(handle) {}  // NOLINT(google-explicit-constructor)
  // adopt() takes ownership of `handle`, which the returned Comm frees. Not
  // collective.
  static Comm adopt(MPI_Comm handle) noexcept {
    Comm c(handle);
    c.owned_ = handle != MPI_COMM_NULL;
    return c;
  }

  ~Comm() { reset(); }
  Comm(Comm&& o) noexcept
      : c_(std::exchange(o.c_, MPI_COMM_NULL)), owned_(std::exchange(o.owned_, false)) {}
  Comm& operator=(Comm&& o) noexcept {
    if (this != &o) {
      reset();
      c_ = std::exchange(o.c_, MPI_COMM_NULL);
      owned_ = std::exchange(o.owned_, false);
    }
    return *this;
  }
  Comm(const Comm&) = delete;
  Comm& operator=(const Comm&) = delete;

  // get() is the MPI_Comm handle (still owned by this object). Not
  // collective.
  MPI_Comm get() const noexcept { return c_; }
  // owned() says whether the destructor frees the communicator. Not
  // collective.
  bool owned() const noexcept { return owned_; }
  // null() is true for MPI_COMM_NULL (e.g. split() with MPI_UNDEFINED).
  // Not collective.
  bool null() const noexcept { return c_ == MPI_COMM_NULL; }

  // rank() is this process's rank in the communicator. Not collective.
  int rank() const {
    int r = 0;
    check(MPI_Comm_rank(c_, &r), "MPI_Comm_rank");
    return r;
  }
  // size() is the number of processes in the communicator. Not collective.
  int size() const {
    int n = 0;
    check(MPI_Comm_size(c_, &n), "MPI_Comm_size");
    return n;
  }

  // tag_ub() is the largest message tag this communicator accepts
  // (MPI_TAG_UB, at least 32767). Not collective.
  int tag_ub() const;

  // dup() is an owned duplicate (MPI_Comm_dup): same group, separate
  // message space. Collective over this communicator.
  Comm dup() const;
  // split() is an owned communicator of the processes that pass the same
  // `color`, ranked by `key` (MPI_Comm_split); color MPI_UNDEFINED gives a
  // null Comm. Collective over this communicator.
  Comm split(int color, int key) const;
  // split_shared() is an owned communicator of the processes that share
  // this one's node (MPI_Comm_split_type with MPI_COMM_TYPE_SHARED).
  // Collective over this communicator.
  Comm split_shared() const;

  // reset() frees an owned communicator now (unless MPI is finalized; an
  // error while freeing is ignored) and leaves MPI_COMM_NULL. Not
  // collective in MPI's sense, but every rank should free a communicator
  // at the same point of the program.
  void reset() noexcept {
    if (owned_) free_now();
    c_ = MPI_COMM_NULL;
    owned_ = false;
  }

 private:
  void free_now() noexcept;

  MPI_Comm c_ = MPI_COMM_NULL;
  bool owned_ = false;
};

// world() borrows MPI_COMM_WORLD. Not collective.
inline Comm world() noexcept { return Comm(MPI_COMM_WORLD); }

// ------------------------------------------------------------ Cartesian grids

// dims_create() returns `dims` with every zero entry replaced so that the
// product is `nranks`, as balanced as MPI_Dims_create makes it; non-zero
// entries are kept. Not collective.
//
//   std::array<int, 3> d = mpi::dims_create(12, std::array<int, 3>{0, 0, 1});  // {4, 3, 1}
template <std::size_t N>
std::array<int, N> dims_create(int nranks, std::array<int, N> dims) {
  check(MPI_Dims_create(nranks, static_cast<int>(N), dims.data()), "MPI_Dims_create");
  return dims;
}

// cart_create() is an owned Cartesian communicator over the processes of
// `comm` with `dims.size()` dimensions of extents `dims`, periodic where
// `periodic` is non-zero, without reordering ranks (MPI_Cart_create).
// Collective over comm.
//
//   mpi::Comm cart = mpi::cart_create(comm, std::array{2, 2, 1}, std::array{1, 1, 1});
//   const auto [lower, upper] = mpi::cart_shift(cart, 0, 1);
Comm cart_create(const Comm& comm, std::span<const int> dims, std::span<const int> periodic);

// cart_coords() is the grid position of `rank` in Cartesian communicator
// `cart` (MPI_Cart_coords). Not collective.
template <std::size_t N>
std::array<int, N> cart_coords(const Comm& cart, int rank) {
  std::array<int, N> c{};
  check(MPI_Cart_coords(cart.get(), rank, static_cast<int>(N), c.data()), "MPI_Cart_coords");
  return c;
}

// Shift holds the ranks one step below (`source`) and above (`dest`) along
// a dimension; MPI_PROC_NULL beyond a non-periodic edge.
struct Shift {
  int source = MPI_PROC_NULL;
  int dest = MPI_PROC_NULL;
};

// cart_shift() is the neighbours of this process `displacement` steps
// along `direction` of Cartesian communicator `cart` (MPI_Cart_shift).
// Not collective.
inline Shift cart_shift(const Comm& cart, int direction, int displacement) {
  Shift s;
  check(MPI_Cart_shift(cart.get(), direction, displacement, &s.source, &s.dest), "MPI_Cart_shift");
  return s;
}

}  // namespace weft::mpi
