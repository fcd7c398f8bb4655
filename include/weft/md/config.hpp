// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "weft/core/style_params.hpp"
#include "weft/core/types.hpp"

// Plain configuration structs of the molecular-dynamics application. Their
// member defaults ARE the deck defaults: the deck schema (src/app/schema_md.cpp)
// reads them from a default-constructed Config, so the two cannot drift.
// All quantities are in LAMMPS `units lj` (reduced) units.
namespace weft::md {

// LatticeConfig places atoms on a lattice, with LAMMPS `lattice` semantics:
// the lattice constant is (basis atoms per cell / density)^(1/3) unless
// `constant` is given.
struct LatticeConfig {
  std::string style = "fcc";                      // sc | bcc | fcc
  real density = 0.8442;                          // reduced number density (atoms/sigma^3)
  real constant = 0.0;                            // lattice constant in sigma; 0: from density
  std::array<std::int64_t, 3> cells{20, 20, 20};  // unit cells along x, y, z
  int type = 1;                                   // atom type given to every lattice atom
};

// InitConfig says where the initial configuration comes from.
struct InitConfig {
  std::string source = "lattice";  // lattice | data
  LatticeConfig lattice;
  std::string data_file;    // LAMMPS data file (atomic style) when source = data
  real min_distance = 0.5;  // two atoms closer than this (sigma) is an input error
};

// VelocityConfig creates Maxwell-Boltzmann velocities with zero total
// momentum, rescaled exactly to `temperature`.
struct VelocityConfig {
  bool create = true;  // false: keep velocities from the data file (or zero)
  real temperature = 1.44;
  std::uint64_t seed = 87287;
};

// kMaxAtomTypes is the most atom types a system may have ([[species]] of a
// deck, "atom types" of a data file): every pair table holds ntypes^2 values
// per coefficient, and real decks need a handful.
inline constexpr int kMaxAtomTypes = 256;

// SpeciesConfig describes one atom type; types are numbered from 1 in order.
struct SpeciesConfig {
  std::string name = "A";
  real mass = 1.0;
};

// PairConfig chooses the pair potential. What every style has is here; a
// style's own parameters (coefficients per pair of types, mixing, ...) are
// its own struct in `params`, under the style's name (e.g. LjCutParams in
// weft/md/pair_lj_cut.hpp), declared to the deck by the style itself.
struct PairConfig {
  std::string style = "lj/cut";
  real cutoff = 2.5;   // global cutoff in sigma
  bool shift = false;  // shift energy to zero at the cutoff
  StyleParams params;  // by style name
};

// NeighborConfig: the defaults are LAMMPS's (`neigh_modify delay 0 every 1
// check yes`): a list is rebuilt as soon as an atom may have moved half the
// skin. bench/in.lj's `every 20 check no` is faster and drifts (docs/md.md).
struct NeighborConfig {
  real skin = 0.3;          // sigma
  int every = 1;            // steps between rebuilds (or between checks with check = true)
  bool check = true;        // rebuild only when an atom moved more than skin/2
  int bins_per_cutoff = 2;  // neighbour bins per (cutoff + skin); 1 or 2 are sensible
};

struct BoxConfig {
  std::array<std::string, 3> boundary{"p", "p", "p"};  // p (periodic) | f (fixed)
};

// IntegratorConfig chooses the time integration; a thermostat's own
// parameters (NoseHooverParams, LangevinParams in weft/md/integrators.hpp)
// are in `params` under the style's name.
struct IntegratorConfig {
  std::string style = "nve";  // a name of the integrator registry
  real dt = 0.005;            // tau
  StyleParams params;         // by style name
};

// RunConfig and ThermoConfig::every are the run loop's (the deck's shared
// run.steps and thermo.every, copied here by the MD application) for
// programs that drive a Simulation themselves (md::run(), tests).
struct RunConfig {
  std::int64_t steps = 100;
};

// TrajectoryConfig: the H5MD trajectory (trajectory.h5md) of a run.
struct TrajectoryConfig {
  std::int64_t every = 0;  // steps between frames; 0: no trajectory
  bool velocities = true;  // store velocities in frames
  bool forces = false;     // store forces in frames
};

struct ThermoConfig {
  int every = 100;  // 0: only first and last step
  // columns of thermo.dat and the screen, LAMMPS thermo_style keywords
  std::vector<std::string> columns{"step", "time", "temp", "pe", "ke", "etotal", "press"};
};

// DecompositionConfig sets the MPI process grid; zeros are chosen
// automatically (as MPI_Dims_create, minimising surface).
struct DecompositionConfig {
  std::array<int, 3> grid{0, 0, 0};
};

struct Config {
  std::vector<SpeciesConfig> species{SpeciesConfig{}};
  BoxConfig box;
  InitConfig init;
  VelocityConfig velocity;
  PairConfig pair;
  NeighborConfig neighbor;
  IntegratorConfig integrator;
  RunConfig run;
  ThermoConfig thermo;
  DecompositionConfig decomposition;
  TrajectoryConfig trajectory;
};

}  // namespace weft::md
