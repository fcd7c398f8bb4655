// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: comparing the deck of a restart with the deck of the run that
// wrote the checkpoint.

#include <map>
#include <string>
#include <vector>

namespace weft::app {

// flatten_deck() maps every key of a resolved deck to its value as written:
// "lattice.cells" -> "[20, 20, 20]", "species[2].mass" -> "2.0" (elements of
// arrays of tables numbered from 1).
std::map<std::string, std::string> flatten_deck(const std::string& resolved);

// system_differences() lists, as "key: the checkpoint's run had X, the deck
// has Y", every key of `entries` (a section such as "pair" covers
// "pair.cutoff" and "pair.coeff[1].sigma"; a key covers itself) whose value
// differs between the two resolved decks. A key only one deck has is not
// compared (a key added by a later weft, or one of a style no longer
// chosen), but a different number of elements of an array of tables is.
std::vector<std::string> system_differences(const std::string& checkpoint_deck,
                                            const std::string& deck,
                                            const std::vector<std::string>& entries);

}  // namespace weft::app
