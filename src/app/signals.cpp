// SPDX-License-Identifier: Apache-2.0
#include "signals.hpp"

#include <csignal>
#include <cstring>

namespace weft::app {
namespace {

volatile std::sig_atomic_t g_pending = 0;
constexpr int kSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2};
constexpr int kCount = sizeof kSignals / sizeof kSignals[0];
struct sigaction g_old[kCount];
struct sigaction g_old_pipe;

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
  for (int i = 0; i < kCount; ++i) sigaction(kSignals[i], &sa, &g_old[i]);
  // A reader that went away (`weft run ... | head`, a dead mpirun) makes
  // writes fail with EPIPE instead of killing the run.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &g_old_pipe);
}

StopSignals::~StopSignals() {
  for (int i = 0; i < kCount; ++i) sigaction(kSignals[i], &g_old[i], nullptr);
  sigaction(SIGPIPE, &g_old_pipe, nullptr);
}

int StopSignals::pending() noexcept { return g_pending; }

std::string signal_name(int sig) {
  switch (sig) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGHUP:
      return "SIGHUP";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGUSR2:
      return "SIGUSR2";
    default:
      return sig > 0 ? std::string(strsignal(sig)) : std::string("none");
  }
}

}  // namespace weft::app
