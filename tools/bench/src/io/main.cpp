// SPDX-License-Identifier: Apache-2.0
// bench_io: time to write one H5MD frame (positions, velocities, image flags;
// ids stored once) of about N particles with weft's parallel
// TrajectoryWriter, on however many ranks it is launched with. Prints one
// JSON object on stdout.
//
//   bench_io [--atoms N] [--frames F] [--dir D] [--checksums on|off]
//            [--transfer independent|collective] [--layout run|random]
//            [--warm on|off]
//
// --layout run (default): the atoms are those of a real run: an fcc
// Lennard-Jones liquid (lj-melt's physics, 4 k^3 atoms, k = round((N/4)^1/3))
// set up by weft's MD engine on these ranks and advanced one neighbour
// interval, so each rank holds its subdomain in the engine's memory order.
// --layout random: every rank holds a random share of the ids in random
// order (the worst case for putting atoms in id order).
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "weft/io/trajectory.hpp"
#include "weft/md/particles.hpp"
#include "weft/md/simulation.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/session.hpp"

namespace {

struct Args {
  std::int64_t atoms = 1000000;
  int frames = 5;
  std::string dir = ".";
  bool checksums = false;
  weft::h5::Transfer transfer = weft::h5::Transfer::independent;
  bool random = false;
  bool warm = true;
};

// random_system() gives this rank a random share of ids 1..n in random order.
weft::md::System random_system(std::int64_t n, int rank, int size) {
  std::vector<std::int64_t> ids(static_cast<std::size_t>(n));
  std::iota(ids.begin(), ids.end(), 1);
  std::shuffle(ids.begin(), ids.end(), std::mt19937_64(42));  // the same on every rank
  const std::int64_t lo = n * rank / size, hi = n * (rank + 1) / size;
  weft::md::System s;
  s.box.lo = weft::md::Vec3::Zero();
  s.box.hi = weft::md::Vec3::Constant(100.0);
  s.natoms = n;
  s.mass = {0.0, 1.0};
  s.type_names = {"", "A"};
  std::mt19937_64 rng(7 + static_cast<unsigned>(rank));
  std::uniform_real_distribution<double> u(0.0, 100.0);
  for (std::int64_t k = lo; k < hi; ++k)
    s.push_owned(ids[static_cast<std::size_t>(k)], 1, u(rng), u(rng), u(rng), u(rng) - 50,
                 u(rng) - 50, u(rng) - 50);
  return s;
}

// run_config() is lj-melt (inputs/lj-melt.toml) with about n atoms.
weft::md::Config run_config(std::int64_t n) {
  weft::md::Config c;
  c.neighbor.every = 20;  // as inputs/lj-melt.toml
  c.neighbor.check = false;
  const auto k = static_cast<std::int64_t>(std::llround(std::cbrt(static_cast<double>(n) / 4.0)));
  c.init.lattice.cells = {k, k, k};
  c.velocity.temperature = 1.44;
  c.velocity.seed = 87287;
  return c;
}

// warm_page_cache() writes and deletes, unsynced, `bytes` in `dir`. In this
// KVM guest, memory the page cache did not itself free shortly before costs
// 5-10x more to write into (60 MB in ~200 ms instead of ~20 ms), whoever
// writes; tools/bench/io warms its raw writes the same way.
void warm_page_cache(const std::string& dir, int rank, double bytes) {
  const std::string scratch = dir + "/bench-io-warm-" + std::to_string(rank);
  std::vector<char> block(std::size_t{8} << 20, 1);
  std::FILE* fp = std::fopen(scratch.c_str(), "wb");
  for (double done = 0; fp && done < bytes; done += static_cast<double>(block.size()))
    std::fwrite(block.data(), 1, block.size(), fp);
  if (fp) std::fclose(fp);
  std::remove(scratch.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  weft::mpi::Session session(&argc, &argv);
  const int rank = session.rank(), size = session.size();
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--atoms")
      a.atoms = std::stoll(v);
    else if (k == "--frames")
      a.frames = std::stoi(v);
    else if (k == "--dir")
      a.dir = v;
    else if (k == "--checksums")
      a.checksums = v != "off";
    else if (k == "--transfer")
      a.transfer =
          v == "collective" ? weft::h5::Transfer::collective : weft::h5::Transfer::independent;
    else if (k == "--layout")
      a.random = v == "random";
    else if (k == "--warm")
      a.warm = v != "off";
  }
  std::unique_ptr<weft::md::Simulation> sim;
  weft::md::System random;
  if (a.random) {
    random = random_system(a.atoms, rank, size);
  } else {
    const weft::md::Config c = run_config(a.atoms);
    static weft::go::Executor serial;
    sim = std::make_unique<weft::md::Simulation>(c, serial, MPI_COMM_WORLD);
    sim->setup();
    sim->advance(c.neighbor.every);
  }
  const weft::md::System& s = a.random ? random : sim->system();
  const double frame_bytes = static_cast<double>(s.natoms) * (3 * 8 + 3 * 8 + 3 * 4);
  const std::string path = a.dir + "/bench-io-" + std::to_string(size) + ".h5md";
  std::vector<double> times;
  {
    const weft::io::ParticleView view = weft::md::particle_view(s);
    weft::io::TrajectoryWriter w(
        path, MPI_COMM_WORLD, {"[run]\nsteps = 1\n", "md", "lj", "tau"}, view,
        {.velocities = true,
         .forces = false,
         .deflate = 0,
         .fletcher32 = a.checksums,
         .frames = a.frames + 1,
         .transfer = a.transfer,
         .units = {"sigma", "sigma tau-1", "epsilon sigma-1"},
         .observables = {"temperature", "potential_energy", "kinetic_energy", "total_energy",
                         "pressure", "volume", "atoms"}});
    weft::io::FrameValues row{.step = 0, .time = 0, .observables = std::vector<double>(7, 0.0)};
    w.write_frame(view, row);  // untimed: allocates the writer's buffers
    if (a.warm) warm_page_cache(a.dir, rank, frame_bytes * (a.frames + 1) / size);
    for (int f = 1; f <= a.frames; ++f) {
      row.step = f;
      weft::mpi::barrier(MPI_COMM_WORLD);
      const auto t0 = std::chrono::steady_clock::now();
      w.write_frame(view, row);
      weft::mpi::barrier(MPI_COMM_WORLD);
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    w.finish();
  }
  if (rank == 0) {
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    std::string all;
    for (double t : times) all += (all.empty() ? "" : ", ") + std::to_string(t);
    std::printf(
        "{\"ranks\": %d, \"atoms\": %lld, \"bytes\": %.0f, \"frame_s\": %.6f, \"MBps\": %.1f, "
        "\"frames_s\": [%s]}\n",
        size, static_cast<long long>(s.natoms), frame_bytes, median, frame_bytes / median / 1e6,
        all.c_str());
    std::remove(path.c_str());
  }
  return 0;
}
