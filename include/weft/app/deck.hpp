// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "weft/app/kind.hpp"
#include "weft/deck/diagnostics.hpp"

// Reading decks for any application of a registry.
namespace weft::app {

// load_deck() parses `text` (the bytes of deck file `path`) with the --set
// overrides, chooses the application by the top-level key `application`
// (default "md", so decks written before there were others read as MD) and
// loads the deck with that application's kind: every problem goes into
// `d`. Not collective.
std::optional<LoadedDeck> load_deck(const std::string& path, const std::string& text,
                                    const std::vector<std::string>& sets, const Registry& apps,
                                    deck::Diagnostics& d);

// load_deck_file() is load_deck() after reading the file.
std::optional<LoadedDeck> load_deck_file(const std::string& path,
                                         const std::vector<std::string>& sets, const Registry& apps,
                                         deck::Diagnostics& d);

// kind_of() is the kind of the application a loaded deck is for.
const ApplicationKind& kind_of(const LoadedDeck& deck, const Registry& apps);

// deck_reference() is the Markdown deck reference: the shared sections,
// then each application's own keys. `weft help deck` prints it and
// docs/deck.md is a copy of it.
std::string deck_reference(const Registry& apps);

}  // namespace weft::app
