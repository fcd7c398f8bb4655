// SPDX-License-Identifier: Apache-2.0
#include "run_support.hpp"

#include <fmt/format.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "weft/mpi/collectives.hpp"
#include "weft/mpi/session.hpp"

namespace weft::app {
namespace fs = std::filesystem;

int ranks_on_node(MPI_Comm comm) { return mpi::Comm(comm).split_shared().size(); }

int node_cores(MPI_Comm comm) {
  const mpi::Comm node = mpi::Comm(comm).split_shared();
  cpu_set_t mine, all;
  CPU_ZERO(&mine);
  CPU_ZERO(&all);
  sched_getaffinity(0, sizeof(mine), &mine);
  mpi::allreduce(reinterpret_cast<const std::byte*>(&mine), reinterpret_cast<std::byte*>(&all),
                 static_cast<int>(sizeof(cpu_set_t)), MPI_BOR, node);
  const int n = CPU_COUNT(&all);
  return n > 0 ? n : 1;
}

std::string output_dir_problem(const std::string& dir, bool overwrite,
                               const std::vector<std::string>& inputs,
                               const std::vector<std::string>& app_outputs) {
  std::error_code ec;
  const fs::path p(dir);
  if (fs::exists(p, ec) && !fs::is_directory(p, ec))
    return fmt::format(
        "output.dir '{}' exists and is not a directory; choose another "
        "output.dir (--set output.dir=...)",
        dir);
  std::vector<std::string> names{"deck.toml", "thermo.dat", "thermo.h5", "trace.h5"};
  for (const auto& n : app_outputs) {
    names.push_back(n);
    names.push_back(n + ".part");
  }
  // An input inside the directory under a name weft writes would be lost.
  for (const auto& in : inputs) {
    if (in.empty() || !fs::exists(in, ec)) continue;
    const fs::path parent = fs::absolute(in, ec).parent_path();
    const std::string name = fs::path(in).filename().string();
    const bool ours = std::find(names.begin(), names.end(), name) != names.end();
    if (ours && fs::exists(p, ec) && fs::equivalent(parent, p, ec))
      return fmt::format(
          "output.dir '{}' would overwrite the input file '{}' (weft writes {} "
          "there); choose another output.dir (--set output.dir=...) or move the "
          "input",
          dir, in, name);
  }
  if (fs::is_directory(p, ec) && !overwrite) {
    for (const auto& f : names) {
      if (fs::exists(p / f, ec))
        return fmt::format(
            "output.dir '{}' holds the results of an earlier run ({}); keep "
            "them by choosing another output.dir (--set output.dir=...), or "
            "replace them with --set output.overwrite=true",
            dir, f);
    }
  }
  // Find the deepest existing ancestor and check we can create and write.
  fs::path probe_dir = p;
  while (!probe_dir.empty() && !fs::exists(probe_dir, ec)) probe_dir = probe_dir.parent_path();
  if (probe_dir.empty()) probe_dir = ".";
  if (!fs::is_directory(probe_dir, ec))
    return fmt::format("cannot create output.dir '{}': '{}' is not a directory", dir,
                       probe_dir.string());
  const fs::path probe = probe_dir / fmt::format(".weft-probe-{}", ::getpid());
  {
    std::FILE* f = std::fopen(probe.c_str(), "w");
    if (!f)
      return fmt::format(
          "cannot write in '{}' (for output.dir '{}'): {}; choose a writable "
          "output.dir (--set output.dir=...)",
          probe_dir.string(), dir, std::strerror(errno));
    const char block[4096] = {};
    const bool ok = std::fwrite(block, 1, sizeof block, f) == sizeof block && std::fflush(f) == 0 &&
                    ::fsync(::fileno(f)) == 0;
    const int err = errno;
    std::fclose(f);
    fs::remove(probe, ec);
    if (!ok)
      return fmt::format(
          "cannot write in '{}' (for output.dir '{}'): {}; free space or choose "
          "another output.dir",
          probe_dir.string(), dir, std::strerror(err));
  }
  return "";
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789-_./=:,+@%") == std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string launcher_command(int ranks, const std::string& program) {
  // The parent's command line, NUL-separated.
  std::ifstream f("/proc/" + std::to_string(::getppid()) + "/cmdline", std::ios::binary);
  std::vector<std::string> args;
  for (std::string a; std::getline(f, a, '\0');) args.push_back(a);
  if (!args.empty()) {
    const std::string base = fs::path(args[0]).filename().string();
    if (base == "mpirun" || base == "mpiexec" || base == "orterun") {
      std::string out;
      for (const auto& a : args) {
        if (a == program || fs::path(a).filename() == fs::path(program).filename()) return out;
        out += shell_quote(a) + " ";
      }
    }
  }
  if (std::getenv("SLURM_STEP_ID") && ranks > 1) return fmt::format("srun -n {} ", ranks);
  if (ranks > 1) return fmt::format("mpirun -np {} ", ranks);
  return "";
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  }
  fs::rename(tmp, path);
}

