// SPDX-License-Identifier: Apache-2.0
#include "weft/h5/file.hpp"

namespace weft::h5 {
namespace {

Handle open_file(const std::string& path, Mode mode, MPI_Comm comm, const FileOptions& o) {
  silence();
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "creating file properties", path), H5Pclose);
  if (comm != MPI_COMM_NULL) {
    check(H5Pset_fapl_mpio(fapl.id(), comm, MPI_INFO_NULL), "setting MPI-IO", path);
    check(H5Pset_all_coll_metadata_ops(fapl.id(), true), "collective metadata reads", path);
    check(H5Pset_coll_metadata_write(fapl.id(), true), "collective metadata writes", path);
  }
  if (o.alignment > 0)
    check(H5Pset_alignment(fapl.id(), o.align_threshold, o.alignment), "setting alignment", path);
  check(H5Pset_libver_bounds(fapl.id(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V18), "version bounds",
        path);
  hid_t id = H5I_INVALID_HID;
  switch (mode) {
    case Mode::create:
      id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id());
      return Handle(check(id, "creating the file", path), H5Fclose);
    case Mode::read:
      id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.id());
      return Handle(check(id, "opening the file for reading", path), H5Fclose);
    case Mode::read_write:
      id = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.id());
      return Handle(check(id, "opening the file for writing", path), H5Fclose);
  }
  throw Error("HDF5: bad mode for " + path);
}

}  // namespace

bool is_hdf5(const std::string& path) {
  silence();
#if H5_VERSION_GE(1, 12, 0)
  return H5Fis_accessible(path.c_str(), H5P_DEFAULT) > 0;
#else
  return H5Fis_hdf5(path.c_str()) > 0;
#endif
}

File::File(const std::string& path, Mode mode, MPI_Comm comm, const FileOptions& options)
    : Group(open_file(path, mode, comm, options),
            std::make_shared<const Context>(Context{path, comm, options.transfer}), "/") {}

File::~File() = default;

void File::flush() { check(H5Fflush(id(), H5F_SCOPE_LOCAL), "flushing", where()); }

void File::close() {
  if (!h_.valid()) return;
  check(H5Fclose(h_.release()), "closing", ctx_->file);
}

}  // namespace weft::h5
