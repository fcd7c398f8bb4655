// SPDX-License-Identifier: Apache-2.0
// The memory a node has left: MemAvailable and cgroup limits (v1 and v2),
// read from a directory that mimics /proc and /sys/fs/cgroup.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "weft/core/environment.hpp"
#include "weft/core/error.hpp"
#include "weft/core/memory.hpp"

namespace {
namespace fs = std::filesystem;

class FakeRoot {
 public:
  FakeRoot() : dir_(fs::temp_directory_path() / ("weft-mem-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
  }
  ~FakeRoot() { fs::remove_all(dir_); }
  void write(const std::string& rel, const std::string& text) const {
    const fs::path p = dir_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  std::string root() const { return dir_.string(); }

 private:
  fs::path dir_;
};

constexpr const char* kMeminfo =
    "MemTotal: 32000000 kB\nMemFree: 1000 kB\nMemAvailable: 20000000 kB\n";

TEST(Memory, MemAvailableWithoutCgroupLimit) {
  FakeRoot r;
  r.write("proc/meminfo", kMeminfo);
  r.write("proc/self/cgroup", "0::/job\n");
  r.write("sys/fs/cgroup/job/memory.max", "max\n");
  const weft::MemoryAvailable m = weft::memory_available(r.root());
  EXPECT_EQ(m.bytes, 20000000ull * 1024);
  EXPECT_EQ(m.source, "MemAvailable 20.5 GB");
}

TEST(Memory, CgroupV2LimitBelowMemAvailable) {
  FakeRoot r;
  r.write("proc/meminfo", kMeminfo);
  r.write("proc/self/cgroup", "0::/slurm/job\n");
  r.write("sys/fs/cgroup/slurm/memory.max", "16000000000\n");
  r.write("sys/fs/cgroup/slurm/job/memory.max", "8000000000\n");
  r.write("sys/fs/cgroup/slurm/job/memory.current", "3000000000\n");
  r.write("sys/fs/cgroup/slurm/job/memory.stat", "anon 1\ninactive_file 1000000000\n");
  const weft::MemoryAvailable m = weft::memory_available(r.root());
  EXPECT_EQ(m.bytes, 6000000000ull);  // 8 GB - (3 GB - 1 GB of cache)
  EXPECT_EQ(m.source, "6 GB free under the cgroup limit of 8 GB (memory.max)");
}

TEST(Memory, CgroupV1Limit) {
  FakeRoot r;
  r.write("proc/meminfo", kMeminfo);
  r.write("proc/self/cgroup", "5:cpu:/\n4:memory:/job\n0::/\n");
  r.write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
  r.write("sys/fs/cgroup/memory/job/memory.limit_in_bytes", "2000000000\n");
  r.write("sys/fs/cgroup/memory/job/memory.usage_in_bytes", "500000000\n");
  const weft::MemoryAvailable m = weft::memory_available(r.root());
  EXPECT_EQ(m.bytes, 1500000000ull);
  EXPECT_NE(m.source.find("memory.limit_in_bytes"), std::string::npos) << m.source;
}

TEST(Memory, NothingReadableMeansUnknown) {
  FakeRoot r;
  EXPECT_EQ(weft::memory_available(r.root()).bytes, 0u);
  EXPECT_GT(weft::memory_available().bytes, 0u);  // this machine
  EXPECT_GT(weft::resident_bytes(), 0u);
}

TEST(Memory, FormatBytes) {
  EXPECT_EQ(weft::format_bytes(512), "512 bytes");
  EXPECT_EQ(weft::format_bytes(1.5e9), "1.5 GB");
  EXPECT_EQ(weft::format_bytes(3.2e8), "320 MB");
  EXPECT_EQ(weft::format_bytes(2.5e18), "2.5 EB");
}

TEST(Threads, CapIsFourPerCoreAndNamesTheSource) {
  EXPECT_EQ(weft::thread_cap(2), 8);
  EXPECT_NO_THROW(weft::check_thread_cap({8, "WEFT_NUM_THREADS"}, 2));
  try {
    weft::check_thread_cap({100000, "WEFT_NUM_THREADS"}, 2);
    ADD_FAILURE() << "no InputError";
  } catch (const weft::InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("WEFT_NUM_THREADS=100000"), std::string::npos) << m;
    EXPECT_NE(m.find("at most 8"), std::string::npos) << m;
  }
  try {
    weft::check_thread_cap({9, "deck runtime.threads"}, 2);
    ADD_FAILURE() << "no InputError";
  } catch (const weft::InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("runtime.threads = 9"), std::string::npos) << m;
    EXPECT_NE(m.find("lower runtime.threads to at most 8"), std::string::npos) << m;
  }
}

}  // namespace
