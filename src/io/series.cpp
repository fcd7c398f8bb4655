// SPDX-License-Identifier: Apache-2.0
#include "weft/io/series.hpp"

#include <cstdio>

#include "weft/h5/file.hpp"

namespace weft::io {

SeriesFile::SeriesFile(std::string path, RunInfo run, std::vector<std::string> names,
                       double min_interval_s)
    : path_(std::move(path)),
      run_(std::move(run)),
      names_(std::move(names)),
      min_interval_s_(min_interval_s) {}

void SeriesFile::add(SeriesRow row) {
  rows_.push_back(std::move(row));
  dirty_ = true;
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_write_).count() >= min_interval_s_) flush();
}

void SeriesFile::flush() {
  if (!dirty_) return;
  const std::string tmp = path_ + ".tmp";
  {
    h5::File f(tmp, h5::Mode::create);
    const hsize_t n = rows_.size();
    auto obs = f.create_group("observables");
    std::vector<std::int64_t> steps;
    std::vector<double> times;
    for (const auto& r : rows_) {
      steps.push_back(r.step);
      times.push_back(r.time);
    }
    for (std::size_t k = 0; k < names_.size(); ++k) {
      auto g = obs.create_group(names_[k]);
      if (k == 0) {
        g.create_dataset<std::int64_t>("step", {n}).write<std::int64_t>({0}, {n}, steps.data());
        auto t = g.create_dataset<double>("time", {n});
        t.write<double>({0}, {n}, times.data());
        if (!run_.time_unit.empty()) t.set_attribute("weft_unit", run_.time_unit);
      } else {
        g.link("/observables/" + names_[0] + "/step", "step");
        g.link("/observables/" + names_[0] + "/time", "time");
      }
      std::vector<double> v;
      for (const auto& r : rows_) v.push_back(k < r.values.size() ? r.values[k] : 0.0);
      g.create_dataset<double>("value", {n}).write<double>({0}, {n}, v.data());
    }
    write_parameters(f, run_, "thermo");
    f.close();
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0)
    throw h5::Error("cannot rename " + tmp + " to " + path_);
  last_write_ = std::chrono::steady_clock::now();
  dirty_ = false;
}

}  // namespace weft::io