std::string banner(const CommonConfig& c, const std::string& layout, const ThreadChoice& threads,
                   MPI_Comm comm) {
  const int rank = mpi::Comm(comm).rank(), size = mpi::Comm(comm).size();
  constexpr int kLen = 128;
  char host[64] = {};
  ::gethostname(host, sizeof host - 1);
  std::string mine = fmt::format("{} cpus {}", host, affinity_text());
  mine.resize(kLen - 1, ' ');
  std::vector<char> all(static_cast<std::size_t>(size) * kLen);
  mpi::gather(mine.c_str(), kLen, all.data(), 0, comm);
  if (rank != 0) return "";
  const Versions v = versions();
  std::string out = fmt::format("weft {} ({}; {}; Boost {}; {} {}-bit)\n", v.weft, v.compiler,
                                mpi::library_version(), v.boost, v.simd, v.simd_bits);
  out += fmt::format(
      "{} {} rank{}{}, {} thread{} per rank (from {}), scheduler {}\n", c.application, size,
      size == 1 ? "" : "s", layout.empty() ? "" : fmt::format(" ({})", layout), threads.threads,
      threads.threads == 1 ? "" : "s", threads.source, go::to_string(c.runtime.scheduler));
  const int shown = std::min(size, 16);
  for (int r = 0; r < shown; ++r) {
    std::string where(&all[static_cast<std::size_t>(r) * kLen], kLen - 1);
    where.erase(where.find_last_not_of(' ') + 1);
    out += fmt::format("  rank {} on {}{}\n", r, where,
                       c.runtime.bind == "cores" ? ", workers pinned" : "");
  }
  if (shown < size) out += fmt::format("  ... and {} more ranks\n", size - shown);
  return out;
}

bool watched_terminal() {
  if (::isatty(STDOUT_FILENO) == 0) return false;
  // mpirun may give its ranks a pseudo-terminal while its own output goes to
  // a file or a pipe: then nobody watches a live line.
  char target[256];
  const std::string link = "/proc/" + std::to_string(::getppid()) + "/fd/1";
  const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
  if (n <= 0) return true;  // not ours to read: trust isatty
  const std::string t(target, static_cast<std::size_t>(n));
  return t.rfind("/dev/pts/", 0) == 0 || t.rfind("/dev/tty", 0) == 0 || t == "/dev/console";
}

Progress::Progress(bool enabled, double every_s, std::string time_unit)
    : enabled_(enabled),
      tty_(watched_terminal()),
      every_s_(every_s),
      time_unit_(std::move(time_unit)),
      start_(clock::now()),
      last_print_(start_) {}

void Progress::update(std::int64_t step, std::int64_t last, double time) {
  if (!enabled_) return;
  const auto now = clock::now();
  if (first_step_ < 0) {
    first_step_ = step - 1;
    start_ = now;
  }
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (step != last && since < (tty_ ? 0.25 : every_s_)) return;
  last_print_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double done = static_cast<double>(step - first_step_);
  const double rate = elapsed > 0 ? done / elapsed : 0;
  const double eta = rate > 0 ? static_cast<double>(last - step) / rate : 0;
  const std::string text = fmt::format("step {}/{}  t = {:.4g} {}  {:.1f} steps/s  ETA {:.0f} s",
                                       step, last, time, time_unit_, rate, eta);
  if (tty_) {
    std::fprintf(stdout, "\r%s\033[K", text.c_str());
    line_shown_ = true;
    if (step == last) clear();
  } else {
    std::fprintf(stdout, "progress: %s\n", text.c_str());
  }
  std::fflush(stdout);
}

void Progress::clear() {
  if (!line_shown_) return;
  std::fprintf(stdout, "\r\033[K");
  std::fflush(stdout);
  line_shown_ = false;
}

}  // namespace weft::app
