// SPDX-License-Identifier: Apache-2.0
#include "weft/io/trajectory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <type_traits>

#include "agree.hpp"
#include "trajectory_state.hpp"
#include "weft/core/environment.hpp"
#include "weft/io/parameters.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::io {
namespace {

// Chunks of reserved per-atom series span every frame of the run (so the
// space of all frames is allocated with the first one) and as many atoms
// as fit in kChunkBytes (HDF5 refuses chunks of 4 GiB or more).
constexpr double kChunkBytes = 1 << 30;

}  // namespace

// TrajectoryStorage decides the chunk shape of a new series.
struct TrajectoryStorage {
  bool reserved;     // unfiltered, chunks spanning `capacity` frames
  hsize_t capacity;  // frames (reserved only)
  const TrajectoryOptions* options;
  std::string time_unit;  // of step/time series

  h5::DatasetOptions value(const std::vector<hsize_t>& shape, std::size_t element,
                           bool per_atom) const {
    h5::DatasetOptions o;
    o.extendible = true;
    if (reserved || !per_atom) {  // scalars and box edges are never filtered
      o.chunk = {std::max<hsize_t>(capacity, 1)};
      o.preallocate = true;
      double bytes = static_cast<double>(o.chunk[0] * element);
      for (std::size_t d = 0; d < shape.size(); ++d) {
        hsize_t c = shape[d];
        if (d == 0 && per_atom) {
          const double rest = bytes * 3;
          c = static_cast<hsize_t>(
              std::clamp(kChunkBytes / rest, 1.0, static_cast<double>(shape[d])));
        }
        bytes *= static_cast<double>(c);
        o.chunk.push_back(c);
      }
    } else {  // gzip or checksums: one chunk per frame, allocated when written
      o.chunk = {1};
      o.chunk.insert(o.chunk.end(), shape.begin(), shape.end());
      o.deflate = options->deflate;
      o.fletcher32 = options->fletcher32;
    }
    return o;
  }
};

namespace {

template <class T = double>
TimeSeries make_series(h5::Group& parent, const std::string& name, std::vector<hsize_t> shape,
                       const TrajectoryStorage& storage, bool per_atom, const std::string& unit,
                       const TimeSeries* share_clock) {
  const std::string& time_unit = storage.time_unit;
  h5::Group g = parent.create_group(name);
  std::vector<hsize_t> dims{0};
  dims.insert(dims.end(), shape.begin(), shape.end());
  auto value = g.create_dataset<T>("value", dims, storage.value(shape, sizeof(T), per_atom));
  // Units are recorded as `weft_unit` (see TrajectoryUnits); /parameters
  // names the unit system.
  if (!unit.empty()) value.set_attribute("weft_unit", unit);
  if (share_clock) {  // H5MD: elements sampled together share step and time
    g.link(share_clock->step.path(), "step");
    g.link(share_clock->time.path(), "time");
    auto step = g.open_dataset("step");
    auto time = g.open_dataset("time");
    return TimeSeries{std::move(g), std::move(step), std::move(time), std::move(value)};
  }
  auto step = g.create_dataset<std::int64_t>("step", {0}, storage.value({}, 8, false));
  auto time = g.create_dataset<double>("time", {0}, storage.value({}, 8, false));
  if (!time_unit.empty()) time.set_attribute("weft_unit", time_unit);
  return TimeSeries{std::move(g), std::move(step), std::move(time), std::move(value)};
}

}  // namespace

std::uint64_t TrajectoryWriter::State::frame_bytes() const {
  const std::uint64_t per_atom =
      3 * 8 + 3 * 4 + (velocity.open() ? 24 : 0) + (force.open() ? 24 : 0);
  return static_cast<std::uint64_t>(natoms) * per_atom + 9 * 8 + 16 + 8 * observables.size();
}

h5::FileOptions trajectory_file_options(const TrajectoryOptions& o) {
  // 4 KiB alignment of every object keeps each metadata block (object
  // headers, chunk index nodes: all smaller than 4 KiB) inside one page, so
  // the kernel writes each of them whole or not at all even when the
  // process is killed in the middle of a write.
  return h5::FileOptions{.alignment = 4096, .align_threshold = 1, .transfer = o.transfer};
}

