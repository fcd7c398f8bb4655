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

#include "mpi_world.hpp"
#include "weft/h5/file.hpp"
#include "weft/mpi/collectives.hpp"

namespace {
namespace fs = std::filesystem;

// A file name shared by all ranks, unique per run.
std::string shared_name(const std::string& stem) {
  const long long pid = weft::mpi::bcast(static_cast<long long>(::getpid()), 0, MPI_COMM_WORLD);
  return (fs::temp_directory_path() / (stem + "-" + std::to_string(pid) + ".h5")).string();
}

TEST(H5, ParallelHyperslabsRoundTrip) {
  const std::string path = shared_name("weft-h5-slabs");
  const hsize_t per = 1000 + static_cast<hsize_t>(world_rank()) * 7;  // uneven blocks
  const auto [offset, total] = weft::mpi::exclusive_scan_offsets(per, MPI_COMM_WORLD);
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
  weft::mpi::barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) fs::remove(path);
}

// A preallocated dataset with chunks spanning every frame gets all its file
// space with the first frame: later frames grow the extent and write data
// without moving the end of the file; chunk() and filtered() report the
// storage.
TEST(H5, PreallocatedChunksReserveEveryFrame) {
  const std::string path = shared_name("weft-h5-prealloc");
  const hsize_t frames = 6, n = 1000, mine = n / static_cast<hsize_t>(world_size()),
                offset = mine * static_cast<hsize_t>(world_rank()),
                count = world_rank() == world_size() - 1 ? n - offset : mine;
  std::vector<double> xyz(count * 3, 1.5);
  std::vector<std::uintmax_t> sizes;
  {
    weft::h5::File f(path, weft::h5::Mode::create, MPI_COMM_WORLD,
                     {.alignment = 4096, .align_threshold = 1});
    auto d = f.create_dataset<double>(
        "value", {0, n, 3}, {.chunk = {frames, n, 3}, .extendible = true, .preallocate = true});
    auto filtered = f.create_dataset<double>(
        "checked", {0, n, 3}, {.chunk = {1, n, 3}, .extendible = true, .fletcher32 = true});
    EXPECT_EQ(d.chunk(), (std::vector<hsize_t>{frames, n, 3}));
    EXPECT_FALSE(d.filtered());
    EXPECT_TRUE(filtered.filtered());
    for (hsize_t frame = 0; frame < frames; ++frame) {
      d.extend({frame + 1, n, 3});
      d.write<double>({frame, offset, 0}, {1, count, 3}, xyz.data());
      f.flush();
      weft::mpi::barrier(MPI_COMM_WORLD);
      sizes.push_back(fs::file_size(path));
    }
  }
  EXPECT_GE(sizes.front(), frames * n * 3 * sizeof(double));
  for (auto s : sizes) EXPECT_EQ(s, sizes.front()) << "a frame moved the end of the file";
  weft::mpi::barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) fs::remove(path);
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
  weft::mpi::barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) fs::remove(path);
}

TEST(H5, NotAnHdf5FileIsAClearError) {
  const std::string path = shared_name("weft-h5-garbage");
  if (world_rank() == 0) std::ofstream(path) << "this is not HDF5\n";
  weft::mpi::barrier(MPI_COMM_WORLD);
  EXPECT_THROW(weft::h5::File(path, weft::h5::Mode::read, MPI_COMM_WORLD), weft::h5::Error);
  weft::mpi::barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) fs::remove(path);
  EXPECT_GE(world_size(), 1);
}

// The reader of tables written by other programs: element types, string
// rows read in parallel (each rank its own range), members, is_hdf5.
TEST(H5, ReadsTablesOfOtherWriters) {
  const std::string path = shared_name("weft-h5-table");
  const std::vector<std::string> keys = {"A1", "", "B22", "C333", "D", "E55555"};
  if (world_rank() == 0) {
    weft::h5::File f(path, weft::h5::Mode::create);
    auto g = f.create_group("events");
    g.write_strings("key", keys);
    g.create_dataset<std::int64_t>("id", {keys.size()});
    g.create_dataset<double>("amount", {keys.size()});
    f.close();
  }
  weft::mpi::barrier(MPI_COMM_WORLD);
  EXPECT_TRUE(weft::h5::is_hdf5(path));
  EXPECT_FALSE(weft::h5::is_hdf5(path + ".none"));
  weft::h5::File f(path, weft::h5::Mode::read, MPI_COMM_WORLD,
                   {.transfer = weft::h5::Transfer::independent});
  {
    const auto g = f.open_group("events");
    EXPECT_EQ(g.members(), (std::vector<std::string>{"amount", "id", "key"}));
    EXPECT_EQ(g.open_dataset("id").element_type().kind, weft::h5::ElementKind::integer);
    EXPECT_EQ(g.open_dataset("id").element_type().size, 8u);
    EXPECT_EQ(g.open_dataset("amount").element_type().kind, weft::h5::ElementKind::floating);
    const auto key = g.open_dataset("key");
    EXPECT_EQ(key.element_type().kind, weft::h5::ElementKind::fixed_string);
    EXPECT_EQ(key.element_type().size, 6u);  // the longest
    const hsize_t n = keys.size(), r = static_cast<hsize_t>(world_rank());
    const hsize_t p = static_cast<hsize_t>(world_size());
    const hsize_t lo = n * r / p, hi = n * (r + 1) / p;
    const weft::h5::Strings s = key.read_strings(lo, hi - lo);
    ASSERT_EQ(s.size(), hi - lo);
    for (hsize_t i = lo; i < hi; ++i) EXPECT_EQ(s[i - lo], keys[i]) << i;
  }
  f.close();
  weft::mpi::barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) fs::remove(path);
}

}  // namespace
