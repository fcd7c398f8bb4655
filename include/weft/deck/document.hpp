// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/deck/diagnostics.hpp"
#include "weft/deck/schema.hpp"

namespace weft::deck {

// read_file() returns the bytes of a deck file, or records why it cannot be
// read (missing, a directory, unreadable) in `d` and returns nullopt.
std::optional<std::string> read_file(const std::string& path, Diagnostics& d);

// parse_text() parses TOML text named `file` and applies the --set
// overrides (each "key.path=value"; a value that is not valid TOML is taken
// as a string). Problems (syntax, duplicate keys, binary data, an empty
// deck, a malformed --set) go into `d`; the result is nullopt when the text
// could not be parsed at all.
std::optional<toml::table> parse_text(std::string_view text, const std::string& file,
                                      const std::vector<std::string>& sets, Diagnostics& d);

// render_reference() formats key docs as the Markdown deck reference.
std::string render_reference(const std::vector<KeyDoc>& docs, std::string_view title,
                             std::string_view intro);

// to_toml_text() formats a table as TOML text.
std::string to_toml_text(const toml::table& t);

}  // namespace weft::deck
