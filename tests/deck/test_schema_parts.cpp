// SPDX-License-Identifier: Apache-2.0
// Schemas built from parts (include) and keys that exist for one value of a
// choice key (when), on the deck of part_deck.hpp.
// clang-format 14 mangles the accessor lambdas of deck keys ([](C & c) -> auto&).
// clang-format off
#include <gtest/gtest.h>

#include <stdexcept>

#include "part_deck.hpp"
#include "weft/deck/document.hpp"

namespace weft::deck_test {
namespace {
using deck::Condition;
using deck::Diagnostics;
using deck::KeyDoc;
using deck::RuleContext;
using deck::Schema;

const Schema<MdDeck>& deck_schema() { return part_deck_schema(); }

// The schema is a process-wide cache: build it before the leak check runs.
const auto& g_primed = deck_schema();

struct Parsed {
  MdDeck deck;
  Diagnostics d;
  std::string text;  // the diagnostics
};

Parsed parse(const std::string& deck, std::vector<std::string> sets = {}) {
  Parsed p;
  auto t = deck::parse_text(deck, "deck.toml", sets, p.d);
  if (t) p.deck = deck_schema().parse(*t, "deck.toml", p.d);
  p.text = p.d.empty() ? "" : p.d.format();
  return p;
}

// reports() is a success when parsing `deck` reports `expected` (a part of
// the formatted diagnostics).
testing::AssertionResult reports(const std::string& deck, const std::string& expected,
                                 std::vector<std::string> sets = {}) {
  const auto p = parse(deck, std::move(sets));
  if (p.text.find(expected) != std::string::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "no \"" << expected << "\" in\n" << p.text;
}

const KeyDoc* find_doc(const std::vector<KeyDoc>& docs, const std::string& path,
                       const std::string& condition = "") {
  for (const auto& k : docs)
    if (k.path == path && deck::condition_text(k.when) == condition) return &k;
  return nullptr;
}

std::vector<std::string> styles(const Pair& p) {
  std::vector<std::string> out;
  for (const auto& [name, _] : p.params) out.push_back(name);
  return out;
}

const std::string kMorse = R"([[pair.coeff]]
types = [1, 1]
d0 = 0.5
alpha = 1.5

[pair]
cutoff = 2.0
shift = false
style = "morse"
)";

TEST(SchemaInclude, WithoutPrefixKeepsPathsAndRules) {
  auto p = parse("[run]\nsteps = 0\ndt = 0.01\n[output]\ndir = \"o\"\n");
  EXPECT_EQ(p.deck.common.dir, "o");
  EXPECT_EQ(p.text,
            "deck.toml:3:6: error: run.dt: run.dt is unused with 0 steps\n"
            "1 error in the deck; nothing was run and no output was written.\n");
}

TEST(SchemaInclude, WithPrefixBindsThroughGetInDeclarationOrder) {
  auto p = parse("[pair]\ncutoff = 2.0\nmixing = \"arithmetic\"\n");
  ASSERT_TRUE(p.d.empty()) << p.text;
  EXPECT_EQ(p.deck.app.pair.cutoff, 2.0);
  EXPECT_EQ(p.deck.app.pair.of<LjCut>("lj/cut").mixing, "arithmetic");
  std::vector<std::string> paths;
  for (const auto& k : deck_schema().docs()) paths.push_back(k.path);
  const std::vector<std::string> expected = {"run.steps",          "run.dt",
                                             "output.dir",         "pair.style",
                                             "pair.cutoff",        "pair.mixing",
                                             "pair.tail",          "pair.coeff",
                                             "pair.coeff[].types", "pair.coeff[].epsilon",
                                             "pair.coeff[].sigma", "pair.shift",
                                             "pair.coeff",         "pair.coeff[].types",
                                             "pair.coeff[].d0",    "pair.coeff[].alpha",
                                             "pair.coeff[].r0",    "pair.coeff[].cutoff",
                                             "pair.prefactor"};
  EXPECT_EQ(paths, expected);
}

TEST(SchemaInclude, DefaultsAreThoseOfADefaultRoot) {
  const auto docs = deck_schema().docs();
  EXPECT_EQ(find_doc(docs, "run.dt")->default_text, "0.005");     // the part's default
  EXPECT_EQ(find_doc(docs, "pair.cutoff")->default_text, "3.0");  // Md's, through get
  EXPECT_EQ(find_doc(docs, "pair.style")->default_text, "\"lj/cut\"");
  const auto* shift = find_doc(docs, "pair.shift", "pair.style = \"morse\"");
  ASSERT_NE(shift, nullptr);
  EXPECT_EQ(shift->default_text, "true");
  EXPECT_EQ(find_doc(docs, "pair.coeff", "pair.style = \"morse\"")->default_text,
            "[{types = [1, 1],d0 = 1.0,alpha = 2.0,r0 = 1.1,cutoff = 0.0}]");
  EXPECT_EQ(find_doc(docs, "pair.coeff", "pair.style = \"lj/cut\"")->default_text, "[]");
  EXPECT_TRUE(find_doc(docs, "pair.prefactor", "pair.style = \"soft\"")->required);
  auto p = parse("[run]\nsteps = 1\n");
  ASSERT_TRUE(p.d.empty()) << p.text;
  EXPECT_EQ(p.deck.app.pair.cutoff, 3.0);
}

TEST(SchemaWhen, SelectorAfterItsKeysPicksTheElementSchema) {
  auto p = parse(kMorse);
  ASSERT_TRUE(p.d.empty()) << p.text;
  auto& pair = p.deck.app.pair;
  EXPECT_EQ(pair.style, "morse");
  EXPECT_FALSE(pair.of<Morse>("morse").shift);
  ASSERT_EQ(pair.of<Morse>("morse").coeffs.size(), 1u);
  EXPECT_EQ(pair.of<Morse>("morse").coeffs[0].d0, 0.5);
  EXPECT_EQ(pair.of<Morse>("morse").coeffs[0].r0, 1.1);  // element default
  EXPECT_EQ(styles(pair), std::vector<std::string>{"morse"});

  auto lj = parse("[[pair.coeff]]\ntypes = [1, 1]\nepsilon = 0.5\n[pair]\nstyle = \"lj/cut\"\n");
  ASSERT_TRUE(lj.d.empty()) << lj.text;
  EXPECT_EQ(lj.deck.app.pair.of<LjCut>("lj/cut").coeffs.at(0).epsilon, 0.5);
  EXPECT_EQ(styles(lj.deck.app.pair), std::vector<std::string>{"lj/cut"});
}

TEST(SchemaWhen, SelectorFromSetOrFromItsDefault) {
  auto set = parse("[pair]\nshift = false\n", {"pair.style=morse"});
  ASSERT_TRUE(set.d.empty()) << set.text;
  EXPECT_FALSE(set.deck.app.pair.of<Morse>("morse").shift);
  EXPECT_TRUE(reports(kMorse,
                      "deck.toml:8:9: error: pair.shift: pair.shift applies to pair.style = "
                      "\"morse\" only; remove it or set pair.style = \"morse\"",
                      {"pair.style=soft", "pair.prefactor=2"}));
  auto by_default = parse("[pair]\ntail = true\n");  // lj/cut, the default style
  ASSERT_TRUE(by_default.d.empty()) << by_default.text;
  EXPECT_TRUE(by_default.deck.app.pair.of<LjCut>("lj/cut").tail);
  EXPECT_EQ(styles(by_default.deck.app.pair), std::vector<std::string>{"lj/cut"});
}

TEST(SchemaWhen, InactiveKeysAreErrorsAtTheirPlace) {
  auto p = parse("[pair]\nstyle = \"morse\"\nmixing = \"arithmetic\"\n");
  EXPECT_EQ(p.text,
            "deck.toml:3:10: error: pair.mixing: pair.mixing applies to pair.style = \"lj/cut\" "
            "only; remove it or set pair.style = \"lj/cut\"\n"
            "1 error in the deck; nothing was run and no output was written.\n");
  auto q = parse("[pair]\nstyle = \"soft\"\nprefactor = 1.0\n\n[[pair.coeff]]\ntypes = [1, 1]\n");
  EXPECT_EQ(q.text,
            "deck.toml:5:1: error: pair.coeff: pair.coeff applies to pair.style = \"lj/cut\" or "
            "\"morse\" only; remove it or set pair.style = \"lj/cut\" or \"morse\"\n"
            "1 error in the deck; nothing was run and no output was written.\n");
  EXPECT_TRUE(q.deck.app.pair.params.count("soft"));
  EXPECT_FALSE(q.deck.app.pair.params.count("lj/cut"));
}

TEST(SchemaWhen, RequiredOnlyWhileActive) {
  EXPECT_TRUE(reports("[pair]\nstyle = \"soft\"\n",
                      "deck.toml: error: pair.prefactor: missing required key"));
  EXPECT_TRUE(parse("[pair]\nstyle = \"morse\"\n").d.empty());
}

TEST(SchemaWhen, UnknownKeysSuggestActiveKeysOnly) {
  EXPECT_TRUE(reports("[pair]\nmixng = \"arithmetic\"\n",
                      "pair.mixng: unknown key; did you mean 'pair.mixing'?"));
  EXPECT_TRUE(reports("[pair]\nstyle = \"morse\"\nmixng = \"arithmetic\"\n",
                      "pair.mixng: unknown key; the keys of [pair] are: style, cutoff, shift, "
                      "coeff\n"));
  EXPECT_TRUE(reports("[pair]\nstyle = \"morse\"\n[[pair.coeff]]\ntypes = [1, 1]\nalpah = 1.0\n",
                      "deck.toml:5:9: error: pair.coeff[1].alpah: unknown key; did you mean "
                      "'pair.coeff[1].alpha'?"));
}

TEST(SchemaWhen, ABadSelectorHidesTheErrorsOfItsKeys) {
  auto p =
      parse("[pair]\nstyle = \"mors\"\nshift = true\nmixing = \"x\"\n[[pair.coeff]]\nd0 = 1.0\n");
  ASSERT_EQ(p.d.size(), 1u) << p.text;
  EXPECT_NE(p.text.find("pair.style: expected one of: lj/cut, morse, soft"), std::string::npos)
      << p.text;
}

TEST(SchemaWhen, RulesOfPartsAndElementsSeeTheirOwnPaths) {
  EXPECT_TRUE(reports("[pair]\ncutoff = 5.0\ntail = true\n",
                      "deck.toml:3:8: error: pair.tail: pair.tail assumes pair.cutoff <= 4"));
  EXPECT_TRUE(reports("[pair]\nstyle = \"morse\"\n[[pair.coeff]]\ntypes = [1, 1]\ncutoff = 1.0\n",
                      "deck.toml: error: pair.coeff[1].r0: pair.coeff[1].r0 must be below "
                      "the cutoff of its pair"));
  auto element =
      parse("[[pair.coeff]]\ntypes = [1, 1]\n[[pair.coeff]]\ntypes = [1, 2]\nsigma = 2\n");
  EXPECT_EQ(element.text,
            "deck.toml:5:9: error: pair.coeff[2].sigma: pair.coeff[2].sigma needs "
            "pair.coeff[2].epsilon\n"
            "1 error in the deck; nothing was run and no output was written.\n");
  EXPECT_TRUE(
      reports("[pair]\nstyle = \"morse\"\n[[pair.coeff]]\nr0 = 1.0\ncutoff = 0.5\n"
              "types = [1, 1]\n",
              "deck.toml:4:6: error: pair.coeff[1].r0: pair.coeff[1].r0 must be"));
}

TEST(SchemaWhen, WriteTextHasActiveKeysOnlyAndRoundTrips) {
  for (const std::string& deck : {kMorse, std::string("[pair]\ntail = true\ncutoff = 4.0\n"
                                                      "[[pair.coeff]]\ntypes = [1, 2]\n")}) {
    auto p = parse(deck);
    ASSERT_TRUE(p.d.empty()) << p.text;
    const auto before = styles(p.deck.app.pair);
    const std::string text = deck_schema().write_text(p.deck);
    EXPECT_EQ(styles(p.deck.app.pair), before) << "write_text made storage";
    auto again = parse(text);
    ASSERT_TRUE(again.d.empty()) << again.text << "\n" << text;
    EXPECT_EQ(deck_schema().write_text(again.deck), text);
    EXPECT_EQ(styles(again.deck.app.pair), before);
  }
  auto p = parse(kMorse);
  EXPECT_EQ(deck_schema().write_text(p.deck),
            "\n[run]\nsteps = 10\ndt = 0.005\n"
            "\n[output]\ndir = \"\"\n"
            "\n[pair]\nstyle = \"morse\"\ncutoff = 2.0\nshift = false\n"
            "\n[[pair.coeff]]\ntypes = [1, 1]\nd0 = 0.5\nalpha = 1.5\nr0 = 1.1\ncutoff = 0.0\n");
}

TEST(SchemaWhen, RootCopiesAreIndependent) {
  auto p = parse(kMorse);
  ASSERT_TRUE(p.d.empty()) << p.text;
  MdDeck copy = p.deck;
  copy.app.pair.of<Morse>("morse").coeffs[0].d0 = 9.0;
  EXPECT_EQ(p.deck.app.pair.of<Morse>("morse").coeffs[0].d0, 0.5);
}

TEST(SchemaWhen, GivenSeesConditionalKeys) {
  Schema<Pair> s = pair_schema();
  bool given = false;
  s.rule([&given](const Pair&, RuleContext& r) { given = r.given("tail"); });
  Diagnostics d;
  auto t = deck::parse_text("tail = true\n", "p.toml", {}, d);
  s.parse(*t, "p.toml", d);
  EXPECT_TRUE(given) << d.format();
  t = deck::parse_text("tail = false\n", "p.toml", {}, d);  // the default
  s.parse(*t, "p.toml", d);
  EXPECT_FALSE(given) << d.format();
}

TEST(SchemaWhen, DocsListEachConditionalKeyOncePerCondition) {
  const auto docs = deck_schema().docs();
  const auto* lj = find_doc(docs, "pair.coeff[].epsilon", "pair.style = \"lj/cut\"");
  const auto* morse = find_doc(docs, "pair.coeff[].d0", "pair.style = \"morse\"");
  ASSERT_TRUE(lj && morse);
  EXPECT_EQ(morse->when, (std::vector<Condition>{{"pair.style", "\"morse\""}}));
  EXPECT_EQ(find_doc(docs, "pair.coeff", "pair.style = \"morse\"")->type,
            "array of tables [[pair.coeff]]");
  const std::string ref = deck::render_reference(docs, "t", "i");
  EXPECT_NE(ref.find("| `mixing` | string | `\"geometric\"` |  | one of: geometric, arithmetic | "
                     "Mixing rule (only with `pair.style = \"lj/cut\"`) |"),
            std::string::npos)
      << ref;
  EXPECT_NE(
      ref.find("## [pair.coeff[]]\n\n| key | type | default | unit | allowed | description "
               "|\n|---|---|---|---|---|---|\n| `types` | list of 2 integers | **required** |  "
               "| 1 <= x | Types (only with `pair.style = \"morse\"`) |\n"
               "| `d0` | real | `1.0` |  | 0 < x | Well depth (only with "
               "`pair.style = \"morse\"`) |"),
      std::string::npos)
      << ref;
  EXPECT_NE(ref.find("| `cutoff` | real | `3.0` | sigma | 0 < x | Global cutoff |"),
            std::string::npos)
      << ref;
}

TEST(SchemaWhen, NestedConditionsHoldLevelByLevel) {
  Schema<Pair> s;
  s.key("style", [](Pair& p) -> auto& { return p.style; }, "Style").choices({"lj/cut", "morse"});
  s.when("style", "morse")
      .key("variant", [](Pair& p) -> auto& { return p.of<std::string>("variant"); }, "Variant")
      .choices({"plain", "shifted"});
  s.when("variant", "shifted").key("offset", [](Pair& p) -> auto& { return p.cutoff; }, "Offset");
  EXPECT_EQ(s.docs().back().when,
            (std::vector<Condition>{{"style", "\"morse\""}, {"variant", "\"shifted\""}}));
  auto run = [&s](const std::string& text, Pair& out) {
    Diagnostics d;
    auto t = deck::parse_text(text, "p.toml", {}, d);
    out = s.parse(*t, "p.toml", d);
    return d.empty() ? std::string() : d.format();
  };
  Pair p;
  EXPECT_EQ(run("offset = 1.5\nstyle = \"morse\"\nvariant = \"shifted\"\n", p), "");
  EXPECT_EQ(p.cutoff, 1.5);
  EXPECT_EQ(run("offset = 1.5\nstyle = \"morse\"\n", p),
            "p.toml:1:10: error: offset: offset applies to variant = \"shifted\" only; remove it "
            "or set variant = \"shifted\"\n"
            "1 error in the deck; nothing was run and no output was written.\n");
  EXPECT_NE(run("offset = 1.5\nvariant = \"shifted\"\n", p)
                .find("p.toml:1:10: error: offset: offset applies to style = \"morse\" only"),
            std::string::npos);
  EXPECT_TRUE(p.params.empty());  // lj/cut: the variant's storage is never made
  s.when("style", "lj/cut").key("variant", [](Pair& x) -> auto& { return x.style; }, "V");
  EXPECT_THROW(s.when("variant", "plain"), std::invalid_argument);  // which variant?
  s.when("style", "lj/cut").when("variant", "lj/cut");
}

TEST(SchemaWhen, DeclarationMistakesThrow) {
  Schema<Pair> s;
  EXPECT_THROW(s.when("style", "morse"), std::invalid_argument);  // not declared yet
  s.key("style", [](Pair& p) -> auto& { return p.style; }, "Style").choices({"lj/cut", "morse"});
  EXPECT_THROW(s.when("style", "mores"), std::invalid_argument);  // not a choice
  s.when("style", "morse").key("x", [](Pair& p) -> auto& { return p.cutoff; }, "X");
  EXPECT_THROW(s.when("style", "morse")
                   .key("x", [](Pair& p) -> auto& { return p.cutoff; }, "X"),
               std::invalid_argument);
  EXPECT_THROW(s.key("x", [](Pair& p) -> auto& { return p.cutoff; }, "X"), std::invalid_argument);
  s.when("style", "lj/cut").key("x", [](Pair& p) -> auto& { return p.cutoff; }, "X");
}

}  // namespace
}  // namespace weft::deck_test
// clang-format on
