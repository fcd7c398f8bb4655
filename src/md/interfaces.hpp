// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "ghost_gate.hpp"
#include "weft/deck/schema.hpp"
#include "weft/md/config.hpp"
#include "weft/md/system.hpp"

// Internal interfaces of the MD engine, one per concern (ExaMiniMD style):
// communication, neighbour search, force, integration. Implementations live
// in their own files and are chosen by name through the explicit registry in
// registry.cpp.
namespace weft::md {

// Grid is the 3D Cartesian decomposition of the box over ranks.
struct Grid {
  std::array<int, 3> dims{1, 1, 1};
  std::array<int, 3> coords{0, 0, 0};
  // splits[d][k] = lower bound of subdomain k along d (k = 0..dims[d]).
  std::array<std::vector<real>, 3> splits;
};

// stage_order() is the order in which the staged communication fills the
// three dimensions: dimensions without a neighbour rank (local periodic
// copies) first, then those that exchange messages, so ghosts that need no
// message are ready first. The same on every rank.
std::array<int, 3> stage_order(const Grid& grid);
// first_message_stage() is the first stage that exchanges messages (3 if
// none): the stages before it are local copies (or walls).
int first_message_stage(const Grid& grid);

// Context is what every algorithm may use.
struct Context {
  System& sys;
  const Config& cfg;
  MPI_Comm comm;  // Cartesian communicator of the run
  const Grid& grid;
  int threads = 1;
  // Where borders() put the ghosts of each swap: [ghost_first[k],
  // ghost_first[k] + ghost_count[k]).
  std::array<index, kSwaps> ghost_first{};
  std::array<index, kSwaps> ghost_count{};
};

// first_message_ghost() is the first ghost that came in a message: atoms
// [first_message_ghost(ctx), nall) are ghosts of message stages (borders()
// appends ghosts stage by stage), the atoms before it are owned atoms and
// local copies. nall if no stage has messages.
index first_message_ghost(const Context& ctx);

// ---------------------------------------------------------------- comm
class Comm {
 public:
  virtual ~Comm() = default;
  // exchange() wraps owned atoms into the periodic box and migrates every
  // owned atom to the rank whose subdomain contains it. Drops ghosts.
  virtual void exchange(Context& ctx) = 0;
  // borders() builds the ghost atoms (within `cutghost` of the subdomain)
  // and remembers what was sent for forward()/reverse().
  virtual void borders(Context& ctx, real cutghost) = 0;
  // forward() refreshes ghost positions from their owners. With a gate it
  // must run in a weft::go task (MPI through mpi_call/await) and reports
  // each swap to gate->arrived() as soon as its ghosts are in place.
  virtual void forward(Context& ctx, GhostGate* gate = nullptr) = 0;
  // reverse() adds forces accumulated on ghosts to their owners. It is
  // reverse_ghosts() followed by reverse_owned(), which let the messages go
  // while other forces are still being computed: reverse_ghosts() needs the
  // final forces of the atoms from first_message_ghost() on (not of owned
  // atoms or local copies), sends them and adds what arrives to those atoms
  // only; reverse_owned() then adds the rest, in the same order as one pass
  // would, so the sums are the same bits. In a weft::go task
  // reverse_ghosts() parks on its messages.
  virtual void reverse(Context& ctx) {
    reverse_ghosts(ctx);
    reverse_owned(ctx);
  }
  virtual void reverse_ghosts(Context& ctx) = 0;
  virtual void reverse_owned(Context& ctx) = 0;
};

// ---------------------------------------------------------------- neighbor
// NeighborBlock is the half neighbour list of owned atoms [ibegin, iend):
// the neighbours of atom i are neigh[first[i-ibegin] .. first[i-ibegin+1]).
// Each pair appears once over all ranks (Newton's third law); a pair with a
// ghost is kept on one side only, by a coordinate ordering rule.
struct NeighborBlock {
  index ibegin = 0, iend = 0;
  std::vector<int> first;
  std::vector<int> neigh;  // padded per atom to a multiple of 4 with index nall (a far dummy)
  int max_per_atom = 0;
  std::int64_t npairs = 0;  // real pairs (without padding)
  // ghost_swaps has bit k set when a neighbour is a ghost of swap k. An
  // interior block (0) can be computed before any ghost position of the
  // step has arrived; a border block needs only the swaps in its mask.
  unsigned ghost_swaps = 0;
};

struct NeighborList {
  std::vector<NeighborBlock> blocks;
  // schedule[w] lists the blocks worker w computes, in order: interior
  // blocks first, then border blocks by the stage their ghosts arrive in.
  // Fixed at build time, so results do not depend on message timing.
  std::vector<std::vector<int>> schedule;
  // ghost_free_from[w] is where in schedule[w] the blocks that add no force
  // to a ghost that came in a message begin (kept for the end while the
  // reverse communication is in flight); schedule[w].size() when none.
  std::vector<std::size_t> ghost_free_from;
  std::int64_t pairs() const {
    std::int64_t n = 0;
    for (const auto& b : blocks) n += b.npairs;
    return n;
  }
};

class Neighbor {
 public:
  virtual ~Neighbor() = default;
  // setup() is given the per-type-pair neighbour cutoffs (cut + skin),
  // row-major ntypes x ntypes, types 0-based here.
  virtual void setup(Context& ctx, const std::vector<real>& cutneigh, real cutghost) = 0;
  // sort_owned() reorders owned atoms by spatial bin (before borders()).
  virtual void sort_owned(Context& ctx) = 0;
  // build() builds the half list over owned + ghost atoms.
  virtual void build(Context& ctx) = 0;
  virtual const NeighborList& list() const = 0;
};

// ---------------------------------------------------------------- force
struct ForceTally {
  real energy = 0;  // sum over pairs computed on this rank
  Mat3 virial = Mat3::Zero();
};

class Force {
 public:
  virtual ~Force() = default;
  // init() resolves coefficients (mixing) for the system's types; collective
  // (tail corrections count atoms per type).
  virtual void init(Context& ctx) = 0;
  virtual real max_cutoff() const = 0;
  // cutoffs() returns the per-type-pair cutoffs, ntypes x ntypes, 0-based.
  virtual std::vector<real> cutoffs() const = 0;
  // compute() sets forces on owned + ghost atoms; with `eflag`, fills tally.
  // With a gate (fibers only), ghost positions may still be arriving: each
  // block first waits for the swaps it reads, and begin_overlap() must have
  // been called once the owned positions were final.
  // With a reverse gate (fibers only) each share calls
  // reverse->ghosts_done() once past its blocks that add forces to message
  // ghosts, and compute() sums the workers' forces of the atoms before
  // first_message_ghost() only: the caller sums the others with
  // reduce_ghosts() after reverse->wait().
  virtual void compute(Context& ctx, const NeighborList& list, bool eflag, ForceTally& tally,
                       GhostGate* gate = nullptr, ReverseGate* reverse = nullptr) = 0;
  // reduce_ghosts() sums the workers' forces of the message ghosts (and the
  // padding atom) into the system's force arrays, for a compute() with a
  // reverse gate.
  virtual void reduce_ghosts(Context& ctx) { (void)ctx; }
  // begin_overlap() prepares an overlapped compute() (buffers sized, owned
  // positions staged) before the ghost positions are refreshed.
  virtual void begin_overlap(Context& ctx) { (void)ctx; }
  // ghosts_moved() is told, from the communication task, that the ghosts
  // [first, first + n) have their new positions.
  virtual void ghosts_moved(Context& ctx, index first, index n) {
    (void)ctx;
    (void)first;
    (void)n;
  }
  // Tail corrections: energy and virial-trace contributions (already
  // divided by the volume once, as LAMMPS etail/V and ptail/V).
  virtual real etail(real volume) const {
    (void)volume;
    return 0;
  }
  virtual real ptail(real volume) const {
    (void)volume;
    return 0;
  }
};

// ---------------------------------------------------------------- integrator
class Integrator {
 public:
  virtual ~Integrator() = default;
  virtual void setup(Context& ctx) { (void)ctx; }
  virtual void initial(Context& ctx) = 0;  // before the force computation
  virtual void post_force(Context& ctx) { (void)ctx; }
  virtual void final(Context& ctx) = 0;  // after the force computation
  // state() is what a checkpoint must keep to continue exactly; restore()
  // takes it back instead of setup() when a run continues.
  virtual std::vector<real> state() const { return {}; }
  virtual void restore(Context& ctx, const std::vector<real>& state) {
    (void)state;
    setup(ctx);
  }
};

// ---------------------------------------------------------------- registry
// The registries (registry.cpp) are the only lists of names: the deck's
// choices of pair.style and integrator.style come from them.

// Declarer is what a style declares its deck keys through: keys that exist
// only while the style is chosen (paths of md::Config: "pair.coeff", ...).
using Declarer = deck::Schema<Config>::When;

// PairStyle is a pair potential of the registry.
struct PairStyle {
  // make() builds it from pc; its own parameters are pc.params under pc.style.
  std::unique_ptr<Force> (*make)(const PairConfig& pc);
  // check() validates pc for a system of `ntypes` atom types before anything
  // is created (weft::InputError saying what and how to fix) and returns the
  // largest cutoff of any pair of types. Not collective.
  real (*check)(const PairConfig& pc, int ntypes);
  // declare() adds its keys to the deck through `when` (pair.style = `name`).
  void (*declare)(const Declarer& when, const std::string& name);
};

// IntegratorStyle is a time integrator of the registry.
struct IntegratorStyle {
  // make() builds it; its parameters are ctx.cfg.integrator.params under
  // the style's name, read at setup.
  std::unique_ptr<Integrator> (*make)();
  // declare() adds its keys (integrator.style = `name`); may be null.
  void (*declare)(const Declarer& when, const std::string& name);
};

// pair_style() and integrator_style() find a style by name or throw
// weft::InputError listing the known names.
const PairStyle& pair_style(const std::string& name);
const IntegratorStyle& integrator_style(const std::string& name);
std::unique_ptr<Comm> make_comm(const std::string& name);
std::unique_ptr<Neighbor> make_neighbor(const std::string& name);

// The implementations (one file each) are declared in registry.cpp, their
// only user.

// ---------------------------------------------------------------- helpers
// global_temperature() is 2 KE / dof with dof = 3N - 3 (LAMMPS compute temp).
real kinetic_sum(const Context& ctx);  // global sum m v^2 (collective)
real dof(const Context& ctx);

}  // namespace weft::md
