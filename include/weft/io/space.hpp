// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>

#include "weft/core/error.hpp"

namespace weft::io {

// NoSpace is the RunError of a write that does not fit: its message says
// where, how much was needed and how much is free.
class NoSpace : public RunError {
 public:
  using RunError::RunError;
};

// free_bytes() is the space an unprivileged writer may still use on the
// file system holding `path` (a file or directory; its nearest existing
// ancestor is asked), from statvfs; UINT64_MAX when it cannot be known.
std::uint64_t free_bytes(const std::string& path);

// megabytes() formats a byte count as "12.3 MB" (10^6 bytes) for messages.
std::string megabytes(std::uint64_t bytes);

// ensure_space() throws NoSpace on every rank unless the file system of
// `path` has `bytes` free plus a margin (metadata, the chunk index: 5 % and
// 256 KiB). `what` names the write ("checkpoint ckpt-0000000100.h5").
// Rank 0 asks the file system; collective over comm.
void ensure_space(const std::string& path, std::uint64_t bytes, const std::string& what,
                  MPI_Comm comm);

// write_failure() is the message of a failed write to `path`: `error` as
// given, preceded by "no space left on device on DIR (N MB free)" when the
// file system of `path` is (nearly) full. Not collective.
std::string write_failure(const std::string& path, const std::string& error);

// SpaceReserve keeps `bytes` of a directory's file system for closing
// files after a write failed (HDF5 writes its metadata when a file is
// closed): a file `.weft.reserve` allocated at construction and removed by
// release() — call it before closing outputs when a write has failed — or
// by the destructor. Rank 0's alone (the ranks share the directory).
//
//   io::SpaceReserve reserve(dir, 2 << 20);  // NoSpace when it does not fit
//   ...  a write fails
//   reserve.release();                       // room for the closes
class SpaceReserve {
 public:
  SpaceReserve() = default;
  SpaceReserve(const std::string& dir, std::uint64_t bytes);
  ~SpaceReserve() { release(); }
  SpaceReserve(const SpaceReserve&) = delete;
  SpaceReserve& operator=(const SpaceReserve&) = delete;
  SpaceReserve(SpaceReserve&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  SpaceReserve& operator=(SpaceReserve&& o) noexcept {
    release();
    path_ = std::move(o.path_);
    o.path_.clear();
    return *this;
  }
  void release();

 private:
  std::string path_;
};

}  // namespace weft::io
