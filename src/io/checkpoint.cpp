// SPDX-License-Identifier: Apache-2.0
#include "weft/io/checkpoint.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::io {
// ------------------------------------------------------------------ writer

CheckpointWriter::CheckpointWriter(const std::string& path, MPI_Comm comm, const RunInfo& run,
                                   std::int64_t step)
    : comm_(comm),
      rank_(mpi::Comm(comm).rank()),
      w_(path, comm, run, "checkpoint", {.fletcher32 = true}) {
  group_ = &w_.group("checkpoint");
  group_->set_attribute("format", std::int32_t{kCheckpointFormat});
  group_->set_attribute("step", step);
  group_->set_attribute("ranks", std::int32_t{mpi::Comm(comm).size()});
}

void CheckpointWriter::series(const std::vector<SeriesRow>& rows, std::size_t width) {
  const hsize_t cols = 2 + width;
  std::vector<double> flat;
  for (const auto& r : rows) {
    flat.push_back(static_cast<double>(r.step));
    flat.push_back(r.time);
    for (std::size_t k = 0; k < width; ++k) flat.push_back(k < r.values.size() ? r.values[k] : 0.0);
  }
  const std::uint64_t n = mpi::bcast(std::uint64_t{rows.size()}, 0, comm_);
  auto d = group_->create_dataset<double>("thermo", {n, cols});
  d.write<double>({0, 0}, {rank_ == 0 ? n : 0, cols}, flat.data());
}

void CheckpointWriter::values(const std::string& name, const std::vector<double>& v) {
  w_.values(*group_, name, v);
}

void CheckpointWriter::rows(const std::string& group, std::int64_t count) {
  w_.rank_counts(*group_, "rank_counts", count);
  table_ = w_.table(w_.group(*group_, group), count);
}

void CheckpointWriter::commit() {
  table_.reset();
  w_.commit();
}

// ------------------------------------------------------------------ reader

CheckpointInfo CheckpointReader::info(const std::string& path) {
  CheckpointInfo info;
  try {
    h5::File f(path, h5::Mode::read);
    if (!f.exists("parameters") || !f.exists("checkpoint"))
      throw InputError(
          fmt::format("--restart {}: not a weft checkpoint (it has no /checkpoint); "
                      "give a ckpt-*.h5 file from a run's output directory",
                      path));
    auto params = f.open_group("parameters");
    auto c = f.open_group("checkpoint");
    info.format = c.attribute<std::int32_t>("format");
    if (info.format != kCheckpointFormat)
      throw InputError(
          fmt::format("--restart {}: checkpoint format {} but this weft reads format "
                      "{}; continue it with the weft version that wrote it ({})",
                      path, info.format, kCheckpointFormat, params.string_attribute("program")));
    info.step = c.attribute<std::int64_t>("step");
    info.ranks = c.attribute<std::int32_t>("ranks");
    info.deck = params.read_string("deck");
    info.program = params.string_attribute("program");
    info.application = params.has_attribute("application")
                           ? params.string_attribute("application")
                           : "md";  // written before there were other applications
  } catch (const h5::Error& e) {
    throw InputError(
        fmt::format("--restart {}: cannot read it as a weft checkpoint (damaged, "
                    "truncated or another kind of file): {}",
                    path, e.what()));
  }
  return info;
}

CheckpointReader::CheckpointReader(const std::string& path, MPI_Comm comm)
    : path_(path), comm_(comm) {
  file_ = std::make_unique<h5::File>(path, h5::Mode::read, comm);
  group_ = file_->open_group("checkpoint");
  step_ = group_.attribute<std::int64_t>("step");
}

CheckpointReader::~CheckpointReader() { close(); }

void CheckpointReader::close() {
  rows_group_ = h5::Group();
  group_ = h5::Group();
  if (file_) file_->close();
  file_.reset();
}

std::vector<SeriesRow> CheckpointReader::series() const {
  const h5::Dataset d = group_.open_dataset("thermo");
  const auto dims = d.dims();
  const std::size_t cols = dims.size() == 2 ? static_cast<std::size_t>(dims[1]) : 0;
  const auto flat = d.read_all<double>();
  std::vector<SeriesRow> rows;
  for (std::size_t i = 0; cols >= 2 && i + cols <= flat.size(); i += cols) {
    SeriesRow r;
    r.step = static_cast<std::int64_t>(flat[i]);
    r.time = flat[i + 1];
    r.values.assign(flat.begin() + static_cast<std::ptrdiff_t>(i + 2),
                    flat.begin() + static_cast<std::ptrdiff_t>(i + cols));
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<double> CheckpointReader::values(const std::string& name) const {
  return group_.open_dataset(name).read_all<double>();
}

std::int64_t CheckpointReader::rows(const std::string& group) {
  const auto counts = group_.open_dataset("rank_counts").read_all<std::int64_t>();
  const mpi::Comm c(comm_);
  const int rank = c.rank(), size = c.size();
  std::int64_t total = 0;
  for (auto n : counts) total += n;
  exact_ = static_cast<int>(counts.size()) == size;
  offset_ = 0;
  if (exact_) {
    for (int r = 0; r < rank; ++r) offset_ += counts[static_cast<std::size_t>(r)];
    count_ = counts[static_cast<std::size_t>(rank)];
  } else {
    offset_ = total * rank / size;
    count_ = total * (rank + 1) / size - offset_;
  }
  rows_group_ = group_.open_group(group);
  return count_;
}

template <class T>
std::vector<T> CheckpointReader::read_column(const std::string& name) const {
  std::vector<T> v(static_cast<std::size_t>(count_));
  rows_group_.open_dataset(name).template read<T>({static_cast<hsize_t>(offset_)},
                                                  {static_cast<hsize_t>(count_)}, v.data());
  return v;
}

std::vector<double> CheckpointReader::column_double(const std::string& name) const {
  return read_column<double>(name);
}
std::vector<std::int32_t> CheckpointReader::column_int32(const std::string& name) const {
  return read_column<std::int32_t>(name);
}
std::vector<std::int64_t> CheckpointReader::column_int64(const std::string& name) const {
  return read_column<std::int64_t>(name);
}

}  // namespace weft::io
