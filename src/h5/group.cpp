// SPDX-License-Identifier: Apache-2.0
#include "weft/h5/group.hpp"

#include <algorithm>
#include <cstring>

namespace weft::h5 {

bool Group::exists(const std::string& name) const {
  return check(H5Lexists(id(), name.c_str(), H5P_DEFAULT), "H5Lexists(" + name + ")", where()) > 0;
}

std::vector<std::string> Group::members() const {
  H5G_info_t info;
  check(H5Gget_info(id(), &info), "H5Gget_info", where());
  std::vector<std::string> out;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t n =
        H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    check(static_cast<herr_t>(n < 0 ? -1 : 0), "H5Lget_name_by_idx", where());
    std::string name(static_cast<std::size_t>(n) + 1, '\0');
    H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                       H5P_DEFAULT);
    name.resize(static_cast<std::size_t>(n));
    out.push_back(std::move(name));
  }
  return out;
}

Group Group::create_group(const std::string& name) {
  const std::string p = child(name);
  Handle g(check(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 "creating group", ctx_->file + ":" + p),
           H5Gclose);
  return Group(std::move(g), ctx_, p);
}

Group Group::open_group(const std::string& name) const {
  const std::string p = child(name);
  Handle g(check(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), "opening group", ctx_->file + ":" + p),
           H5Gclose);
  return Group(std::move(g), ctx_, p);
}

Dataset Group::make_dataset(const std::string& name, hid_t type, const std::vector<hsize_t>& dims,
                            const DatasetOptions& o) {
  const std::string p = child(name);
  const std::string at = ctx_->file + ":" + p;
  std::vector<hsize_t> maxdims = dims;
  if (o.extendible) maxdims[0] = H5S_UNLIMITED;
  Handle space(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()),
                     "creating dataspace", at),
               H5Sclose);
  Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "creating dataset properties", at), H5Pclose);
  if (!o.chunk.empty()) {
    check(H5Pset_chunk(dcpl.id(), static_cast<int>(o.chunk.size()), o.chunk.data()),
          "setting chunks", at);
    if (o.fletcher32) check(H5Pset_fletcher32(dcpl.id()), "enabling Fletcher32", at);
    if (o.deflate > 0) {
      check(H5Pset_shuffle(dcpl.id()), "enabling shuffle", at);
      check(H5Pset_deflate(dcpl.id(), static_cast<unsigned>(o.deflate)), "enabling deflate", at);
    }
  }
  // Parallel HDF5 needs space allocated at creation for collective writes.
  if (ctx_->parallel() || o.preallocate)
    check(H5Pset_alloc_time(dcpl.id(), H5D_ALLOC_TIME_EARLY), "alloc time", at);
  if (o.preallocate) check(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_NEVER), "fill time", at);
  // No modification times: a dataset's header changes only with its extent
  // or attributes (and equal data make equal files).
  check(H5Pset_obj_track_times(dcpl.id(), false), "time tracking", at);
  Handle d(
      check(H5Dcreate2(id(), name.c_str(), type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
            "creating dataset", at),
      H5Dclose);
  return Dataset(std::move(d), ctx_, p);
}

Dataset Group::open_dataset(const std::string& name) const {
  const std::string p = child(name);
  Handle d(
      check(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), "opening dataset", ctx_->file + ":" + p),
      H5Dclose);
  return Dataset(std::move(d), ctx_, p);
}

void Group::write_string(const std::string& name, const std::string& text) {
  const std::string at = ctx_->file + ":" + child(name);
  Handle type(check(H5Tcopy(H5T_C_S1), "string type", at), H5Tclose);
  check(H5Tset_size(type.id(), text.empty() ? 1 : text.size()), "string type", at);
  Handle space(check(H5Screate(H5S_SCALAR), "string dataspace", at), H5Sclose);
  Handle d(check(H5Dcreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT,
                            H5P_DEFAULT),
                 "creating string dataset", at),
           H5Dclose);
  Handle xfer(check(H5Pcreate(H5P_DATASET_XFER), "transfer properties", at), H5Pclose);
  if (ctx_->parallel()) check(H5Pset_dxpl_mpio(xfer.id(), H5FD_MPIO_COLLECTIVE), "collective", at);
  const std::string buf = text.empty() ? std::string(1, '\0') : text;
  check(H5Dwrite(d.id(), type.id(), H5S_ALL, H5S_ALL, xfer.id(), buf.data()), "writing string", at);
}

void Group::write_strings(const std::string& name, const std::vector<std::string>& values) {
  const std::string at = ctx_->file + ":" + child(name);
  std::size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  std::vector<char> buf(width * values.size(), '\0');
  for (std::size_t i = 0; i < values.size(); ++i)
    std::memcpy(buf.data() + i * width, values[i].data(), values[i].size());
  Handle type(check(H5Tcopy(H5T_C_S1), "string type", at), H5Tclose);
  check(H5Tset_size(type.id(), width), "string type", at);
  check(H5Tset_strpad(type.id(), H5T_STR_NULLPAD), "string type", at);
  const hsize_t n = values.size();
  Handle space(check(H5Screate_simple(1, &n, nullptr), "string dataspace", at), H5Sclose);
  Handle d(check(H5Dcreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT,
                            H5P_DEFAULT),
                 "creating string dataset", at),
           H5Dclose);
  if (n > 0)
    check(H5Dwrite(d.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "writing strings",
          at);
}

std::string Group::read_string(const std::string& name) const {
  const std::string at = ctx_->file + ":" + child(name);
  Handle d(check(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), "opening string dataset", at),
           H5Dclose);
  Handle type(check(H5Dget_type(d.id()), "string type", at), H5Tclose);
  if (H5Tget_class(type.id()) != H5T_STRING || H5Tis_variable_str(type.id()) > 0)
    throw Error("HDF5: " + at + " is not a fixed-length string");
  std::string out(H5Tget_size(type.id()), '\0');
  check(H5Dread(d.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "reading string",
        at);
  out.resize(std::strlen(out.c_str()));
  return out;
}

void Group::link(const std::string& target, const std::string& name) {
  check(H5Lcreate_hard(id(), target.c_str(), id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
        "linking " + target, where() + "/" + name);
}

}  // namespace weft::h5
