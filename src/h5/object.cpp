// SPDX-License-Identifier: Apache-2.0
#include "weft/h5/object.hpp"

#include <algorithm>
#include <cstring>

namespace weft::h5 {

bool Object::has_attribute(const std::string& name) const {
  return check(H5Aexists(id(), name.c_str()), "H5Aexists(" + name + ")", where()) > 0;
}

std::size_t Object::attribute_size(const std::string& name) const {
  const std::string what = "reading attribute " + name;
  Handle attr(check(H5Aopen(id(), name.c_str(), H5P_DEFAULT), what, where()), H5Aclose);
  Handle space(check(H5Aget_space(attr.id()), what, where()), H5Sclose);
  return static_cast<std::size_t>(
      check(static_cast<hid_t>(H5Sget_simple_extent_npoints(space.id())), what, where()));
}

void Object::write_attribute(const std::string& name, hid_t type, std::vector<hsize_t> dims,
                             const void* data) {
  const std::string what = "writing attribute " + name;
  Handle space(
      check(dims.empty() ? H5Screate(H5S_SCALAR)
                         : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
            what, where()),
      H5Sclose);
  if (has_attribute(name)) check(H5Adelete(id(), name.c_str()), what, where());
  Handle attr(check(H5Acreate2(id(), name.c_str(), type, space.id(), H5P_DEFAULT, H5P_DEFAULT),
                    what, where()),
              H5Aclose);
  check(H5Awrite(attr.id(), type, data), what, where());
}

void Object::read_attribute(const std::string& name, hid_t type, std::size_t n, void* data) const {
  const std::string what = "reading attribute " + name;
  Handle attr(check(H5Aopen(id(), name.c_str(), H5P_DEFAULT), what, where()), H5Aclose);
  Handle space(check(H5Aget_space(attr.id()), what, where()), H5Sclose);
  const auto points =
      check(static_cast<hid_t>(H5Sget_simple_extent_npoints(space.id())), what, where());
  if (static_cast<std::size_t>(points) != n)
    throw Error("HDF5: attribute " + name + " of " + where() + " has " + std::to_string(points) +
                " values, expected " + std::to_string(n));
  check(H5Aread(attr.id(), type, data), what, where());
}

namespace {
Handle string_type(std::size_t size) {
  Handle t(check(H5Tcopy(H5T_C_S1), "H5Tcopy", "string type"), H5Tclose);
  check(H5Tset_size(t.id(), std::max<std::size_t>(size, 1)), "H5Tset_size", "string type");
  check(H5Tset_strpad(t.id(), H5T_STR_NULLPAD), "H5Tset_strpad", "string type");
  return t;
}
}  // namespace

void Object::set_attribute(const std::string& name, const std::string& value) {
  Handle t = string_type(value.size());
  write_attribute(name, t.id(), {}, value.data());
}

void Object::set_attribute(const std::string& name, const std::vector<std::string>& values) {
  std::size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  std::vector<char> buf(width * values.size(), '\0');
  for (std::size_t i = 0; i < values.size(); ++i)
    std::memcpy(buf.data() + i * width, values[i].data(), values[i].size());
  Handle t = string_type(width);
  write_attribute(name, t.id(), {static_cast<hsize_t>(values.size())}, buf.data());
}

std::string Object::string_attribute(const std::string& name) const {
  const std::string what = "reading string attribute " + name;
  Handle attr(check(H5Aopen(id(), name.c_str(), H5P_DEFAULT), what, where()), H5Aclose);
  Handle ftype(check(H5Aget_type(attr.id()), what, where()), H5Tclose);
  if (H5Tget_class(ftype.id()) != H5T_STRING || H5Tis_variable_str(ftype.id()) > 0)
    throw Error("HDF5: attribute " + name + " of " + where() + " is not a fixed-length string");
  const std::size_t size = H5Tget_size(ftype.id());
  Handle mtype = string_type(size);
  std::string out(size, '\0');
  check(H5Aread(attr.id(), mtype.id(), out.data()), what, where());
  out.resize(std::strlen(out.c_str()));
  return out;
}

}  // namespace weft::h5
