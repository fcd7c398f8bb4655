// SPDX-License-Identifier: Apache-2.0
// LAMMPS data files (atom_style atomic), read as a stream of bounded text
// lines: binary content, over-long lines and header counts the file cannot
// hold are input errors naming the file and line, never an allocation.
#include "data_file.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>

#include "weft/core/error.hpp"
#include "weft/md/config.hpp"

namespace weft::md {
namespace {

std::string where(const std::string& path, std::int64_t line) {
  return path + ":" + std::to_string(line);
}

std::vector<std::string> words(const std::string& raw) {
  std::string line = raw;
  const auto hash = line.find('#');
  if (hash != std::string::npos) line.resize(hash);
  std::istringstream in(line);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

bool to_real(const std::string& w, real& v) {
  const char* b = w.data();
  const char* e = b + w.size();
  if (b != e && *b == '+') ++b;
  auto r = std::from_chars(b, e, v);
  return r.ec == std::errc() && r.ptr == e;
}
bool to_int(const std::string& w, std::int64_t& v) {
  const char* b = w.data();
  const char* e = b + w.size();
  auto r = std::from_chars(b, e, v);
  return r.ec == std::errc() && r.ptr == e;
}

// Lines reads a text file line by line: a line longer than kMaxDataLine or a
// byte that is not text (a control character other than tab, CR, FF, VT)
// is an InputError naming the file, line and byte offset.
class Lines {
 public:
  Lines(std::istream& in, std::string path) : buf_(in.rdbuf()), path_(std::move(path)) {}

  // sniff() looks at the first kSniffBytes bytes before any line is parsed:
  // a byte that is not text there is the same InputError next() would give
  // when reaching it. Without it, a binary file whose first line happens to
  // be free of control bytes would be judged by its header instead ("no N
  // atoms line"), depending on the bytes.
  void sniff(std::istream& in) {
    constexpr std::size_t kSniffBytes = 8192;
    std::string head(kSniffBytes, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    in.clear();
    in.seekg(0);
    std::int64_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < head.size(); ++i, ++column) {
      const auto u = static_cast<unsigned char>(head[i]);
      if (u == '\n') {
        ++line;
        column = 0;
      } else if (!is_text(u)) {
        throw not_text(i, u, line, column);
      }
    }
  }

  // next() reads the next line into `line`; false at the end of the file.
  bool next(std::string& line) {
    line.clear();
    bool any = false;
    for (int c = buf_->sbumpc(); c != std::char_traits<char>::eof(); c = buf_->sbumpc()) {
      any = true;
      ++offset_;
      if (c == '\n') break;
      const auto u = static_cast<unsigned char>(c);
      if (!is_text(u)) throw not_text(offset_ - 1, u, number_ + 1, line.size() + 1);
      if (line.size() >= kMaxDataLine)
        throw InputError(fmt::format(
            "{}: the line is longer than {} characters: not a LAMMPS data file (a binary or "
            "damaged file?); check init.data_file",
            where(path_, number_ + 1), kMaxDataLine));
      line.push_back(static_cast<char>(c));
    }
    if (!any) return false;
    ++number_;
    return true;
  }
  // number() is the 1-based number of the line last read.
  std::int64_t number() const { return number_; }

 private:
  static bool is_text(unsigned char u) {
    return (u >= 0x20 || u == '\t' || u == '\r' || u == '\f' || u == '\v') && u != 0x7f;
  }
  InputError not_text(std::uint64_t offset, unsigned char u, std::int64_t line,
                      std::size_t column) const {
    return InputError(fmt::format(
        "{}: byte {} (0x{:02x}, line {}, column {}) is not text: init.data_file must be a "
        "LAMMPS data file (text, as written by write_data); this looks like a binary file",
        where(path_, line), offset, u, line, column));
  }

  std::streambuf* buf_;
  std::string path_;
  std::int64_t number_ = 0;
  std::uint64_t offset_ = 0;
};

const std::set<std::string>& zero_ok() {
  static const std::set<std::string> keys{"bonds",
                                          "angles",
                                          "dihedrals",
                                          "impropers",
                                          "bond types",
                                          "angle types",
                                          "dihedral types",
                                          "improper types",
                                          "extra bond per atom",
                                          "extra angle per atom",
                                          "extra dihedral per atom",
                                          "extra improper per atom",
                                          "extra special per atom",
                                          "ellipsoids",
                                          "lines",
                                          "triangles",
                                          "bodies"};
  return keys;
}

}  // namespace

DataFile read_data_file(const std::string& path, const std::array<bool, 3>& periodic,
                        bool header_only) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))
    throw InputError("LAMMPS data file \"" + path +
                     "\" (init.data_file) is not a regular file (a device, pipe or directory); "
                     "give the path of a data file written by LAMMPS write_data");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError("cannot open LAMMPS data file \"" + path +
                     "\" (init.data_file): check the path (relative paths are relative to the "
                     "working directory)");
  }
  DataFile df;
  df.path = path;
  df.file_bytes = static_cast<std::uint64_t>(fs::file_size(path, ec));
  df.box.lo = Vec3::Constant(-0.5);
  df.box.hi = Vec3::Constant(0.5);
  df.box.periodic = periodic;
  Lines lines(in, path);
  lines.sniff(in);
  std::string line;
  bool have_atoms = false, have_types = false;
  std::int64_t atoms_line = 0;
  auto fail = [&](std::int64_t ln, const std::string& what) -> InputError {
    return InputError(where(path, ln) + ": " + what);
  };
  lines.next(line);  // line 1: the title
  // Header: lines starting with a number; the first other line starts the body.
  bool more = false;
  while ((more = lines.next(line))) {
    const auto w = words(line);
    if (w.empty()) continue;
    real v0 = 0;
    if (!to_real(w[0], v0)) break;
    const std::int64_t ln = lines.number();
    std::string key;
    std::size_t nnum = 0;
    while (nnum < w.size() && to_real(w[nnum], v0)) ++nnum;
    for (std::size_t k = nnum; k < w.size(); ++k) key += (key.empty() ? "" : " ") + w[k];
    auto num = [&](std::size_t k) {
      real v = 0;
      to_real(w[k], v);
      return v;
    };
    auto integer = [&](std::size_t k) {
      std::int64_t v = 0;
      if (!to_int(w[k], v) || v < 0)
        throw fail(ln, "\"" + w[k] + "\" is not a non-negative integer count for \"" + key + "\"");
      return v;
    };
    if (key == "atoms" && nnum == 1) {
      df.natoms = integer(0);
      have_atoms = true;
      atoms_line = ln;
    } else if (key == "atom types" && nnum == 1) {
      const std::int64_t n = integer(0);
      if (n > kMaxAtomTypes)
        throw fail(ln, fmt::format("{} atom types: weft allows at most {} (every pair table "
                                   "holds one value per pair of types)",
                                   n, kMaxAtomTypes));
      df.ntypes = static_cast<int>(n);
      have_types = true;
    } else if ((key == "xlo xhi" || key == "ylo yhi" || key == "zlo zhi") && nnum == 2) {
      const int d = key[0] - 'x';
      df.box.lo[d] = num(0);
      df.box.hi[d] = num(1);
      if (!(df.box.hi[d] > df.box.lo[d]) || !std::isfinite(df.box.hi[d] - df.box.lo[d]))
        throw fail(ln, "box bounds \"" + key + "\" must be finite with lo < hi");
    } else if (key == "xy xz yz") {
      throw fail(ln,
                 "triclinic boxes are not supported (weft boxes are orthogonal); remove the \"xy "
                 "xz yz\" line");
    } else if (zero_ok().count(key) && nnum == 1) {
      if (integer(0) != 0)
        throw fail(ln, "\"" + key + "\" must be 0: weft reads atom_style atomic data files only");
    } else {
      throw fail(ln,
                 "unknown or malformed header line \"" + line +
                     "\"; expected e.g. \"32000 atoms\", \"1 atom types\", \"0.0 33.6 xlo xhi\"");
    }
  }
  if (!have_atoms) throw InputError(path + ": header has no \"N atoms\" line");
  if (!have_types || df.ntypes < 1)
    throw InputError(path + ": header has no \"N atom types\" line (at least 1)");
  // Every atom needs an Atoms line of at least kMinAtomLineBytes bytes.
  if (static_cast<std::uint64_t>(df.natoms) > df.file_bytes / kMinAtomLineBytes + 1)
    throw fail(atoms_line,
               fmt::format("the header declares {} atoms but the file has only {} bytes, too "
                           "few for {} Atoms lines (at least {} bytes each): fix the count, or "
                           "the file is truncated",
                           df.natoms, df.file_bytes, df.natoms, kMinAtomLineBytes));
  if (header_only) return df;
  df.mass.assign(static_cast<std::size_t>(df.ntypes) + 1, 0.0);
  std::vector<char> mass_set(static_cast<std::size_t>(df.ntypes) + 1, 0);
  bool have_masses = false;
  std::unordered_map<gid, std::size_t> by_id;
  // Body: sections. `line` holds the first line of the body (if any).
  for (; more; more = lines.next(line)) {
    const auto w = words(line);
    if (w.empty()) continue;
    std::string key;
    for (const auto& x : w) key += (key.empty() ? "" : " ") + x;
    const std::int64_t header_line = lines.number();
    const std::string header_text = line;
    // each_line() reads the n lines of a section (after the line that
    // follows its keyword, which is skipped: blank) and calls f(line, number).
    auto each_line = [&](std::int64_t n, auto&& f) {
      lines.next(line);
      for (std::int64_t c = 0; c < n; ++c) {
        if (!lines.next(line))
          throw fail(header_line, "section \"" + key + "\" ends early: expected " +
                                      std::to_string(n) + " lines, the file ends after " +
                                      std::to_string(c));
        f(line, lines.number());
      }
    };
    if (key == "Masses") {
      have_masses = true;
      each_line(df.ntypes, [&](const std::string& l, std::int64_t k) {
        const auto f = words(l);
        std::int64_t t = 0;
        real m = 0;
        if (f.size() != 2 || !to_int(f[0], t) || !to_real(f[1], m))
          throw fail(k, "Masses line must be \"type mass\", got \"" + l + "\"");
        if (t < 1 || t > df.ntypes)
          throw fail(k, "Masses entry for unknown atom type " + std::to_string(t) +
                            "; the header declares " + std::to_string(df.ntypes) + " atom type(s)");
        if (!(m > 0)) throw fail(k, "mass of type " + std::to_string(t) + " must be positive");
        df.mass[static_cast<std::size_t>(t)] = m;
        mass_set[static_cast<std::size_t>(t)] = 1;
      });
    } else if (key == "Atoms" || key.rfind("Atoms ", 0) == 0) {
      const auto hash = header_text.find('#');
      if (hash != std::string::npos) {
        const auto style = words(header_text.substr(hash + 1));
        if (!style.empty() && style[0] != "atomic")
          throw fail(header_line, "Atoms section is for atom_style \"" + style[0] +
                                      "\"; weft reads atom_style atomic only");
      }
      df.atoms.reserve(static_cast<std::size_t>(df.natoms));
      int nfields = -1;
      each_line(df.natoms, [&](const std::string& l, std::int64_t k) {
        const auto f = words(l);
        if (nfields < 0) nfields = static_cast<int>(f.size());
        if ((f.size() != 5 && f.size() != 8) || static_cast<int>(f.size()) != nfields)
          throw fail(k,
                     "Atoms line must be \"id type x y z\" optionally followed by image flags \"ix "
                     "iy iz\" (the same on every line), got \"" +
                         l + "\"");
        DataFile::Atom a;
        std::int64_t id = 0, t = 0;
        if (!to_int(f[0], id) || id < 1)
          throw fail(k, "atom id \"" + f[0] + "\" must be a positive integer");
        if (!to_int(f[1], t)) throw fail(k, "atom type \"" + f[1] + "\" must be an integer");
        a.id = id;
        a.type = static_cast<int>(t);
        a.line = static_cast<int>(k);
        for (int d = 0; d < 3; ++d)
          if (!to_real(f[static_cast<std::size_t>(2 + d)], a.x[d]) || !std::isfinite(a.x[d]))
            throw fail(k,
                       "coordinate \"" + f[static_cast<std::size_t>(2 + d)] + "\" is not a number");
        if (f.size() == 8)
          for (std::size_t d = 0; d < 3; ++d) {
            std::int64_t im = 0;
            if (!to_int(f[5 + d], im))
              throw fail(k, "image flag \"" + f[5 + d] + "\" must be an integer");
            a.image[d] = static_cast<std::int32_t>(im);
          }
        if (t < 1 || t > df.ntypes)
          throw fail(k, "atom " + std::to_string(id) + " has unknown atom type " +
                            std::to_string(t) + "; the header declares " +
                            std::to_string(df.ntypes) +
                            " atom type(s): fix the type or raise \"atom types\"");
        for (int d = 0; d < 3; ++d) {
          if (a.x[d] < df.box.lo[d] || a.x[d] >= df.box.hi[d]) {
            std::ostringstream m;
            m.precision(10);
            m << "atom " << id << " is outside the box: "
              << "xyz"[d] << " = " << a.x[d] << " is not in [" << df.box.lo[d] << ", "
              << df.box.hi[d] << "); move it inside or enlarge the box bounds";
            throw fail(k, m.str());
          }
        }
        if (!by_id.emplace(a.id, df.atoms.size()).second)
          throw fail(k, "atom id " + std::to_string(id) + " appears twice in the Atoms section");
        df.atoms.push_back(a);
      });
    } else if (key == "Velocities") {
      if (df.atoms.empty() && df.natoms > 0)
        throw fail(header_line, "the Velocities section must come after the Atoms section");
      each_line(df.natoms, [&](const std::string& l, std::int64_t k) {
        const auto f = words(l);
        std::int64_t id = 0;
        Vec3 v;
        if (f.size() != 4 || !to_int(f[0], id) || !to_real(f[1], v[0]) || !to_real(f[2], v[1]) ||
            !to_real(f[3], v[2]))
          throw fail(k, "Velocities line must be \"id vx vy vz\", got \"" + l + "\"");
        auto it = by_id.find(id);
        if (it == by_id.end())
          throw fail(k, "velocity given for atom id " + std::to_string(id) +
                            " which is not in the Atoms section");
        df.atoms[it->second].v = v;
      });
      df.has_velocities = true;
    } else if (key == "Pair Coeffs" || key == "PairIJ Coeffs") {
      const std::int64_t n = key == "Pair Coeffs" ? df.ntypes : df.ntypes * (df.ntypes + 1) / 2;
      each_line(n, [](const std::string&, std::int64_t) {});  // from the deck instead
    } else {
      throw fail(header_line,
                 "unknown or unsupported section \"" + key +
                     "\"; weft reads Masses, Atoms (atomic), Velocities and ignores Pair Coeffs");
    }
  }
  if (!have_masses)
    throw InputError(path +
                     ": missing Masses section: add\n  Masses\n\n  1 1.0\n  ...\n"
                     "with one \"type mass\" line per atom type (the file declares " +
                     std::to_string(df.ntypes) + " atom type(s))");
  for (int t = 1; t <= df.ntypes; ++t)
    if (!mass_set[static_cast<std::size_t>(t)])
      throw InputError(path + ": the Masses section has no entry for atom type " +
                       std::to_string(t));
  if (static_cast<std::int64_t>(df.atoms.size()) != df.natoms)
    throw InputError(path + ": the header declares " + std::to_string(df.natoms) +
                     " atoms but there is no Atoms section");
  return df;
}

}  // namespace weft::md
