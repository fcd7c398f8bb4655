// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "weft/deck/diagnostics.hpp"

namespace weft::deck {

// RuleContext is handed to cross-key rules (contradictions, dependencies).
// Paths are those of the schema that declared the rule: a rule of a part
// included under "pair" asks given("cutoff") and means pair.cutoff.
class RuleContext {
 public:
  RuleContext(Diagnostics& d, const std::map<std::string, Origin>& seen,
              std::set<std::string> changed, std::set<std::string>& bad, Origin fallback);

  // given() is true when the deck (or --set) sets `path` to a value other
  // than its default. A resolved deck repeats every default; those do not
  // count, so a resolved deck always passes the rules its source passed.
  bool given(const std::string& path) const;

  // error() reports a problem at the place `path` was set (or the deck file).
  // Suppressed when `path` already has an error, to avoid follow-on noise.
  void error(const std::string& path, std::string message);

  // path() is the deck path of `path` as users write it ("cutoff" in a part
  // included under "pair" is "pair.cutoff"), for the text of messages.
  std::string path(const std::string& path) const;

  // within() is the context for the rules of a part included under `prefix`;
  // it reports into the same diagnostics.
  RuleContext within(const std::string& prefix) const;

 private:
  struct State {
    Diagnostics& diag;
    const std::map<std::string, Origin>& seen;
    std::set<std::string> changed;
    std::set<std::string>& bad;
    Origin fallback;
  };
  RuleContext(std::shared_ptr<State> state, std::string prefix)
      : state_(std::move(state)), prefix_(std::move(prefix)) {}

  std::shared_ptr<State> state_;
  std::string prefix_;  // "" or "pair."
};

}  // namespace weft::deck
