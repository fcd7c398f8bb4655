// SPDX-License-Identifier: Apache-2.0
#include "weft/h5/error.hpp"

#include <fmt/format.h>

#include <mutex>
#include <vector>

namespace weft::h5 {
namespace {

herr_t collect(unsigned n, const H5E_error2_t* e, void* data) {
  auto* out = static_cast<std::vector<std::string>*>(data);
  if (n < 4 && e->desc) out->emplace_back(fmt::format("{} ({})", e->desc, e->func_name));
  return 0;
}

[[noreturn]] void fail(std::string_view what, std::string_view where) {
  std::vector<std::string> stack;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &stack);
  H5Eclear2(H5E_DEFAULT);
  std::string msg = fmt::format("HDF5: {} failed for {}", what, where);
  for (std::size_t i = 0; i < stack.size(); ++i)
    msg += fmt::format("{}{}", i ? "; " : ": ", stack[i]);
  throw Error(msg);
}

}  // namespace

void silence() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

hid_t check(hid_t value, std::string_view what, std::string_view where) {
  if (value < 0) fail(what, where);
  return value;
}

herr_t check(herr_t value, std::string_view what, std::string_view where) {
  if (value < 0) fail(what, where);
  return value;
}

}  // namespace weft::h5
