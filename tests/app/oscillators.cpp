// SPDX-License-Identifier: Apache-2.0
// A second application, for the tests of the application seam only: N
// independent harmonic oscillators x'' = -omega^2 x with x_i(0) = cos(phi_i),
// v_i(0) = -omega sin(phi_i), phi_i = 0.1 i, advanced by the exact rotation
// of each step, split over the ranks by id. Its observables have closed
// forms (energy N omega^2 / 2; sum of x_i(t) = sum of cos(omega t + phi_i)),
// so the shared run loop (observables table, checkpoints, restarts, signals)
// is tested on an application that is not MD.
#include "oscillators.hpp"

#include <fmt/format.h>

#include <cmath>

#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::seam_test {
namespace {

struct Config {
  std::int64_t count = 1000;  // oscillators
  double omega = 1.0;         // angular frequency
  double dt = 0.01;           // time step
};

// clang-format 14 mangles the accessor lambdas of deck keys ([](C & c) -> auto&).
// clang-format off
const deck::Schema<Config>& part() {
  static const deck::Schema<Config> s = [] {
    deck::Schema<Config> p;
    p.key("oscillators.count", [](Config& c) -> auto& { return c.count; }, "Oscillators").min(1);
    p.key("oscillators.omega", [](Config& c) -> auto& { return c.omega; }, "Angular frequency")
        .above(0);
    p.key("oscillators.dt", [](Config& c) -> auto& { return c.dt; }, "Time step").above(0);
    return p;
  }();
  return s;
}

// clang-format on

class Oscillators final : public app::Application {
 public:
  Oscillators(Config c, const app::RunContext& ctx) : c_(c), ctx_(ctx) {}

  std::vector<app::Series> series() const override {
    return {{"energy", "Energy"}, {"x_sum", "Xsum"}, {"count", ""}};
  }
  void setup() override {
    if (ctx_.restart) {
      auto& r = *const_cast<io::CheckpointReader*>(ctx_.restart);
      step_ = r.step();
      r.rows("oscillators");
      id_ = r.column_int64("id");
      x_ = r.column_double("x");
      v_ = r.column_double("v");
      return;
    }
    const mpi::Comm comm(ctx_.comm);
    const std::int64_t lo = c_.count * comm.rank() / comm.size();
    const std::int64_t hi = c_.count * (comm.rank() + 1) / comm.size();
    for (std::int64_t i = lo + 1; i <= hi; ++i) {
      const double phi = 0.1 * static_cast<double>(i);
      id_.push_back(i);
      x_.push_back(std::cos(phi));
      v_.push_back(-c_.omega * std::sin(phi));
    }
  }
  std::int64_t step() const override { return step_; }
  double time() const override { return static_cast<double>(step_) * c_.dt; }
  void advance(bool) override {
    const double cw = std::cos(c_.omega * c_.dt), sw = std::sin(c_.omega * c_.dt);
    ctx_.executor->run([&] {
      for (std::size_t k = 0; k < x_.size(); ++k) {
        const double x = x_[k], v = v_[k];
        x_[k] = x * cw + v / c_.omega * sw;
        v_[k] = v * cw - x * c_.omega * sw;
      }
    });
    ++step_;
  }
  std::vector<double> observe() override {
    double local[3] = {0, 0, static_cast<double>(x_.size())};
    for (std::size_t k = 0; k < x_.size(); ++k) {
      local[0] += 0.5 * (v_[k] * v_[k] + c_.omega * c_.omega * x_[k] * x_[k]);
      local[1] += x_[k];
    }
    double all[3];
    mpi::allreduce(local, all, 3, MPI_SUM, ctx_.comm);
    return {all[0], all[1], all[2]};
  }
  std::vector<std::unique_ptr<app::Output>> open_outputs() override { return {}; }
  void checkpoint(io::CheckpointWriter& w) override {
    w.attribute("omega", c_.omega);
    w.rows("oscillators", static_cast<std::int64_t>(id_.size()));
    w.column("id", id_);
    w.column("x", x_);
    w.column("v", v_);
  }
  std::string report() override {
    return fmt::format("{} oscillators advanced to step {}", c_.count, step_);
  }

 private:
  Config c_;
  const app::RunContext& ctx_;
  std::int64_t step_ = 0;
  std::vector<std::int64_t> id_;
  std::vector<double> x_, v_;
};

class Kind final : public app::KindOf<Config> {
 public:
  std::string summary() const override { return "harmonic oscillators (seam tests only)"; }
  app::Units units() const override { return {"oscillator", "s"}; }
  void validate(const app::LoadedDeck&, MPI_Comm) const override {}
  std::string layout(const app::LoadedDeck&) const override { return ""; }
  std::vector<std::string> restart_sections() const override { return {"oscillators"}; }
  std::unique_ptr<app::Application> create(const app::LoadedDeck& deck,
                                           const app::RunContext& ctx) const override {
    return std::make_unique<Oscillators>(config(deck), ctx);
  }

 protected:
  const deck::Schema<Config>& part() const override { return seam_test::part(); }
};

}  // namespace

const app::ApplicationKind& oscillators_kind() {
  static const Kind kind;
  return kind;
}

}  // namespace weft::seam_test
