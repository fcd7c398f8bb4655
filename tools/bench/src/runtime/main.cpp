// SPDX-License-Identifier: Apache-2.0
// bench_runtime: weft::go (N workers) side by side with Go (GOMAXPROCS=N)
// and OpenMP tasks where the pattern fits. Prints one table; --json FILE
// writes the rows as [{bench, impl, metric, value, unit}, ...].
//
//   bench_runtime [--workers 2] [--reps 10] [--json out.json] [--go PATH]
#include <omp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "weft/go/blocks.hpp"
#include "weft/go/chan.hpp"
#include "weft/go/go.hpp"
#include "weft/go/pool.hpp"
#include "weft/go/wait_group.hpp"

namespace wg = weft::go;
using Clock = std::chrono::steady_clock;

namespace {

struct Row {
  std::string bench, impl, metric;
  double value;
  std::string unit;
};

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// ---------------------------------------------------------------- weft
void skynet(wg::Chan<long>& out, long num, long size) {
  if (size == 1) {
    out.send(num);
    return;
  }
  wg::Chan<long> rc(10);
  for (long i = 0; i < 10; ++i) {
    wg::go([&rc, num, i, size] { skynet(rc, num + i * (size / 10), size / 10); });
  }
  long sum = 0;
  for (int i = 0; i < 10; ++i) sum += *rc.recv();
  out.send(sum);
}

double weft_skynet(wg::Pool& pool, long leaves) {
  long sum = 0;
  auto t0 = Clock::now();
  pool.run([&] {
    wg::Chan<long> c(1);
    wg::go([&] { skynet(c, 0, leaves); });
    sum = *c.recv();
  });
  double ms = ms_since(t0);
  if (sum != leaves * (leaves - 1) / 2) {
    std::fprintf(stderr, "skynet: wrong sum %ld\n", sum);
    std::exit(1);
  }
  return ms;
}

double weft_pingpong(wg::Pool& pool, int n) {
  double ns = 0;
  pool.run([&] {
    wg::Chan<int> ping(0), pong(0);
    wg::WaitGroup echo;  // the channels must outlive the echo task
    echo.add();
    wg::go([&] {
      for (int v : ping) pong.send(v);
      echo.done();
    });
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
      ping.send(i);
      pong.recv();
    }
    ns = ms_since(t0) * 1e6 / n;
    ping.close();
    echo.wait();
  });
  return ns;
}

double weft_fan(wg::Pool& pool, long items, int consumers) {
  long sum = 0;
  auto t0 = Clock::now();
  pool.run([&] {
    wg::Chan<long> work(1024), results(1024);
    wg::go([&] {
      for (long i = 0; i < items; ++i) work.send(i);
      work.close();
    });
    wg::WaitGroup g;
    for (int c = 0; c < consumers; ++c) {
      g.add();
      wg::go([&] {
        for (long v : work) results.send(v * 2);
        g.done();
      });
    }
    wg::go([&] {
      g.wait();
      results.close();
    });
    for (long v : results) sum += v;
  });
  double s = ms_since(t0) / 1e3;
  if (sum != items * (items - 1)) {
    std::fprintf(stderr, "fan: wrong sum %ld\n", sum);
    std::exit(1);
  }
  return static_cast<double>(items) / s / 1e6;
}

double weft_spawn(wg::Pool& pool, int n) {
  double ns = 0;
  pool.run([&] {
    auto t0 = Clock::now();
    wg::WaitGroup g;
    g.add(n);
    for (int i = 0; i < n; ++i) wg::go([&g] { g.done(); });
    g.wait();
    ns = ms_since(t0) * 1e6 / n;
  });
  return ns;
}

// share_work() is one share of a fork-join round: a short dependent chain
// (~0.2 µs), so the round's cost is the fork and the join.
inline void share_work(std::vector<double>& out, int w, long round) {
  double x = static_cast<double>(round + w);
  for (int k = 0; k < 64; ++k) x = x * 0.999 + 1.0;
  out[static_cast<std::size_t>(8 * w)] += x;
}

// weft_forkjoin() is the block loops' fork-join (parallel_blocks, one block
// per worker: what an MD step does ~4 times), ns per round.
double weft_forkjoin(wg::Pool& pool, int workers, long rounds) {
  std::vector<double> out(static_cast<std::size_t>(8 * workers));
  double ns = 0;
  pool.run([&] {
    auto t0 = Clock::now();
    for (long r = 0; r < rounds; ++r)
      wg::parallel_blocks(workers, workers, [&](std::int64_t, int w) { share_work(out, w, r); });
    ns = ms_since(t0) * 1e6 / static_cast<double>(rounds);
  });
  return ns;
}

// ---------------------------------------------------------------- OpenMP
double openmp_forkjoin(int threads, long rounds) {
  std::vector<double> out(static_cast<std::size_t>(8 * threads));
  auto t0 = Clock::now();
  for (long r = 0; r < rounds; ++r) {
#pragma omp parallel num_threads(threads)
    share_work(out, omp_get_thread_num(), r);
  }
  return ms_since(t0) * 1e6 / static_cast<double>(rounds);
}

