// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <toml++/toml.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "weft/deck/diagnostics.hpp"
#include "weft/deck/impl/convert.hpp"
#include "weft/deck/impl/schema_support.hpp"
#include "weft/deck/key_doc.hpp"
#include "weft/deck/rule_context.hpp"

namespace weft::deck {

// Schema<Root> declares every key of a deck once: path, type (from the
// bound member), default (from a default-constructed Root), unit, allowed
// range or choices and a description. The parser, the resolved-deck printer
// and the generated reference all come from it.
//
//   Schema<Config> s;
//   s.key("run.steps", [](Config& c) -> auto& { return c.run.steps; },
//         "Number of time steps").min(0).required();
//   Config c = s.parse(table, "deck.toml", diagnostics);
//
// A schema can be built from parts: include() adds every key, table array
// and rule of a Schema<Part>, bound through a callable Root& -> Part&,
// optionally below a path prefix. Keys that exist only for one value of a
// choice key are declared through when(selector, value); the selector is
// read first, and a key given while its condition does not hold is an
// error. The same path may be declared for several values, each with its
// own type or element schema. A pair part, with its own paths:
//
//   Schema<Pair> pair;
//   pair.key("style", [](Pair& p) -> auto& { return p.style; }, "Pair potential")
//       .choices({"lj/cut", "morse"});
//   pair.key("cutoff", [](Pair& p) -> auto& { return p.cutoff; }, "Global cutoff").above(0);
//   auto lj = pair.when("style", "lj/cut");  // mixing, tail, [[coeff]] types/epsilon/sigma/cutoff
//   lj.key("mixing", [](Pair& p) -> auto& { return p.lj().mixing; }, "Mixing rule")
//       .choices({"geometric", "arithmetic"});
//   lj.key("tail", [](Pair& p) -> auto& { return p.lj().tail; }, "Tail corrections");
//   lj.table_array("coeff", [](Pair& p) -> auto& { return p.lj().coeffs; }, lj_coeff,
//                  "LJ parameters per pair of types");
//   // morse: a part of its own ([[coeff]] types/d0/alpha/r0/cutoff), included for one style
//   pair.when("style", "morse").include(morse, [](Pair& p) -> auto& { return p.morse(); });
//   pair.rule([](const Pair& p, RuleContext& r) {  // the part's paths: "cutoff"
//     if (p.style == "morse" && r.given("cutoff") && p.cutoff > 5)
//       r.error("cutoff", r.path("cutoff") + " above 5 is slow");  // says "pair.cutoff"
//   });
//
// and a deck of a shared part and the pair part:
//
//   Schema<Deck> deck;
//   deck.include(common, [](Deck& d) -> auto& { return d.common; });
//   deck.include(pair, [](Deck& d) -> auto& { return d.app.pair; }, "pair");
//   // pair.style, pair.cutoff, pair.mixing (only with pair.style = "lj/cut"),
//   // [[pair.coeff]] (one element schema per style), ...
//
// The schema reads and writes a conditional key's member (through its get)
// only while its condition holds, so `get` may make per-choice storage on
// demand (p.lj() above); parse() makes it for the active choices.
template <class Root>
class Schema {
 public:
  // Entry is one declared key or table array (the closures are bound to Root).
  struct Entry {
    KeyDoc doc;  // doc.when: the conditions the key exists for
    impl::Checks checks;
    bool is_array_of_tables = false;
    std::size_t min_count = 0;
    std::function<bool(Root&, const toml::node&, const impl::Checks&, std::string&)> read;
    std::function<void(Root&, const toml::array&, const std::string&, Diagnostics&,
                       std::map<std::string, Origin>&, std::set<std::string>&)>
        read_tables;
    std::function<std::string(const Root&)> text;                        // leaf value
    std::function<std::vector<std::string>(const Root&)> element_texts;  // table arrays
    std::function<std::vector<KeyDoc>()> element_docs;                   // paths below the array's
    std::function<void(Root&)> touch;  // calls get: creates on-demand storage
  };

  // Rule is a cross-key check that runs while its conditions hold.
  struct Rule {
    std::vector<Condition> when;
    std::function<void(const Root&, RuleContext&)> check;
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

  // When declares keys, table arrays, parts and rules that exist only while
  // its conditions hold (made by Schema::when(); declarations through a
  // Schema itself hold always). Use it while the schema is alive.
  class When {
   public:
    // when() adds one more condition, and the selector's own conditions.
    When when(const std::string& selector, const std::string& value) const;

    // key() declares a leaf key bound to the member `get` returns a reference to.
    template <class Get>
    KeyRef key(std::string path, Get get, std::string description) const;

    // table_array() declares an array of tables ([[path]]) whose elements
    // follow (a copy of) `element` and fill the std::vector `get` returns.
    template <class Elem, class Get>
    void table_array(std::string path, Get get, const Schema<Elem>& element,
                     std::string description, std::size_t min_count = 0) const;

    // include() adds every entry and rule of `part`, in its order, bound
    // through `get` (Root& -> Part&), with paths (and the paths of its
    // conditions) below `prefix` when it is not empty. Defaults are those
    // get gives on a default Root. The part's rules see the part's paths.
    template <class Part, class Get>
    void include(const Schema<Part>& part, Get get, const std::string& prefix = "") const;

