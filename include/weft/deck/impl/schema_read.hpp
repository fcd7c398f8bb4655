// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: Schema<Root>::parse() and the walk over a parsed TOML table that
// checks every key against the schema.

#include "weft/deck/schema.hpp"

namespace weft::deck {

template <class Root>
Root Schema<Root>::parse(const toml::table& table, const std::string& file, Diagnostics& d) const {
  Seen seen;
  Bad bad;
  Root r{};
  const Origin where{file, 0, 0};
  read_all(r, table, "", where, d, seen, bad);
  check_rules(r, "", where, d, seen, bad);
  return r;
}

template <class Root>
void Schema<Root>::check_rules(const Root& r, const std::string& display, const Origin& where,
                               Diagnostics& d, const Seen& seen, Bad& bad) const {
  std::set<std::string> changed;
  for (const auto& e : entries_)
    if (e.text && seen.count(display + e.doc.path) && holds(e.doc.when, r) &&
        e.text(r) != e.doc.default_text)
      changed.insert(display + e.doc.path);
  RuleContext all(d, seen, std::move(changed), bad, where);
  RuleContext ctx = display.empty() ? all : all.within(display.substr(0, display.size() - 1));
  for (const auto& rule : rules_)
    if (!hangs_on_bad(rule.when, display, bad) && holds(rule.when, r)) rule.check(r, ctx);
}

template <class Root>
void Schema<Root>::read_all(Root& r, const toml::table& t, const std::string& display,
                            const Origin& where, Diagnostics& d, Seen& seen, Bad& bad) const {
  // Selectors first, in declaration order (a selector's own selector is
  // declared before it): what exists is settled before the walk, whatever
  // the order of the keys in the table.
  std::set<std::string> selectors, done;
  for (const auto& e : entries_)
    for (const auto& c : e.doc.when) selectors.insert(c.path);
  for (const auto& e : entries_) {
    if (!selectors.count(e.doc.path) || !e.read || hangs_on_bad(e.doc.when, display, bad) ||
        !holds(e.doc.when, r))
      continue;
    if (const toml::node* n = impl::find_node(t, e.doc.path)) {
      read_entry(e, r, *n, e.doc.path, display, d, seen, bad);
      done.insert(e.doc.path);
    }
  }
  read_table(r, t, "", display, d, seen, bad, done);
  for (const auto& e : entries_)
    if (!hangs_on_bad(e.doc.when, display, bad) && holds(e.doc.when, r)) e.touch(r);
  check_required(r, seen, bad, display, where, d);
}

template <class Root>
void Schema<Root>::read_table(Root& r, const toml::table& t, const std::string& prefix,
                              const std::string& display, Diagnostics& d, Seen& seen, Bad& bad,
                              const std::set<std::string>& done) const {
  for (const auto& [k, node] : t) {
    const std::string path = impl::join(prefix, std::string(k.str()));
    const std::string shown = display + path;
    if (done.count(path)) continue;
    if (const Entry* e = active_entry(path, r)) {
      if (!hangs_on_bad(e->doc.when, display, bad))
        read_entry(*e, r, node, path, display, d, seen, bad);
    } else if (active_under(path, r)) {
      if (const toml::table* sub = node.as_table()) {
        read_table(r, *sub, path, display, d, seen, bad, done);
      } else {
        d.error(origin_of(node), shown,
                "this is a section, not a value: write its keys under [" + shown + "], found " +
                    impl::found(node));
        bad.insert(shown);
      }
    } else if (!inactive(path, node, r, display, d, bad)) {
      unknown(path, node, r, display, d);
      bad.insert(shown);
    }
  }
}

template <class Root>
void Schema<Root>::read_entry(const Entry& e, Root& r, const toml::node& node,
                              const std::string& path, const std::string& display, Diagnostics& d,
                              Seen& seen, Bad& bad) const {
  const std::string shown = display + path;
  const Origin where = origin_of(node);
  seen[path] = where;
  if (e.is_array_of_tables) {
    const toml::array* a = node.as_array();
    if (!a) {
      d.error(where, shown,
              "expected an array of tables (write each as [[" + shown + "]]), found " +
                  impl::found(node));
      bad.insert(shown);
      return;
    }
    e.read_tables(r, *a, shown, d, seen, bad);
    return;
  }
  std::string why;
  if (!e.read(r, node, e.checks, why)) {
    if (!e.doc.unit.empty()) why += " (unit: " + e.doc.unit + ")";
    d.error(where, shown, why);
    bad.insert(shown);
  }
}

template <class Root>
std::vector<Root> Schema<Root>::read_elements(const toml::array& a, const std::string& shown,
                                              Diagnostics& d, Seen& seen, Bad& bad) const {
  std::vector<Root> out;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string p = shown + "[" + std::to_string(i + 1) + "]";
    const toml::table* t = a.get(i)->as_table();
    if (!t) {
      d.error(origin_of(*a.get(i)), p,
              "expected a table [[" + shown + "]], found " + impl::found(*a.get(i)));
      continue;
    }
    Root x{};
    Seen local;
    read_all(x, *t, p + ".", origin_of(*t), d, local, bad);
    for (auto& [k, o] : local) seen[p + "." + k] = o;
    check_rules(x, p + ".", origin_of(*t), d, seen, bad);
    out.push_back(std::move(x));
  }
  return out;
}

