// SPDX-License-Identifier: Apache-2.0
// bench_io: time to write one H5MD frame (positions, velocities, image flags;
// ids stored once) of N particles with weft's parallel TrajectoryWriter, on
// however many ranks it is launched with. Atoms are spread over ranks with
// scattered ids, as after a real run. Prints one JSON object per line.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "weft/io/trajectory.hpp"

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::int64_t n = 1000000;
  int frames = 5;
  std::string dir = ".";
  bool checksums = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--atoms") n = std::stoll(argv[i + 1]);
    else if (a == "--frames") frames = std::stoi(argv[i + 1]);
    else if (a == "--dir") dir = argv[i + 1];
    else if (a == "--checksums") checksums = std::string(argv[i + 1]) != "off";
  }
  // Every rank draws the same permutation of ids and keeps its share.
  std::vector<std::int64_t> ids(static_cast<std::size_t>(n));
  std::iota(ids.begin(), ids.end(), 1);
  std::shuffle(ids.begin(), ids.end(), std::mt19937_64(42));
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
    s.push_owned(ids[static_cast<std::size_t>(k)], 1, u(rng), u(rng), u(rng), u(rng) - 50, u(rng) - 50,
                 u(rng) - 50);
  const std::string path = dir + "/bench-io-" + std::to_string(size) + ".h5md";
  std::vector<double> times;
  {
    weft::io::TrajectoryWriter w(path, MPI_COMM_WORLD, "[run]\nsteps = 1\n", s,
                                 {.velocities = true, .forces = false, .deflate = 0, .fletcher32 = checksums,
                                  .frames = frames});
    weft::md::ThermoRow row;
    for (int f = 0; f < frames; ++f) {
      row.step = f;
      MPI_Barrier(MPI_COMM_WORLD);
      const auto t0 = std::chrono::steady_clock::now();
      w.write_frame(s, row);
      MPI_Barrier(MPI_COMM_WORLD);
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    w.finish();
  }
  if (rank == 0) {
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    const double bytes = static_cast<double>(n) * (3 * 8 + 3 * 8 + 3 * 4);
    std::string all;
    for (double t : times) all += (all.empty() ? "" : ", ") + std::to_string(t);
    std::printf("{\"ranks\": %d, \"atoms\": %lld, \"frame_s\": %.6f, \"MBps\": %.1f, \"frames_s\": [%s]}\n",
                size, static_cast<long long>(n), median, bytes / median / 1e6, all.c_str());
    std::remove(path.c_str());
  }
  MPI_Finalize();
  return 0;
}
