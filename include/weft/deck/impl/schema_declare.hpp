// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: declaring keys (Schema<Root>::When) and deciding which of them
// exist for a given Root (conditions).

#include <algorithm>
#include <stdexcept>

#include "weft/deck/schema.hpp"

namespace weft::deck {

template <class Root>
typename Schema<Root>::When Schema<Root>::When::when(const std::string& selector,
                                                     const std::string& value) const {
  const std::string what = "deck schema: when(" + selector + ", " + value + "): ";
  // The one declaration of the selector that can exist with this declarer's
  // conditions; its own conditions come first, so that every condition's
  // selector is settled by the ones before it.
  const Entry* sel = nullptr;
  int found = 0;
  for (const auto& e : s_->entries_)
    if (e.doc.path == selector && e.read && !impl::exclusive(e.doc.when, when_)) {
      sel = &e;
      ++found;
    }
  if (found != 1)
    throw std::invalid_argument(
        what + (found == 0 ? "no key " + selector + " is declared before" +
                                 (when_.empty() ? "" : " with " + condition_text(when_))
                           : selector +
                                 " is declared for several conditions; choose one "
                                 "first, e.g. when(...).when(" +
                                 selector + ", ...)"));
  std::vector<Condition> w = when_;
  for (const auto& c : sel->doc.when)
    if (std::find(w.begin(), w.end(), c) == w.end()) w.push_back(c);
  Root r = s_->root_where(w);
  Condition c{selector, sel->doc.type == impl::Convert<std::string>::type_name()
                            ? impl::text_of(value)
                            : value};
  std::string why;
  if (!s_->apply(c, r, why)) throw std::invalid_argument(what + why);
  c.value = sel->text(r);  // the canonical text, as write_text() gives it
  w.push_back(std::move(c));
  return When(*s_, std::move(w));
}

template <class Root>
template <class Get>
typename Schema<Root>::KeyRef Schema<Root>::When::key(std::string path, Get get,
                                                      std::string description) const {
  using T = std::remove_cvref_t<std::invoke_result_t<Get, Root&>>;
  Entry e;
  e.doc.path = std::move(path);
  e.doc.type = impl::Convert<T>::type_name();
  e.doc.description = std::move(description);
  e.read = [get](Root& r, const toml::node& n, const impl::Checks& c, std::string& why) {
    return impl::Convert<T>::read(n, get(r), c, why);
  };
  e.text = [get](const Root& r) { return impl::Convert<T>::text(get(const_cast<Root&>(r))); };
  e.touch = [get](Root& r) { (void)get(r); };
  KeyRef ref(s_->add(std::move(e), when_));
  if constexpr (std::is_enum_v<T>) ref.choices(impl::Convert<T>::choices());
  return ref;
}

template <class Root>
template <class Elem, class Get>
void Schema<Root>::When::table_array(std::string path, Get get, const Schema<Elem>& element,
                                     std::string description, std::size_t min_count) const {
  auto el = std::make_shared<const Schema<Elem>>(element);
  Entry e;
  e.is_array_of_tables = true;
  e.min_count = min_count;
  e.doc.path = path;
  e.doc.type = "array of tables [[" + path + "]]";
  e.doc.description = std::move(description);
  e.read_tables = [get, el](Root& r, const toml::array& a, const std::string& shown, Diagnostics& d,
                            Seen& seen,
                            Bad& bad) { get(r) = el->read_elements(a, shown, d, seen, bad); };
  e.element_texts = [get, el](const Root& r) {
    std::vector<std::string> out;
    for (const Elem& x : get(const_cast<Root&>(r))) out.push_back(el->write_text(x));
    return out;
  };
  e.element_docs = [el, path] { return impl::nest_docs(el->docs(), path + "[]"); };
  e.touch = [get](Root& r) { (void)get(r); };
  s_->add(std::move(e), when_);
}

template <class Root>
template <class Part, class Get>
void Schema<Root>::When::include(const Schema<Part>& part, Get get,
                                 const std::string& prefix) const {
  auto bound = [get](const Root& r) -> Part& { return get(const_cast<Root&>(r)); };
  for (const auto& pe : part.entries_) {
    Entry e;
    e.doc = pe.doc;
    e.doc.path = impl::join(prefix, pe.doc.path);
    if (pe.is_array_of_tables) e.doc.type = "array of tables [[" + e.doc.path + "]]";
    e.checks = pe.checks;
    e.is_array_of_tables = pe.is_array_of_tables;
    e.min_count = pe.min_count;
    if (pe.read)
      e.read = [bound, f = pe.read](Root& r, const toml::node& n, const impl::Checks& c,
                                    std::string& why) { return f(bound(r), n, c, why); };
    if (pe.read_tables)
      e.read_tables = [bound, f = pe.read_tables](
                          Root& r, const toml::array& a, const std::string& shown, Diagnostics& d,
                          Seen& seen, Bad& bad) { f(bound(r), a, shown, d, seen, bad); };
    if (pe.text) e.text = [bound, f = pe.text](const Root& r) { return f(bound(r)); };
    if (pe.element_texts)
      e.element_texts = [bound, f = pe.element_texts](const Root& r) { return f(bound(r)); };
    if (pe.element_docs)
      e.element_docs = [prefix, f = pe.element_docs] { return impl::nest_docs(f(), prefix); };
    e.touch = [bound, f = pe.touch](Root& r) { f(bound(r)); };
    std::vector<Condition> w = when_;
    for (auto& c : impl::nest_conditions(pe.doc.when, prefix)) w.push_back(std::move(c));
    s_->add(std::move(e), std::move(w));
  }
  for (const auto& rule : part.rules_) {
    std::vector<Condition> w = when_;
    for (auto& c : impl::nest_conditions(rule.when, prefix)) w.push_back(std::move(c));
    s_->rules_.push_back(
        {std::move(w), [bound, f = rule.check, prefix](const Root& r, RuleContext& ctx) {
           RuleContext inner = ctx.within(prefix);
           f(bound(r), inner);
         }});
  }
}

template <class Root>
typename Schema<Root>::Entry& Schema<Root>::add(Entry e, std::vector<Condition> when) {
  for (const auto& other : entries_)
    if (other.doc.path == e.doc.path && !impl::exclusive(other.doc.when, when))
      throw std::invalid_argument("deck schema: " + e.doc.path + " is declared twice" +
                                  (when.empty() ? "" : " with " + condition_text(when)));
  e.doc.when = std::move(when);
  // The default is what parse() gives when the key is not given: a default
  // Root with the key's conditions made to hold.
  const Root base = root_where(e.doc.when);
  if (e.text && !e.doc.required) e.doc.default_text = e.text(base);
  if (e.element_texts) e.doc.default_text = impl::inline_tables(e.element_texts(base));
  entries_.push_back(std::move(e));
  return entries_.back();
}

template <class Root>
bool Schema<Root>::apply(const Condition& c, Root& r, std::string& why) const {
  const Entry* sel = active_entry(c.path, r);
  if (!sel || !sel->read) {
    why = "no key " + c.path + " exists here";
    return false;
  }
  const auto value = impl::parse_value(c.value, why);
  return value && sel->read(r, *value->get("v"), sel->checks, why);
}

template <class Root>
Root Schema<Root>::root_where(const std::vector<Condition>& when) const {
  Root r{};
  std::string why;
  for (const auto& c : when)
    if (!apply(c, r, why)) throw std::invalid_argument("deck schema: " + c.path + ": " + why);
  return r;
}

template <class Root>
const typename Schema<Root>::Entry* Schema<Root>::active_entry(const std::string& path,
                                                               const Root& r) const {
  for (const auto& e : entries_)
    if (e.doc.path == path && holds(e.doc.when, r)) return &e;
  return nullptr;
}

template <class Root>
bool Schema<Root>::holds(const Condition& c, const Root& r) const {
  // The selector's own conditions are checked before its member is read.
  const Entry* sel = active_entry(c.path, r);
  return sel && sel->text && sel->text(r) == c.value;
}

template <class Root>
bool Schema<Root>::holds(const std::vector<Condition>& when, const Root& r) const {
  for (const auto& c : when)
    if (!holds(c, r)) return false;
  return true;
}

template <class Root>
bool Schema<Root>::hangs_on_bad(const std::vector<Condition>& when, const std::string& display,
                                const Bad& bad) const {
  for (const auto& c : when)
    if (bad.count(display + c.path)) return true;
  return false;
}

}  // namespace weft::deck
