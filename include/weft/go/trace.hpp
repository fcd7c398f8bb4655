// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

namespace weft::go {

// TaskRecord is one finished task in a pool's trace (PoolOptions::trace).
// Times are nanoseconds since the pool was constructed (steady clock).
// A task may migrate between workers; start_worker is where it first ran,
// end_worker where it finished. Pool::trace() returns them sorted by start.
// A share of a block loop (blocks.hpp) that the fork-join's caller ran
// itself is recorded too, under its share's name ("pair[1]") with id 0, and
// the share's own task, which then finds nothing to do, is left out.
//
//   weft::go::Pool pool({.threads = 2, .trace = true});
//   pool.run([] { weft::go::go({.name = "halo"}, [] { ... }); });
//   for (const auto& r : pool.trace()) plot(r.name, r.start_worker, r.start_ns, r.end_ns);
struct TaskRecord {
  std::string name;
  std::uint64_t id = 0;
  int start_worker = 0;
  int end_worker = 0;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
};

}  // namespace weft::go
