// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <span>

#include "weft/mpi/comm.hpp"
#include "weft/mpi/datatype.hpp"
#include "weft/mpi/error.hpp"

// Typed, checked point-to-point messages: thin inline wrappers of the MPI
// calls of the same names (they sit in the MD engine's ghost exchange, so
// they cost nothing beyond the check of the return code). Ranks may be
// MPI_PROC_NULL (no message). None is collective: each involves this rank
// and the ranks it names.
//
//   MPI_Request reqs[2] = {
//       mpi::irecv(in.data(), n, left, tag, comm),
//       mpi::isend(out.data(), n, right, tag, comm)};
//   compute_interior();  // overlaps with the transfer
//   mpi::waitall(reqs);
//
// Inside a weft::go task, post through weft::go::mpi_call() and wait with
// weft::go::await()/await_all() instead of waitall() (mpi_await.hpp).
namespace weft::mpi {

// sendrecv() sends `send_count` elements at `send` to rank `dest` and
// receives up to `recv_count` elements from rank `source` into `recv`, both
// with tag `tag` (MPI_Sendrecv). Not collective.
template <class T>
void sendrecv(const T* send, int send_count, int dest, T* recv, int recv_count, int source, int tag,
              const Comm& comm) {
  check(MPI_Sendrecv(send, send_count, datatype<T>(), dest, tag, recv, recv_count, datatype<T>(),
                     source, tag, comm.get(), MPI_STATUS_IGNORE),
        "MPI_Sendrecv");
}

// sendrecv() of one value: sends `value` to `dest` and returns the value
// received from `source` (T{} when source is MPI_PROC_NULL). Not
// collective.
//
//   const long long incoming = mpi::sendrecv(outgoing, lower, upper, 21, comm);
template <class T>
T sendrecv(const T& value, int dest, int source, int tag, const Comm& comm) {
  T in{};
  sendrecv(&value, 1, dest, &in, 1, source, tag, comm);
  return in;
}

// isend() starts sending `count` elements at `data` to rank `dest` with
// `tag` (MPI_Isend) and returns the request; `data` must stay valid and
// unchanged until the request completes. Not collective.
template <class T>
MPI_Request isend(const T* data, int count, int dest, int tag, const Comm& comm) {
  MPI_Request r = MPI_REQUEST_NULL;
  check(MPI_Isend(data, count, datatype<T>(), dest, tag, comm.get(), &r), "MPI_Isend");
  return r;
}

// irecv() starts receiving up to `count` elements from rank `source` with
// `tag` into `data` (MPI_Irecv) and returns the request. Not collective.
template <class T>
MPI_Request irecv(T* data, int count, int source, int tag, const Comm& comm) {
  MPI_Request r = MPI_REQUEST_NULL;
  check(MPI_Irecv(data, count, datatype<T>(), source, tag, comm.get(), &r), "MPI_Irecv");
  return r;
}

// improbe() looks for a message from `source` (or MPI_ANY_SOURCE) with `tag`
// (or MPI_ANY_TAG) without waiting (MPI_Improbe): true, with the message
// taken out of matching into *message and its envelope in *status, if one
// is there. Receive it with mrecv(). Not collective.
inline bool improbe(int source, int tag, const Comm& comm, MPI_Message* message,
                    MPI_Status* status) {
  int flag = 0;
  check(MPI_Improbe(source, tag, comm.get(), &flag, message, status), "MPI_Improbe");
  return flag != 0;
}

// count() is the number of elements of type T a status describes
// (MPI_Get_count). Not collective.
template <class T>
int count(const MPI_Status& status) {
  int n = 0;
  check(MPI_Get_count(&status, datatype<T>(), &n), "MPI_Get_count");
  return n;
}

// mrecv() receives a message matched by improbe() into `data` (`count`
// elements, at least the message's) (MPI_Mrecv). Not collective.
template <class T>
void mrecv(T* data, int count, MPI_Message* message) {
  check(MPI_Mrecv(data, count, datatype<T>(), message, MPI_STATUS_IGNORE), "MPI_Mrecv");
}

// testall() says whether every request completed (MPI_Testall; completed
// ones become MPI_REQUEST_NULL). Not collective.
inline bool testall(std::span<MPI_Request> requests) {
  int flag = 0;
  check(MPI_Testall(static_cast<int>(requests.size()), requests.data(), &flag, MPI_STATUSES_IGNORE),
        "MPI_Testall");
  return flag != 0;
}

// waitall() blocks until every request completed and sets each to
// MPI_REQUEST_NULL (MPI_Waitall); null requests are skipped. Not
// collective. Blocks the whole thread: in a weft::go task use await_all().
inline void waitall(std::span<MPI_Request> requests) {
  check(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE),
        "MPI_Waitall");
}

}  // namespace weft::mpi
