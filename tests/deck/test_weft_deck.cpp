// SPDX-License-Identifier: Apache-2.0
// The real deck schema: example decks are valid, resolved decks round-trip,
// every key is reachable with --set, and docs/deck.md is generated from it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "applications.hpp"
#include "weft/app/deck.hpp"
#include "weft/md/config.hpp"
#include "weft/md/deck.hpp"

namespace {
namespace fs = std::filesystem;
const weft::app::Registry& apps() { return weft::cli::applications(); }

std::optional<weft::app::LoadedDeck> load_deck(const std::string& path, const std::string& text,
                                               const std::vector<std::string>& sets,
                                               weft::deck::Diagnostics& d) {
  return weft::app::load_deck(path, text, sets, apps(), d);
}
std::optional<weft::app::LoadedDeck> load_deck_file(const std::string& path,
                                                    const std::vector<std::string>& sets,
                                                    weft::deck::Diagnostics& d) {
  return weft::app::load_deck_file(path, sets, apps(), d);
}

// every_key() is the docs of every key: shared, then each application's.
std::vector<weft::deck::KeyDoc> every_key() {
  auto docs = weft::app::common_schema().docs();
  for (const auto& [name, kind] : apps())
    for (auto& k : kind->docs()) docs.push_back(k);
  return docs;
}

// The schemas are process-wide caches: build them before the leak check runs.
const auto g_primed = every_key();
const std::string g_reference = weft::app::deck_reference(apps());
const bool g_loaded = [] {  // each kind builds its whole-deck schema once
  bool all = true;
  for (const auto& [name, kind] : apps()) {
    weft::deck::Diagnostics d;
    all = load_deck("primer.toml", "application = \"" + name + "\"\n[run]\nsteps = 1\n", {}, d)
              .has_value() &&
          all;
  }
  return all;
}();

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(WeftDeck, EveryExampleDeckIsValidAndRoundTrips) {
  int decks = 0;
  for (const auto& f : fs::directory_iterator(fs::path(WEFT_SOURCE_DIR) / "inputs")) {
    if (f.path().extension() != ".toml") continue;
    ++decks;
    weft::deck::Diagnostics d;
    auto l = load_deck_file(f.path().string(), {}, d);
    ASSERT_TRUE(l) << d.format();
    weft::deck::Diagnostics d2;
    auto again = load_deck(f.path().string(), l->resolved, {}, d2);
    ASSERT_TRUE(again) << d2.format() << "\n" << l->resolved;
    EXPECT_EQ(again->resolved, l->resolved) << f.path();
  }
  EXPECT_GE(decks, 1);
}

TEST(WeftDeck, LjMeltMatchesLammpsBenchInput) {
  weft::deck::Diagnostics d;
  auto l = load_deck_file(std::string(WEFT_SOURCE_DIR) + "/inputs/lj-melt.toml", {}, d);
  ASSERT_TRUE(l) << d.format();
  const auto& m = std::any_cast<const weft::md::Config&>(l->config);
  // bench/in.lj: lattice fcc 0.8442, region 20^3, velocity 1.44 87287,
  // pair lj/cut 2.5, neighbor 0.3 bin, every 20 check no, nve, 100 steps.
  EXPECT_EQ(m.init.lattice.style, "fcc");
  EXPECT_EQ(m.init.lattice.density, 0.8442);
  EXPECT_EQ(m.init.lattice.cells, (std::array<std::int64_t, 3>{20, 20, 20}));
  EXPECT_EQ(m.velocity.temperature, 1.44);
  EXPECT_EQ(m.velocity.seed, 87287u);
  EXPECT_EQ(m.pair.cutoff, 2.5);
  EXPECT_EQ(m.neighbor.skin, 0.3);
  EXPECT_EQ(m.neighbor.every, 20);
  EXPECT_FALSE(m.neighbor.check);
  EXPECT_EQ(m.integrator.style, "nve");
  EXPECT_EQ(m.integrator.dt, 0.005);
  EXPECT_EQ(l->common.run.steps, 100);
}

TEST(WeftDeck, EveryKeyCanBeSetFromTheCommandLine) {
  // The shared keys on a deck of the default application, each
  // application's own keys on a deck of that application.
  std::vector<std::pair<std::string, weft::deck::KeyDoc>> docs;
  for (auto& k : weft::app::common_schema().docs()) docs.emplace_back("", k);
  for (const auto& [name, kind] : apps())
    for (auto& k : kind->docs()) docs.emplace_back(name, k);
  const std::string base = "[run]\nsteps = 5\n";
  for (const auto& [app, k] : docs) {
    if (k.path.find("[]") != std::string::npos || k.type.rfind("array of tables", 0) == 0) continue;
    if (k.required) continue;
    std::vector<std::string> sets;  // a conditional key: make its conditions hold
    if (!app.empty()) sets.push_back("application=" + app);
    for (const auto& c : k.when) sets.push_back(c.path + "=" + c.value);
    sets.push_back(k.path + "=" + k.default_text);
    weft::deck::Diagnostics d;
    auto l = load_deck("t.toml", base, sets, d);
    EXPECT_TRUE(l) << k.path << ": " << d.format();
  }
}

TEST(WeftDeck, DocsDeckMdIsGeneratedFromTheSchema) {
  const std::string ref = weft::app::deck_reference(apps());
  for (const auto& k : every_key()) {
    const auto leaf = k.path.substr(k.path.rfind('.') + 1);
    EXPECT_NE(ref.find("| `" + leaf + "` |"), std::string::npos) << k.path;
  }
  const std::string on_disk = slurp(fs::path(WEFT_SOURCE_DIR) / "docs" / "deck.md");
  EXPECT_EQ(on_disk, ref) << "docs/deck.md is out of date: run `ninja -C build deck-doc`";
}

TEST(WeftDeck, ContradictionsAreErrors) {
  weft::deck::Diagnostics d;
  auto l = load_deck(
      "c.toml",
      "[run]\nsteps = 5\n[init]\nsource = \"data\"\n[lattice]\ndensity = 0.9\n"
      "[integrator]\ntemperature = 2.0\n[runtime]\nscheduler = \"openmp\"\nstack_kib = 32\n",
      {}, d);
  EXPECT_FALSE(l);
  const auto text = d.format();
  EXPECT_NE(text.find("init.data_file: init.source = \"data\" needs init.data_file"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("c.toml:6:11: error: lattice.density: lattice.density has no effect"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("c.toml:8:15: error: integrator.temperature"), std::string::npos) << text;
  EXPECT_NE(text.find("c.toml:11:13: error: runtime.stack_kib"), std::string::npos) << text;
}

}  // namespace

// The choices of pair.style and integrator.style are exactly the names in
// the MD registries: every registered name is accepted (with its own keys),
// and a name that is not registered is refused with the registered ones.
TEST(WeftDeck, StyleChoicesAreTheRegistries) {
  const std::string base = "[run]\nsteps = 5\n";
  const std::vector<std::pair<std::string, std::vector<std::string>>> choices{
      {"pair.style", weft::md::pair_style_names()},
      {"integrator.style", weft::md::integrator_style_names()}};
  for (const auto& [key, names] : choices) {
    ASSERT_FALSE(names.empty()) << key;
    std::string listed;
    for (const auto& n : names) listed += (listed.empty() ? "one of: " : ", ") + n;
    bool documented = false;
    for (const auto& k : every_key())
      if (k.path == key) documented = k.constraint == listed;
    EXPECT_TRUE(documented) << key << " should be " << listed;
    for (const auto& n : names) {  // the name is accepted (a style may need more keys)
      weft::deck::Diagnostics d;
      load_deck("t.toml", base, {key + "=\"" + n + "\""}, d);
      EXPECT_EQ(d.format().find("error: " + key + ":"), std::string::npos)
          << key << " = " << n << ": " << d.format();
    }
    weft::deck::Diagnostics d;
    EXPECT_FALSE(load_deck("t.toml", base, {key + "=\"not-registered\""}, d));
    EXPECT_NE(d.format().find(listed.substr(8)), std::string::npos) << d.format();
  }
  // nvt is LAMMPS's name for the Nose-Hoover chain: registered, so accepted
  // with the thermostat's keys.
  weft::deck::Diagnostics d;
  EXPECT_TRUE(
      load_deck("t.toml", base + "[integrator]\nstyle = \"nvt\"\ntemperature = 1.2\n", {}, d))
      << d.format();
}
