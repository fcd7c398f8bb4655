// SPDX-License-Identifier: Apache-2.0
#include "share.hpp"

#include <thread>
#include <utility>

#include "weft/mpi/collectives.hpp"
#include "weft/mpi/p2p.hpp"

namespace weft::events {
namespace {
// kAskTag: a request for part of a rank's rest (one int); kCutTag: the
// answer, {begin, end} of the part or {-1, -1}.
constexpr int kAskTag = 1, kCutTag = 2;
}  // namespace

RangeShare::RangeShare(MPI_Comm comm, std::int64_t least, std::function<void()> idle)
    : comm_(mpi::Comm(comm).dup()), least_(least), idle_(std::move(idle)) {}

RangeShare::~RangeShare() {
  // After a failure between the constructor and finish(): the answers in
  // flight (16 bytes each, sent eagerly) complete before their buffers go.
  try {
    for (Answer& a : answers_) mpi::waitall(std::span<MPI_Request>(&a.request, 1));
  } catch (...) {  // NOLINT(bugprone-empty-catch): an MPI failure is reported where it happened
  }
}

void RangeShare::answer(int to, std::int64_t begin, std::int64_t end) {
  while (!answers_.empty() && mpi::testall(std::span<MPI_Request>(&answers_.front().request, 1)))
    answers_.pop_front();
  Answer& a = answers_.emplace_back();
  a.cut[0] = begin;
  a.cut[1] = end;
  a.request = mpi::isend(a.cut, 2, to, kCutTag, comm_);
}

int RangeShare::next_request() {
  MPI_Message message = MPI_MESSAGE_NULL;
  MPI_Status status;
  if (!mpi::improbe(MPI_ANY_SOURCE, kAskTag, comm_, &message, &status)) return -1;
  int ask = 0;
  mpi::mrecv(&ask, 1, &message);
  return status.MPI_SOURCE;
}

void RangeShare::decline_all() {
  for (int from = next_request(); from >= 0; from = next_request()) answer(from, -1, -1);
}

void RangeShare::wait_a_moment() {
  idle_();
  std::this_thread::yield();  // ranks may outnumber the cores (tests)
}

void RangeShare::serve(std::int64_t pos, std::int64_t& end, const CutFn& cut) {
  for (int from = next_request(); from >= 0; from = next_request()) {
    if (end - pos >= least_) {
      const std::int64_t c = cut(pos + (end - pos) / 2, end);
      if (c > pos && c < end) {
        answer(from, c, end);
        end = c;
        continue;
      }
    }
    answer(from, -1, -1);
  }
}

std::optional<RangeShare::Part> RangeShare::steal() {
  const int rank = comm_.rank(), size = comm_.size();
  for (int k = 1; k < size; ++k) {
    const int peer = (rank + k) % size;
    int ask = 0;
    std::int64_t cut[2] = {-1, -1};
    MPI_Request requests[2] = {mpi::irecv(cut, 2, peer, kCutTag, comm_),
                               mpi::isend(&ask, 1, peer, kAskTag, comm_)};
    while (!mpi::testall(requests)) {
      decline_all();  // this rank has no rest to give
      wait_a_moment();
    }
    if (cut[0] >= 0) {
      ++parts_;
      return Part{cut[0], cut[1]};
    }
  }
  return std::nullopt;
}

void RangeShare::finish() {
  MPI_Request done = mpi::ibarrier(comm_);
  while (!mpi::testall(std::span<MPI_Request>(&done, 1))) {
    decline_all();
    wait_a_moment();
  }
  for (Answer& a : answers_) mpi::waitall(std::span<MPI_Request>(&a.request, 1));
  answers_.clear();
}

}  // namespace weft::events
