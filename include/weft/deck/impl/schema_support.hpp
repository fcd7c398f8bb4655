// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: the parts of Schema<Root> that do not depend on Root.

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <vector>

#include "weft/deck/key_doc.hpp"

namespace weft::deck::impl {

// join() is `prefix.path`, or `path` when prefix is empty.
std::string join(const std::string& prefix, const std::string& path);

// section_of() is the section a key path is in ("pair.coeff" -> "pair",
// "steps" -> ""); leaf_of() the rest ("coeff").
std::string section_of(const std::string& path);
std::string leaf_of(const std::string& path);

// find_node() is the node at the dotted `path` below `t`, or nullptr.
const toml::node* find_node(const toml::table& t, const std::string& path);

// parse_value() parses TOML value text as the value of key "v", or returns
// nullopt and says why.
std::optional<toml::table> parse_value(const std::string& text, std::string& why);

// inline_tables() renders table-array elements (each the text write_text
// gives) as one inline default: [{a = 1,b = 2}, {a = 3,b = 4}].
std::string inline_tables(const std::vector<std::string>& elements);

// nest_docs() puts key docs (and the paths of their conditions) below
// `prefix`: "epsilon" under "pair.coeff[]" is "pair.coeff[].epsilon".
std::vector<KeyDoc> nest_docs(std::vector<KeyDoc> docs, const std::string& prefix);

// nest_conditions() does the same for conditions alone.
std::vector<Condition> nest_conditions(std::vector<Condition> when, const std::string& prefix);

// exclusive() is true when `a` and `b` can never hold together: both ask
// for one path to have different values.
bool exclusive(const std::vector<Condition>& a, const std::vector<Condition>& b);

// inactive_message() tells a key (or "[section]") that is given while none
// of the conditions it exists for holds how to fix it:
//   pair.mixing applies to pair.style = "lj/cut" only; remove it or set
//   pair.style = "lj/cut"
std::string inactive_message(const std::string& what, const std::vector<Condition>& failing);

}  // namespace weft::deck::impl
