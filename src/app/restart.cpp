// SPDX-License-Identifier: Apache-2.0
#include "restart.hpp"

#include <fmt/format.h>

#include <sstream>

namespace weft::app {

std::map<std::string, std::string> flatten_deck(const std::string& resolved) {
  std::map<std::string, std::string> out;
  std::map<std::string, int> elements;  // [[array]] -> elements so far
  std::string prefix;
  std::istringstream lines(resolved);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("[[", 0) == 0) {
      const std::string name = line.substr(2, line.find("]]") - 2);
      const int n = ++elements[name];
      out[name + "[]"] = std::to_string(n);  // the number of elements
      prefix = fmt::format("{}[{}].", name, n);
    } else if (line.rfind('[', 0) == 0) {
      prefix = line.substr(1, line.find(']') - 1) + ".";
    } else if (const auto eq = line.find(" = "); eq != std::string::npos && line[0] != '#') {
      out[prefix + line.substr(0, eq)] = line.substr(eq + 3);
    }
  }
  return out;
}

std::vector<std::string> system_differences(const std::string& checkpoint_deck,
                                            const std::string& deck,
                                            const std::vector<std::string>& entries) {
  const auto was = flatten_deck(checkpoint_deck), is = flatten_deck(deck);
  auto covered = [&](const std::string& key) {
    for (const auto& e : entries)
      if (key == e || key.rfind(e + ".", 0) == 0 || key.rfind(e + "[", 0) == 0) return true;
    return false;
  };
  std::vector<std::string> out;
  for (const auto& [key, value] : is) {
    const auto it = was.find(key);
    if (it == was.end() || it->second == value || !covered(key)) continue;
    if (key.size() > 2 && key.compare(key.size() - 2, 2, "[]") == 0)
      out.push_back(fmt::format("[[{}]]: the checkpoint's run had {} of them, the deck has {}",
                                key.substr(0, key.size() - 2), it->second, value));
    else
      out.push_back(
          fmt::format("{}: the checkpoint's run had {}, the deck has {}", key, it->second, value));
  }
  return out;
}

}  // namespace weft::app
