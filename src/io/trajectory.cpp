// SPDX-License-Identifier: Apache-2.0
#include "weft/io/trajectory.hpp"

#include <cstdio>
#include <filesystem>
#include <map>

#include "weft/core/environment.hpp"
#include "weft/h5/file.hpp"
#include "weft/io/observables.hpp"
#include "weft/io/ordered.hpp"

namespace weft::io {
namespace {

// TimeSeries is one H5MD time-dependent element: step, time, value.
struct TimeSeries {
  h5::Group group;
  h5::Dataset step, time, value;
  std::vector<hsize_t> shape;  // of one frame's value
};

template <class T = double>
TimeSeries make_series(h5::Group& parent, const std::string& name, std::vector<hsize_t> shape,
                       const TrajectoryOptions& o, const std::string& unit,
                       const TimeSeries* share_clock) {
  h5::Group g = parent.create_group(name);
  std::vector<hsize_t> dims{0}, chunk{1};
  for (auto s : shape) {
    dims.push_back(s);
    chunk.push_back(s);
  }
  h5::DatasetOptions vo{.chunk = chunk, .extendible = true, .deflate = o.deflate,
                        .fletcher32 = o.fletcher32};
  auto value = g.create_dataset<T>("value", dims, vo);
  // LJ reduced units have no H5MD unit string (and MDAnalysis rejects any
  // unit it does not know, even with convert_units=False): the unit is
  // recorded as `weft_unit` instead, and /parameters says units = "lj".
  if (!unit.empty()) value.set_attribute("weft_unit", unit);
  if (share_clock) {  // H5MD: elements sampled together share step and time
    g.link(share_clock->step.path(), "step");
    g.link(share_clock->time.path(), "time");
    auto step = g.open_dataset("step");
    auto time = g.open_dataset("time");
    return TimeSeries{std::move(g), std::move(step), std::move(time), std::move(value), shape};
  }
  h5::DatasetOptions so{.chunk = {1024}, .extendible = true};
  auto step = g.create_dataset<std::int64_t>("step", {0}, so);
  auto time = g.create_dataset<double>("time", {0}, so);
  time.set_attribute("weft_unit", "tau");
  return TimeSeries{std::move(g), std::move(step), std::move(time), std::move(value), shape};
}

}  // namespace

struct TrajectoryWriter::State {
  std::string path;
  MPI_Comm comm;
  int rank = 0;
  TrajectoryOptions options;
  std::unique_ptr<h5::File> file;
  std::int64_t natoms = 0;
  std::int64_t frames = 0;
  TimeSeries box, position, image, velocity, force;
  std::map<std::string, TimeSeries> observables;
  bool finished = false;
};

TrajectoryWriter::TrajectoryWriter(const std::string& path, MPI_Comm comm, const std::string& deck,
                                   const md::System& system, const TrajectoryOptions& o)
    : s_(std::make_unique<State>()) {
  s_->path = path;
  s_->comm = comm;
  s_->options = o;
  MPI_Comm_rank(comm, &s_->rank);
  s_->natoms = system.natoms;
  s_->file = std::make_unique<h5::File>(path + ".part", h5::Mode::create, comm);
  h5::File& f = *s_->file;
  const hsize_t n = static_cast<hsize_t>(system.natoms);

  auto h5md = f.create_group("h5md");
  h5md.set_attribute("version", std::vector<std::int32_t>{1, 1});
  h5md.create_group("author").set_attribute("name", "weft user");
  auto creator = h5md.create_group("creator");
  creator.set_attribute("name", "weft");
  creator.set_attribute("version", versions().weft);

  auto particles = f.create_group("particles");
  auto traj = particles.create_group("trajectory");
  auto box = traj.create_group("box");
  box.set_attribute("dimension", std::int32_t{3});
  std::vector<std::string> boundary;
  for (bool p : system.box.periodic) boundary.push_back(p ? "periodic" : "none");
  box.set_attribute("boundary", boundary);
  s_->position = make_series(traj, "position", {n, 3}, o, "sigma", nullptr);
  s_->box = make_series(box, "edges", {3, 3}, o, "sigma", &s_->position);
  s_->image = make_series<std::int32_t>(traj, "image", {n, 3}, o, "", &s_->position);
  if (o.velocities) s_->velocity = make_series(traj, "velocity", {n, 3}, o, "sigma tau-1", &s_->position);
  if (o.forces) s_->force = make_series(traj, "force", {n, 3}, o, "epsilon sigma-1", &s_->position);

  // Time-independent: ids and species, in the same (id) order as the frames.
  const OrderedBlock block = order_by_id(system, comm);
  std::vector<std::int64_t> ids;
  std::vector<std::int32_t> species;
  for (const auto& a : block.atoms) {
    ids.push_back(a.id);
    species.push_back(a.type);
  }
  const std::vector<hsize_t> off{static_cast<hsize_t>(block.offset)},
      cnt{static_cast<hsize_t>(block.atoms.size())};
  traj.create_dataset<std::int64_t>("id", {n}).write(off, cnt, ids.data());
  auto sp = traj.create_dataset<std::int32_t>("species", {n});
  sp.write(off, cnt, species.data());
  sp.set_attribute("names", std::vector<std::string>(system.type_names.begin() + 1, system.type_names.end()));

  auto obs = f.create_group("observables");
  for (const auto& ob : observables())
    s_->observables.emplace(std::string(ob.name), make_series(obs, std::string(ob.name), {}, o, "", &s_->position));
  auto params = f.create_group("parameters");
  params.write_string("deck", deck);
  params.set_attribute("program", "weft " + versions().weft);
  params.set_attribute("units", "lj");
  params.set_attribute("kind", "trajectory");
  f.flush();
}

TrajectoryWriter::TrajectoryWriter() : s_(std::make_unique<State>()) {}

TrajectoryWriter::~TrajectoryWriter() = default;

std::unique_ptr<TrajectoryWriter> TrajectoryWriter::resume(const std::string& path, MPI_Comm comm,
                                                           std::int64_t step,
                                                           const TrajectoryOptions& o) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  int which = 0;  // 1: .part, 2: finished file
  if (rank == 0) which = std::filesystem::exists(path + ".part") ? 1 : std::filesystem::exists(path) ? 2 : 0;
  MPI_Bcast(&which, 1, MPI_INT, 0, comm);
  if (which == 0) return nullptr;
  if (which == 2 && rank == 0) std::filesystem::rename(path, path + ".part");
  MPI_Barrier(comm);
  std::unique_ptr<TrajectoryWriter> w(new TrajectoryWriter());
  State& st = *w->s_;
  st.path = path;
  st.comm = comm;
  st.rank = rank;
  st.options = o;
  st.file = std::make_unique<h5::File>(path + ".part", h5::Mode::read_write, comm);
  auto traj = st.file->open_group("particles").open_group("trajectory");
  auto open_series = [&](h5::Group& parent, const std::string& name) {
    auto g = parent.open_group(name);
    auto st_step = g.open_dataset("step");
    auto st_time = g.open_dataset("time");
    auto value = g.open_dataset("value");
    auto shape = value.dims();
    shape.erase(shape.begin());
    return TimeSeries{std::move(g), std::move(st_step), std::move(st_time), std::move(value), shape};
  };
  st.position = open_series(traj, "position");
  const auto steps = st.position.step.read_all<std::int64_t>();
  hsize_t keep = 0;
  while (keep < steps.size() && steps[keep] <= step) ++keep;
  st.natoms = static_cast<std::int64_t>(st.position.value.dims()[1]);
  auto box = traj.open_group("box");
  st.box = open_series(box, "edges");
  st.image = open_series(traj, "image");
  if (traj.exists("velocity")) st.velocity = open_series(traj, "velocity");
  if (traj.exists("force")) st.force = open_series(traj, "force");
  st.options.velocities = traj.exists("velocity");
  st.options.forces = traj.exists("force");
  auto obs = st.file->open_group("observables");
  for (const auto& ob : observables())
    if (obs.exists(std::string(ob.name))) st.observables.emplace(std::string(ob.name), open_series(obs, std::string(ob.name)));
  // Drop frames after `step` (written after the checkpoint we continue from).
  st.position.step.extend({keep});
  st.position.time.extend({keep});
  for (TimeSeries* ts : {&st.position, &st.box, &st.image}) {
    auto d = ts->value.dims();
    d[0] = keep;
    ts->value.extend(d);
  }
  for (TimeSeries* ts : {&st.velocity, &st.force}) {
    if (ts->value.id() < 0) continue;
    auto d = ts->value.dims();
    d[0] = keep;
    ts->value.extend(d);
  }
  for (auto& [name, ts] : st.observables) ts.value.extend({keep});
  st.frames = static_cast<std::int64_t>(keep);
  st.file->flush();
  return w;
}

