// SPDX-License-Identifier: Apache-2.0
// Threads per rank: deck, then WEFT_NUM_THREADS, SLURM_CPUS_PER_TASK,
// OMP_NUM_THREADS, then cores / ranks on the node.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "weft/core/environment.hpp"
#include "weft/core/error.hpp"

namespace {

weft::GetEnv env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(Threads, PrecedenceFollowsTheDocumentedOrder) {
  const auto all =
      env({{"WEFT_NUM_THREADS", "3"}, {"SLURM_CPUS_PER_TASK", "5"}, {"OMP_NUM_THREADS", "7"}});
  EXPECT_EQ(weft::choose_threads(2, 1, 8, all).threads, 2);
  EXPECT_EQ(weft::choose_threads(0, 1, 8, all).threads, 3);
  EXPECT_EQ(
      weft::choose_threads(0, 1, 8, env({{"SLURM_CPUS_PER_TASK", "5"}, {"OMP_NUM_THREADS", "7"}}))
          .threads,
      5);
  const auto omp = weft::choose_threads(0, 1, 8, env({{"OMP_NUM_THREADS", "7,2"}}));
  EXPECT_EQ(omp.threads, 7);
  EXPECT_EQ(omp.source, "OMP_NUM_THREADS");
}

TEST(Threads, FallsBackToCoresPerRankOnTheNode) {
  EXPECT_EQ(weft::choose_threads(0, 4, 16, env({})).threads, 4);
  EXPECT_EQ(weft::choose_threads(0, 3, 2, env({})).threads, 1);  // oversubscribed: at least one
  EXPECT_EQ(weft::choose_threads(0, 0, 2, env({})).threads, 2);
}

TEST(Threads, MalformedVariableIsAnInputErrorNamingIt) {
  try {
    weft::choose_threads(0, 1, 8, env({{"SLURM_CPUS_PER_TASK", "two"}}));
    FAIL() << "no error";
  } catch (const weft::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("SLURM_CPUS_PER_TASK='two'"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(weft::choose_threads(0, 1, 8, env({{"WEFT_NUM_THREADS", "0"}})), weft::InputError);
  EXPECT_THROW(weft::choose_threads(0, 1, 8, env({{"WEFT_NUM_THREADS", "4x"}})), weft::InputError);
}

TEST(Environment, AffinityAndVersionsDescribeThisProcess) {
  EXPECT_GE(weft::cores_available(), 1);
  EXPECT_FALSE(weft::affinity_text().empty());
  const auto v = weft::versions();
  EXPECT_EQ(v.boost.rfind("1.", 0), 0u) << v.boost;
  EXPECT_GE(v.simd_bits, 128);
}

}  // namespace
