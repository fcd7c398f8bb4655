// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: how each C++ config member type is read from and written to TOML.

#include <toml++/toml.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace weft::deck::impl {

// found() describes a TOML node for an error message: `a string "abc"`.
std::string found(const toml::node& node);

// TOML text of scalar values (shortest round-trip form for reals).
std::string text_of(bool v);
std::string text_of(std::int64_t v);
std::string text_of(double v);
std::string text_of(const std::string& v);

// Checks applies range and choice constraints to scalars; empty() = none.
struct Checks {
  bool has_min = false, has_max = false, min_open = false, max_open = false;
  double min = 0, max = 0;
  std::vector<std::string> choices;

  // violation() returns "" when v is allowed, else what is allowed.
  std::string violation(double v) const;
  std::string violation(const std::string& v) const;
  std::string describe() const;  // "0 < x <= 10", "one of: a, b"
};

template <class T>
struct Convert;

template <>
struct Convert<bool> {
  static std::string type_name() { return "boolean"; }
  static bool read(const toml::node& n, bool& out, const Checks&, std::string& why) {
    if (!n.is_boolean()) {
      why = "expected a boolean (true or false), found " + found(n);
      return false;
    }
    out = n.as_boolean()->get();
    return true;
  }
  static std::string text(bool v) { return text_of(v); }
};

// clang-format 14 joins the requires-clause and the class head into one line.
// clang-format off
template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>)
struct Convert<I> {
  // clang-format on
  static std::string type_name() { return "integer"; }
  static bool read(const toml::node& n, I& out, const Checks& c, std::string& why) {
    if (!n.is_integer()) {
      why = "expected an integer, found " + found(n);
      return false;
    }
    const std::int64_t v = n.as_integer()->get();
    if (v < static_cast<std::int64_t>(std::numeric_limits<I>::min()) ||
        (std::is_signed_v<I> && v > static_cast<std::int64_t>(std::numeric_limits<I>::max()))) {
      why = "integer " + std::to_string(v) + " does not fit";
      return false;
    }
    if (auto bad = c.violation(static_cast<double>(v)); !bad.empty()) {
      why = "expected " + bad + ", found " + std::to_string(v);
      return false;
    }
    out = static_cast<I>(v);
    return true;
  }
  static std::string text(I v) { return text_of(static_cast<std::int64_t>(v)); }
};

template <>
struct Convert<double> {
  static std::string type_name() { return "real"; }
  static bool read(const toml::node& n, double& out, const Checks& c, std::string& why) {
    double v = 0;
    if (n.is_floating_point()) {
      v = n.as_floating_point()->get();
    } else if (n.is_integer()) {
      v = static_cast<double>(n.as_integer()->get());
    } else {
      why = "expected a real number, found " + found(n);
      return false;
    }
    if (!std::isfinite(v)) {
      why = "expected a finite real number, found " + found(n);
      return false;
    }
    if (auto bad = c.violation(v); !bad.empty()) {
      why = "expected " + bad + ", found " + found(n);
      return false;
    }
    out = v;
    return true;
  }
  static std::string text(double v) { return text_of(v); }
};

template <>
struct Convert<std::string> {
  static std::string type_name() { return "string"; }
  static bool read(const toml::node& n, std::string& out, const Checks& c, std::string& why) {
    if (!n.is_string()) {
      why = "expected a string, found " + found(n);
      return false;
    }
    std::string v = n.as_string()->get();
    if (auto bad = c.violation(v); !bad.empty()) {
      why = "expected " + bad + ", found \"" + v + "\"" + bad_choice_hint(v, c);
      return false;
    }
    out = std::move(v);
    return true;
  }
  static std::string text(const std::string& v) { return text_of(v); }
  static std::string bad_choice_hint(const std::string& v, const Checks& c);
};

}  // namespace weft::deck::impl

namespace weft::deck {

// EnumNames<E> lets a deck key bind to an enum member: specialize it with
//
//   static const std::vector<std::pair<std::string, E>>& names();
//
// (the deck spelling of every value). The key is a string whose choices
// are those names; the resolved deck writes the name.
template <class E>
struct EnumNames;

}  // namespace weft::deck

namespace weft::deck::impl {

template <class E>
requires std::is_enum_v<E>
struct Convert<E> {
  static std::string type_name() { return "string"; }
  static std::vector<std::string> choices() {
    std::vector<std::string> out;
    for (const auto& [name, value] : EnumNames<E>::names()) out.push_back(name);
    return out;
  }
  static bool read(const toml::node& n, E& out, const Checks& c, std::string& why) {
    Checks named = c;
    named.choices = choices();
    std::string v;
    if (!Convert<std::string>::read(n, v, named, why)) return false;
    for (const auto& [name, value] : EnumNames<E>::names())
      if (name == v) out = value;
    return true;
  }
  static std::string text(E v) {
    for (const auto& [name, value] : EnumNames<E>::names())
      if (value == v) return text_of(name);
    return text_of(std::string("?"));
  }
};

template <class E, class List>
std::string list_text(const List& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += Convert<E>::text(v[i]);
  }
  return s + "]";
}

template <class E, class Out>
bool read_elements(const toml::array& a, Out& out, const Checks& c, std::string& why) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::string inner;
    if (!Convert<E>::read(*a.get(i), out[i], c, inner)) {
      why = "element " + std::to_string(i + 1) + ": " + inner;
      return false;
    }
  }
  return true;
}

template <class E, std::size_t N>
struct Convert<std::array<E, N>> {
  static std::string type_name() {
    return "list of " + std::to_string(N) + " " + Convert<E>::type_name() + "s";
  }
  static bool read(const toml::node& n, std::array<E, N>& out, const Checks& c, std::string& why) {
    const toml::array* a = n.as_array();
    if (!a || a->size() != N) {
      why = "expected a " + type_name() + ", found " + found(n);
      return false;
    }
    std::array<E, N> tmp = out;
    if (!read_elements<E>(*a, tmp, c, why)) return false;
    out = tmp;
    return true;
  }
  static std::string text(const std::array<E, N>& v) { return list_text<E>(v); }
};

template <class E>
struct Convert<std::vector<E>> {
  static std::string type_name() { return "list of " + Convert<E>::type_name() + "s"; }
  static bool read(const toml::node& n, std::vector<E>& out, const Checks& c, std::string& why) {
    const toml::array* a = n.as_array();
    if (!a) {
      why = "expected a " + type_name() + ", found " + found(n);
      return false;
    }
    std::vector<E> tmp(a->size());
    if (!read_elements<E>(*a, tmp, c, why)) return false;
    out = std::move(tmp);
    return true;
  }
  static std::string text(const std::vector<E>& v) { return list_text<E>(v); }
};

}  // namespace weft::deck::impl
