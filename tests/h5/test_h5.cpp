// SPDX-License-Identifier: Apache-2.0
// The HDF5 wrapper: parallel hyperslab writes at 1, 2, 4 ranks read back
// exactly; failures throw h5::Error naming the file and object, and HDF5
// prints nothing itself (ctest fails any test whose output has HDF5-DIAG).
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "weft/h5/file.hpp"

namespace {
namespace fs = std::filesystem;

int rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

// A file name shared by all ranks, unique per run.
std::string shared_name(const std::string& stem) {
  long long pid = rank() == 0 ? static_cast<long long>(::getpid()) : 0;
  MPI_Bcast(&pid, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  return (fs::temp_directory_path() / (stem + "-" + std::to_string(pid) + ".h5")).string();
}

TEST(H5, ParallelHyperslabsRoundTrip) {
  const std::string path = shared_name("weft-h5-slabs");
  const hsize_t per = 1000 + static_cast<hsize_t>(rank()) * 7;  // uneven blocks
  hsize_t offset = 0, mine = per, total = 0;
  MPI_Exscan(&mine, &offset, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  if (rank() == 0) offset = 0;
  MPI_Allreduce(&mine, &total, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  std::vector<double> xyz(per * 3);
  for (hsize_t i = 0; i < per * 3; ++i) xyz[i] = static_cast<double>((offset * 3 + i)) * 0.5;
  {
    weft::h5::File f(path, weft::h5::Mode::create, MPI_COMM_WORLD);
    {
      auto g = f.create_group("particles");
      auto d = g.create_dataset<double>(
          "value", {0, total, 3}, {.chunk = {1, total, 3}, .extendible = true, .fletcher32 = true});
      for (hsize_t frame = 0; frame < 3; ++frame) {
        d.extend({frame + 1, total, 3});
        d.write<double>({frame, offset, 0}, {1, per, 3}, xyz.data());
      }
      g.set_attribute("dimension", std::int32_t{3});
      g.set_attribute("boundary", std::vector<std::string>{"periodic", "none", "periodic"});
    }  // objects must be closed before their file (HDF5's MPI-IO driver)
    f.write_string("deck", "[run]\nsteps = 1\n");
    f.close();
  }
  weft::h5::File f(path, weft::h5::Mode::read, MPI_COMM_WORLD);
  {
    auto d = f.open_group("particles").open_dataset("value");
    EXPECT_EQ(d.dims(), (std::vector<hsize_t>{3, total, 3}));
    const auto all = d.read_all<double>();
    for (hsize_t frame = 0; frame < 3; ++frame)
      for (hsize_t i = 0; i < total * 3; ++i)
        ASSERT_EQ(all[frame * total * 3 + i], static_cast<double>(i) * 0.5) << frame << " " << i;
    EXPECT_EQ(f.open_group("particles").attribute<std::int32_t>("dimension"), 3);
    EXPECT_EQ(f.read_string("deck"), "[run]\nsteps = 1\n");
  }
  f.close();
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank() == 0) fs::remove(path);
}

TEST(H5, FailuresNameTheFileAndObject) {
  try {
    weft::h5::File f("/nonexistent-dir/x.h5", weft::h5::Mode::read, MPI_COMM_WORLD);
    FAIL() << "opened a missing file";
  } catch (const weft::h5::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("opening the file for reading failed for /nonexistent-dir/x.h5"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("unable to open file"), std::string::npos) << m;  // folded HDF5 stack
  }
  const std::string path = shared_name("weft-h5-missing");
  weft::h5::File f(path, weft::h5::Mode::create, MPI_COMM_WORLD);
  try {
    (void)f.open_group("particles");
    FAIL() << "opened a missing group";
  } catch (const weft::h5::Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":/particles"), std::string::npos) << e.what();
  }
  f.close();
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank() == 0) fs::remove(path);
}

TEST(H5, NotAnHdf5FileIsAClearError) {
  const std::string path = shared_name("weft-h5-garbage");
  if (rank() == 0) std::ofstream(path) << "this is not HDF5\n";
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_THROW(weft::h5::File(path, weft::h5::Mode::read, MPI_COMM_WORLD), weft::h5::Error);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank() == 0) fs::remove(path);
  EXPECT_GE(size(), 1);
}

}  // namespace
