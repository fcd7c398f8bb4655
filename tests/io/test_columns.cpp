// SPDX-License-Identifier: Apache-2.0
// io::ColumnWriter: every rank's rows (uneven shares, some ranks empty) land
// after those of the lower ranks, in columns of one or several values per
// row, with header attributes and rank 0's small datasets; the file appears
// under its name only once committed, and an uncommitted one leaves nothing.
#include <gtest/gtest.h>
#include <mpi.h>

#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "mpi_world.hpp"
#include "weft/io/columns.hpp"
#include "weft/mpi/collectives.hpp"

namespace {
namespace fs = std::filesystem;

std::string path_for(const std::string& name) {
  const std::string dir = weft::mpi::broadcast_string(
      (fs::temp_directory_path() / ("weft-columns-" + std::to_string(::getpid()))).string(),
      MPI_COMM_WORLD);
  if (world_rank() == 0) fs::create_directories(dir);
  weft::mpi::barrier(MPI_COMM_WORLD);
  return dir + "/" + name;
}

// Rank r holds 3 r + 1 rows except the last rank, which holds none; row k
// of all ranks has id k + 1 and position (k, 2 k, 3 k).
TEST(ColumnWriter, RowsOfEveryRankInRankOrder) {
  const int r = world_rank(), n = world_size();
  const std::int64_t mine = (r == n - 1 && n > 1) ? 0 : 3 * r + 1;
  std::int64_t first = 0;
  for (int q = 0; q < r; ++q) first += (q == n - 1 && n > 1) ? 0 : 3 * q + 1;
  std::vector<std::int64_t> ids(static_cast<std::size_t>(mine));
  std::iota(ids.begin(), ids.end(), first + 1);
  std::vector<double> xyz;
  for (auto id : ids)
    for (int d = 1; d <= 3; ++d) xyz.push_back(static_cast<double>((id - 1) * d));
  const std::string path = path_for("snap.h5");
  {
    weft::io::ColumnWriter w(path, MPI_COMM_WORLD, {"[run]\nsteps = 1\n", "test", "", ""},
                             "snapshot", {.fletcher32 = true});
    weft::h5::Group& header = w.group("Header");
    header.set_attribute("NumFilesPerSnapshot", std::int32_t{1});
    w.values(header, "rank0", {1.5, 2.5});
    auto t = w.table(w.group("PartType1"), mine);
    EXPECT_EQ(t.offset(), first);
    t.column("Coordinates", xyz, 3);
    t.column("ParticleIDs", ids);
    EXPECT_THROW(t.column("Short", std::vector<double>(ids.size() + 1)), weft::RunError);
    EXPECT_FALSE(fs::exists(path));
    w.commit();
  }
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".part"));
  weft::mpi::barrier(MPI_COMM_WORLD);  // every rank has looked before rank 0 removes it
  if (r == 0) {
    weft::h5::File f(path, weft::h5::Mode::read);
    const auto all_ids =
        f.open_group("PartType1").open_dataset("ParticleIDs").read_all<std::int64_t>();
    const auto all_xyz = f.open_group("PartType1").open_dataset("Coordinates").read_all<double>();
    ASSERT_EQ(all_xyz.size(), 3 * all_ids.size());
    for (std::size_t k = 0; k < all_ids.size(); ++k) {
      EXPECT_EQ(all_ids[k], static_cast<std::int64_t>(k) + 1);
      for (int d = 0; d < 3; ++d)
        EXPECT_EQ(all_xyz[3 * k + static_cast<std::size_t>(d)], static_cast<double>(k * (d + 1)));
    }
    EXPECT_EQ(f.open_group("Header").attribute<std::int32_t>("NumFilesPerSnapshot"), 1);
    EXPECT_EQ(f.open_group("Header").open_dataset("rank0").read_all<double>(),
              (std::vector<double>{1.5, 2.5}));
    EXPECT_EQ(f.open_group("parameters").string_attribute("application"), "test");
    f.close();
    fs::remove_all(fs::path(path).parent_path());
  }
  weft::mpi::barrier(MPI_COMM_WORLD);
}

TEST(ColumnWriter, UncommittedFileLeavesNothing) {
  const std::string path = path_for("gone.h5");
  {
    weft::io::ColumnWriter w(path, MPI_COMM_WORLD, {"", "test", "", ""}, "snapshot");
    auto t = w.table(w.group("PartType1"), 2);
    t.column("Masses", std::vector<double>{1.0, 2.0});
  }
  weft::mpi::barrier(MPI_COMM_WORLD);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".part"));
  if (world_rank() == 0) fs::remove_all(fs::path(path).parent_path());
  weft::mpi::barrier(MPI_COMM_WORLD);
}

}  // namespace
