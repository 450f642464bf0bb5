#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "runtime/config.hpp"

/// `intuition run` (live trading over MQTT) and `intuition feed` (a CSV
/// published as quotes).
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

/// Decides `--exit-when-idle`: idle time counts from readiness, so a run
/// that never receives a quote stops as well, and starts over with every
/// quote.
class idle_watch {
public:
  using time_point = std::chrono::steady_clock::time_point;

  /// Expires after `limit` without a quote; a limit of 0 never expires.
  explicit idle_watch(std::chrono::milliseconds limit) : limit_(limit) {
    // nop
  }

  /// The run became ready at `now` (later calls change nothing).
  void ready(time_point now);

  /// Quotes arrived; seen at `now`. Before readiness this changes nothing.
  void activity(time_point now);

  /// Whether the run was ready and saw no quote for longer than the limit.
  bool expired(time_point now) const;

private:
  std::chrono::milliseconds limit_;
  bool ready_ = false;
  time_point since_{};
};

/// Runs live trading; returns the process exit code.
int run_live(const run_options& opts, const char* argv0);

/// Options of the feed command.
struct feed_options {
  std::string broker;
  std::string quotes;
  std::string topic = "quotes";
  /// `canonical`, `sid` or `symbol-map`.
  std::string format = "canonical";
  /// Messages per second; 0 is as fast as possible.
  double rate = 0.0;
  int qos = 1;
  uint64_t repeat = 1;
  std::string client_id;
  bool quiet = false;
};

/// Publishes a CSV as quotes; returns the process exit code.
int run_feed(const feed_options& opts);

} // namespace intuition::runtime