TimeSeries open_series(h5::Group& parent, const std::string& name) {
  auto g = parent.open_group(name);
  auto step = g.open_dataset("step");
  auto time = g.open_dataset("time");
  auto value = g.open_dataset("value");
  return TimeSeries{std::move(g), std::move(step), std::move(time), std::move(value)};
}

TrajectoryWriter::TrajectoryWriter(const std::string& path, MPI_Comm comm, const RunInfo& run,
                                   const ParticleView& system, const TrajectoryOptions& o)
    : s_(std::make_unique<State>(comm)) {
  State& st = *s_;
  st.path = path;
  st.options = o;
  st.natoms = system.total;
  const bool reserved = o.deflate == 0 && !o.fletcher32;
  st.capacity = reserved ? std::max<std::int64_t>(o.frames, 1) : 0;
  const TrajectoryStorage storage{
      reserved, static_cast<hsize_t>(std::max<std::int64_t>(o.frames, 1)), &o, run.time_unit};
  {
    // Reserved frames take their space now: all of it must fit.
    const std::uint64_t per_frame = static_cast<std::uint64_t>(system.total) *
                                    (36 + (o.velocities ? 24 : 0) + (o.forces ? 24 : 0));
    const std::uint64_t frames = static_cast<std::uint64_t>(std::max<std::int64_t>(st.capacity, 1));
    ensure_space(path, per_frame * frames + static_cast<std::uint64_t>(system.total) * 12,
                 fmt::format("trajectory {} ({} frames reserved)", path + ".part", frames), comm);
  }
  all_or_none(comm, path, [&] { st.create(system, run, storage); });
}

void TrajectoryWriter::State::create(const ParticleView& system, const RunInfo& run,
                                     const TrajectoryStorage& storage) {
  State& st = *this;
  const TrajectoryOptions& o = options;
  st.file = std::make_unique<h5::File>(path + ".part.new", h5::Mode::create, comm,
                                       trajectory_file_options(o));
  h5::File& f = *st.file;
  const hsize_t n = static_cast<hsize_t>(system.total);

  auto h5md = f.create_group("h5md");
  h5md.set_attribute("version", std::vector<std::int32_t>{1, 1});
  h5md.create_group("author").set_attribute("name", "weft user");
  auto creator = h5md.create_group("creator");
  creator.set_attribute("name", "weft");
  creator.set_attribute("version", versions().weft);

  auto particles = f.create_group("particles");
  auto traj = particles.create_group("trajectory");
  auto edges = traj.create_group("box");
  edges.set_attribute("dimension", std::int32_t{3});
  std::vector<std::string> boundary;
  for (bool p : system.box.periodic) boundary.push_back(p ? "periodic" : "none");
  edges.set_attribute("boundary", boundary);
  const TrajectoryUnits& u = o.units;
  st.position = make_series(traj, "position", {n, 3}, storage, true, u.length, nullptr);
  st.box = make_series(edges, "edges", {3, 3}, storage, false, u.length, &st.position);
  st.image = make_series<std::int32_t>(traj, "image", {n, 3}, storage, true, "", &st.position);
  if (o.velocities)
    st.velocity = make_series(traj, "velocity", {n, 3}, storage, true, u.velocity, &st.position);
  if (o.forces) st.force = make_series(traj, "force", {n, 3}, storage, true, u.force, &st.position);

  // Time-independent: ids and species, in the same (id) order as the frames.
  st.order.gather(system, {.positions = false, .types = true, .ids = true});
  const std::vector<hsize_t> off{static_cast<hsize_t>(st.order.offset)},
      cnt{static_cast<hsize_t>(st.order.count)};
  traj.create_dataset<std::int64_t>("id", {n}).write(off, cnt, st.order.id.data());
  auto sp = traj.create_dataset<std::int32_t>("species", {n});
  sp.write(off, cnt, st.order.type.data());
  sp.set_attribute(
      "names", std::vector<std::string>(system.type_names.begin() + 1, system.type_names.end()));

  auto obs = f.create_group("observables");
  for (const std::string& name : o.observables)
    st.observables.emplace(name, make_series(obs, name, {}, storage, false, "", &st.position));
  write_parameters(f, run, "trajectory");
  st.flush();
}

TrajectoryWriter::TrajectoryWriter() = default;

TrajectoryWriter::~TrajectoryWriter() = default;

