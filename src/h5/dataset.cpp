// SPDX-License-Identifier: Apache-2.0
#include "weft/h5/dataset.hpp"

#include <cstring>
#include <numeric>

namespace weft::h5 {

std::vector<hsize_t> Dataset::dims() const {
  Handle space(check(H5Dget_space(id()), "H5Dget_space", where()), H5Sclose);
  const int rank =
      check(static_cast<herr_t>(H5Sget_simple_extent_ndims(space.id())), "ndims", where());
  std::vector<hsize_t> d(static_cast<std::size_t>(rank));
  check(static_cast<herr_t>(H5Sget_simple_extent_dims(space.id(), d.data(), nullptr)), "dims",
        where());
  return d;
}

std::vector<hsize_t> Dataset::chunk() const {
  Handle dcpl(check(H5Dget_create_plist(id()), "H5Dget_create_plist", where()), H5Pclose);
  if (H5Pget_layout(dcpl.id()) != H5D_CHUNKED) return {};
  const auto d = dims();
  std::vector<hsize_t> c(d.size());
  check(static_cast<herr_t>(H5Pget_chunk(dcpl.id(), static_cast<int>(c.size()), c.data())),
        "H5Pget_chunk", where());
  return c;
}

bool Dataset::filtered() const {
  Handle dcpl(check(H5Dget_create_plist(id()), "H5Dget_create_plist", where()), H5Pclose);
  return check(static_cast<herr_t>(H5Pget_nfilters(dcpl.id())), "H5Pget_nfilters", where()) > 0;
}

ElementType Dataset::element_type() const {
  Handle type(check(H5Dget_type(id()), "H5Dget_type", where()), H5Tclose);
  ElementType t;
  t.size = H5Tget_size(type.id());
  switch (H5Tget_class(type.id())) {
    case H5T_INTEGER:
      t.kind = ElementKind::integer;
      t.is_signed = H5Tget_sign(type.id()) != H5T_SGN_NONE;
      break;
    case H5T_FLOAT:
      t.kind = ElementKind::floating;
      break;
    case H5T_STRING:
      t.kind = H5Tis_variable_str(type.id()) > 0 ? ElementKind::variable_string
                                                 : ElementKind::fixed_string;
      break;
    default:
      break;
  }
  return t;
}

Strings Dataset::read_strings(hsize_t offset, hsize_t count) const {
  // The memory type is the file's (its character set and padding), so
  // HDF5 converts nothing.
  Handle type(check(H5Dget_type(id()), "H5Dget_type", where()), H5Tclose);
  if (H5Tget_class(type.id()) != H5T_STRING)
    throw Error("HDF5: " + where() + " is not a string dataset");
  Strings out;
  out.ends.reserve(count);
  auto self = const_cast<Dataset*>(this);
  if (H5Tis_variable_str(type.id()) > 0) {
    std::vector<char*> ptrs(count, nullptr);
    self->transfer(false, type.id(), {offset}, {count}, ptrs.data());
    for (char* p : ptrs) {
      if (p != nullptr) out.bytes += p;
      out.ends.push_back(out.bytes.size());
    }
    if (count > 0) {
      Handle space(check(H5Screate_simple(1, &count, nullptr), "dataspace", where()), H5Sclose);
#if H5_VERSION_GE(1, 12, 0)
      check(H5Treclaim(type.id(), space.id(), H5P_DEFAULT, ptrs.data()), "reclaim", where());
#else
      check(H5Dvlen_reclaim(type.id(), space.id(), H5P_DEFAULT, ptrs.data()), "reclaim", where());
#endif
    }
    return out;
  }
  const std::size_t width = H5Tget_size(type.id());
  const bool spaces = H5Tget_strpad(type.id()) == H5T_STR_SPACEPAD;
  std::string raw(width * count, '\0');
  self->transfer(false, type.id(), {offset}, {count}, raw.data());
  out.bytes.reserve(raw.size());
  for (std::size_t i = 0; i < count; ++i) {
    const char* p = raw.data() + i * width;
    std::size_t n = strnlen(p, width);
    while (spaces && n > 0 && p[n - 1] == ' ') --n;
    out.bytes.append(p, n);
    out.ends.push_back(out.bytes.size());
  }
  return out;
}

void Dataset::extend(const std::vector<hsize_t>& dims) {
  check(H5Dset_extent(id(), dims.data()), "extending the dataset", where());
}

void Dataset::transfer(bool write, hid_t type, const std::vector<hsize_t>& offset,
                       const std::vector<hsize_t>& count, void* data) {
  const char* what = write ? "writing" : "reading";
  Handle file_space(check(H5Dget_space(id()), what, where()), H5Sclose);
  // An empty dataset has nothing to move (and MPI-IO rejects the attempt);
  // every rank sees the same extent, so all return together.
  if (check(static_cast<hid_t>(H5Sget_simple_extent_npoints(file_space.id())), what, where()) == 0)
    return;
  const hsize_t n = std::accumulate(count.begin(), count.end(), hsize_t{1}, std::multiplies<>());
  // The memory block has the shape of the selection, so HDF5 sees matching
  // contiguous rows and copies whole chunks instead of mapping every element.
  Handle mem_space(
      check(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), what, where()),
      H5Sclose);
  if (n == 0) {
    check(H5Sselect_none(file_space.id()), what, where());
    check(H5Sselect_none(mem_space.id()), what, where());
  } else {
    check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, offset.data(), nullptr, count.data(),
                              nullptr),
          what, where());
  }
  Handle xfer(check(H5Pcreate(H5P_DATASET_XFER), what, where()), H5Pclose);
  if (ctx_->parallel()) {
    // Parallel HDF5 writes filtered chunks (gzip, checksums) collectively only.
    const bool independent = ctx_->transfer == Transfer::independent && !filtered();
    check(H5Pset_dxpl_mpio(xfer.id(), independent ? H5FD_MPIO_INDEPENDENT : H5FD_MPIO_COLLECTIVE),
          what, where());
  }
  if (write) {
    check(H5Dwrite(id(), type, mem_space.id(), file_space.id(), xfer.id(), data), what, where());
  } else {
    check(H5Dread(id(), type, mem_space.id(), file_space.id(), xfer.id(), data), what, where());
  }
}

}  // namespace weft::h5
