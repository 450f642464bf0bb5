#pragma once

#include <string>

#include "actors/messages.hpp"
#include "trading/result.hpp"

/// `intuition control`: steers a running process (trading mode, flatten,
/// strategies) through the node agent it publishes (`--listen`).
namespace intuition::runtime {

/// Options of the control command.
struct control_options {
  /// `HOST:PORT` the process listens on (`--listen`).
  std::string node;
  /// `halt`, `reduce-only`, `resume`, `flatten`, `add-strategy` or
  /// `remove-strategy`.
  std::string command;
  /// `flatten --strategy S`, `remove-strategy NAME`.
  std::string strategy;
  /// `add-strategy FILE`.
  std::string file;
  /// `remove-strategy NAME --flatten`.
  bool flatten = false;
  std::string caf_config;
};

/// The request `opts` asks for: an `add-strategy` file is read and
/// validated here first (`load_strategy`), so that a bad file is refused
/// with the configuration's messages before anything is sent. Fails with
/// an invalid request for an unknown command or a missing argument.
trading::result<actors::control_request>
make_control_request(const control_options& opts);

/// Runs the control command; returns the process exit code (0 done, 1 the
/// process could not be reached or failed to apply it, 2 a bad request).
int run_control(const control_options& opts, const char* argv0);

} // namespace intuition::runtime
