// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "weft/core/error.hpp"
#include "weft/mpi/comm.hpp"
#include "weft/mpi/datatype.hpp"
#include "weft/mpi/error.hpp"

// Typed, checked collective operations: thin inline wrappers of the MPI
// calls of the same names, with the datatype taken from the C++ type
// (datatype<T>()). Each is collective over `comm`: every rank of it must
// make the same call, in the same order, with matching arguments.
//
//   const double worst = mpi::allreduce(local_max, MPI_MAX, comm);
//   double sums[3];
//   mpi::allreduce(partial, sums, 3, MPI_SUM, comm);
//   const auto counts = mpi::allgather(std::int64_t{n}, comm);  // one per rank
//
// Below them, the helpers weft builds from them to keep every rank on the
// same path (first_error, rank0_then_agree, broadcast_string,
// exclusive_scan_offsets).
namespace weft::mpi {

// barrier() returns on each rank once every rank has entered it
// (MPI_Barrier). Collective over comm.
inline void barrier(const Comm& comm) { check(MPI_Barrier(comm.get()), "MPI_Barrier"); }

// ibarrier() starts a barrier without waiting (MPI_Ibarrier): the request
// completes (test it with testall(), p2p.hpp) once every rank has started
// it. Termination detection: a rank that starts it after its last message
// to the others was answered knows, when it completes, that none will
// come from anyone. Collective over comm.
inline MPI_Request ibarrier(const Comm& comm) {
  MPI_Request r = MPI_REQUEST_NULL;
  check(MPI_Ibarrier(comm.get(), &r), "MPI_Ibarrier");
  return r;
}

// allreduce() combines `count` elements of every rank's `in` with `op`
// (MPI_SUM, MPI_MAX, MPI_BOR, ...) into every rank's `out`. `out` may be
// `in` (MPI_IN_PLACE). Collective over comm.
template <class T>
void allreduce(const T* in, T* out, int count, MPI_Op op, const Comm& comm) {
  const void* send = in == out ? MPI_IN_PLACE : in;
  check(MPI_Allreduce(send, out, count, datatype<T>(), op, comm.get()), "MPI_Allreduce");
}

// allreduce() of one value: every rank gets `op` over all ranks' `value`.
// Collective over comm.
template <class T>
T allreduce(const T& value, MPI_Op op, const Comm& comm) {
  T out{};
  allreduce(&value, &out, 1, op, comm);
  return out;
}

// bcast() copies `count` elements at `data` from rank `root` to every
// rank's `data` (MPI_Bcast). Collective over comm.
template <class T>
void bcast(T* data, int count, int root, const Comm& comm) {
  check(MPI_Bcast(data, count, datatype<T>(), root, comm.get()), "MPI_Bcast");
}

// bcast() of one value: every rank gets rank `root`'s `value`. Collective
// over comm.
template <class T>
T bcast(T value, int root, const Comm& comm) {
  bcast(&value, 1, root, comm);
  return value;
}

// gather() collects `count` elements of every rank's `send` on rank
// `root`, rank r's at recv[r * count] (MPI_Gather); `recv` (room for
// size() * count elements) is used on the root only. Collective over comm.
template <class T>
void gather(const T* send, int count, T* recv, int root, const Comm& comm) {
  check(MPI_Gather(send, count, datatype<T>(), recv, count, datatype<T>(), root, comm.get()),
        "MPI_Gather");
}

// allgather() is every rank's `value`, indexed by rank, on every rank
// (MPI_Allgather). Collective over comm.
template <class T>
std::vector<T> allgather(const T& value, const Comm& comm) {
  std::vector<T> all(static_cast<std::size_t>(comm.size()));
  check(MPI_Allgather(&value, 1, datatype<T>(), all.data(), 1, datatype<T>(), comm.get()),
        "MPI_Allgather");
  return all;
}

// allgatherv() is the concatenation, in rank order, of every rank's
// `count` elements at `data`, on every rank (MPI_Allgather of the counts,
// then MPI_Allgatherv). Collective over comm.
template <class T>
std::vector<T> allgatherv(const T* data, int count, const Comm& comm) {
  const std::vector<int> counts = allgather(count, comm);
  std::vector<int> displs(counts.size());
  int total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    displs[r] = total;
    total += counts[r];
  }
  std::vector<T> all(static_cast<std::size_t>(total));
  check(MPI_Allgatherv(data, count, datatype<T>(), all.data(), counts.data(), displs.data(),
                       datatype<T>(), comm.get()),
        "MPI_Allgatherv");
  return all;
}

// gatherv() puts the concatenation, in rank order, of every rank's `count`
// elements at `data` into `all` on rank `root` (empty on the others; `all`:
// a contiguous container of T with resize(), such as a vector with another
// allocator): MPI_Gather of the counts, then MPI_Gatherv. Collective over
// comm.
template <class T, class Out>
void gatherv(const T* data, int count, int root, Out& all, const Comm& comm) {
  const bool at_root = comm.rank() == root;
  std::vector<int> counts(at_root ? static_cast<std::size_t>(comm.size()) : 0);
  check(MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, root, comm.get()), "MPI_Gather");
  std::vector<int> displs(counts.size());
  long long total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    if (total > std::numeric_limits<int>::max())
      throw Error("MPI_Gatherv (more than 2^31 values to gather)", MPI_ERR_COUNT);
    displs[r] = static_cast<int>(total);
    total += counts[r];
  }
  all.resize(static_cast<std::size_t>(total));
  check(MPI_Gatherv(data, count, datatype<T>(), all.data(), counts.data(), displs.data(),
                    datatype<T>(), root, comm.get()),
        "MPI_Gatherv");
}

