#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/config.hpp"

/// `intuition run`: live trading over MQTT.
namespace intuition::runtime {

/// Options of the run command (each overrides the configuration).
/// --listen defaults to 127.0.0.1:4242 (a free port when that is taken).
struct run_options : session_options {
  std::optional<std::string> broker;
  std::optional<std::string> username;
  std::optional<std::string> password_file;
  std::optional<std::string> tls_ca;
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
  /// Keep retrying a refused connection (`--mqtt-retry-refused`).
  bool retry_refused = false;
  std::optional<std::string> client_id;
  /// Feed this CSV into the broker once connected (the live demo).
  std::optional<std::string> demo_quotes;
  /// Stop by itself after this many seconds without a quote, counted from
  /// readiness (0: run until SIGINT/SIGTERM).
  double idle_exit_s = 0.0;
};

/// Runs live trading; returns the process exit code.
int run_live(const run_options& opts, const char* argv0);

} // namespace intuition::runtime
