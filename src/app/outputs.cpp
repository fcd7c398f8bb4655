// SPDX-License-Identifier: Apache-2.0
#include "outputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "run_support.hpp"
#include "weft/core/environment.hpp"

namespace weft::app {
namespace fs = std::filesystem;

RankZeroOutputs::RankZeroOutputs(std::string dir, std::string deck_path, std::string deck, bool active)
    : dir_(std::move(dir)), deck_path_(std::move(deck_path)), deck_(std::move(deck)), active_(active) {}

std::string RankZeroOutputs::open(const std::vector<md::ThermoRow>* restored) {
  if (!active_) return "";
  try {
    fs::create_directories(dir_);
    write_atomically(dir_ + "/deck.toml", deck_);
    text_.open(dir_ + "/thermo.dat", std::ios::trunc);
    if (!text_) throw std::runtime_error("cannot open thermo.dat for writing");
    text_ << "# weft " << versions().weft << " thermo output of deck " << deck_path_
          << "; the resolved deck:\n";
    std::istringstream lines(deck_);
    for (std::string line; std::getline(lines, line);) text_ << "#   " << line << "\n";
    text_ << "# " << md::format_thermo_header() << "\n";
    series_ = std::make_unique<io::ThermoSeries>(dir_ + "/thermo.h5", deck_);
    if (restored)
      for (const auto& row : *restored) write_row(row);
    text_.flush();
    // Checkpoints already in the directory (a continued run) take part in
    // the rotation, oldest first (names sort by step).
    for (const auto& e : fs::directory_iterator(dir_)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("ckpt-", 0) == 0 && e.path().extension() == ".h5") checkpoints_.push_back(e.path().string());
    }
    std::sort(checkpoints_.begin(), checkpoints_.end());
  } catch (const std::exception& e) {
    return fmt::format("cannot write the outputs in {}: {}", dir_, e.what());
  }
  return "";
}

void RankZeroOutputs::write_row(const md::ThermoRow& row) {
  text_ << md::format_thermo_row(row) << "\n";
  series_->add(row);
}

void RankZeroOutputs::thermo(const md::ThermoRow& row) {
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
  checkpoints_.erase(std::remove(checkpoints_.begin(), checkpoints_.end(), path), checkpoints_.end());
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

const std::vector<md::ThermoRow>& RankZeroOutputs::rows() const {
  return series_ ? series_->rows() : none_;
}

}  // namespace weft::app
