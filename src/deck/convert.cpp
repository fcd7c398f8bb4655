// SPDX-License-Identifier: Apache-2.0
#include "weft/deck/impl/convert.hpp"

#include <fmt/format.h>

#include <sstream>

#include "weft/deck/diagnostics.hpp"

namespace weft::deck::impl {

namespace {
std::string text(const toml::node& node) {
  std::ostringstream os;
  node.visit([&os](const auto& v) { os << v; });
  return os.str();
}
}  // namespace

std::string found(const toml::node& node) {
  std::ostringstream os;
  switch (node.type()) {
    case toml::node_type::string:
      os << "a string " << text(node);
      break;
    case toml::node_type::integer:
      os << "an integer " << text(node);
      break;
    case toml::node_type::floating_point:
      os << "a real " << text(node);
      break;
    case toml::node_type::boolean:
      os << "a boolean " << text(node);
      break;
    case toml::node_type::table:
      os << "a table";
      break;
    case toml::node_type::array:
      os << "a list of " << node.as_array()->size() << " element"
         << (node.as_array()->size() == 1 ? "" : "s");
      break;
    default:
      os << "a date/time value " << text(node);
      break;
  }
  return os.str();
}

std::string text_of(bool v) { return v ? "true" : "false"; }
std::string text_of(std::int64_t v) { return fmt::format("{}", v); }
std::string text_of(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}
std::string text_of(const std::string& v) {
  std::string s = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') s += '\\';
    if (c == '\n') {
      s += "\\n";
      continue;
    }
    s += c;
  }
  return s + "\"";
}

static std::string num(double v) { return fmt::format("{}", v); }

std::string Checks::violation(double v) const {
  const bool low = has_min && (min_open ? !(v > min) : !(v >= min));
  const bool high = has_max && (max_open ? !(v < max) : !(v <= max));
  return (low || high) ? "a value with " + describe() : "";
}

std::string Checks::violation(const std::string& v) const {
  if (choices.empty()) return "";
  for (const auto& c : choices)
    if (c == v) return "";
  return describe();
}

std::string Checks::describe() const {
  if (!choices.empty()) {
    std::string s = "one of: ";
    for (std::size_t i = 0; i < choices.size(); ++i) s += (i ? ", " : "") + choices[i];
    return s;
  }
  std::string s;
  if (has_min) s += num(min) + (min_open ? " < " : " <= ");
  if (has_min || has_max) s += "x";
  if (has_max) s += (max_open ? " < " : " <= ") + num(max);
  return s;
}

std::string Convert<std::string>::bad_choice_hint(const std::string& v, const Checks& c) {
  if (c.choices.empty()) return "";
  const std::string hint = closest(v, c.choices);
  return hint.empty() ? "" : "; did you mean \"" + hint + "\"?";
}

}  // namespace weft::deck::impl