    // rule() adds a cross-key check, run after every key has been read (in
    // an element schema: after each element, with the element's paths).
    void rule(std::function<void(const Root&, RuleContext&)> f) const {
      s_->rules_.push_back({when_, std::move(f)});
    }

   private:
    friend class Schema;
    When(Schema& s, std::vector<Condition> when) : s_(&s), when_(std::move(when)) {}
    Schema* s_;
    std::vector<Condition> when_;
  };

  // when() is the declarer for keys that exist only while the declared
  // key `selector` has `value` (a choice name, or TOML text for a selector
  // that is not a string); a selector that itself exists only for some
  // value of another adds that condition too. Throws std::invalid_argument
  // when the selector is not declared (before), is declared for several
  // conditions (choose one first: when(a, x).when(selector, value)), or
  // does not accept the value.
  When when(const std::string& selector, const std::string& value) {
    return When(*this, {}).when(selector, value);
  }

  // key(), table_array(), include() and rule() declare what always exists;
  // see When for what each does.
  template <class Get>
  KeyRef key(std::string path, Get get, std::string description) {
    return When(*this, {}).key(std::move(path), std::move(get), std::move(description));
  }
  template <class Elem, class Get>
  void table_array(std::string path, Get get, const Schema<Elem>& element, std::string description,
                   std::size_t min_count = 0) {
    When(*this, {}).table_array(std::move(path), std::move(get), element, std::move(description),
                                min_count);
  }
  template <class Part, class Get>
  void include(const Schema<Part>& part, Get get, const std::string& prefix = "") {
    When(*this, {}).include(part, std::move(get), prefix);
  }
  void rule(std::function<void(const Root&, RuleContext&)> f) {
    When(*this, {}).rule(std::move(f));
  }

  // parse() reads `table` into a Root that starts from the defaults. Every
  // problem goes into `d`; the result is meaningful only when d is empty.
  // `file` names the deck for problems that have no position.
  Root parse(const toml::table& table, const std::string& file, Diagnostics& d) const;

  // write_text() renders a Root as a complete deck in TOML: every key whose
  // conditions hold, in declaration order, defaults filled in. Parsing it
  // gives back the Root.
  std::string write_text(const Root& r) const;

  // docs() lists every key, in declaration order (table-array members after
  // their array, as "path[].member"); a key declared for several conditions
  // once for each, with its conditions in KeyDoc::when.
  std::vector<KeyDoc> docs() const;

  // origin_of() is where a parsed node came from.
  static Origin origin_of(const toml::node& n);

 private:
  template <class>
  friend class Schema;
  using Seen = std::map<std::string, Origin>;
  using Bad = std::set<std::string>;

  // Declaring (impl/schema_declare.hpp).
  Entry& add(Entry e, std::vector<Condition> when);
  Root root_where(const std::vector<Condition>& when) const;
  bool apply(const Condition& c, Root& r, std::string& why) const;

  // Conditions (impl/schema_declare.hpp).
  const Entry* active_entry(const std::string& path, const Root& r) const;
  bool holds(const Condition& c, const Root& r) const;
  bool holds(const std::vector<Condition>& when, const Root& r) const;
  bool hangs_on_bad(const std::vector<Condition>& when, const std::string& display,
                    const Bad& bad) const;

  // Reading (impl/schema_read.hpp).
  void check_rules(const Root& r, const std::string& display, const Origin& where, Diagnostics& d,
                   const Seen& seen, Bad& bad) const;
  void read_all(Root& r, const toml::table& t, const std::string& display, const Origin& where,
                Diagnostics& d, Seen& seen, Bad& bad) const;
  void read_table(Root& r, const toml::table& t, const std::string& prefix,
                  const std::string& display, Diagnostics& d, Seen& seen, Bad& bad,
                  const std::set<std::string>& done) const;
  void read_entry(const Entry& e, Root& r, const toml::node& node, const std::string& path,
                  const std::string& display, Diagnostics& d, Seen& seen, Bad& bad) const;
  std::vector<Root> read_elements(const toml::array& a, const std::string& shown, Diagnostics& d,
                                  Seen& seen, Bad& bad) const;
  bool inactive(const std::string& path, const toml::node& n, const Root& r,
                const std::string& display, Diagnostics& d, Bad& bad) const;
  void unknown(const std::string& path, const toml::node& n, const Root& r,
               const std::string& display, Diagnostics& d) const;
  void check_required(const Root& r, const Seen& seen, Bad& bad, const std::string& display,
                      const Origin& where, Diagnostics& d) const;
  std::vector<std::string> active_paths(const Root& r) const;
  bool active_under(const std::string& section, const Root& r) const;

  std::deque<Entry> entries_;  // a deque: KeyRef keeps pointing at its entry
  std::vector<Rule> rules_;
};

}  // namespace weft::deck

#include "weft/deck/impl/schema_declare.hpp"
#include "weft/deck/impl/schema_read.hpp"
#include "weft/deck/impl/schema_write.hpp"