// gatherv() is the gathered elements as a new vector (the overload above).
template <class T>
std::vector<T> gatherv(const T* data, int count, int root, const Comm& comm) {
  std::vector<T> all;
  gatherv(data, count, root, all, comm);
  return all;
}

// exscan() is `op` over the `value` of ranks 0 .. rank-1 (MPI_Exscan);
// rank 0, for which MPI leaves the result undefined, gets T{} (the
// identity of MPI_SUM). Collective over comm.
template <class T>
T exscan(const T& value, MPI_Op op, const Comm& comm) {
  T out{};
  check(MPI_Exscan(&value, &out, 1, datatype<T>(), op, comm.get()), "MPI_Exscan");
  return comm.rank() == 0 ? T{} : out;
}

// alltoall() sends send[r * count ..] to rank r and receives rank r's into
// recv[r * count ..] (MPI_Alltoall). Collective over comm.
template <class T>
void alltoall(const T* send, T* recv, int count, const Comm& comm) {
  check(MPI_Alltoall(send, count, datatype<T>(), recv, count, datatype<T>(), comm.get()),
        "MPI_Alltoall");
}

// alltoallv() sends send_counts[r] elements of `type` from
// send + send_displs[r] to rank r and receives recv_counts[r] from rank r
// at recv + recv_displs[r] (counts and displacements in elements of
// `type`, which may be a derived type such as Datatype::bytes(n)).
// Collective over comm.
inline void alltoallv(const void* send, const int* send_counts, const int* send_displs, void* recv,
                      const int* recv_counts, const int* recv_displs, MPI_Datatype type,
                      const Comm& comm) {
  check(MPI_Alltoallv(send, send_counts, send_displs, type, recv, recv_counts, recv_displs, type,
                      comm.get()),
        "MPI_Alltoallv");
}

// ------------------------------------------------- agreement across ranks
//
// The collective patterns weft uses to keep every rank on the same path. A
// failure seen by one rank must be acted on by all of them together (an
// error thrown on one rank only leaves the others waiting in their next
// collective call), so ranks first agree on what happened, then all act on
// it the same way.

// broadcast_string() is rank `root`'s `s` on every rank (the length, then
// the characters: MPI_Bcast twice). Collective over comm.
//
//   const std::string text = mpi::broadcast_string(rank == 0 ? read_file(path) : "", comm);
std::string broadcast_string(const std::string& s, const Comm& comm, int root = 0);

// first_error() agrees on a failure: every rank passes its own message, ""
// when it has none; every rank gets the message of the lowest-numbered rank
// that passed one, or "" when none did. Collective over comm.
//
//   std::string problem;
//   try {
//     open_inputs();
//   } catch (const InputError& e) {
//     problem = e.what();
//   }
//   if (!(problem = mpi::first_error(problem, comm)).empty()) return fail(problem);
std::string first_error(const std::string& mine, const Comm& comm);

// rank0_then_agree() runs `fn` on rank 0 only (something that may fail,
// such as renaming a file) and lets every rank learn whether it worked: if
// `fn` throws, rank 0 rethrows its exception and every other rank throws
// E with the same what(); if it returns, so does every rank, after rank 0's
// `fn` finished (other ranks may then rely on its effect). Collective over
// comm.
//
//   mpi::rank0_then_agree(comm, [&] {
//     if (std::rename(part.c_str(), path.c_str()) != 0)
//       throw RunError("cannot rename " + part + " to " + path);
//   });
//
// E must be constructible from a std::string; RunError unless given.
template <class E = RunError, class F>
void rank0_then_agree(const Comm& comm, F&& fn) {
  std::exception_ptr failure;
  std::string message;
  if (comm.rank() == 0) {
    try {
      fn();
    } catch (const std::exception& e) {
      failure = std::current_exception();
      message = e.what();
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure && message.empty()) message = "unknown error on rank 0";
  }
  message = broadcast_string(message, comm);
  if (failure) std::rethrow_exception(failure);
  if (!message.empty()) throw E(message);
}

// Offsets is where this rank's block starts in the concatenation of every
// rank's block, and how long the concatenation is.
template <class T>
struct Offsets {
  T offset{};  // sum of the counts of the ranks below this one
  T total{};   // sum of the counts of all ranks
};

// exclusive_scan_offsets() places each rank's `count` items one block after
// the other in rank order: rank r's block starts at the sum of the counts of
// ranks 0 .. r-1 (MPI_Exscan) and all blocks together hold `total` items
// (MPI_Allreduce). Collective over comm.
//
//   const auto [offset, total] = mpi::exclusive_scan_offsets(std::int64_t{nlocal}, comm);
//   dataset.write({offset}, {nlocal}, data);  // of a dataset of `total` rows
template <class T>
Offsets<T> exclusive_scan_offsets(T count, const Comm& comm) {
  return Offsets<T>{exscan(count, MPI_SUM, comm), allreduce(count, MPI_SUM, comm)};
}

}  // namespace weft::mpi
