#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "runtime/config.hpp"

/// `intuition node`: a worker process that hosts algorithm actors for a
/// coordinator.
namespace intuition::runtime {

/// Options of the node command.
struct node_options {
  std::string bind = "127.0.0.1";
  /// 0 picks a free port (printed).
  uint16_t port = 4243;
  /// Shown in inspection and placement; default `node-PORT`.
  std::string name;
  std::optional<uint16_t> metrics_port;
  std::string metrics_bind = "127.0.0.1";
  std::string caf_config;
  /// `--insecure`: allow `bind` beyond loopback without TLS.
  bool insecure = false;
  /// `--broker`: where this node's shards connect (node-local ingress);
  /// none: the broker the coordinator names.
  std::optional<std::string> broker;
  /// The credentials and TLS files of the shards' sessions (`--username`,
  /// `--password-file`, `--tls-ca`, `--tls-cert`, `--tls-key`); the rest of
  /// it is unused.
  mqtt_config mqtt;
};

/// Runs a worker node until SIGINT/SIGTERM; returns the process exit code.
int run_node(const node_options& opts, const char* argv0);

} // namespace intuition::runtime
