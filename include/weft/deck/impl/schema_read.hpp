// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: Schema<Root>::read_table() and unknown(), the walk over a parsed
// TOML table that checks every key against the schema.

#include "weft/deck/schema.hpp"

namespace weft::deck {

template <class Root>
void Schema<Root>::read_table(Root& r, const toml::table& t, const std::string& prefix,
                              const std::string& display, Diagnostics& d,
                              std::map<std::string, Origin>& seen,
                              std::set<std::string>& bad) const {
  for (const auto& [k, node] : t) {
    const std::string key(k.str());
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    const std::string shown = display + path;
    const Origin where = origin_of(node);
    if (const Entry* e = find(path)) {
      seen[path] = where;
      if (e->is_array_of_tables) {
        const toml::array* a = node.as_array();
        if (!a) {
          d.error(where, shown, "expected an array of tables (write each as [[" + shown + "]]), found " +
                                    impl::found(node));
          bad.insert(shown);
          continue;
        }
        e->read_tables(r, *a, shown, d, seen, bad);
        continue;
      }
      std::string why;
      if (!e->read(r, node, e->checks, why)) {
        if (!e->doc.unit.empty()) why += " (unit: " + e->doc.unit + ")";
        d.error(where, shown, why);
        bad.insert(shown);
      }
    } else if (is_section(path)) {
      if (const toml::table* sub = node.as_table()) {
        read_table(r, *sub, path, display, d, seen, bad);
      } else {
        d.error(where, shown,
                "this is a section, not a value: write its keys under [" + shown + "], found " +
                    impl::found(node));
        bad.insert(shown);
      }
    } else {
      unknown(path, node, display, d);
      bad.insert(shown);
    }
  }
}

template <class Root>
void Schema<Root>::unknown(const std::string& path, const toml::node& n,
                           const std::string& display, Diagnostics& d) const {
  const Origin where = origin_of(n);
  const std::string shown = display + path;
  const auto dot = path.rfind('.');
  const std::string section = dot == std::string::npos ? "" : path.substr(0, dot);
  if (n.is_table()) {
    std::string hint = closest(path, sections());
    std::string msg = "unknown section [" + shown + "]";
    msg += hint.empty() ? "; see `weft help deck` for the sections a deck may have"
                        : "; did you mean [" + display + hint + "]?";
    d.error(where, shown, msg);
    return;
  }
  std::vector<std::string> leaves;
  for (const auto& e : entries_) leaves.push_back(e->doc.path);
  std::string hint = closest(path, leaves);
  std::string msg = "unknown key";
  if (!hint.empty()) {
    msg += "; did you mean '" + display + hint + "'?";
  } else {
    auto siblings = keys_under(section);
    if (!siblings.empty()) {
      msg += "; the keys " + (section.empty() ? std::string("at the top level")
                                               : "of [" + display + section + "]") + " are:";
      for (std::size_t i = 0; i < siblings.size(); ++i) {
        const auto& s = siblings[i];
        msg += i ? ", " : " ";
        msg += s.substr(section.empty() ? 0 : section.size() + 1);
      }
    } else {
      msg += "; see `weft help deck`";
    }
  }
  d.error(where, shown, msg);
}

}  // namespace weft::deck
