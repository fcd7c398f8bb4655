// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "weft/h5/object.hpp"

namespace weft::h5 {

// DatasetOptions chooses the storage of a new dataset.
struct DatasetOptions {
  std::vector<hsize_t> chunk;  // chunk shape; empty: contiguous (then not extendible)
  bool extendible = false;     // the first dimension can grow (frames)
  int deflate = 0;             // gzip level 1..9; 0: none
  bool fletcher32 = false;     // checksum every chunk (verified on read)
  // preallocate: the space of every chunk that touches the extent is
  // allocated when the dataset is created or extended (never later, by a
  // write), and fill values are never written. Writing raw data into such
  // a dataset then changes no file structure, only the bytes of the data.
  bool preallocate = false;
};

// ElementKind is what the elements of a dataset are, as much as a reader of
// tables written by other programs (h5py, pandas) needs to know.
enum class ElementKind { integer, floating, fixed_string, variable_string, other };

// ElementType is an element's kind and size in bytes (a fixed-length
// string's width; a variable-length string's pointer).
struct ElementType {
  ElementKind kind = ElementKind::other;
  std::size_t size = 0;
  bool is_signed = true;  // integers
};

// Strings is a block of strings read from a string dataset, packed: string
// i is bytes[ends[i-1], ends[i]) (ends[-1] = 0).
struct Strings {
  std::string bytes;
  std::vector<std::size_t> ends;
  std::size_t size() const { return ends.size(); }
  std::string_view operator[](std::size_t i) const {
    const std::size_t b = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(b, ends[i] - b);
  }
};

// Dataset is an n-dimensional array in a file. In a parallel file, extend(),
// write() and read() are collective: every rank calls them, each with its
// own block (which may be empty). The data itself moves as the file's
// FileOptions::transfer says (always collectively for filtered datasets).
//
//   auto d = group.create_dataset<double>("value", {0, n, 3}, {.chunk = {1, n, 3}, .extendible =
//   true}); d.extend({1, n, 3}); d.write<double>({0, my_offset, 0}, {1, my_count, 3},
//   my_xyz.data());
class Dataset : public Object {
 public:
  using Object::Object;

  std::vector<hsize_t> dims() const;
  // chunk() is the chunk shape; empty for a contiguous dataset.
  std::vector<hsize_t> chunk() const;
  // filtered() says whether chunks pass through a filter (checksum, gzip).
  bool filtered() const;
  // element_type() is what the elements are (integer, floating, string...).
  ElementType element_type() const;
  // extend() sets the extent to `dims` (extendible datasets only). The new
  // extent reaches the file at the next flush. Shrinking a chunked dataset
  // makes HDF5 write fill values over the cut-off part of the chunks it
  // keeps at once, before the new extent is in the file.
  void extend(const std::vector<hsize_t>& dims);

  template <class T>
  void write(const std::vector<hsize_t>& offset, const std::vector<hsize_t>& count, const T* data) {
    transfer(true, native_type<T>(), offset, count, const_cast<T*>(data));
  }
  template <class T>
  void read(const std::vector<hsize_t>& offset, const std::vector<hsize_t>& count, T* data) const {
    const_cast<Dataset*>(this)->transfer(false, native_type<T>(), offset, count, data);
  }
  // read_all() reads the whole dataset (collective in parallel files).
  template <class T>
  std::vector<T> read_all() const {
    const auto d = dims();
    std::size_t n = 1;
    for (auto x : d) n *= static_cast<std::size_t>(x);
    std::vector<T> out(n);
    read<T>(std::vector<hsize_t>(d.size(), 0), d, out.data());
    return out;
  }
  // read_strings() reads elements [offset, offset + count) of a 1-D string
  // dataset, fixed-length (up to the first NUL; a space-padded one without
  // its trailing spaces) or variable-length (NULL: ""). Collective in
  // parallel files, like read().
  Strings read_strings(hsize_t offset, hsize_t count) const;

 private:
  void transfer(bool write, hid_t type, const std::vector<hsize_t>& offset,
                const std::vector<hsize_t>& count, void* data);
};

}  // namespace weft::h5
