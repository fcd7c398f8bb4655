// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <any>
#include <map>
#include <string>

namespace weft {

// StyleParams holds the parameters of the styles of one choice (pair styles,
// initial-condition styles), each its own plain struct, by style name, so a
// config struct never carries one style's fields for every style. A deck
// binds a style's keys to get<T>(name); code that runs the style reads
// them with find<T>(name) or value<T>(name). Copies are deep (values).
//
//   struct MorseParams { std::vector<MorseCoeff> coeffs; };
//   PairConfig pc;
//   pc.params.get<MorseParams>("morse").coeffs.push_back({...});
//   const MorseParams p = pc.params.value<MorseParams>("morse");
class StyleParams {
 public:
  // get() is the parameters of `style`, created (default-constructed) on
  // first use. T must be the same type at every call for one style.
  template <class T>
  T& get(const std::string& style) {
    std::any& a = by_style_[style];
    if (!a.has_value()) a.emplace<T>();
    return std::any_cast<T&>(a);
  }
  // find() is the parameters of `style`, or nullptr when never set.
  template <class T>
  const T* find(const std::string& style) const {
    const auto it = by_style_.find(style);
    return it == by_style_.end() ? nullptr : std::any_cast<T>(&it->second);
  }
  // value() is a copy of the parameters of `style`, or the defaults.
  template <class T>
  T value(const std::string& style) const {
    const T* p = find<T>(style);
    return p ? *p : T{};
  }

 private:
  std::map<std::string, std::any> by_style_;
};

}  // namespace weft