long omp_skynet(long num, long size) {
  if (size == 1) return num;
  long sums[10];
  for (long i = 0; i < 10; ++i) {
#pragma omp task shared(sums) firstprivate(i)
    sums[i] = omp_skynet(num + i * (size / 10), size / 10);
  }
#pragma omp taskwait
  long s = 0;
  for (long v : sums) s += v;
  return s;
}

double openmp_skynet(int threads, long leaves) {
  long sum = 0;
  auto t0 = Clock::now();
#pragma omp parallel num_threads(threads)
#pragma omp single
  sum = omp_skynet(0, leaves);
  double ms = ms_since(t0);
  if (sum != leaves * (leaves - 1) / 2) std::exit(1);
  return ms;
}

double openmp_spawn(int threads, int n) {
  std::atomic<int> done{0};
  double ns = 0;
#pragma omp parallel num_threads(threads)
#pragma omp single
  {
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
#pragma omp task shared(done)
      done.fetch_add(1, std::memory_order_relaxed);
    }
#pragma omp taskwait
    ns = ms_since(t0) * 1e6 / n;
  }
  return ns;
}

// ---------------------------------------------------------------- helpers
// run_child() runs argv with env additions, returns its stdout and peak RSS (MiB).
std::string run_child(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                      double* rss_mib) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t k;
  while ((k = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(k));
  close(fds[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  if (rss_mib) *rss_mib = static_cast<double>(ru.ru_maxrss) / 1024.0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench_runtime: %s failed\n", argv[0].c_str());
    return {};
  }
  return out;
}

std::string self_exe() {
  char p[4096];
  ssize_t n = readlink("/proc/self/exe", p, sizeof p - 1);
  if (n <= 0) return "bench_runtime";
  p[n] = '\0';
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  int workers = 2, reps = 10;
  std::string json, only, pick;
#ifdef WEFT_BENCH_GO_BINARY
  std::string go_bin = WEFT_BENCH_GO_BINARY;
#else
  std::string go_bin;
#endif
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--workers")
      workers = std::atoi(next().c_str());
    else if (a == "--reps")
      reps = std::atoi(next().c_str());
    else if (a == "--json")
      json = next();
    else if (a == "--go")
      go_bin = next();
    else if (a == "--only")
      only = next();
    else if (a == "--bench")  // run only this one (skynet, pingpong, fan, spawn, forkjoin)
      pick = next();
    else {
      std::fprintf(stderr,
                   "usage: bench_runtime [--workers N] [--reps N] [--json FILE] [--go PATH] "
                   "[--bench skynet|pingpong|fan|spawn|forkjoin]\n");
      return 2;
    }
  }
  const long kLeaves = 1'000'000;
  if (only == "skynet") {  // child mode for the peak-RSS measurement
    wg::Pool pool({.threads = workers});
    std::printf("%.3f\n", weft_skynet(pool, kLeaves));
    return 0;
  }

  // Each repetition runs weft, then the Go twin (one process per run), then
  // OpenMP, so load drift on a shared machine hits all of them alike; the
  // median repetition of each is reported (the machine is shared and noisy).
  const bool have_go = !go_bin.empty() && access(go_bin.c_str(), X_OK) == 0;
  if (!have_go)
    std::fprintf(stderr,
                 "bench_runtime: Go twin not found (build tools/bench/go or pass --go PATH)\n");
  const std::string gomax = "GOMAXPROCS=" + std::to_string(workers);
  auto go_once = [&](const char* name) {
    std::istringstream in(
        run_child({go_bin, "-only", name, "-reps", "1", "-workers", std::to_string(workers)},
                  {gomax}, nullptr));
    std::string b, m, u;
    double v = 0;
    in >> b >> m >> v >> u;
    return v;
  };
  struct Bench {
    const char* go_name;
    std::string bench, metric, unit;
    bool higher_better;
    std::function<double(wg::Pool&)> weft;
    std::function<double()> openmp;
  };
  std::vector<Bench> benches = {
      {"skynet", "skynet 1e6", "time", "ms", false,
       [&](wg::Pool& p) { return weft_skynet(p, kLeaves); },
       [&] { return openmp_skynet(workers, kLeaves); }},
      {"pingpong",
       "pingpong",
       "round_trip",
       "ns",
       false,
       [&](wg::Pool& p) { return weft_pingpong(p, 200000); },
       {}},
      {"fan",
       "fan 4e6",
       "throughput",
       "Mitems/s",
       true,
       [&](wg::Pool& p) { return weft_fan(p, 4'000'000, 4 * workers); },
       {}},
      {"spawn", "spawn+join", "per_task", "ns", false,
       [&](wg::Pool& p) { return weft_spawn(p, 200000); },
       [&] { return openmp_spawn(workers, 200000); }},
      {"forkjoin", "fork-join", "per_round", "ns", false,
       [&](wg::Pool& p) { return weft_forkjoin(p, workers, 100000); },
       [&] { return openmp_forkjoin(workers, 100000); }},
  };
  std::vector<Row> rows;
  {
    wg::Pool pool({.threads = workers});
    for (auto& b : benches) {
      if (!pick.empty() && pick != b.go_name) continue;
      std::vector<double> vw, vg, vo;
      for (int r = 0; r < reps; ++r) {
        vw.push_back(b.weft(pool));
        if (have_go) vg.push_back(go_once(b.go_name));
        if (b.openmp) vo.push_back(b.openmp());
      }
      auto median = [](std::vector<double> v) {
        if (v.empty()) return 0.0;
        std::sort(v.begin(), v.end());
        const std::size_t n = v.size();
        return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
      };
      // The slow tail: the 90th percentile of a time, the 10th of a rate.
      auto tail = [&](std::vector<double> v) {
        if (v.empty()) return 0.0;
        std::sort(v.begin(), v.end());
        const double q = b.higher_better ? 0.1 : 0.9;
        return v[static_cast<std::size_t>(std::lround(q * static_cast<double>(v.size() - 1)))];
      };
      const double bw = median(vw), bg = median(vg), bo = median(vo);
      rows.push_back({b.bench, "weft", b.metric, bw, b.unit});
      if (have_go) rows.push_back({b.bench, "go", b.metric, bg, b.unit});
      if (b.openmp) rows.push_back({b.bench, "openmp", b.metric, bo, b.unit});
      rows.push_back({b.bench + " p90", "weft", b.metric + "_p90", tail(vw), b.unit});
      if (have_go) rows.push_back({b.bench + " p90", "go", b.metric + "_p90", tail(vg), b.unit});
      if (b.openmp)
        rows.push_back({b.bench + " p90", "openmp", b.metric + "_p90", tail(vo), b.unit});
    }
  }
  double rss = 0;
  if (pick.empty() || pick == "skynet") {
    run_child({self_exe(), "--only", "skynet", "--workers", std::to_string(workers)}, {}, &rss);
    rows.push_back({"skynet peak RSS", "weft", "rss", rss, "MiB"});
  }
  if (have_go && (pick.empty() || pick == "skynet")) {
    run_child({go_bin, "-only", "skynet", "-reps", "1"}, {gomax}, &rss);
    rows.push_back({"skynet peak RSS", "go", "rss", rss, "MiB"});
  }

  // Table: one line per benchmark; ratio = Go / weft for times and sizes
  // (> 1: weft better), weft / Go for throughput.
  std::vector<std::string> order = {
      "skynet 1e6", "skynet 1e6 p90", "pingpong",  "pingpong p90",  "fan 4e6",        "fan 4e6 p90",
      "spawn+join", "spawn+join p90", "fork-join", "fork-join p90", "skynet peak RSS"};
  std::printf(
      "weft::go runtime benchmark: %d workers, GOMAXPROCS=%d, OpenMP %d threads, median and "
      "p90 (the slow tail: 90th percentile of times, 10th of rates) of %d runs\n",
      workers, workers, workers, reps);
  std::printf("%-16s %-10s %12s %12s %12s %8s\n", "benchmark", "unit", "weft", "Go", "OpenMP",
              "ratio");
  for (const auto& name : order) {
    const Row* r[3] = {nullptr, nullptr, nullptr};
    for (const auto& row : rows) {
      if (row.bench != name) continue;
      r[row.impl == "weft" ? 0 : row.impl == "go" ? 1 : 2] = &row;
    }
    if (!r[0]) continue;
    auto cell = [](const Row* x) {
      char s[32];
      if (x)
        std::snprintf(s, sizeof s, "%.1f", x->value);
      else
        std::snprintf(s, sizeof s, "n/a");
      return std::string(s);
    };
    std::string ratio = "n/a";
    if (r[1]) {
      double q = r[0]->unit == "Mitems/s" ? r[0]->value / r[1]->value : r[1]->value / r[0]->value;
      char s[32];
      std::snprintf(s, sizeof s, "%.2f", q);
      ratio = s;
    }
    std::printf("%-16s %-10s %12s %12s %12s %8s\n", name.c_str(), r[0]->unit.c_str(),
                cell(r[0]).c_str(), cell(r[1]).c_str(), cell(r[2]).c_str(), ratio.c_str());
  }
  std::printf(
      "ratio: Go/weft for time, round trip, per-task cost and RSS; weft/Go for throughput (> 1: "
      "weft better)\n");
  if (!json.empty()) {
    std::ofstream f(json);
    f << "[\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      f << "  {\"bench\": \"" << rows[i].bench << "\", \"impl\": \"" << rows[i].impl
        << "\", \"metric\": \"" << rows[i].metric << "\", \"value\": " << rows[i].value
        << ", \"unit\": \"" << rows[i].unit << "\", \"cores\": " << workers << "}"
        << (i + 1 < rows.size() ? ",\n" : "\n");
    }
    f << "]\n";
  }
  return 0;
}