std::int64_t TrajectoryWriter::frames() const { return s_->frames; }

void TrajectoryWriter::write_frame(const md::System& system, const md::ThermoRow& thermo) {
  const OrderedBlock block = order_by_id(system, s_->comm);
  const hsize_t frame = static_cast<hsize_t>(s_->frames);
  const hsize_t n = static_cast<hsize_t>(s_->natoms), mine = block.atoms.size();
  const hsize_t off = static_cast<hsize_t>(block.offset);
  const bool root = s_->rank == 0;

  // The clock (step, time) is shared by every element; rank 0 writes it.
  const std::int64_t step = thermo.step;
  const double time = thermo.time;
  s_->position.step.extend({frame + 1});
  s_->position.time.extend({frame + 1});
  s_->position.step.write<std::int64_t>({frame}, {root ? 1u : 0u}, &step);
  s_->position.time.write<double>({frame}, {root ? 1u : 0u}, &time);

  auto write_vectors = [&](TimeSeries& ts, auto get) {
    using T = typename decltype(get(block.atoms[0]))::value_type;
    std::vector<T> buf(mine * 3);
    for (std::size_t i = 0; i < mine; ++i) {
      const auto v = get(block.atoms[i]);
      for (int d = 0; d < 3; ++d) buf[i * 3 + d] = v[d];
    }
    ts.value.extend({frame + 1, n, 3});
    ts.value.write<T>({frame, off, 0}, {1, mine, 3}, buf.data());
  };
  write_vectors(s_->position, [](const OrderedAtom& a) { return a.x; });
  write_vectors(s_->image, [](const OrderedAtom& a) { return a.image; });
  if (s_->options.velocities) write_vectors(s_->velocity, [](const OrderedAtom& a) { return a.v; });
  if (s_->options.forces) write_vectors(s_->force, [](const OrderedAtom& a) { return a.f; });

  const md::Vec3 l = system.box.length();
  const double edges[9] = {l.x(), 0, 0, 0, l.y(), 0, 0, 0, l.z()};
  s_->box.value.extend({frame + 1, 3, 3});
  s_->box.value.write<double>({frame, 0, 0}, {1, root ? 3u : 0u, 3}, edges);

  for (const auto& ob : observables()) {
    const auto it = s_->observables.find(std::string(ob.name));
    if (it == s_->observables.end()) continue;
    auto& ts = it->second;
    const double v = ob.get(thermo);
    ts.value.extend({frame + 1});
    ts.value.write<double>({frame}, {root ? 1u : 0u}, &v);
  }
  s_->file->flush();
  ++s_->frames;
}

void TrajectoryWriter::finish() {
  if (s_->finished) return;
  s_->finished = true;
  s_->box = {};
  s_->position = {};
  s_->image = {};
  s_->velocity = {};
  s_->force = {};
  s_->observables.clear();
  s_->file->close();
  s_->file.reset();
  int failed = 0;
  if (s_->rank == 0) failed = std::rename((s_->path + ".part").c_str(), s_->path.c_str()) != 0;
  MPI_Bcast(&failed, 1, MPI_INT, 0, s_->comm);
  if (failed) throw h5::Error("cannot rename " + s_->path + ".part to " + s_->path);
}

}  // namespace weft::io
