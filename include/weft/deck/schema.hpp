// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "weft/deck/diagnostics.hpp"
#include "weft/deck/impl/convert.hpp"

namespace weft::deck {

// KeyDoc is what the deck reference says about one key.
struct KeyDoc {
  std::string path;         // "pair.cutoff"; table-array members as "pair.coeff[].epsilon"
  std::string type;         // "real", "list of 3 integers", "array of tables"
  std::string default_text; // TOML text of the default; "" when required
  std::string unit;         // "sigma", "tau", ... or ""
  std::string constraint;   // "0 < x", "one of: nve, langevin", or ""
  std::string description;  // one line
  bool required = false;
};

// RuleContext is handed to cross-key rules (contradictions, dependencies).
class RuleContext {
 public:
  RuleContext(Diagnostics& d, const std::map<std::string, Origin>& seen,
              std::set<std::string> changed, std::set<std::string>& bad, Origin fallback)
      : diag_(d), seen_(seen), changed_(std::move(changed)), bad_(bad), fallback_(std::move(fallback)) {}
  // given() is true when the deck (or --set) sets `path` to a value other
  // than its default. A resolved deck repeats every default; those do not
  // count, so a resolved deck always passes the rules its source passed.
  bool given(const std::string& path) const { return changed_.count(path) != 0; }
  // error() reports a problem at the place `path` was set (or the deck file).
  // Suppressed when `path` already has an error, to avoid follow-on noise.
  void error(const std::string& path, std::string message) {
    if (bad_.count(path)) return;
    auto it = seen_.find(path);
    diag_.error(it != seen_.end() ? it->second : fallback_, path, std::move(message));
    bad_.insert(path);
  }

 private:
  Diagnostics& diag_;
  const std::map<std::string, Origin>& seen_;
  std::set<std::string> changed_;
  std::set<std::string>& bad_;
  Origin fallback_;
};

// Schema<Root> declares every key of a deck once: path, type (from the
// bound member), default (from a default-constructed Root), unit, allowed
// range or choices and a description. The parser, the resolved-deck printer
// and the generated reference all come from it.
//
//   Schema<Config> s;
//   s.key("run.steps", [](Config& c) -> auto& { return c.run.steps; },
//         "Number of time steps").min(0).required();
//   Config c = s.parse(table, diagnostics);
template <class Root>
class Schema {
 public:
  struct Entry {
    KeyDoc doc;
    impl::Checks checks;
    bool is_array_of_tables = false;
    std::size_t min_count = 0;
    std::function<bool(Root&, const toml::node&, const impl::Checks&, std::string&)> read;
    std::function<void(Root&, const toml::array&, const std::string&, Diagnostics&,
                       std::map<std::string, Origin>&, std::set<std::string>&)>
        read_tables;
    std::function<std::string(const Root&)> text;                     // leaf value
    std::function<std::vector<std::string>(const Root&)> element_texts;  // table arrays
    std::function<std::vector<KeyDoc>()> element_docs;
  };

  // KeyRef refines the key just declared.
  class KeyRef {
   public:
    explicit KeyRef(Entry& e) : e_(&e) {}
    KeyRef& min(double v, bool open = false) { return set_min(v, open); }
    KeyRef& above(double v) { return set_min(v, true); }
    KeyRef& max(double v, bool open = false) {
      e_->checks.has_max = true;
      e_->checks.max = v;
      e_->checks.max_open = open;
      return refresh();
    }
    KeyRef& choices(std::vector<std::string> c) {
      e_->checks.choices = std::move(c);
      return refresh();
    }
    KeyRef& unit(std::string u) {
      e_->doc.unit = std::move(u);
      return *this;
    }
    KeyRef& required() {
      e_->doc.required = true;
      e_->doc.default_text.clear();
      return *this;
    }

   private:
    KeyRef& set_min(double v, bool open) {
      e_->checks.has_min = true;
      e_->checks.min = v;
      e_->checks.min_open = open;
      return refresh();
    }
    KeyRef& refresh() {
      e_->doc.constraint = e_->checks.describe();
      return *this;
    }
    Entry* e_;
  };

