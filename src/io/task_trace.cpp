// SPDX-License-Identifier: Apache-2.0
#include "weft/io/task_trace.hpp"

#include <cstdio>

#include "weft/core/environment.hpp"
#include "weft/h5/file.hpp"
#include "weft/io/parameters.hpp"

namespace weft::io {

void write_task_trace(const std::string& path, const std::vector<go::TaskRecord>& records, int rank,
                      int workers, const RunInfo& run) {
  const std::string tmp = path + ".tmp";
  {
    h5::File f(tmp, h5::Mode::create);
    {
      write_parameters(f, run, "trace");
      auto t = f.create_group("runtime").create_group("trace");
      t.set_attribute("rank", std::int32_t{rank});
      t.set_attribute("workers", std::int32_t{workers});
      const hsize_t n = records.size();
      std::vector<std::string> names;
      std::vector<std::int32_t> worker;
      std::vector<std::int64_t> start, end;
      for (const auto& r : records) {
        names.push_back(r.name);
        worker.push_back(r.start_worker);
        start.push_back(r.start_ns);
        end.push_back(r.end_ns);
      }
      t.write_strings("name", names);
      t.create_dataset<std::int32_t>("worker", {n}).write<std::int32_t>({0}, {n}, worker.data());
      t.create_dataset<std::int64_t>("start_ns", {n}).write<std::int64_t>({0}, {n}, start.data());
      t.create_dataset<std::int64_t>("end_ns", {n}).write<std::int64_t>({0}, {n}, end.data());
    }
    f.close();
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw h5::Error("cannot rename " + tmp + " to " + path);
}

}  // namespace weft::io
