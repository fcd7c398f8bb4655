// SPDX-License-Identifier: Apache-2.0
#include "leak_check.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

namespace {
std::atomic<std::int64_t> g_live{0};

class LeakListener : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo&) override { before_ = g_live.load(); }
  void OnTestEnd(const ::testing::TestInfo& info) override {
    const std::string name = info.name();
    if (name.find("AllowsCaches") != std::string::npos) return;
    const std::int64_t leaked = g_live.load() - before_;
    // GoogleTest itself allocates a few objects for failure messages;
    // anything beyond a small slack is a leak of the code under test.
    if (leaked > 64) {
      ADD_FAILURE() << "test left " << leaked << " allocations alive (leak?)";
    }
  }

 private:
  std::int64_t before_ = 0;
};
}  // namespace

void* operator new(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (!p) throw std::bad_alloc();
  g_live.fetch_add(1, std::memory_order_relaxed);
  return p;
}
void operator delete(void* p) noexcept {
  if (!p) return;
  g_live.fetch_sub(1, std::memory_order_relaxed);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
// Every replaceable form that pairs with the ones above, so that no
// allocation made by a default form is freed by ours (ASan would rightly
// report the mismatch).
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p) g_live.fetch_add(1, std::memory_order_relaxed);
  return p;
}
void operator delete(void* p, const std::nothrow_t&) noexcept { operator delete(p); }
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { operator delete(p); }

namespace weft::test {
std::int64_t live_allocations() noexcept { return g_live.load(); }
void install_leak_listener() {
  ::testing::UnitTest::GetInstance()->listeners().Append(new LeakListener);
}
}  // namespace weft::test
