// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: Schema<Root>::write_text() (the resolved deck) and docs().

#include <algorithm>

#include "weft/deck/schema.hpp"

namespace weft::deck {

template <class Root>
std::string Schema<Root>::write_text(const Root& r) const {
  // Keys are grouped by section (in order of each section's first key), so
  // a section's keys may be declared in several places. A table array is a
  // group of its own. Keys whose conditions do not hold are left out (and
  // their members not read).
  std::vector<std::pair<std::string, std::vector<const Entry*>>> groups;
  for (const auto& e : entries_) {
    if (!holds(e.doc.when, r)) continue;
    const bool array = static_cast<bool>(e.element_texts);
    const std::string section = array ? e.doc.path : impl::section_of(e.doc.path);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      return !array && g.first == section && !g.second.front()->element_texts;
    });
    if (it == groups.end()) {
      groups.push_back({section, {}});
      it = groups.end() - 1;
    }
    it->second.push_back(&e);
  }
  std::string out;
  for (const auto& [section, members] : groups) {
    if (members.front()->element_texts) {
      for (const auto& t : members.front()->element_texts(r)) out += "\n[[" + section + "]]\n" + t;
      continue;
    }
    if (!section.empty()) out += "\n[" + section + "]\n";
    for (const Entry* e : members) out += impl::leaf_of(e->doc.path) + " = " + e->text(r) + "\n";
  }
  return out;
}

template <class Root>
std::vector<KeyDoc> Schema<Root>::docs() const {
  std::vector<KeyDoc> out;
  for (const auto& e : entries_) {
    out.push_back(e.doc);
    if (!e.element_docs) continue;
    for (auto& k : e.element_docs()) {
      k.when.insert(k.when.begin(), e.doc.when.begin(), e.doc.when.end());
      out.push_back(std::move(k));
    }
  }
  return out;
}

}  // namespace weft::deck
