// SPDX-License-Identifier: Apache-2.0
#include "weft/core/memory.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace weft {
namespace {
namespace fs = std::filesystem;

// A cgroup limit at or above this is "no limit" (v1 writes 2^63 - page).
constexpr std::uint64_t kNoLimit = std::uint64_t{1} << 60;

// first_word() is the first whitespace-separated word of a small file, or "".
std::string first_word(const fs::path& p) {
  std::ifstream in(p);
  std::string w;
  in >> w;
  return w;
}

std::optional<std::uint64_t> number_in(const fs::path& p) {
  const std::string w = first_word(p);
  if (w.empty() || w.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  try {
    return std::stoull(w);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// stat_value() is `key`'s value in a memory.stat file (0 if absent).
std::uint64_t stat_value(const fs::path& p, const std::string& key) {
  std::ifstream in(p);
  std::string k;
  std::uint64_t v = 0;
  while (in >> k >> v)
    if (k == key) return v;
  return 0;
}

struct Limit {
  std::uint64_t free = 0, limit = 0;
  std::string file;
};

// cgroup_free() is the least free memory under any limit on the way from
// `top` down to top/rel: limit - (usage - inactive file cache).
std::optional<Limit> cgroup_free(const fs::path& top, const fs::path& rel, const char* limit_file,
                                 const char* usage_file, const char* inactive_key) {
  std::optional<Limit> best;
  std::error_code ec;
  fs::path dir = top;
  auto look = [&] {
    if (!fs::is_directory(dir, ec)) return;
    const auto limit = number_in(dir / limit_file);
    if (!limit || *limit >= kNoLimit) return;
    std::uint64_t used = number_in(dir / usage_file).value_or(0);
    const std::uint64_t cache = stat_value(dir / "memory.stat", inactive_key);
    used = used > cache ? used - cache : 0;
    const std::uint64_t free = *limit > used ? *limit - used : 0;
    if (!best || free < best->free) best = Limit{free, *limit, limit_file};
  };
  look();
  for (const auto& part : rel) {
    if (part.empty() || part == "." || part == "..") continue;
    dir /= part;
    look();
  }
  return best;
}

}  // namespace

MemoryAvailable memory_available(const std::string& root) {
  MemoryAvailable out;
  {
    std::ifstream in(root + "/proc/meminfo");
    std::string key, unit;
    std::uint64_t v = 0;
    while (in >> key >> v) {
      std::getline(in, unit);
      if (key == "MemAvailable:") {
        out.bytes = v * 1024;
        out.source = "MemAvailable " + format_bytes(static_cast<double>(out.bytes));
        break;
      }
    }
  }
  // The process's cgroups: "0::/path" (v2) or "4:memory:/path" (v1).
  std::ifstream in(root + "/proc/self/cgroup");
  const fs::path base = root + "/sys/fs/cgroup";
  std::optional<Limit> tightest;
  auto consider = [&](const std::optional<Limit>& l) {
    if (l && (!tightest || l->free < tightest->free)) tightest = l;
  };
  for (std::string line; std::getline(in, line);) {
    const auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1);
    const std::string path = line.substr(b + 1);
    const fs::path rel = fs::path(path).relative_path();
    if (controllers.empty()) {  // v2
      consider(cgroup_free(base, rel, "memory.max", "memory.current", "inactive_file"));
    } else if (("," + controllers + ",").find(",memory,") != std::string::npos) {
      const fs::path top = base / "memory";
      consider(cgroup_free(top, rel, "memory.limit_in_bytes", "memory.usage_in_bytes",
                           "total_inactive_file"));
    }
  }
  if (tightest && (out.bytes == 0 || tightest->free < out.bytes)) {
    out.bytes = tightest->free;
    out.source = fmt::format("{} free under the cgroup limit of {} ({})",
                             format_bytes(static_cast<double>(tightest->free)),
                             format_bytes(static_cast<double>(tightest->limit)), tightest->file);
  }
  return out;
}

std::uint64_t resident_bytes() {
  std::ifstream in("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  const long page = ::sysconf(_SC_PAGESIZE);
  return resident * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

std::string format_bytes(double bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  int u = 0;
  while (bytes >= 1000 && u < 8) {
    bytes /= 1000;
    ++u;
  }
  if (u == 0) return fmt::format("{:.0f} bytes", bytes);
  return fmt::format("{:.3g} {}", bytes, units[u]);
}

}  // namespace weft
