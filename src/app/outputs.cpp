// SPDX-License-Identifier: Apache-2.0
#include "outputs.hpp"

#include <fmt/format.h>
#include <fmt/printf.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "run_support.hpp"
#include "weft/core/environment.hpp"

namespace weft::app {
namespace fs = std::filesystem;

Table::Table(const std::vector<Series>& series, const std::vector<std::string>& columns) {
  for (const auto& c : columns) {
    if (c == "step") {
      shown_.push_back(kStep);
      labels_.push_back("Step");
    } else if (c == "time") {
      shown_.push_back(kTime);
      labels_.push_back("Time");
    } else {
      for (std::size_t k = 0; k < series.size(); ++k)
        if (series[k].name == c) {
          shown_.push_back(static_cast<int>(k));
          labels_.push_back(series[k].label.empty() ? series[k].name : series[k].label);
        }
    }
  }
}

std::string Table::header() const {
  std::string out;
  for (std::size_t k = 0; k < shown_.size(); ++k)
    out += fmt::sprintf(shown_[k] == kStep ? "%s%10s" : "%s%14s", k ? " " : "", labels_[k]);
  return out;
}

std::string Table::row(const io::SeriesRow& r) const {
  std::string out;
  for (std::size_t k = 0; k < shown_.size(); ++k) {
    const char* sep = k ? " " : "";
    const int c = shown_[k];
    if (c == kStep)
      out += fmt::sprintf("%s%10lld", sep, static_cast<long long>(r.step));
    else if (c == kTime)
      out += fmt::sprintf("%s%14.8g", sep, r.time);
    else {
      const auto i = static_cast<std::size_t>(c);
      out += fmt::sprintf("%s%14.8g", sep, i < r.values.size() ? r.values[i] : 0.0);
    }
  }
  return out;
}

RankZeroOutputs::RankZeroOutputs(std::string dir, std::string deck_path, io::RunInfo run,
                                 const std::vector<Series>& series,
                                 const std::vector<std::string>& columns, bool active)
    : dir_(std::move(dir)),
      deck_path_(std::move(deck_path)),
      run_(std::move(run)),
      table_(series, columns),
      active_(active) {
  for (const auto& s : series) names_.push_back(s.name);
}

std::string RankZeroOutputs::open(const std::vector<io::SeriesRow>* restored) {
  if (!active_) return "";
  try {
    fs::create_directories(dir_);
    reserve_ = io::SpaceReserve(dir_, kReserve);
    write_atomically(dir_ + "/deck.toml", run_.deck);
    text_.open(dir_ + "/thermo.dat", std::ios::trunc);
    if (!text_) throw std::runtime_error("cannot open thermo.dat for writing");
    text_ << "# weft " << versions().weft << " thermo output of deck " << deck_path_
          << "; the resolved deck:\n";
    std::istringstream lines(run_.deck);
    for (std::string line; std::getline(lines, line);) text_ << "#   " << line << "\n";
    text_ << "# " << table_.header() << "\n";
    series_ = std::make_unique<io::SeriesFile>(dir_ + "/thermo.h5", run_, names_);
    if (restored)
      for (const auto& row : *restored) write_row(row);
    text_.flush();
    // Checkpoints already in the directory (a continued run) take part in
    // the rotation, oldest first (names sort by step).
    checkpoints_ = checkpoints_in(dir_);
  } catch (const std::exception& e) {
    return fmt::format("cannot write the outputs in {}: {}", dir_, e.what());
  }
  return "";
}

std::vector<std::string> checkpoints_in(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("ckpt-", 0) == 0 && it->path().extension() == ".h5")
      out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void RankZeroOutputs::write_row(const io::SeriesRow& row) {
  text_ << table_.row(row) << "\n";
  series_->add(row);
}

void RankZeroOutputs::observed(const io::SeriesRow& row) {
  if (!active_ || !error_.empty()) return;
  try {
    write_row(row);
    text_.flush();
    if (!text_) throw std::runtime_error("writing thermo.dat failed");
  } catch (const std::exception& e) {
    error_ = fmt::format("writing thermo output in {}: {}", dir_, e.what());
  }
}

void RankZeroOutputs::checkpoint_written(const std::string& path, int keep) {
  if (!active_) return;
  checkpoints_.erase(std::remove(checkpoints_.begin(), checkpoints_.end(), path),
                     checkpoints_.end());
  checkpoints_.push_back(path);
  while (static_cast<int>(checkpoints_.size()) > std::max(keep, 1)) {
    std::error_code ec;
    fs::remove(checkpoints_.front(), ec);
    checkpoints_.erase(checkpoints_.begin());
  }
  try {
    series_->flush();  // the thermo series is complete up to the checkpoint
  } catch (const std::exception& e) {
    error_ = fmt::format("writing {}/thermo.h5: {}", dir_, e.what());
  }
}

std::string RankZeroOutputs::close() {
  if (!active_ || !series_) return error_;
  try {
    series_->flush();
  } catch (const std::exception& e) {
    if (error_.empty()) error_ = fmt::format("writing {}/thermo.h5: {}", dir_, e.what());
  }
  return error_;
}

const std::vector<io::SeriesRow>& RankZeroOutputs::rows() const {
  return series_ ? series_->rows() : none_;
}

}  // namespace weft::app
