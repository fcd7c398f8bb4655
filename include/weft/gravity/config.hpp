// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

// The gravity application's own deck sections (the shared ones, run,
// thermo, runtime, output, checkpoint, are app::CommonConfig). Their member
// defaults ARE the deck defaults; every value is in N-body units (G from
// the deck, 1 by default; no physical unit is implied).
namespace weft::gravity {

// GravityConfig is the force law and how forces are computed.
struct GravityConfig {
  double G = 1.0;                    // gravitational constant
  std::string softening = "spline";  // "spline" (Gadget cubic spline, h = 2.8 eps) | "plummer"
  double epsilon = 0.01;             // Plummer-equivalent softening length
  std::string method = "direct";     // a name of the force-solver registry (solvers.hpp)
  // The tree's parameters (declared now, read by the tree solver only).
  std::string opening = "barnes_hut";  // "barnes_hut" | "relative"
  double theta = 0.5;                  // Barnes-Hut opening angle, in (0, 1.5]
  double tolerance = 0.005;            // relative criterion: force error tolerance
  bool quadrupole = true;              // quadrupole moments in the tree
  int leaf_size = 32;                  // tree: most particles in a leaf
  std::string precision = "single";    // tree: interaction lists in "single" | "double"
  double rebalance = 0.1;  // tree: new split when max/mean work over ranks > 1 + rebalance
  // tree on several ranks: "let" (each rank's own tree; every rank sends
  // the others what they will open, ahead, into their remote-node caches) |
  // "cache" (each rank's own tree; remote nodes fetched on demand) |
  // "replicated" (every rank gathers every particle, builds the whole tree)
  std::string domain = "replicated";
};

// TimestepConfig is the time step: one global step, fixed or from Gadget's
// accuracy criterion dt = min over particles of sqrt(2 eta eps / |a|), at
// most dt_max; or individual power-of-two block steps, each particle's
// that criterion rounded down to dt_max / 2^k, k <= max_level.
struct TimestepConfig {
  std::string mode = "fixed";  // "fixed" | "accuracy" | "block"
  double dt = 0.01;            // the fixed step
  double eta = 0.025;          // accuracy parameter (Gadget's ErrTolIntAccuracy)
  double dt_max = 0.1;         // largest step (accuracy, block: one weft step is one dt_max)
  int max_level = 10;          // block: the smallest step is dt_max / 2^max_level
};

// InitialConfig is where the particles come from.
struct InitialConfig {
  std::string style = "plummer";     // "plummer" | "cold-sphere" | "kepler" | "gadget"
  std::int64_t count = 1000;         // particles (plummer, cold-sphere)
  std::int64_t seed = 1;             // random seed: the same particles on any number of ranks
  double mass = 1.0;                 // total mass (plummer, cold-sphere)
  double radius = 1.0;               // Plummer scale radius a, or the cold sphere's radius
  double cut = 100.0;                // plummer: no particle beyond cut * radius
  double mass1 = 0.5, mass2 = 0.5;   // kepler: the two masses
  double semi_major = 1.0;           // kepler: semi-major axis of the relative orbit
  double eccentricity = 0.5;         // kepler: eccentricity, in [0, 1)
  std::string start = "pericentre";  // kepler: "pericentre" | "apocentre"
  std::string file;                  // gadget: HDF5 initial conditions (relative to the deck)
};

// SnapshotConfig says when Gadget-layout snapshots are written.
struct SnapshotConfig {
  std::int64_t every = 0;  // steps between snapshots (snapshot_<step>.hdf5); 0: none
};

// Config is the whole gravity part of a deck.
struct Config {
  GravityConfig gravity;
  TimestepConfig timestep;
  InitialConfig initial;
  SnapshotConfig snapshot;
};

}  // namespace weft::gravity
