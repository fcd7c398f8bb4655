// SPDX-License-Identifier: Apache-2.0
// The deck part of the molecular-dynamics application: every key of
// weft::md::Config; pair and integrator styles add their own (registry.cpp).
#include <fmt/format.h>

#include "interfaces.hpp"
#include "weft/md/deck.hpp"

namespace weft::md {
namespace {

using C = Config;

// clang-format 14 mangles the accessor lambdas of deck keys ([](C & c) -> auto&).
// clang-format off
deck::Schema<SpeciesConfig> species_schema() {
  using S = SpeciesConfig;
  deck::Schema<S> s;
  s.key("name", [](S& x) -> auto& { return x.name; }, "Name of the atom type");
  s.key("mass", [](S& x) -> auto& { return x.mass; }, "Mass of one atom").unit("mass").above(0);
  return s;
}

void declare_system(deck::Schema<C>& s) {
  static const auto species = species_schema();
  s.table_array("species", [](C& c) -> auto& { return c.species; }, species,
                fmt::format("Atom types, numbered from 1 in the order given (at most {})",
                            kMaxAtomTypes));
  s.key("box.boundary", [](C& c) -> auto& { return c.box.boundary; },
        "Boundary along x, y, z: p (periodic) or f (fixed, non-periodic)")
      .choices({"p", "f"});
  s.key("init.source", [](C& c) -> auto& { return c.init.source; },
        "Initial configuration: a lattice, or a LAMMPS data file")
      .choices({"lattice", "data"});
  s.key("init.data_file", [](C& c) -> auto& { return c.init.data_file; },
        "LAMMPS data file (atom_style atomic), relative to the deck's directory");
  s.key("init.min_distance", [](C& c) -> auto& { return c.init.min_distance; },
        "Two initial atoms closer than this are an input error")
      .unit("sigma")
      .min(0);
  s.key("lattice.style", [](C& c) -> auto& { return c.init.lattice.style; },
        "Lattice type (LAMMPS `lattice` semantics)")
      .choices({"sc", "bcc", "fcc"});
  s.key("lattice.density", [](C& c) -> auto& { return c.init.lattice.density; },
        "Reduced number density; sets the lattice constant (basis/density)^(1/3)")
      .unit("sigma^-3")
      .above(0);
  s.key("lattice.constant", [](C& c) -> auto& { return c.init.lattice.constant; },
        "Lattice constant; 0: from lattice.density. When > 0 it sets the length and "
        "lattice.density must be left at its default")
      .unit("sigma")
      .min(0);
  s.key("lattice.cells", [](C& c) -> auto& { return c.init.lattice.cells; },
        "Unit cells along x, y, z")
      .min(1);
  s.key("lattice.type", [](C& c) -> auto& { return c.init.lattice.type; },
        "Atom type of every lattice atom")
      .min(1);
  s.key("velocity.create", [](C& c) -> auto& { return c.velocity.create; },
        "Create Maxwell-Boltzmann velocities (zero momentum, exactly at velocity.temperature)");
  s.key("velocity.temperature", [](C& c) -> auto& { return c.velocity.temperature; },
        "Initial temperature")
      .unit("epsilon/k_B")
      .min(0);
  s.key("velocity.seed", [](C& c) -> auto& { return c.velocity.seed; },
        "Random seed; the same seed gives the same velocities on any number of ranks")
      .min(1);
}

void declare_physics(deck::Schema<C>& s) {
  s.key("pair.style", [](C& c) -> auto& { return c.pair.style; },
        "Pair potential (each style's own keys are listed with it)")
      .choices(pair_style_names());
  s.key("pair.cutoff", [](C& c) -> auto& { return c.pair.cutoff; }, "Global cutoff radius")
      .unit("sigma")
      .above(0);
  s.key("pair.shift", [](C& c) -> auto& { return c.pair.shift; },
        "Shift pair energies to zero at the cutoff (LAMMPS pair_modify shift yes)");
  for (const std::string& name : pair_style_names())
    if (auto declare = pair_style(name).declare) declare(s.when("pair.style", name), name);
  s.key("neighbor.skin", [](C& c) -> auto& { return c.neighbor.skin; },
        "Extra distance beyond the cutoff kept in neighbor lists")
      .unit("sigma")
      .min(0);
  s.key("neighbor.every", [](C& c) -> auto& { return c.neighbor.every; },
        "Steps between neighbor-list rebuilds (or between checks with neighbor.check)")
      .min(1);
  s.key("neighbor.check", [](C& c) -> auto& { return c.neighbor.check; },
        "Rebuild only when some atom moved more than half the skin since the last build");
  s.key("neighbor.bins_per_cutoff", [](C& c) -> auto& { return c.neighbor.bins_per_cutoff; },
        "Neighbor bins per (cutoff + skin) along each axis; 2 searches less volume, 1 fewer bins")
      .min(1)
      .max(4);
  s.key("integrator.style", [](C& c) -> auto& { return c.integrator.style; },
        "Time integration: nve (velocity Verlet), nose-hoover or nvt (Nose-Hoover chain, NVT), "
        "langevin (NVT)")
      .choices(integrator_style_names());
  s.key("integrator.dt", [](C& c) -> auto& { return c.integrator.dt; }, "Time step")
      .unit("tau")
      .above(0);
  for (const std::string& name : integrator_style_names())
    if (auto declare = integrator_style(name).declare) declare(s.when("integrator.style", name), name);
}

void declare_run(deck::Schema<C>& s) {
  s.key("thermo.columns", [](C& c) -> auto& { return c.thermo.columns; },
        "Columns of thermo.dat and the screen, in order (LAMMPS thermo_style keywords and "
        "conventions: energies per atom, 3N-3 degrees of freedom); thermo.h5 keeps every "
        "quantity")
      .choices({"step", "time", "temp", "pe", "ke", "etotal", "press", "volume", "atoms"});
  s.key("decomposition.grid", [](C& c) -> auto& { return c.decomposition.grid; },
        "MPI ranks along x, y, z; zeros are chosen automatically")
      .min(0);
  s.key("output.trajectory_every", [](C& c) -> auto& { return c.trajectory.every; },
        "Steps between frames of the H5MD trajectory (trajectory.h5md); 0: no trajectory")
      .min(0);
  s.key("output.velocities", [](C& c) -> auto& { return c.trajectory.velocities; },
        "Store velocities in trajectory frames");
  s.key("output.forces", [](C& c) -> auto& { return c.trajectory.forces; },
        "Store forces in trajectory frames");
}

void declare_rules(deck::Schema<C>& s) {
  s.rule([](const C& c, deck::RuleContext& r) {
    const auto& m = c;
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
    const int ntypes = static_cast<int>(m.species.size());
    if (ntypes == 0) r.error("species", "at least one [[species]] is needed");
    if (ntypes > kMaxAtomTypes)
      r.error("species", fmt::format("{} [[species]] given; weft allows at most {} atom types "
                                     "(every pair table holds one value per pair of types)",
                                     ntypes, kMaxAtomTypes));
    if (m.init.source == "lattice" && m.init.lattice.type > ntypes)
      r.error("lattice.type", fmt::format("lattice.type = {} but only {} [[species]] defined",
                                          m.init.lattice.type, ntypes));
    if (m.thermo.columns.empty() || m.thermo.columns.front() != "step")
      r.error("thermo.columns", "the first thermo column must be \"step\"");
    for (std::size_t i = 0; i < m.thermo.columns.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (m.thermo.columns[i] == m.thermo.columns[j])
          r.error("thermo.columns",
                  "\"" + m.thermo.columns[i] + "\" is given twice in thermo.columns");
  });
}

// clang-format on

}  // namespace

const deck::Schema<Config>& schema() {
  static const deck::Schema<Config> s = [] {
    deck::Schema<Config> part;
    declare_system(part);
    declare_physics(part);
    declare_run(part);
    declare_rules(part);
    return part;
  }();
  return s;
}

}  // namespace weft::md
