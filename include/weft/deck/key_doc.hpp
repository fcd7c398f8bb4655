// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace weft::deck {

// Condition is `path = value`: a key that exists only while the choice key
// `path` has `value` (TOML text: "\"morse\"", "2", "true").
struct Condition {
  std::string path;
  std::string value;
  friend bool operator==(const Condition&, const Condition&) = default;
};

// condition_text() renders conditions as the deck reference shows them:
// `pair.style = "morse"`, joined by " and "; "" when there are none.
std::string condition_text(const std::vector<Condition>& when);

// KeyDoc is what the deck reference says about one key.
struct KeyDoc {
  std::string path;          // "pair.cutoff"; table-array members as "pair.coeff[].epsilon"
  std::string type;          // "real", "list of 3 integers", "array of tables"
  std::string default_text;  // TOML text of the default; "" when required
  std::string unit;          // "sigma", "tau", ... or ""
  std::string constraint;    // "0 < x", "one of: nve, langevin", or ""
  std::string description;   // one line
  bool required = false;
  std::vector<Condition> when;  // the key exists only while all of these hold; empty: always
};

}  // namespace weft::deck
