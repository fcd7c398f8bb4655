// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

// How much memory this node has left for a run, read before anything big is
// allocated (the run's estimate is checked against it).
namespace weft {

// MemoryAvailable is what the node can still give: the smaller of the
// kernel's MemAvailable and the free part of every memory cgroup limit above
// this process (v2 memory.max - memory.current, v1 memory.limit_in_bytes -
// memory.usage_in_bytes; reclaimable file cache counts as free).
struct MemoryAvailable {
  std::uint64_t bytes = 0;  // 0: nothing could be read (no check possible)
  std::string source;       // with the number: "MemAvailable 23.4 GB", "7.1 GB free under
                            // the cgroup limit of 8 GB (memory.max)"
};

// memory_available() reads /proc/meminfo and the cgroup files under `root`
// ("" for the real system; tests give a directory that mimics it, with
// root/proc/... and root/sys/fs/cgroup/...). Not collective.
MemoryAvailable memory_available(const std::string& root = "");

// resident_bytes() is this process's resident set size now (0 if unknown).
std::uint64_t resident_bytes();

// format_bytes() writes a size for messages: "1.5 GB", "320 MB", "12 kB"
// (decimal units, three significant digits).
std::string format_bytes(double bytes);

}  // namespace weft
