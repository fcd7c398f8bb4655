// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "weft/h5/dataset.hpp"
#include "weft/h5/object.hpp"

namespace weft::h5 {

// Group holds groups and datasets. In a parallel file, creating objects and
// links is collective (same calls, same arguments, on every rank).
class Group : public Object {
 public:
  using Object::Object;

  bool exists(const std::string& name) const;
  // members() is the names of the group's links (groups, datasets), in
  // name order.
  std::vector<std::string> members() const;
  Group create_group(const std::string& name);
  Group open_group(const std::string& name) const;

  template <class T>
  Dataset create_dataset(const std::string& name, const std::vector<hsize_t>& dims,
                         const DatasetOptions& options = {}) {
    return make_dataset(name, native_type<T>(), dims, options);
  }
  Dataset open_dataset(const std::string& name) const;

  // write_string() stores `text` as a scalar string dataset.
  void write_string(const std::string& name, const std::string& text);
  // write_strings() stores a list of strings as a 1-D fixed-length string
  // dataset (serial files only).
  void write_strings(const std::string& name, const std::vector<std::string>& values);
  std::string read_string(const std::string& name) const;

  // link() makes `name` a hard link to the object at absolute `target`.
  void link(const std::string& target, const std::string& name);

 private:
  Dataset make_dataset(const std::string& name, hid_t type, const std::vector<hsize_t>& dims,
                       const DatasetOptions& options);
};

}  // namespace weft::h5
