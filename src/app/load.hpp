// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: turning a deck file plus --set options into a resolved Config.

#include <optional>
#include <string>
#include <vector>

#include "weft/app/config.hpp"
#include "weft/deck/diagnostics.hpp"

namespace weft::app {

struct LoadedDeck {
  Config config;
  std::string resolved;  // the complete deck, every default filled in (TOML)
  std::string name;      // deck file name without directory and .toml
};

// load_deck() parses `text` (the bytes of deck file `path`) with the --set
// overrides, checks it against the schema and resolves relative input paths
// against the deck's directory. Every problem goes into `d`.
std::optional<LoadedDeck> load_deck(const std::string& path, const std::string& text,
                                    const std::vector<std::string>& sets, deck::Diagnostics& d);

// load_deck_file() is load_deck() after reading the file.
std::optional<LoadedDeck> load_deck_file(const std::string& path,
                                         const std::vector<std::string>& sets,
                                         deck::Diagnostics& d);

}  // namespace weft::app