  // key() declares a leaf key bound to the member `get` returns a reference to.
  template <class Get>
  KeyRef key(std::string path, Get get, std::string description) {
    using T = std::remove_cvref_t<std::invoke_result_t<Get, Root&>>;
    auto e = std::make_unique<Entry>();
    e->doc.path = path;
    e->doc.type = impl::Convert<T>::type_name();
    e->doc.description = std::move(description);
    e->doc.default_text = impl::Convert<T>::text(get(*defaults_));
    e->read = [get](Root& r, const toml::node& n, const impl::Checks& c, std::string& why) {
      return impl::Convert<T>::read(n, get(r), c, why);
    };
    e->text = [get](const Root& r) { return impl::Convert<T>::text(get(const_cast<Root&>(r))); };
    return KeyRef(add(std::move(e)));
  }

  // table_array() declares an array of tables ([[path]]) whose elements
  // follow `element` and fill the std::vector that `get` returns.
  template <class Elem, class Get>
  void table_array(std::string path, Get get, const Schema<Elem>& element, std::string description,
                   std::size_t min_count = 0) {
    auto e = std::make_unique<Entry>();
    e->is_array_of_tables = true;
    e->min_count = min_count;
    e->doc.path = path;
    e->doc.type = "array of tables [[" + path + "]]";
    e->doc.description = std::move(description);
    const Schema<Elem>* el = &element;
    e->read_tables = [get, el](Root& r, const toml::array& a, const std::string& prefix,
                               Diagnostics& d, std::map<std::string, Origin>& seen,
                               std::set<std::string>& bad) {
      std::vector<Elem> out;
      for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string p = prefix + "[" + std::to_string(i + 1) + "]";
        const toml::table* t = a.get(i)->as_table();
        if (!t) {
          d.error(origin_of(*a.get(i)), p, "expected a table [[" + prefix + "]], found " + impl::found(*a.get(i)));
          continue;
        }
        out.push_back(el->parse_element(*t, p, d, seen, bad));
      }
      get(r) = std::move(out);
    };
    e->element_texts = [get, el](const Root& r) {
      std::vector<std::string> out;
      for (const Elem& x : get(const_cast<Root&>(r))) out.push_back(el->write_text(x));
      return out;
    };
    {
      std::string inline_default = "[";
      for (const auto& t : e->element_texts(*defaults_)) {
        std::string body = t;
        while (!body.empty() && body.back() == '\n') body.pop_back();
        for (auto& ch : body)
          if (ch == '\n') ch = ',';
        if (inline_default.size() > 1) inline_default += ", ";
        inline_default += "{";
        inline_default += body;
        inline_default += "}";
      }
      e->doc.default_text = inline_default + "]";
    }
    e->element_docs = [el, path] {
      std::vector<KeyDoc> docs = el->docs();
      for (auto& k : docs) k.path = path + "[]." + k.path;
      return docs;
    };
    add(std::move(e));
  }

  // rule() adds a cross-key check, run after every key has been read.
  void rule(std::function<void(const Root&, RuleContext&)> f) { rules_.push_back(std::move(f)); }

  // parse() reads `table` into a Root that starts from the defaults. Every
  // problem goes into `d`; the result is meaningful only when d is empty.
  // `file` names the deck for problems that have no position.
  Root parse(const toml::table& table, const std::string& file, Diagnostics& d) const {
    std::map<std::string, Origin> seen;
    std::set<std::string> bad;
    Root r{};
    read_table(r, table, "", "", d, seen, bad);
    check_required(seen, bad, "", Origin{file, 0, 0}, d);
    std::set<std::string> changed;
    for (const auto& e : entries_)
      if (e->text && seen.count(e->doc.path) && e->text(r) != e->doc.default_text)
        changed.insert(e->doc.path);
    RuleContext ctx(d, seen, std::move(changed), bad, Origin{file, 0, 0});
    for (const auto& rule : rules_) rule(r, ctx);
    return r;
  }

  // write_text() renders a Root as a complete deck in TOML: every key, in
  // declaration order, defaults filled in. Parsing it gives back the Root.
  std::string write_text(const Root& r) const {
    // Keys are grouped by section (in order of each section's first key), so
    // a section's keys may be declared in several places.
    std::vector<std::pair<std::string, std::vector<const Entry*>>> groups;
    for (const auto& e : entries_) {
      std::string section = e->doc.path;  // a table array is a group of its own
      if (!e->element_texts) {
        auto [parent, leaf] = split(e->doc.path);
        section.clear();
        for (const auto& p : parent) {
          if (!section.empty()) section += '.';
          section += p;
        }
      }
      auto it = std::find_if(groups.begin(), groups.end(),
                             [&](const auto& g) { return g.first == section && !e->element_texts; });
      if (it == groups.end()) {
        groups.push_back({section, {}});
        it = groups.end() - 1;
      }
      it->second.push_back(e.get());
    }
    std::string out;
    for (const auto& [section, members] : groups) {
      if (members.front()->element_texts) {
        for (const auto& t : members.front()->element_texts(r)) out += "\n[[" + section + "]]\n" + t;
        continue;
      }
      if (!section.empty()) out += "\n[" + section + "]\n";
      for (const Entry* e : members) {
        auto [parent, leaf] = split(e->doc.path);
        out += leaf + " = " + e->text(r) + "\n";
      }
    }
    return out;
  }

