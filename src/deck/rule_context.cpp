// SPDX-License-Identifier: Apache-2.0
#include "weft/deck/rule_context.hpp"

namespace weft::deck {

RuleContext::RuleContext(Diagnostics& d, const std::map<std::string, Origin>& seen,
                         std::set<std::string> changed, std::set<std::string>& bad, Origin fallback)
    : state_(
          std::make_shared<State>(State{d, seen, std::move(changed), bad, std::move(fallback)})) {}

bool RuleContext::given(const std::string& p) const { return state_->changed.count(path(p)) != 0; }

void RuleContext::error(const std::string& p, std::string message) {
  const std::string full = path(p);
  if (state_->bad.count(full)) return;
  auto it = state_->seen.find(full);
  state_->diag.error(it != state_->seen.end() ? it->second : state_->fallback, full,
                     std::move(message));
  state_->bad.insert(full);
}

std::string RuleContext::path(const std::string& p) const { return prefix_ + p; }

RuleContext RuleContext::within(const std::string& prefix) const {
  return prefix.empty() ? *this : RuleContext(state_, prefix_ + prefix + ".");
}

}  // namespace weft::deck
