// SPDX-License-Identifier: Apache-2.0
// The deck part of the gravity application: every key of
// weft::gravity::Config. Lengths, masses and times are N-body units
// (whatever units G is given in; G = 1 by default).
#include "weft/gravity/deck.hpp"
#include "weft/gravity/force_solver.hpp"

namespace weft::gravity {
namespace {

using C = Config;

// clang-format 14 mangles the accessor lambdas of deck keys ([](C & c) -> auto&).
// clang-format off
void declare_gravity(deck::Schema<C>& s) {
  s.key("gravity.G", [](C& c) -> auto& { return c.gravity.G; }, "Gravitational constant")
      .above(0);
  s.key("gravity.softening", [](C& c) -> auto& { return c.gravity.softening; },
        "Softening kernel: spline (Gadget's cubic spline, h = 2.8 epsilon, Newtonian beyond h) "
        "or plummer (1/sqrt(r^2 + epsilon^2))")
      .choices({"spline", "plummer"});
  s.key("gravity.epsilon", [](C& c) -> auto& { return c.gravity.epsilon; },
        "Plummer-equivalent softening length (both kernels give phi(0) = -G m / epsilon)")
      .unit("length")
      .above(0);
  s.key("gravity.method", [](C& c) -> auto& { return c.gravity.method; },
        "Force computation: direct (exact summation, O(N^2))")
      .choices(force_solver_names());
  s.key("gravity.opening", [](C& c) -> auto& { return c.gravity.opening; },
        "Tree opening criterion: barnes_hut (angle theta) or relative (force error tolerance); "
        "read by the tree method only")
      .choices({"barnes_hut", "relative"});
  s.key("gravity.theta", [](C& c) -> auto& { return c.gravity.theta; },
        "Barnes-Hut opening angle; read by the tree method only")
      .above(0)
      .max(1.5);
  s.key("gravity.tolerance", [](C& c) -> auto& { return c.gravity.tolerance; },
        "Relative opening criterion: tolerated force error; read by the tree method only")
      .above(0);
  s.key("gravity.quadrupole", [](C& c) -> auto& { return c.gravity.quadrupole; },
        "Quadrupole moments in tree nodes; read by the tree method only");
  s.key("gravity.leaf_size", [](C& c) -> auto& { return c.gravity.leaf_size; },
        "Tree method: most particles in a leaf node (opened leaves interact particle by "
        "particle)")
      .min(1)
      .max(1024);
  s.key("gravity.precision", [](C& c) -> auto& { return c.gravity.precision; },
        "Tree method: arithmetic of the interaction lists. single (float relative to each "
        "group of targets, sums of the lanes in double; ~1e-6 relative from double, far below "
        "the opening criterion's error, about twice as fast) or double")
      .choices({"single", "double"});
  s.key("gravity.rebalance", [](C& c) -> auto& { return c.gravity.rebalance; },
        "Tree method on several ranks: split the particles along the space-filling curve again "
        "when the largest rank's work (interactions) exceeds the mean by this fraction")
      .above(0);
  s.key("gravity.domain", [](C& c) -> auto& { return c.gravity.domain; },
        "Tree method on several ranks: let (each rank builds a tree of its own particles and "
        "sends every other rank, ahead of the walks, the nodes that rank will open: its locally "
        "essential tree; anything else is fetched on demand), cache (each rank's own tree; "
        "walks fetch other ranks' nodes on demand into a cache shared by the rank's fibers) or "
        "replicated (every rank gathers all particles and builds the whole tree; the fastest on "
        "one node at the sizes measured, docs/gravity.md)")
      .choices({"let", "cache", "replicated"});
}

void declare_timestep(deck::Schema<C>& s) {
  s.key("timestep.mode", [](C& c) -> auto& { return c.timestep.mode; },
        "Time step: fixed (one global step, timestep.dt), accuracy (one global step from "
        "Gadget's criterion: the smallest sqrt(2 eta epsilon / |a|) over all particles, at most "
        "timestep.dt_max) or block (individual power-of-two steps: each particle's criterion "
        "rounded down to timestep.dt_max / 2^k, k <= timestep.max_level; only the particles "
        "whose step ends get new forces; one weft step is one dt_max)")
      .choices({"fixed", "accuracy", "block"});
  auto fixed = s.when("timestep.mode", "fixed");
  fixed.key("timestep.dt", [](C& c) -> auto& { return c.timestep.dt; }, "Time step")
      .unit("time")
      .above(0);
  for (const char* mode : {"accuracy", "block"}) {
    auto w = s.when("timestep.mode", mode);
    w.key("timestep.eta", [](C& c) -> auto& { return c.timestep.eta; },
          "Accuracy parameter eta (Gadget's ErrTolIntAccuracy)")
        .above(0);
    w.key("timestep.dt_max", [](C& c) -> auto& { return c.timestep.dt_max; },
          std::string(mode) == "block"
              ? "Largest time step; one weft step (run.steps, thermo.every, ...) is one dt_max, "
                "at whose end every particle is synchronised"
              : "Largest time step")
        .unit("time")
        .above(0);
  }
  s.when("timestep.mode", "block")
      .key("timestep.max_level", [](C& c) -> auto& { return c.timestep.max_level; },
           "Deepest block level: no step is smaller than dt_max / 2^max_level (a particle whose "
           "criterion asks for less takes that step; the report counts them)")
      .min(0)
      .max(30);
}

void declare_initial(deck::Schema<C>& s) {
  s.key("initial.style", [](C& c) -> auto& { return c.initial.style; },
        "Initial conditions: plummer (Plummer sphere, Aarseth-Henon-Wielen velocities), "
        "cold-sphere (uniform, at rest), kepler (a two-body orbit), gadget (a Gadget-format "
        "HDF5 file)")
      .choices({"plummer", "cold-sphere", "kepler", "gadget"});
  for (const char* style : {"plummer", "cold-sphere"}) {
    auto w = s.when("initial.style", style);
    w.key("initial.count", [](C& c) -> auto& { return c.initial.count; }, "Number of particles")
        .min(1);
    w.key("initial.seed", [](C& c) -> auto& { return c.initial.seed; },
          "Random seed; the same seed gives the same particles on any number of ranks")
        .min(0);
    w.key("initial.mass", [](C& c) -> auto& { return c.initial.mass; }, "Total mass")
        .unit("mass")
        .above(0);
    w.key("initial.radius", [](C& c) -> auto& { return c.initial.radius; },
          std::string(style) == "plummer" ? "Plummer scale radius a" : "Radius of the sphere")
        .unit("length")
        .above(0);
  }
  s.when("initial.style", "plummer")
      .key("initial.cut", [](C& c) -> auto& { return c.initial.cut; },
           "No particle is placed beyond cut * radius")
      .above(0);
  auto k = s.when("initial.style", "kepler");
  k.key("initial.mass1", [](C& c) -> auto& { return c.initial.mass1; }, "Mass of body 1")
      .unit("mass")
      .above(0);
  k.key("initial.mass2", [](C& c) -> auto& { return c.initial.mass2; }, "Mass of body 2")
      .unit("mass")
      .above(0);
  k.key("initial.semi_major", [](C& c) -> auto& { return c.initial.semi_major; },
        "Semi-major axis of the relative orbit")
      .unit("length")
      .above(0);
  k.key("initial.eccentricity", [](C& c) -> auto& { return c.initial.eccentricity; },
        "Eccentricity of the orbit")
      .min(0)
      .max(1, true);
  k.key("initial.start", [](C& c) -> auto& { return c.initial.start; },
        "Where the bodies start: at pericentre or apocentre (centre of mass at rest at 0)")
      .choices({"pericentre", "apocentre"});
  s.when("initial.style", "gadget")
      .key("initial.file", [](C& c) -> auto& { return c.initial.file; },
           "Gadget-format HDF5 initial conditions (PartType1: Coordinates, Velocities, "
           "ParticleIDs, Masses or Header MassTable[1]), relative to the deck's directory")
      .required();
  s.key("output.snapshot_every", [](C& c) -> auto& { return c.snapshot.every; },
        "Steps between Gadget-layout HDF5 snapshots (snapshot_<step>.hdf5); 0: none")
      .min(0);
}

// clang-format on

}  // namespace

const deck::Schema<Config>& schema() {
  static const deck::Schema<Config> s = [] {
    deck::Schema<Config> part;
    declare_gravity(part);
    declare_timestep(part);
    declare_initial(part);
    return part;
  }();
  return s;
}

}  // namespace weft::gravity
