#pragma once

#include <string>

#include <caf/actor_system_config.hpp>

#include "trading/result.hpp"

/// The actor system's configuration, shared by every command.
namespace intuition::runtime {

/// CAF settings of an Intuition process: every message type registered and
/// the middleman loaded.
class system_config : public caf::actor_system_config {
public:
  system_config();

  /// Reads CAF settings (INI syntax) from `path`, or from the first
  /// `caf-application.conf` found in the working directory or the folder
  /// above the executable when `path` is empty. Fails with an invalid request
  /// naming the file.
  trading::status load_file(const std::string& path, const char* argv0);

  /// Fails (an invalid request) when node failure detection is off: CAF 0.17
  /// ships `middleman.heartbeat-interval` and `middleman.connection-timeout`
  /// at 0, which never notices a frozen peer and lets a connection attempt
  /// to a silent one block forever.
  trading::status check_failure_detection() const;

  /// `load_file`, then, when the process talks to other nodes
  /// (`networked`), `check_failure_detection`: what every command does
  /// before it starts its actor system.
  trading::status read_settings(const std::string& path, const char* argv0,
                                bool networked);

  /// The configured heartbeat interval and connection timeout.
  caf::timespan heartbeat_interval() const;
  caf::timespan connection_timeout() const;

  /// Whether node-to-node traffic uses TLS: any of `openssl.certificate`,
  /// `key`, `cafile` or `capath` is set (the OpenSSL module is then loaded).
  bool tls() const noexcept {
    return tls_;
  }

  /// The file that was read, empty if none.
  const std::string& caf_config_path() const noexcept {
    return caf_config_path_;
  }

private:
  std::string caf_config_path_;
  bool tls_ = false;
};

} // namespace intuition::runtime
