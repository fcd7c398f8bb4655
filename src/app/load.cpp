// SPDX-License-Identifier: Apache-2.0
#include "load.hpp"

#include <filesystem>

#include "weft/deck/document.hpp"

namespace weft::app {
namespace fs = std::filesystem;

std::optional<LoadedDeck> load_deck(const std::string& path, const std::string& text,
                                    const std::vector<std::string>& sets, deck::Diagnostics& d) {
  auto table = deck::parse_text(text, path, sets, d);
  if (!table) return std::nullopt;
  LoadedDeck out;
  out.config = schema().parse(*table, path, d);
  if (!d.empty()) return std::nullopt;
  auto& data = out.config.md.init.data_file;
  if (!data.empty() && fs::path(data).is_relative()) {
    data = (fs::path(path).parent_path() / data).lexically_normal().string();
  }
  out.resolved = schema().write_text(out.config);
  out.name = fs::path(path).stem().string();
  return out;
}

std::optional<LoadedDeck> load_deck_file(const std::string& path,
                                         const std::vector<std::string>& sets,
                                         deck::Diagnostics& d) {
  auto text = deck::read_file(path, d);
  if (!text) return std::nullopt;
  return load_deck(path, *text, sets, d);
}

}  // namespace weft::app
