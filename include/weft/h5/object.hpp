// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "weft/h5/error.hpp"
#include "weft/h5/handle.hpp"
#include "weft/h5/types.hpp"

namespace weft::h5 {

// Transfer is how the ranks of a parallel file move dataset data.
enum class Transfer { collective, independent };

// Context is shared by every object of one open file: its name for error
// messages, whether it is open on a communicator (parallel) or alone, and
// how dataset data moves in a parallel file.
struct Context {
  std::string file;
  MPI_Comm comm = MPI_COMM_NULL;  // not owned; MPI_COMM_NULL for serial access
  Transfer transfer = Transfer::collective;
  bool parallel() const { return comm != MPI_COMM_NULL; }
};

// Object is a group or dataset: something that carries attributes. In a
// parallel file, creating or writing attributes is collective (every rank
// must call it with the same values); reading is not.
class Object {
 public:
  Object() = default;  // an empty object; assign a real one before use
  Object(Handle h, std::shared_ptr<const Context> ctx, std::string path)
      : h_(std::move(h)), ctx_(std::move(ctx)), path_(std::move(path)) {}

  hid_t id() const { return h_.id(); }
  const std::string& path() const { return path_; }
  // where() is "file:/object/path", for messages.
  std::string where() const { return ctx_->file + ":" + path_; }

  bool has_attribute(const std::string& name) const;
  // attribute_size() is the number of values of an attribute.
  std::size_t attribute_size(const std::string& name) const;

  template <class T>
  void set_attribute(const std::string& name, const T& value) {
    write_attribute(name, native_type<T>(), {}, &value);
  }
  template <class T>
  void set_attribute(const std::string& name, const std::vector<T>& values) {
    write_attribute(name, native_type<T>(), {static_cast<hsize_t>(values.size())}, values.data());
  }
  void set_attribute(const std::string& name, const std::string& value);
  void set_attribute(const std::string& name, const char* value) {
    set_attribute(name, std::string(value));
  }
  void set_attribute(const std::string& name, const std::vector<std::string>& values);

  template <class T>
  T attribute(const std::string& name) const {
    T v{};
    read_attribute(name, native_type<T>(), 1, &v);
    return v;
  }
  template <class T>
  std::vector<T> attribute_vector(const std::string& name, std::size_t n) const {
    std::vector<T> v(n);
    read_attribute(name, native_type<T>(), n, v.data());
    return v;
  }
  std::string string_attribute(const std::string& name) const;

 protected:
  void write_attribute(const std::string& name, hid_t type, std::vector<hsize_t> dims,
                       const void* data);
  void read_attribute(const std::string& name, hid_t type, std::size_t n, void* data) const;
  std::string child(const std::string& name) const {
    return path_ == "/" ? "/" + name : path_ + "/" + name;
  }

  Handle h_;
  std::shared_ptr<const Context> ctx_;
  std::string path_;
};

}  // namespace weft::h5