std::int64_t TrajectoryWriter::frames() const { return s_->frames; }
std::int64_t TrajectoryWriter::capacity() const { return s_->capacity; }

void TrajectoryWriter::write_frame(const ParticleView& system, const FrameValues& values) {
  State& st = *s_;
  st.order.gather(system,
                  {.positions = true, .velocities = st.velocity.open(), .forces = st.force.open()});
  FrameData fr;
  fr.step = values.step;
  fr.time = values.time;
  for (int d = 0; d < 3; ++d) fr.edges[4 * d] = system.box.hi[d] - system.box.lo[d];
  fr.observables = values.observables;
  fr.offset = static_cast<hsize_t>(st.order.offset);
  fr.rows = static_cast<hsize_t>(st.order.count);
  fr.x = st.order.x.data();
  fr.image = st.order.image.data();
  fr.v = st.velocity.open() ? st.order.v.data() : nullptr;
  fr.f = st.force.open() ? st.order.f.data() : nullptr;
  st.append(fr);
}

void TrajectoryWriter::State::flush() {
  mpi::barrier(comm);  // every rank's raw data is written before any metadata
  file->flush();
}

void TrajectoryWriter::State::append(const FrameData& fr) {
  const hsize_t frame = static_cast<hsize_t>(frames);
  const hsize_t n = static_cast<hsize_t>(natoms);
  const hsize_t one = rank == 0 ? 1 : 0;
  // Extents change only in memory until flush(): HDF5's parallel metadata
  // cache writes dirty metadata at flushes (and when more than its dirty
  // threshold of 256 KiB, far above one frame's few headers, is pending).
  // Each step is agreed on by every rank (all_or_none): a write that fails
  // on one rank (a full disk) fails on all, none waits in a collective.
  auto vectors = [&](TimeSeries& ts, const auto* data) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(data)>>;
    all_or_none(comm, path, [&] {
      ts.value.extend({frame + 1, n, 3});
      ts.value.write<T>({frame, fr.offset, 0}, {1, fr.rows, 3}, data);
    });
  };
  if (frames >= capacity)
    ensure_space(path, frame_bytes(), fmt::format("frame {} of trajectory {}", frames, path), comm);
  // 1. Every series but position/value: extent (in memory) and data, then
  // flush(): the new extents reach the file after the data they cover.
  all_or_none(comm, path, [&] {
    position.step.extend({frame + 1});
    position.step.write<std::int64_t>({frame}, {one}, &fr.step);
    position.time.extend({frame + 1});
    position.time.write<double>({frame}, {one}, &fr.time);
    box.value.extend({frame + 1, 3, 3});
    box.value.write<double>({frame, 0, 0}, {1, one * 3, 3}, fr.edges);
  });
  vectors(image, fr.image);
  if (velocity.open()) vectors(velocity, fr.v);
  if (force.open()) vectors(force, fr.f);
  all_or_none(comm, path, [&] {
    std::size_t k = 0;
    for (const std::string& name : options.observables) {
      const auto it = observables.find(name);
      const double value = fr.observables[k++];
      if (it == observables.end()) continue;
      it->second.value.extend({frame + 1});
      it->second.value.write<double>({frame}, {one}, &value);
    }
  });
  all_or_none(comm, path, [&] { flush(); });
  // 2. position/value, whose length is the number of complete frames.
  vectors(position, fr.x);
  all_or_none(comm, path, [&] { flush(); });
  ++frames;
  if (!published && !hold) publish();
}

void TrajectoryWriter::State::close() {
  box = {};
  position = {};
  image = {};
  velocity = {};
  force = {};
  observables.clear();
  file->close();
  file.reset();
}

void TrajectoryWriter::State::rename(const std::string& from, const std::string& to) const {
  mpi::rank0_then_agree<h5::Error>(comm, [&] {
    if (std::rename(from.c_str(), to.c_str()) != 0)
      throw h5::Error("cannot rename " + from + " to " + to);
  });
}

void TrajectoryWriter::State::publish() {
  rename(path + ".part.new", path + ".part");
  published = true;
}

void TrajectoryWriter::finish() {
  State& st = *s_;
  if (st.finished) return;
  st.finished = true;
  st.close();
  st.rename(st.path + (st.published ? ".part" : ".part.new"), st.path);
}

}  // namespace weft::io
