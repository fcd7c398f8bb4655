// SPDX-License-Identifier: Apache-2.0
// The schema machinery on a small deck of its own: types, ranges, choices,
// unknown keys with suggestions, required keys, table arrays, rules, and
// the resolved text round trip.
// clang-format 14 mangles the accessor lambdas of deck keys ([](C & c) -> auto&).
// clang-format off
#include <gtest/gtest.h>

#include "weft/deck/document.hpp"
#include "weft/deck/schema.hpp"

namespace {

struct Item {
  std::string name = "x";
  double weight = 1.0;
};

struct Toy {
  struct {
    std::int64_t steps = 10;
    double dt = 0.5;
    std::string mode = "fast";
    bool verbose = false;
    std::array<int, 3> grid{1, 1, 1};
  } run;
  std::vector<Item> items;
  std::string required_name;
};

const weft::deck::Schema<Toy>& toy_schema() {
  static const auto s = [] {
    weft::deck::Schema<Item> item;
    item.key("name", [](Item& i) -> auto& { return i.name; }, "Item name").required();
    item.key("weight", [](Item& i) -> auto& { return i.weight; }, "Item weight").above(0);
    static const auto item_schema = std::move(item);
    weft::deck::Schema<Toy> t;
    t.key("run.steps", [](Toy& c) -> auto& { return c.run.steps; }, "Steps").min(0);
    t.key("run.dt", [](Toy& c) -> auto& { return c.run.dt; }, "Step").unit("tau").above(0).max(1);
    t.key("run.mode", [](Toy& c) -> auto& { return c.run.mode; }, "Mode").choices({"fast", "slow"});
    t.key("run.verbose", [](Toy& c) -> auto& { return c.run.verbose; }, "Talk");
    t.key("run.grid", [](Toy& c) -> auto& { return c.run.grid; }, "Grid").min(1);
    t.table_array("items", [](Toy& c) -> auto& { return c.items; }, item_schema, "Items");
    t.key("meta.name", [](Toy& c) -> auto& { return c.required_name; }, "Name").required();
    t.rule([](const Toy& c, weft::deck::RuleContext& r) {
      if (c.run.mode == "slow" && r.given("run.dt") && c.run.dt > 0.1)
        r.error("run.dt", "slow mode needs run.dt <= 0.1");
    });
    return t;
  }();
  return s;
}

// The schema is a process-wide cache: build it before any test runs so the
// leak check sees only what each test allocates.
const auto& g_primed = toy_schema();

struct Parsed {
  Toy toy;
  weft::deck::Diagnostics d;
  std::string text;
};

Parsed parse(const std::string& deck, std::vector<std::string> sets = {}) {
  Parsed p;
  auto t = weft::deck::parse_text(deck, "toy.toml", sets, p.d);
  if (t) p.toy = toy_schema().parse(*t, "toy.toml", p.d);
  p.text = p.d.empty() ? "" : p.d.format();
  return p;
}

TEST(Schema, ReadsEveryTypeAndKeepsDefaults) {
  auto p = parse("[meta]\nname = \"a\"\n[run]\nsteps = 7\nmode = \"slow\"\ngrid = [2, 3, 4]\n"
                 "[[items]]\nname = \"i1\"\nweight = 2\n");
  ASSERT_TRUE(p.d.empty()) << p.text;
  EXPECT_EQ(p.toy.run.steps, 7);
  EXPECT_EQ(p.toy.run.dt, 0.5);  // default kept
  EXPECT_EQ(p.toy.run.mode, "slow");
  EXPECT_EQ(p.toy.run.grid, (std::array<int, 3>{2, 3, 4}));
  ASSERT_EQ(p.toy.items.size(), 1u);
  EXPECT_EQ(p.toy.items[0].weight, 2.0);  // integer accepted as real
}

TEST(Schema, ReportsEveryErrorWithPositionsSortedByLine) {
  auto p = parse("[run]\nstpes = 1\ndt = 2.0\nmode = \"fsat\"\nverbose = 1\ngrid = [1, 0, 1]\n");
  ASSERT_EQ(p.d.size(), 6u) << p.text;
  EXPECT_NE(p.text.find("toy.toml:2:"), std::string::npos) << p.text;
  EXPECT_NE(p.text.find("did you mean 'run.steps'?"), std::string::npos) << p.text;
  EXPECT_NE(p.text.find("toy.toml:3:6: error: run.dt: expected a value with 0 < x <= 1"),
            std::string::npos) << p.text;
  EXPECT_NE(p.text.find("did you mean \"fast\"?"), std::string::npos) << p.text;
  EXPECT_NE(p.text.find("run.verbose: expected a boolean"), std::string::npos) << p.text;
  EXPECT_NE(p.text.find("run.grid: element 2: expected a value with 1 <= x, found 0"), std::string::npos)
      << p.text;
  EXPECT_NE(p.text.find("meta.name: missing required key"), std::string::npos) << p.text;
  // Sorted: the file-level problem (line 0) first, then lines 2..6 in order.
  EXPECT_LT(p.text.find("meta.name"), p.text.find("toy.toml:2:"));
  EXPECT_LT(p.text.find("toy.toml:2:"), p.text.find("toy.toml:6:"));
}

TEST(Schema, UnknownSectionGetsOneSuggestion) {
  auto p = parse("[meta]\nname = \"a\"\n[rnu]\nsteps = 1\ndt = 0.1\n");
  ASSERT_EQ(p.d.size(), 1u) << p.text;
  EXPECT_NE(p.text.find("unknown section [rnu]; did you mean [run]?"), std::string::npos) << p.text;
}

TEST(Schema, UnknownKeyWithoutNearMatchListsTheSection) {
  auto p = parse("[meta]\nname = \"a\"\n[run]\nbanana = 1\n");
  EXPECT_NE(p.text.find("the keys of [run] are: steps, dt, mode, verbose, grid"), std::string::npos)
      << p.text;
}

TEST(Schema, TableArrayElementsAreCheckedWithTheirIndex) {
  auto p = parse("[meta]\nname = \"a\"\n[[items]]\nweight = -1\n[[items]]\nname = \"b\"\nwieght = 1\n");
  EXPECT_NE(p.text.find("items[1].name: missing required key"), std::string::npos) << p.text;
  EXPECT_NE(p.text.find("items[1].weight: expected a value with 0 < x"), std::string::npos) << p.text;
  EXPECT_NE(p.text.find("items[2].wieght: unknown key; did you mean 'items[2].weight'?"),
            std::string::npos) << p.text;
}

TEST(Schema, RulesSeeOnlyValuesThatDifferFromDefaults) {
  auto bad = parse("[meta]\nname = \"a\"\n[run]\nmode = \"slow\"\ndt = 0.3\n");
  EXPECT_NE(bad.text.find("toy.toml:5:6: error: run.dt: slow mode needs"), std::string::npos) << bad.text;
  // dt = 0.5 is the default: a resolved deck that repeats it passes.
  auto resolved = parse("[meta]\nname = \"a\"\n[run]\nmode = \"slow\"\ndt = 0.5\n");
  EXPECT_TRUE(resolved.d.empty()) << resolved.text;
}

TEST(Schema, SetOverridesTheDeckAndIsNamedInErrors) {
  auto p = parse("[meta]\nname = \"a\"\n[run]\nsteps = 1\n", {"run.steps=99", "run.mode=slow"});
  ASSERT_TRUE(p.d.empty()) << p.text;
  EXPECT_EQ(p.toy.run.steps, 99);
  EXPECT_EQ(p.toy.run.mode, "slow");  // bare word taken as a string
  auto q = parse("[meta]\nname = \"a\"\n", {"run.steps=many", "run.stesp=1", "novalue"});
  EXPECT_NE(q.text.find("--set run.steps=many: error: run.steps: expected an integer"),
            std::string::npos) << q.text;
  EXPECT_NE(q.text.find("--set run.stesp=1: error: run.stesp: unknown key; did you mean"),
            std::string::npos) << q.text;
  EXPECT_NE(q.text.find("--set novalue: error: expected --set key.path=value"), std::string::npos)
      << q.text;
}

TEST(Schema, WriteTextRoundTripsAndListsEveryKey) {
  auto p = parse("[meta]\nname = \"q\\\"uote\"\n[run]\ndt = 0.1\n[[items]]\nname = \"a\"\n");
  ASSERT_TRUE(p.d.empty()) << p.text;
  const std::string text = toy_schema().write_text(p.toy);
  for (const auto& k : toy_schema().docs()) {
    if (k.path.find("[]") != std::string::npos) continue;
    const auto leaf = k.path.substr(k.path.rfind('.') + 1);
    EXPECT_NE(text.find(leaf), std::string::npos) << k.path << " missing in\n" << text;
  }
  auto again = parse(text);
  ASSERT_TRUE(again.d.empty()) << again.text << "\n" << text;
  EXPECT_EQ(toy_schema().write_text(again.toy), text);
  EXPECT_EQ(again.toy.required_name, "q\"uote");
  EXPECT_EQ(again.toy.run.dt, 0.1);
}

TEST(Schema, DocsCarryTypesDefaultsAndConstraints) {
  const auto docs = toy_schema().docs();
  auto find = [&](const std::string& path) {
    for (const auto& k : docs)
      if (k.path == path) return k;
    ADD_FAILURE() << "no doc for " << path;
    return weft::deck::KeyDoc{};
  };
  EXPECT_EQ(find("run.dt").type, "real");
  EXPECT_EQ(find("run.dt").default_text, "0.5");
  EXPECT_EQ(find("run.dt").unit, "tau");
  EXPECT_EQ(find("run.dt").constraint, "0 < x <= 1");
  EXPECT_EQ(find("run.mode").constraint, "one of: fast, slow");
  EXPECT_EQ(find("run.grid").type, "list of 3 integers");
  EXPECT_TRUE(find("meta.name").required);
  EXPECT_EQ(find("items[].weight").type, "real");
}

}  // namespace

