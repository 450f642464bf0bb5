#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <sys/types.h>

#include "trading/result.hpp"

/// A real `mosquitto` broker process on 127.0.0.1, started and stopped by its
/// owner: for tests, benchmarks and single-machine deployments that need no
/// separately managed broker. Plain C++17 and POSIX, no CAF.
namespace intuition::runtime {

/// How to run an `embedded_broker`.
struct broker_options {
  /// Loopback port to listen on; 0 picks a free one. Default: 0.
  uint16_t port = 0;
  /// Folder for the configuration, the log and the persistence database
  /// (no whitespace in the path: mosquitto's configuration syntax splits on
  /// it). Empty creates a temporary folder that `stop()` removes. Default:
  /// empty.
  std::string work_dir;
  /// Whether the broker saves sessions, subscriptions and queued messages to
  /// disk (on exit and every second), so they survive `restart()`. Default:
  /// false.
  bool persistence = false;
  /// With `persistence`: save after every change instead of every second
  /// (mosquitto's `autosave_on_changes`), so that a broker killed hard loses
  /// none of the messages it acknowledged to a publisher, at the price of a
  /// database write per message. Default: false.
  bool save_every_change = false;
  /// A mosquitto password file (`mosquitto_passwd`): set, clients must log in
  /// with a user and password it holds; anonymous ones are refused. Default:
  /// empty.
  std::string password_file;
  /// PEM certificate and key the broker presents: set, the listener speaks
  /// TLS only (`mqtts://`). Both or neither. Default: empty.
  std::string tls_cert_file;
  std::string tls_key_file;
  /// PEM CA certificates that sign client certificates. Default: empty.
  std::string tls_ca_file;
  /// With TLS: refuse clients that do not present a certificate signed by
  /// `tls_ca_file` (mosquitto's `require_certificate`). Default: false.
  bool require_certificate = false;
};

/// Owns one mosquitto child process configured never to drop QoS >= 1
/// messages for slow or absent subscribers.
///
/// The broker binary is `$MOSQUITTO` when set, else `/usr/sbin/mosquitto`,
/// else `mosquitto` on `PATH`. On Linux the child receives SIGTERM when the
/// thread that (re)started it exits, so a crashed or killed test leaves no
/// broker behind: start it from a long-lived thread. Not thread-safe: one
/// owner thread calls every member function.
class embedded_broker {
public:
  // -- construction -----------------------------------------------------------

  /// Writes the configuration, spawns the broker and waits (at most 5 s) until
  /// it accepts TCP connections. Fails with an invalid request for options
  /// that do not go together, and with a failed operation that includes the
  /// tail of the broker's log when it does not come up.
  static trading::result<std::unique_ptr<embedded_broker>>
  start(const broker_options& options);

  embedded_broker(const embedded_broker&) = delete;
  embedded_broker& operator=(const embedded_broker&) = delete;

  /// Calls `stop()`.
  ~embedded_broker();

  // -- control ----------------------------------------------------------------

  /// Terminates the broker (SIGTERM, then SIGKILL after 5 s), reaps it and
  /// removes the work folder if `start()` created it. Idempotent.
  void stop();

  /// Terminates the broker as `stop()` does but keeps the work folder, then
  /// starts it again on the same port with the same configuration. Clients
  /// see a dropped connection. Fails with a failed operation.
  trading::status restart();

  /// Kills the broker with SIGKILL and reaps it, without letting it save
  /// anything: a crash, for tests. `restart()` brings it back.
  void kill_hard();

  // -- observers --------------------------------------------------------------

  /// `mqtt://127.0.0.1:PORT`, or `mqtts://` with TLS.
  std::string url() const;

  /// The port the broker listens on.
  uint16_t port() const noexcept {
    return port_;
  }

  /// The broker's process id, or -1 when it is not running.
  pid_t pid() const noexcept {
    return pid_;
  }

  /// The folder holding `mosquitto.conf`, `mosquitto.log` and the database.
  const std::string& work_dir() const noexcept {
    return work_dir_;
  }

  /// The last `max_bytes` of the broker's log, for error messages.
  std::string log_tail(size_t max_bytes = 2048) const;

private:
  embedded_broker(broker_options options, bool owns_work_dir);

  /// Writes the configuration file.
  trading::status write_config() const;

  /// Spawns the process and waits until it accepts connections.
  trading::status launch();

  /// Sends `signal`, waits up to `grace_ms` for the exit, then SIGKILLs.
  void terminate(int signal, int grace_ms);

  std::string config_path() const;
  std::string log_path() const;

  broker_options options_;
  std::string work_dir_;
  bool owns_work_dir_ = false;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

} // namespace intuition::runtime