  // docs() lists every key, in declaration order (table-array members after
  // their array, as "path[].member").
  std::vector<KeyDoc> docs() const {
    std::vector<KeyDoc> out;
    for (const auto& e : entries_) {
      out.push_back(e->doc);
      if (e->element_docs)
        for (auto& k : e->element_docs()) out.push_back(std::move(k));
    }
    return out;
  }

  // parse_element() reads one table of a table array (used by table_array).
  Root parse_element(const toml::table& t, const std::string& display, Diagnostics& d,
                     std::map<std::string, Origin>& seen, std::set<std::string>& bad) const {
    Root r{};
    std::map<std::string, Origin> local;
    read_table(r, t, "", display + ".", d, local, bad);
    check_required(local, bad, display + ".", origin_of(t), d);
    for (auto& [k, o] : local) seen[display + "." + k] = o;
    return r;
  }

  static Origin origin_of(const toml::node& n) {
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

 private:
  Entry& add(std::unique_ptr<Entry> e) {
    entries_.push_back(std::move(e));
    return *entries_.back();
  }

  static std::pair<std::vector<std::string>, std::string> split(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0, dot;
    while ((dot = path.find('.', start)) != std::string::npos) {
      parts.push_back(path.substr(start, dot - start));
      start = dot + 1;
    }
    return {parts, path.substr(start)};
  }

  const Entry* find(const std::string& path) const {
    for (const auto& e : entries_)
      if (e->doc.path == path) return e.get();
    return nullptr;
  }

  bool is_section(const std::string& path) const {
    for (const auto& e : entries_)
      if (e->doc.path.rfind(path + ".", 0) == 0) return true;
    return false;
  }

  std::vector<std::string> sections() const {
    std::set<std::string> s;
    for (const auto& e : entries_) {
      auto [parent, leaf] = split(e->doc.path);
      std::string p;
      for (const auto& part : parent) {
        if (!p.empty()) p += '.';
        p += part;
        s.insert(p);
      }
    }
    return {s.begin(), s.end()};
  }

  std::vector<std::string> keys_under(const std::string& section) const {
    std::vector<std::string> out;
    for (const auto& e : entries_) {
      if (section.empty() ? e->doc.path.find('.') == std::string::npos
                          : e->doc.path.rfind(section + ".", 0) == 0)
        out.push_back(e->doc.path);
    }
    return out;
  }

  void read_table(Root& r, const toml::table& t, const std::string& prefix,
                  const std::string& display, Diagnostics& d, std::map<std::string, Origin>& seen,
                  std::set<std::string>& bad) const;

  void unknown(const std::string& path, const toml::node& n, const std::string& display,
               Diagnostics& d) const;

  void check_required(const std::map<std::string, Origin>& seen, std::set<std::string>& bad,
                      const std::string& display, const Origin& where, Diagnostics& d) const {
    for (const auto& e : entries_) {
      if (!e->doc.required && e->min_count == 0) continue;
      if (e->doc.required && !seen.count(e->doc.path)) {
        auto [parent, leaf] = split(e->doc.path);
        std::string section = e->doc.path.substr(0, e->doc.path.size() - leaf.size());
        if (!section.empty()) section.pop_back();
        const std::string how = display.empty() && !section.empty()
                                    ? "add `" + leaf + " = ...` under [" + section + "]"
                                    : "add `" + leaf + " = ...`";
        d.error(where, display + e->doc.path,
                "missing required key (" + e->doc.type + ": " + e->doc.description + "); " + how);
        bad.insert(display + e->doc.path);
      }
    }
  }

  std::shared_ptr<Root> defaults_ = std::make_shared<Root>();  // the defaults, read by key()
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<std::function<void(const Root&, RuleContext&)>> rules_;
};

}  // namespace weft::deck

#include "weft/deck/impl/schema_read.hpp"
