// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "weft/md/system.hpp"

// LAMMPS data files (atom_style atomic), read with bounds: a file that is
// not text, has absurd lines or declares more than it can hold is refused
// with its name and line before anything is allocated for it.
namespace weft::md {

// kMaxDataLine is the longest line (characters) a data file may have.
inline constexpr std::size_t kMaxDataLine = 4096;
// kMinAtomLineBytes is the shortest Atoms line with its newline ("1 1 0 0 0\n"):
// a header's atom count must fit in the file at this size per atom.
inline constexpr std::uint64_t kMinAtomLineBytes = 10;

// DataFile is a parsed LAMMPS data file (atom_style atomic).
struct DataFile {
  std::string path;
  std::int64_t natoms = 0;
  int ntypes = 0;
  std::uint64_t file_bytes = 0;  // size of the file
  Box box;
  std::vector<real> mass;  // by type, index 0 unused
  struct Atom {
    gid id = 0;
    int type = 0;
    Vec3 x = Vec3::Zero();
    std::array<std::int32_t, 3> image{0, 0, 0};
    Vec3 v = Vec3::Zero();
    int line = 0;
  };
  std::vector<Atom> atoms;
  bool has_velocities = false;
};

// read_data_file() parses and checks a data file; every problem is an
// InputError naming file:line. `periodic` is the deck's boundary. With
// `header_only` it stops after the header (counts, box; `atoms` and `mass`
// stay empty): what the memory estimate needs, read in a moment.
DataFile read_data_file(const std::string& path, const std::array<bool, 3>& periodic,
                        bool header_only = false);

}  // namespace weft::md
