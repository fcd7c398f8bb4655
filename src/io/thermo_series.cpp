// SPDX-License-Identifier: Apache-2.0
#include "weft/io/thermo_series.hpp"

#include <cstdio>

#include "weft/core/environment.hpp"
#include "weft/io/parameters.hpp"
#include "weft/h5/file.hpp"
#include "weft/io/observables.hpp"

namespace weft::io {

ThermoSeries::ThermoSeries(std::string path, std::string deck, double min_interval_s)
    : path_(std::move(path)), deck_(std::move(deck)), min_interval_s_(min_interval_s) {}

void ThermoSeries::add(const md::ThermoRow& row) {
  rows_.push_back(row);
  dirty_ = true;
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_write_).count() >= min_interval_s_) flush();
}

void ThermoSeries::flush() {
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
    bool first = true;
    for (const auto& [name, get] : observables()) {
      auto g = obs.create_group(std::string(name));
      if (first) {
        g.create_dataset<std::int64_t>("step", {n}).write<std::int64_t>({0}, {n}, steps.data());
        auto t = g.create_dataset<double>("time", {n});
        t.write<double>({0}, {n}, times.data());
        t.set_attribute("weft_unit", "tau");
        first = false;
      } else {
        g.link("/observables/temperature/step", "step");
        g.link("/observables/temperature/time", "time");
      }
      std::vector<double> v;
      for (const auto& r : rows_) v.push_back(get(r));
      g.create_dataset<double>("value", {n}).write<double>({0}, {n}, v.data());
    }
    write_parameters(f, deck_, "thermo");
    f.close();
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0)
    throw h5::Error("cannot rename " + tmp + " to " + path_);
  last_write_ = std::chrono::steady_clock::now();
  dirty_ = false;
}

}  // namespace weft::io
