// SPDX-License-Identifier: Apache-2.0
#include "stop_signal.hpp"

#include <csignal>

namespace scxsnap::cli {
namespace {

std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;

void on_signal(int sig) {
  g_signal = sig;
  g_stop.store(true);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(sig, &dfl, nullptr);  // the next one is not caught
}

void install(void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace

StopSignal::StopSignal() {
  g_stop.store(false);
  g_signal = 0;
  install(on_signal);
}

StopSignal::~StopSignal() {
  install(SIG_DFL);
}

const std::atomic<bool>& StopSignal::flag() const {
  return g_stop;
}

int StopSignal::signal_number() const {
  return g_signal;
}

}  // namespace scxsnap::cli
