#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/mqtt_source.hpp"

/// Intuition's own MQTT 3.1.1 subscriber, over plain TCP.
namespace intuition::runtime {

/// A subscriber that reads the socket in large chunks, cuts every complete
/// packet out of what arrived, hands all PUBLISHes of one read to
/// `on_messages` at once and then writes all their PUBACKs with one write:
/// a few system calls per read instead of four or five per message, and no
/// acknowledgement before the messages are safe. Reconnects with the
/// configured exponential backoff, resubscribes on every connection, keeps
/// the connection alive with PINGREQ and drops it when the broker stays
/// silent past the keepalive. Only QoS 0 and 1 subscriptions.
class mqtt_subscriber final : public mqtt_source {
public:
  mqtt_subscriber(mqtt_options opts, source_callbacks cb);

  mqtt_subscriber(const mqtt_subscriber&) = delete;
  mqtt_subscriber& operator=(const mqtt_subscriber&) = delete;

  ~mqtt_subscriber() override;

  /// Checks the options, resolves the broker's host and starts the network
  /// thread, which connects. Fails (a failed operation) for invalid options,
  /// TLS options (not supported here), a host that does not resolve, or a
  /// second call.
  trading::status start() override;

  void stop() override;

  /// QoS 0 or 1.
  trading::status subscribe(const std::string& topic, int qos) override;

  bool connected() const noexcept override {
    return connected_.load();
  }

  bool subscribed() const noexcept override {
    return subscribed_.load();
  }

  /// Successful connections after the first one.
  uint64_t reconnects() const noexcept {
    return reconnects_.load();
  }

private:
  using clock_type = std::chrono::steady_clock;

  /// The network thread: sessions separated by backoff, until `stop()`.
  void run();

  /// One connection from TCP connect to its end; returns whether the broker
  /// accepted it (so that the backoff starts over).
  bool session();

  /// Connects a non-blocking TCP socket to the broker; -1 on failure.
  int connect_socket();

  /// Reads CONNACK; returns its return code, or -1 when the connection
  /// failed first.
  int await_connack();

  /// Sends the SUBSCRIBEs not yet sent on this connection.
  void send_subscriptions();

  /// Cuts the packets out of `in_` and handles them; false ends the
  /// connection with `why_`.
  bool handle_input();

  /// Drops the first `n` bytes of what was read.
  void consume(size_t n);

  /// Handles a SUBACK.
  void on_suback(uint16_t id, const std::vector<int>& granted);

  /// Writes what `out_` holds as far as the socket takes it; false on a
  /// failed write.
  bool flush();

  /// Waits up to `timeout` for the stop signal; true when stopping.
  bool wait_stop(std::chrono::milliseconds timeout);

  /// Ends the connection, reporting `why` (unexpected unless stopping).
  void end_connection(const std::string& why);

  mqtt_options opts_;
  source_callbacks cb_;
  std::thread thread_;
  /// eventfd that wakes the network thread (stop, new subscriptions).
  int wake_ = -1;
  std::atomic<bool> running_{false};
  std::atomic<bool> started_{false};
  std::atomic<bool> connected_{false};
  std::atomic<bool> subscribed_{false};
  std::atomic<bool> ever_connected_{false};
  std::atomic<uint64_t> reconnects_{0};
  /// Guards the subscription state below (callers and network thread).
  std::mutex mtx_;
  std::vector<std::pair<std::string, int>> subscriptions_;
  /// Entries of `subscriptions_` already sent on this connection.
  size_t sent_ = 0;
  /// Packet ids and filters of unacknowledged SUBSCRIBEs.
  std::vector<std::pair<uint16_t, std::string>> awaiting_;
  bool refused_ = false;
  // -- network thread only
  int fd_ = -1;
  std::string in_;
  size_t in_used_ = 0;
  std::string out_;
  uint16_t next_id_ = 0;
  std::string why_;
  clock_type::time_point last_sent_;
  clock_type::time_point last_received_;
  bool ping_outstanding_ = false;
  std::vector<inbound_message> batch_;
  std::vector<uint16_t> acks_;
};

} // namespace intuition::runtime