// A key bound to an enum reads and writes the names EnumNames gives it and
// documents them as its choices.
enum class Mode { fast, exact };


template <>
struct weft::deck::EnumNames<Mode> {
  static const std::vector<std::pair<std::string, Mode>>& names() {
    static const std::vector<std::pair<std::string, Mode>> n{{"fast", Mode::fast},
                                                             {"exact", Mode::exact}};
    return n;
  }
};

namespace {

struct WithMode {
  Mode mode = Mode::fast;
};

TEST(Schema, EnumKeysUseTheirNames) {
  weft::deck::Schema<WithMode> s;
  s.key("run.mode", [](WithMode& w) -> auto& { return w.mode; }, "How to run");
  const auto docs = s.docs();
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].constraint, "one of: fast, exact");
  EXPECT_EQ(docs[0].default_text, "\"fast\"");
  weft::deck::Diagnostics d;
  auto t = weft::deck::parse_text("[run]\nmode = \"exact\"\n", "e.toml", {}, d);
  ASSERT_TRUE(t);
  const WithMode w = s.parse(*t, "e.toml", d);
  EXPECT_TRUE(d.empty()) << d.format();
  EXPECT_EQ(w.mode, Mode::exact);
  EXPECT_EQ(s.write_text(w), "\n[run]\nmode = \"exact\"\n");
  weft::deck::Diagnostics bad;
  auto t2 = weft::deck::parse_text("[run]\nmode = \"exakt\"\n", "e.toml", {}, bad);
  ASSERT_TRUE(t2);
  s.parse(*t2, "e.toml", bad);
  EXPECT_NE(bad.format().find("e.toml:2:8: error: run.mode: expected one of: fast, exact, found "
                              "\"exakt\"; did you mean \"exact\"?"),
            std::string::npos)
      << bad.format();
}

}  // namespace
// clang-format on