template <class Root>
bool Schema<Root>::inactive(const std::string& path, const toml::node& n, const Root& r,
                            const std::string& display, Diagnostics& d, Bad& bad) const {
  std::vector<Condition> failing;
  bool declared = false, exact = false;
  for (const auto& e : entries_) {
    if (e.doc.path != path && e.doc.path.rfind(path + ".", 0) != 0) continue;
    if (hangs_on_bad(e.doc.when, display, bad)) return true;  // the selector has the error
    declared = true;
    exact = exact || e.doc.path == path;
    for (const auto& c : e.doc.when)
      if (!holds(c, r)) {
        failing.push_back({display + c.path, c.value});
        break;
      }
  }
  if (!declared) return false;
  const std::string shown = display + path;
  d.error(origin_of(n), shown, impl::inactive_message(exact ? shown : "[" + shown + "]", failing));
  bad.insert(shown);
  return true;
}

template <class Root>
void Schema<Root>::unknown(const std::string& path, const toml::node& n, const Root& r,
                           const std::string& display, Diagnostics& d) const {
  const Origin where = origin_of(n);
  const std::string shown = display + path;
  const std::string section = impl::section_of(path);
  const std::vector<std::string> paths = active_paths(r);
  if (n.is_table()) {
    std::set<std::string> sections;
    for (const auto& p : paths)
      for (auto s = impl::section_of(p); !s.empty(); s = impl::section_of(s)) sections.insert(s);
    std::string hint = closest(path, {sections.begin(), sections.end()});
    std::string msg = "unknown section [" + shown + "]";
    msg += hint.empty() ? "; see `weft help deck` for the sections a deck may have"
                        : "; did you mean [" + display + hint + "]?";
    d.error(where, shown, msg);
    return;
  }
  std::string hint = closest(path, paths);
  std::string msg = "unknown key";
  if (!hint.empty()) {
    msg += "; did you mean '" + display + hint + "'?";
  } else {
    std::vector<std::string> siblings;
    for (const auto& p : paths)
      if (section.empty() ? p.find('.') == std::string::npos : p.rfind(section + ".", 0) == 0)
        siblings.push_back(p.substr(section.empty() ? 0 : section.size() + 1));
    if (!siblings.empty()) {
      msg +=
          "; the keys " +
          (section.empty() ? std::string("at the top level") : "of [" + display + section + "]") +
          " are:";
      for (std::size_t i = 0; i < siblings.size(); ++i) msg += (i ? ", " : " ") + siblings[i];
    } else {
      msg += "; see `weft help deck`";
    }
  }
  d.error(where, shown, msg);
}

template <class Root>
void Schema<Root>::check_required(const Root& r, const Seen& seen, Bad& bad,
                                  const std::string& display, const Origin& where,
                                  Diagnostics& d) const {
  for (const auto& e : entries_) {
    if (!e.doc.required || seen.count(e.doc.path) || hangs_on_bad(e.doc.when, display, bad) ||
        !holds(e.doc.when, r))
      continue;
    const std::string leaf = impl::leaf_of(e.doc.path);
    const std::string section = impl::section_of(e.doc.path);
    const std::string how = display.empty() && !section.empty()
                                ? "add `" + leaf + " = ...` under [" + section + "]"
                                : "add `" + leaf + " = ...`";
    d.error(where, display + e.doc.path,
            "missing required key (" + e.doc.type + ": " + e.doc.description + "); " + how);
    bad.insert(display + e.doc.path);
  }
}

template <class Root>
std::vector<std::string> Schema<Root>::active_paths(const Root& r) const {
  std::vector<std::string> out;
  for (const auto& e : entries_)
    if (holds(e.doc.when, r)) out.push_back(e.doc.path);
  return out;
}

template <class Root>
bool Schema<Root>::active_under(const std::string& section, const Root& r) const {
  for (const auto& e : entries_)
    if (e.doc.path.rfind(section + ".", 0) == 0 && holds(e.doc.when, r)) return true;
  return false;
}

template <class Root>
Origin Schema<Root>::origin_of(const toml::node& n) {
  const auto& src = n.source();
  if (!src.path && n.is_table() && !n.as_table()->empty())
    return origin_of(n.as_table()->cbegin()->second);  // a section made by --set
  Origin o;
  if (src.path) o.file = *src.path;
  if (o.file.rfind("--set", 0) == 0) return o;  // a --set value has no line
  o.line = static_cast<int>(src.begin.line);
  o.column = static_cast<int>(src.begin.column);
  return o;
}

}  // namespace weft::deck
