// SPDX-License-Identifier: Apache-2.0
// The ground truth <out>.truth.json and the rates table of a generated file.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "plan.hpp"

namespace weft::events_gen {

// Tally is what the blocks reported, in file order.
struct Tally {
  std::uint64_t rows = 0;
  std::array<std::vector<std::uint64_t>, kReasons> bad_lines;  // 1-based lines
};

// write_truth writes the ground-truth JSON to `path`.
void write_truth(const Plan& plan, const Tally& tally, const std::string& csv_name,
                 const std::string& rates_name, const std::string& path);

// write_rates writes date,currency,rate for every day and non-base currency.
void write_rates(const Plan& plan, const std::string& path);

}  // namespace weft::events_gen
