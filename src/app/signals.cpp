// SPDX-License-Identifier: Apache-2.0
#include "signals.hpp"

#include <csignal>

namespace weft::app {
namespace {

volatile std::sig_atomic_t g_pending = 0;
struct sigaction g_old[3];
constexpr int kSignals[3] = {SIGTERM, SIGINT, SIGUSR1};

extern "C" void on_stop_signal(int sig) {
  if (g_pending == 0) {
    g_pending = sig;
    return;
  }
  if (sig == SIGINT) {  // second Ctrl-C: stop now
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
  }
}

}  // namespace

StopSignals::StopSignals() {
  g_pending = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &sa, &g_old[i]);
}

StopSignals::~StopSignals() {
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &g_old[i], nullptr);
}

int StopSignals::pending() noexcept { return g_pending; }

}  // namespace weft::app
