// SPDX-License-Identifier: Apache-2.0
#include "weft/deck/impl/schema_support.hpp"

#include <algorithm>

namespace weft::deck {

std::string condition_text(const std::vector<Condition>& when) {
  std::string out;
  for (const auto& c : when) out += (out.empty() ? "" : " and ") + c.path + " = " + c.value;
  return out;
}

namespace impl {

std::string join(const std::string& prefix, const std::string& path) {
  return prefix.empty() ? path : prefix + "." + path;
}

std::string section_of(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? "" : path.substr(0, dot);
}

std::string leaf_of(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

const toml::node* find_node(const toml::table& t, const std::string& path) {
  const toml::table* at = &t;
  std::size_t start = 0, dot;
  while ((dot = path.find('.', start)) != std::string::npos) {
    const toml::node* n = at->get(path.substr(start, dot - start));
    if (!n || !n->is_table()) return nullptr;
    at = n->as_table();
    start = dot + 1;
  }
  return at->get(path.substr(start));
}

std::optional<toml::table> parse_value(const std::string& text, std::string& why) {
  try {
    return toml::parse("v = " + text);
  } catch (const toml::parse_error& e) {
    why = "not a TOML value: " + std::string(e.description());
    return std::nullopt;
  }
}

std::string inline_tables(const std::vector<std::string>& elements) {
  std::string out = "[";
  for (const auto& t : elements) {
    std::string body = t;
    while (!body.empty() && body.back() == '\n') body.pop_back();
    std::replace(body.begin(), body.end(), '\n', ',');
    if (out.size() > 1) out += ", ";
    out += "{" + body + "}";
  }
  return out + "]";
}

std::vector<Condition> nest_conditions(std::vector<Condition> when, const std::string& prefix) {
  for (auto& c : when) c.path = join(prefix, c.path);
  return when;
}

std::vector<KeyDoc> nest_docs(std::vector<KeyDoc> docs, const std::string& prefix) {
  for (auto& k : docs) {
    k.path = join(prefix, k.path);
    k.when = nest_conditions(std::move(k.when), prefix);
  }
  return docs;
}

bool exclusive(const std::vector<Condition>& a, const std::vector<Condition>& b) {
  for (const auto& x : a)
    for (const auto& y : b)
      if (x.path == y.path && x.value != y.value) return true;
  return false;
}

std::string inactive_message(const std::string& what, const std::vector<Condition>& failing) {
  // One clause per selector, in order of first mention: `s = "a" or "b"`.
  std::vector<std::pair<std::string, std::vector<std::string>>> by_path;
  for (const auto& c : failing) {
    auto it = std::find_if(by_path.begin(), by_path.end(),
                           [&](const auto& p) { return p.first == c.path; });
    if (it == by_path.end()) it = by_path.insert(by_path.end(), {c.path, {}});
    if (std::find(it->second.begin(), it->second.end(), c.value) == it->second.end())
      it->second.push_back(c.value);
  }
  std::string conditions;
  for (const auto& [path, values] : by_path) {
    conditions += (conditions.empty() ? "" : " or ") + path + " = ";
    for (std::size_t i = 0; i < values.size(); ++i) conditions += (i ? " or " : "") + values[i];
  }
  return what + " applies to " + conditions + " only; remove it or set " + conditions;
}

}  // namespace impl
}  // namespace weft::deck
