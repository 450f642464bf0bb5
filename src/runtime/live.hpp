#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/config.hpp"

/// `intuition run`: live trading over MQTT.
namespace intuition::runtime {

/// Options of the run command (each overrides the configuration).
struct run_options {
  std::string config_path;
  std::optional<std::string> broker;
  std::optional<std::string> username;
  std::optional<std::string> password_file;
  std::optional<std::string> tls_ca;
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
  /// Keep retrying a refused connection (`--mqtt-retry-refused`).
  bool retry_refused = false;
  std::optional<std::string> client_id;
  std::optional<std::string> journal;
  std::optional<std::string> report_path;
  /// Feed this CSV into the broker once connected (the live demo).
  std::optional<std::string> demo_quotes;
  /// Stop by itself after this many seconds without a quote, counted from
  /// readiness (0: run until SIGINT/SIGTERM).
  double idle_exit_s = 0.0;
  std::string caf_config;
  /// --listen (default 127.0.0.1:4242), --metrics-port, --join.
  node_flags node;
  bool quiet = false;
  /// Start on a journal shorter than what was acknowledged or published.
  bool accept_journal_loss = false;
};

/// Runs live trading; returns the process exit code.
int run_live(const run_options& opts, const char* argv0);

} // namespace intuition::runtime
