#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/config.hpp"
#include "runtime/mqtt_client.hpp"
#include "trading/result.hpp"
#include "trading/types.hpp"

/// `intuition feed`: a CSV published to a broker as quotes; also the live
/// demo's source.
namespace intuition::runtime {

/// Options of the feed command.
struct feed_options {
  std::string broker;
  std::string quotes;
  std::string topic = "quotes";
  /// Publish each quote to `topic/SYMBOL` (`trading::symbol_topic`), the
  /// layout of node-local ingress, instead of `topic`.
  bool topic_per_symbol = false;
  /// `canonical`, `sid` or `symbol-map`.
  std::string format = "canonical";
  /// Messages per second; 0 is as fast as possible.
  double rate = 0.0;
  int qos = 1;
  uint64_t repeat = 1;
  std::string client_id;
  bool quiet = false;
  /// The broker credentials and TLS files (`--username`, `--password-file`,
  /// `--tls-ca`, `--tls-cert`, `--tls-key`); the rest of it is unused.
  mqtt_config mqtt;
};

/// What a publishing run did.
struct feed_stats {
  uint64_t sent = 0;
  /// Acknowledged by the broker (QoS 1) or handed to the client (QoS 0).
  uint64_t acked = 0;
  /// Bytes the client still held when it stopped (QoS 0 messages lost).
  size_t unsent_bytes = 0;
  double elapsed_s = 0.0;
};

/// Publishes `quotes` (`opts.repeat` times) to `opts.topic` on the broker of
/// `base` (whose credentials and TLS settings it uses), paced to `opts.rate`
/// messages per second (0: as fast as possible), until done or `stop`, and
/// waits (bounded) for the broker to acknowledge every message.
trading::result<feed_stats>
publish_quotes(const mqtt_options& base,
               const std::vector<trading::quote>& quotes,
               const feed_options& opts, const std::atomic<bool>& stop);

/// Publishes a CSV as quotes; returns the process exit code.
int run_feed(const feed_options& opts);

} // namespace intuition::runtime
