// SPDX-License-Identifier: Apache-2.0
// Deck keys of the molecular-dynamics application (weft::md::Config).
#include <fmt/format.h>

#include <set>

#include "schema_parts.hpp"

namespace weft::app {
namespace {

using C = Config;

deck::Schema<md::SpeciesConfig> species_schema() {
  using S = md::SpeciesConfig;
  deck::Schema<S> s;
  s.key("name", [](S& x) -> auto& { return x.name; }, "Name of the atom type");
  s.key("mass", [](S& x) -> auto& { return x.mass; }, "Mass of one atom").unit("mass").above(0);
  return s;
}

deck::Schema<md::PairCoeff> coeff_schema() {
  using P = md::PairCoeff;
  deck::Schema<P> s;
  s.key("types", [](P& x) -> auto& { return x.types; }, "The two atom types (1-based) this applies to")
      .min(1)
      .required();
  s.key("epsilon", [](P& x) -> auto& { return x.epsilon; }, "LJ well depth").unit("epsilon").min(0);
  s.key("sigma", [](P& x) -> auto& { return x.sigma; }, "LJ zero-crossing distance")
      .unit("sigma")
      .above(0);
  s.key("cutoff", [](P& x) -> auto& { return x.cutoff; }, "Cutoff for this pair; 0: pair.cutoff")
      .unit("sigma")
      .min(0);
  return s;
}

void declare_system(deck::Schema<C>& s) {
  static const auto species = species_schema();
  s.table_array("species", [](C& c) -> auto& { return c.md.species; }, species,
                "Atom types, numbered from 1 in the order given");
  s.key("box.boundary", [](C& c) -> auto& { return c.md.box.boundary; },
        "Boundary along x, y, z: p (periodic) or f (fixed, non-periodic)")
      .choices({"p", "f"});
  s.key("init.source", [](C& c) -> auto& { return c.md.init.source; },
        "Initial configuration: a lattice, or a LAMMPS data file")
      .choices({"lattice", "data"});
  s.key("init.data_file", [](C& c) -> auto& { return c.md.init.data_file; },
        "LAMMPS data file (atom_style atomic), relative to the deck's directory");
  s.key("init.min_distance", [](C& c) -> auto& { return c.md.init.min_distance; },
        "Two initial atoms closer than this are an input error")
      .unit("sigma")
      .min(0);
  s.key("lattice.style", [](C& c) -> auto& { return c.md.init.lattice.style; },
        "Lattice type (LAMMPS `lattice` semantics)")
      .choices({"sc", "bcc", "fcc"});
  s.key("lattice.density", [](C& c) -> auto& { return c.md.init.lattice.density; },
        "Reduced number density; sets the lattice constant (basis/density)^(1/3)")
      .unit("sigma^-3")
      .above(0);
  s.key("lattice.constant", [](C& c) -> auto& { return c.md.init.lattice.constant; },
        "Lattice constant; 0: from lattice.density. When > 0 it sets the length and "
        "lattice.density must be left at its default")
      .unit("sigma")
      .min(0);
  s.key("lattice.cells", [](C& c) -> auto& { return c.md.init.lattice.cells; },
        "Unit cells along x, y, z")
      .min(1);
  s.key("lattice.type", [](C& c) -> auto& { return c.md.init.lattice.type; },
        "Atom type of every lattice atom")
      .min(1);
  s.key("velocity.create", [](C& c) -> auto& { return c.md.velocity.create; },
        "Create Maxwell-Boltzmann velocities (zero momentum, exactly at velocity.temperature)");
  s.key("velocity.temperature", [](C& c) -> auto& { return c.md.velocity.temperature; },
        "Initial temperature")
      .unit("epsilon/k_B")
      .min(0);
  s.key("velocity.seed", [](C& c) -> auto& { return c.md.velocity.seed; },
        "Random seed; the same seed gives the same velocities on any number of ranks")
      .min(1);
}

void declare_physics(deck::Schema<C>& s) {
  static const auto coeffs = coeff_schema();
  s.key("pair.style", [](C& c) -> auto& { return c.md.pair.style; }, "Pair potential")
      .choices({"lj/cut"});
  s.key("pair.cutoff", [](C& c) -> auto& { return c.md.pair.cutoff; }, "Global cutoff radius")
      .unit("sigma")
      .above(0);
  s.key("pair.mixing", [](C& c) -> auto& { return c.md.pair.mixing; },
        "Mixing rule for unlike pairs not given in [[pair.coeff]]")
      .choices({"geometric", "arithmetic"});
  s.key("pair.shift", [](C& c) -> auto& { return c.md.pair.shift; },
        "Shift pair energies to zero at the cutoff (LAMMPS pair_modify shift yes)");
  s.key("pair.tail", [](C& c) -> auto& { return c.md.pair.tail; },
        "Add analytic long-range tail corrections to energy and pressure");
  s.table_array("pair.coeff", [](C& c) -> auto& { return c.md.pair.coeffs; }, coeffs,
                "LJ parameters per pair of types; unlike pairs not given are mixed");
  s.key("neighbor.skin", [](C& c) -> auto& { return c.md.neighbor.skin; },
        "Extra distance beyond the cutoff kept in neighbor lists")
      .unit("sigma")
      .min(0);
  s.key("neighbor.every", [](C& c) -> auto& { return c.md.neighbor.every; },
        "Steps between neighbor-list rebuilds (or between checks with neighbor.check)")
      .min(1);
  s.key("neighbor.check", [](C& c) -> auto& { return c.md.neighbor.check; },
        "Rebuild only when some atom moved more than half the skin since the last build");
  s.key("neighbor.bins_per_cutoff", [](C& c) -> auto& { return c.md.neighbor.bins_per_cutoff; },
        "Neighbor bins per (cutoff + skin) along each axis; 2 searches less volume, 1 fewer bins")
      .min(1)
      .max(4);
  s.key("integrator.style", [](C& c) -> auto& { return c.md.integrator.style; },
        "Time integration: nve (velocity Verlet), nose-hoover (NVT chain), langevin (NVT)")
      .choices({"nve", "nose-hoover", "langevin"});
  s.key("integrator.dt", [](C& c) -> auto& { return c.md.integrator.dt; }, "Time step")
      .unit("tau")
      .above(0);
  s.key("integrator.temperature", [](C& c) -> auto& { return c.md.integrator.temperature; },
        "Thermostat target temperature (nose-hoover, langevin)")
      .unit("epsilon/k_B")
      .above(0);
  s.key("integrator.damping", [](C& c) -> auto& { return c.md.integrator.damping; },
        "Thermostat relaxation time (nose-hoover) or damping time (langevin)")
      .unit("tau")
      .above(0);
  s.key("integrator.chain", [](C& c) -> auto& { return c.md.integrator.chain; },
        "Nose-Hoover chain length")
      .min(1)
      .max(10);
  s.key("integrator.seed", [](C& c) -> auto& { return c.md.integrator.seed; },
        "Langevin random seed")
      .min(1);
}

void declare_run(deck::Schema<C>& s) {
  s.key("run.steps", [](C& c) -> auto& { return c.md.run.steps; }, "Number of time steps to run")
      .min(0)
      .required();
  s.key("thermo.every", [](C& c) -> auto& { return c.md.thermo.every; },
        "Steps between thermo lines; 0: first and last step only")
      .min(0);
  s.key("thermo.columns", [](C& c) -> auto& { return c.md.thermo.columns; },
        "Thermo columns (LAMMPS conventions: energies per atom, 3N-3 degrees of freedom)")
      .choices({"step", "time", "temp", "pe", "ke", "etotal", "press", "volume", "atoms"});
  s.key("decomposition.grid", [](C& c) -> auto& { return c.md.decomposition.grid; },
        "MPI ranks along x, y, z; zeros are chosen automatically")
      .min(0);
}

void declare_rules(deck::Schema<C>& s) {
  s.rule([](const C& c, deck::RuleContext& r) {
    const auto& m = c.md;
    if (m.init.source == "data" && m.init.data_file.empty())
      r.error("init.data_file", "init.source = \"data\" needs init.data_file = \"path/to/file.data\"");
    if (m.init.source == "lattice" && r.given("init.data_file"))
      r.error("init.data_file",
              "init.data_file is given but init.source = \"lattice\"; set init.source = \"data\" "
              "to read it, or remove init.data_file");
    if (m.init.source == "data")
      for (const char* k : {"lattice.style", "lattice.density", "lattice.constant", "lattice.cells"})
        if (r.given(k))
          r.error(k, fmt::format("{} has no effect when init.source = \"data\"; remove it", k));
    if (r.given("lattice.density") && r.given("lattice.constant") && m.init.lattice.constant > 0)
      r.error("lattice.constant",
              "give lattice.density or lattice.constant, not both (they set the same length)");
    if (!m.velocity.create && r.given("velocity.temperature"))
      r.error("velocity.temperature",
              "velocity.create = false keeps the input velocities; velocity.temperature would be "
              "ignored: remove it or set velocity.create = true");
    if (m.integrator.style == "nve")
      for (const char* k : {"integrator.temperature", "integrator.damping", "integrator.chain",
                            "integrator.seed"})
        if (r.given(k))
          r.error(k, fmt::format("{} is a thermostat setting, but integrator.style = \"nve\" has no "
                                 "thermostat; remove it or choose nose-hoover or langevin",
                                 k));
    if (m.integrator.style != "nose-hoover" && r.given("integrator.chain"))
      r.error("integrator.chain", "integrator.chain applies to integrator.style = \"nose-hoover\" only");
    if (m.integrator.style != "langevin" && m.integrator.style != "nve" && r.given("integrator.seed"))
      r.error("integrator.seed", "integrator.seed applies to integrator.style = \"langevin\" only");
    const int ntypes = static_cast<int>(m.species.size());
    if (ntypes == 0) r.error("species", "at least one [[species]] is needed");
    if (m.init.source == "lattice" && m.init.lattice.type > ntypes)
      r.error("lattice.type", fmt::format("lattice.type = {} but only {} [[species]] defined",
                                          m.init.lattice.type, ntypes));
    std::set<std::pair<int, int>> pairs;
    for (std::size_t k = 0; k < m.pair.coeffs.size(); ++k) {
      const auto& pc = m.pair.coeffs[k];
      const std::string path = fmt::format("pair.coeff[{}].types", k + 1);
      const int i = std::min(pc.types[0], pc.types[1]), j = std::max(pc.types[0], pc.types[1]);
      if (j > ntypes)
        r.error(path, fmt::format("atom type {} does not exist: {} [[species]] defined", j, ntypes));
      if (!pairs.insert({i, j}).second)
        r.error(path, fmt::format("the pair ({}, {}) is given twice in [[pair.coeff]]", i, j));
    }
    for (int t = 1; t <= ntypes && !m.pair.coeffs.empty(); ++t)
      if (!pairs.count({t, t}))
        r.error("pair.coeff", fmt::format("no [[pair.coeff]] for like pair ({0}, {0}); mixing "
                                          "needs epsilon and sigma of every type with itself", t));
    const auto& g = m.decomposition.grid;
    const bool any0 = g[0] == 0 || g[1] == 0 || g[2] == 0;
    if (any0 && (g[0] || g[1] || g[2]))
      r.error("decomposition.grid", "give all three ranks counts, or [0, 0, 0] for automatic");
    if (m.thermo.columns.empty() || m.thermo.columns.front() != "step")
      r.error("thermo.columns", "the first thermo column must be \"step\"");
  });
}

}  // namespace

void declare_md(deck::Schema<C>& s) {
  declare_system(s);
  declare_physics(s);
  declare_run(s);
  declare_rules(s);
}

}  // namespace weft::app
