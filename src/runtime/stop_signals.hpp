#pragma once

#include <atomic>

/// SIGINT/SIGTERM as a flag the long-running commands poll.
namespace intuition::runtime {

/// Set once SIGINT or SIGTERM arrived after `install_stop_handlers`.
extern std::atomic<bool> stop_requested;

/// Clears the flag and routes SIGINT and SIGTERM to it.
void install_stop_handlers();

/// Restores the default actions (a second Ctrl-C then ends the process).
void restore_default_handlers();

} // namespace intuition::runtime
