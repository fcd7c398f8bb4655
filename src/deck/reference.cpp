// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>

#include "weft/deck/document.hpp"

namespace weft::deck {
namespace {

std::string cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string render_reference(const std::vector<KeyDoc>& docs, std::string_view title,
                             std::string_view intro) {
  std::string out = fmt::format("# {}\n\n{}\n", title, intro);
  std::string current = "\x01";
  for (const auto& k : docs) {
    const std::string section = impl::section_of(k.path);
    if (section != current) {
      current = section;
      out += fmt::format("\n## [{}]\n\n", section.empty() ? "top level" : section);
      out += "| key | type | default | unit | allowed | description |\n";
      out += "|---|---|---|---|---|---|\n";
    }
    const std::string leaf = k.path.substr(section.empty() ? 0 : section.size() + 1);
    const std::string def =
        k.required ? std::string("**required**") : fmt::format("`{}`", cell(k.default_text));
    std::string description = cell(k.description);
    if (!k.when.empty())
      description += fmt::format(" (only with `{}`)", cell(condition_text(k.when)));
    out += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", leaf, cell(k.type), def, cell(k.unit),
                       cell(k.constraint), description);
  }
  return out;
}

}  // namespace weft::deck
