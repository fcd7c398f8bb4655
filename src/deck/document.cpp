// SPDX-License-Identifier: Apache-2.0
#include "weft/deck/document.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace weft::deck {
namespace fs = std::filesystem;

std::optional<std::string> read_file(const std::string& path, Diagnostics& d) {
  const Origin where{path, 0, 0};
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    d.error(where, "",
            fmt::format("cannot read the deck: no such file (working directory: {}); check the "
                        "path, or start from inputs/lj-melt.toml",
                        fs::current_path(ec).string()));
    return std::nullopt;
  }
  if (fs::is_directory(st)) {
    d.error(where, "", "is a directory, expected a TOML deck file such as inputs/lj-melt.toml");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    d.error(where, "",
            fmt::format("cannot read the deck: {}; check its permissions", std::strerror(errno)));
    return std::nullopt;
  }
  std::ostringstream os;
  os << in.rdbuf();
  if (in.bad()) {
    d.error(where, "", fmt::format("cannot read the deck: {}", std::strerror(errno)));
    return std::nullopt;
  }
  return os.str();
}

namespace {

std::string quote(std::string_view v) {
  std::string s = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') s += '\\';
    s += c;
  }
  return s + "\"";
}

// merge() sets every key of `from` in `into`, merging tables into tables
// (so --set 'lattice={style="sc"}' changes lattice.style and keeps the rest
// of [lattice]).
void merge(toml::table& into, toml::table&& from) {
  for (auto&& [k, v] : from) {
    toml::node* old = into.get(k.str());
    if (old && old->is_table() && v.is_table()) {
      merge(*old->as_table(), std::move(*v.as_table()));
      continue;
    }
    into.insert_or_assign(k.str(), std::move(v));
  }
}

// apply_set() merges one --set override into `t`.
void apply_set(toml::table& t, const std::string& text, Diagnostics& d) {
  const Origin where{"--set " + text, 0, 0};
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    d.error(where, "", "expected --set key.path=value, for example --set run.steps=1000");
    return;
  }
  const std::string path = text.substr(0, eq);
  const std::string value = text.substr(eq + 1);
  if (path.find_first_of("[] \t") != std::string::npos) {
    d.error(where, path,
            "--set takes a plain key path such as pair.cutoff; elements of [[tables]] can only "
            "be changed in the deck");
    return;
  }
  toml::table snippet;
  try {
    snippet = toml::parse("v = " + value, where.file);
  } catch (const toml::parse_error&) {
    try {  // not a TOML value: take it as a bare string (--set lattice.style=bcc)
      snippet = toml::parse("v = " + quote(value), where.file);
    } catch (const toml::parse_error& e) {
      d.error(where, path, fmt::format("cannot use the value: {}", e.description()));
      return;
    }
  }
  toml::table* target = &t;
  std::size_t start = 0, dot;
  while ((dot = path.find('.', start)) != std::string::npos) {
    const std::string part = path.substr(start, dot - start);
    toml::node* n = target->get(part);
    if (!n) n = &target->insert_or_assign(part, toml::table{}).first->second;
    if (!n->is_table()) {
      d.error(where, path, fmt::format("'{}' is a value in the deck, not a section", part));
      return;
    }
    target = n->as_table();
    start = dot + 1;
  }
  const std::string leaf = path.substr(start);
  toml::node& v = *snippet.get("v");
  toml::node* old = target->get(leaf);
  if (old && old->is_table() && v.is_table()) {
    merge(*old->as_table(), std::move(*v.as_table()));
    return;
  }
  target->insert_or_assign(leaf, std::move(v));
}

}  // namespace

std::optional<toml::table> parse_text(std::string_view text, const std::string& file,
                                      const std::vector<std::string>& sets, Diagnostics& d) {
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    d.error(Origin{file, 0, 0}, "",
            fmt::format("is not a text file (a zero byte at offset {}); a deck is TOML text, "
                        "see inputs/lj-melt.toml",
                        nul));
    return std::nullopt;
  }
  toml::table t;
  try {
    t = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    std::string msg(e.description());
    if (msg.find("redefinition") != std::string::npos || msg.find("already") != std::string::npos ||
        msg.find("redefine") != std::string::npos)
      msg += " (each key and section may appear only once in a deck)";
    d.error(Origin{file, static_cast<int>(b.line), static_cast<int>(b.column)}, "",
            "invalid TOML: " + msg);
    return std::nullopt;
  }
  if (t.empty() && sets.empty()) {
    d.error(Origin{file, 0, 0}, "",
            "the deck is empty; a deck needs at least `[run]` with `steps = N` "
            "(start from inputs/lj-melt.toml, see `weft help deck`)");
    return std::nullopt;
  }
  for (const auto& s : sets) apply_set(t, s, d);
  return t;
}

std::string to_toml_text(const toml::table& t) {
  std::ostringstream os;
  os << toml::toml_formatter(t);
  return os.str();
}

}  // namespace weft::deck
