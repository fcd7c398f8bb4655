// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <string_view>

// The HDF5 wrapper is the only place in weft that calls HDF5's C API. Every
// call is checked; a failure throws h5::Error naming the operation, the file
// and object path, and HDF5's own error stack (which is never printed by
// HDF5 itself: there is no `HDF5-DIAG` output).
namespace weft::h5 {

// Error is an HDF5 failure; what() is the complete message.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// silence() turns off HDF5's automatic error printing for this process.
// Called by every File constructor; idempotent.
void silence();

// check() returns `value` when it is not negative, else throws Error with
// "`what` failed for `where`: <HDF5 error stack>".
hid_t check(hid_t value, std::string_view what, std::string_view where);
herr_t check(herr_t value, std::string_view what, std::string_view where);

}  // namespace weft::h5
