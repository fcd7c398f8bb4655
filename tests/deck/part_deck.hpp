// SPDX-License-Identifier: Apache-2.0
#pragma once

// A deck made of parts for the schema tests: a shared part (run, output)
// and an application part whose pair styles each have their own keys and
// [[pair.coeff]] tables, kept in per-style structs made on first use.

#include <any>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "weft/deck/schema.hpp"

namespace weft::deck_test {

// Common stands for the shared sections (run, output) of every application.
struct Common {
  struct {
    std::int64_t steps = 10;
    double dt = 0.005;
  } run;
  std::string dir;
};

// LjCoeff and MorseCoeff are the [[pair.coeff]] tables of two styles.
struct LjCoeff {
  std::array<int, 2> types{1, 1};
  double epsilon = 1.0;
  double sigma = 1.0;
};

struct MorseCoeff {
  std::array<int, 2> types{1, 1};
  double d0 = 1.0;
  double alpha = 2.0;
  double r0 = 1.1;
  double cutoff = 0.0;
};

// LjCut, Morse and Soft are the per-style parameters.
struct LjCut {
  std::string mixing = "geometric";
  bool tail = false;
  std::vector<LjCoeff> coeffs;
};

struct Morse {
  bool shift = true;
  std::vector<MorseCoeff> coeffs{MorseCoeff{}};
};

struct Soft {
  double prefactor = 0.0;
};

// Pair keeps one parameter struct per style, made on first use.
struct Pair {
  std::string style = "lj/cut";
  double cutoff = 2.5;
  std::map<std::string, std::any> params;

  template <class P>
  P& of(const std::string& name) {
    std::any& a = params[name];
    if (!a.has_value()) a = P{};
    return std::any_cast<P&>(a);
  }
};

// Md is an application; its default cutoff differs from Pair's.
struct Md {
  Pair pair = [] {
    Pair p;
    p.cutoff = 3.0;  // the application's default differs from the part's
    return p;
  }();
};

// Deck is a whole deck: the shared part and one application.
template <class App>
struct Deck {
  Common common;
  App app;
};
using MdDeck = Deck<Md>;

// part_deck_schema() is Schema<MdDeck>: the shared part included as it is,
// the pair part (its morse keys an included part of their own) under "pair".
const deck::Schema<MdDeck>& part_deck_schema();

// pair_schema() is the pair part alone, with its own paths ("style").
deck::Schema<Pair> pair_schema();

}  // namespace weft::deck_test
