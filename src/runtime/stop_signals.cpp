#include "runtime/stop_signals.hpp"

#include <csignal>

namespace intuition::runtime {

std::atomic<bool> stop_requested{false};

namespace {

extern "C" void on_stop_signal(int) {
  stop_requested = true;
}

} // namespace

void install_stop_handlers() {
  stop_requested = false;
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

void restore_default_handlers() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

} // namespace intuition::runtime
