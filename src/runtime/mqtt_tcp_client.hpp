#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/mqtt_source.hpp"

/// Intuition's own MQTT 3.1.1 client, over plain TCP.
namespace intuition::runtime {

/// A client that reads the socket in large chunks and cuts every complete
/// packet out of what arrived.
///
/// Subscribing, it hands all PUBLISHes of one read to `on_messages` at once
/// and then writes all their PUBACKs with one write: a few system calls per
/// read instead of four or five per message, and no acknowledgement before
/// the messages are safe.
///
/// Publishing, `publish()` writes from the caller's thread (no hand-off to
/// the network thread) and every PUBACK of one read is reported to
/// `events.on_published`. A QoS 1 message stays held until its PUBACK: at
/// most `max_inflight` are on the wire, the rest wait in order; after a
/// reconnect the unacknowledged ones are sent again with the DUP flag, then
/// the waiting ones. At most `max_held` are held; beyond, `publish()` fails.
///
/// Under load it reads less often: after a read that brought at least
/// `coalesce_min` QoS 0 messages (the broker pushes faster than they are
/// taken), the next read waits `mqtt_options::read_pause_us`, so that it
/// brings more.
/// Each read costs the same system calls and hand-offs (and the runtime's
/// input log one write) whatever it holds; a light feed, whose reads hold
/// a message or two, never waits. With `mqtt_options::read_pause_qos1`,
/// a read of `coalesce_min_qos1` QoS 1 messages or more waits as well,
/// after its PUBACKs went out. A broker's inflight window would cap that:
/// the broker sends at most its window while the read waits. Behind a
/// window of 32 or less the waits never start (mosquitto's default is 20,
/// EMQX's 32); a larger window shows as `window_reads` waiting reads in a
/// row that each bring the largest number of messages any read brought,
/// and then QoS 1 reads do not wait for `qos1_pause_off`.
///
/// Reconnects with the configured exponential backoff, resubscribes on
/// every connection, keeps the connection alive with PINGREQ and drops it
/// when the broker stays silent past the keepalive. QoS 0 and 1 only.
class mqtt_tcp_client final : public mqtt_source, public mqtt_sink {
public:
  mqtt_tcp_client(mqtt_options opts, source_callbacks cb);

  /// A client that only publishes (and takes no message).
  mqtt_tcp_client(mqtt_options opts, mqtt_callbacks cb);

  mqtt_tcp_client(const mqtt_tcp_client&) = delete;
  mqtt_tcp_client& operator=(const mqtt_tcp_client&) = delete;

  ~mqtt_tcp_client() override;

  /// Checks the options, resolves the broker's host and starts the network
  /// thread, which connects. Fails (a failed operation) for invalid options,
  /// TLS options (not supported here), a host that does not resolve, or a
  /// second call.
  trading::status start() override;

  void stop() override;

  /// QoS 0 or 1.
  trading::status subscribe(const std::string& topic, int qos) override;

  /// Most QoS 1 messages held (sent or waiting) before their PUBACK; below
  /// the 65,535 packet ids of a connection.
  static constexpr size_t max_held = 60'000;

  /// Most bytes of QoS 0 messages waiting for the socket.
  static constexpr size_t max_unsent_bytes = 4u << 20;

  /// Publishes with QoS 0 or 1. Fails (a failed operation) for an invalid
  /// topic or QoS, a client not started or stopped, QoS 0 while
  /// disconnected or with `max_unsent_bytes` waiting, and QoS 1 with
  /// `max_held` messages held. A QoS 0 message is reported to
  /// `on_published` (on the caller's thread) as soon as it is queued.
  trading::result<int> publish(const std::string& topic,
                               std::string_view payload, int qos) override;

  void hold(bool on) override;

  /// Bytes queued for the socket and not yet written.
  size_t unsent_bytes() const override;

  /// QoS 1 messages in flight or waiting for room in the window.
  size_t unacknowledged() const override;

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

  /// QoS 0 messages in one read from which the next read waits.
  static constexpr size_t coalesce_min = 16;

  /// QoS 1 messages in one read from which the next read waits (with
  /// `mqtt_options::read_pause_qos1`): above the inflight windows brokers
  /// ship with (mosquitto 20, EMQX 32), behind which reads never wait.
  static constexpr size_t coalesce_min_qos1 = 33;

  /// Waiting QoS 1 reads in a row that bring the same, largest number of
  /// messages: a broker's inflight window.
  static constexpr size_t window_reads = 4;

  /// How long QoS 1 reads do not wait once a broker's window showed.
  static constexpr std::chrono::seconds qos1_pause_off{10};

  /// Times a broker's inflight window showed (`window_reads`), so that QoS
  /// 1 reads stopped waiting for `qos1_pause_off`.
  uint64_t qos1_windows_seen() const noexcept {
    return qos1_windows_seen_.load();
  }

  /// Reads after which the next read waited `mqtt_options::read_pause_us`.
  uint64_t coalesced_reads() const noexcept {
    return coalesced_reads_.load();
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

  /// After `handle_input` took a read: whether the next read waits.
  bool wait_after_read();

  /// Drops the first `n` bytes of what was read.
  void consume(size_t n);

  /// Handles a SUBACK.
  void on_suback(uint16_t id, const std::vector<int>& granted);

  /// Writes what `out_` holds as far as the socket takes it; false on a
  /// failed write.
  bool flush();

  /// `flush()` with `mtx_` held, from any thread; returns 0 or the errno
  /// of the failed write.
  int flush_locked();

  /// Whether `out_` holds bytes not yet written.
  bool unsent() const;

  /// When the last byte was written.
  clock_type::time_point last_sent() const;

  /// Writes `out_` from the caller's thread; `mtx_` held. Returns whether
  /// bytes are left for the network thread.
  bool write_out_locked();

  /// A packet id not held by any message or subscription; `mtx_` held.
  uint16_t take_id();

  /// Moves waiting messages on the wire while there is room; `mtx_` held.
  void send_waiting();

  /// Retires the held message with packet id `id`; `mtx_` held. Returns
  /// whether one was held.
  bool acknowledged(uint16_t id);

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
  std::atomic<uint64_t> coalesced_reads_{0};
  /// Guards the subscription and publication state below, `fd_` for
  /// writing and closing, `out_` and `last_sent_` (callers and network
  /// thread).
  mutable std::mutex mtx_;
  std::vector<std::pair<std::string, int>> subscriptions_;
  /// Entries of `subscriptions_` already sent on this connection.
  size_t sent_ = 0;
  /// Packet ids and filters of unacknowledged SUBSCRIBEs.
  std::vector<std::pair<uint16_t, std::string>> awaiting_;
  bool refused_ = false;
  /// A QoS 1 message until its PUBACK: its id and its encoded PUBLISH.
  struct held_message {
    uint16_t id = 0;
    std::string packet;
  };
  /// Sent on this connection (or the last one) and not acknowledged.
  std::deque<held_message> in_flight_;
  /// Beyond `max_inflight`, or published while disconnected.
  std::deque<held_message> waiting_;
  /// Packet ids in use, by id.
  std::vector<bool> ids_in_use_ = std::vector<bool>(65536, false);
  uint16_t next_id_ = 0;
  /// Numbers QoS 0 messages for `on_published`.
  uint16_t qos0_count_ = 0;
  /// Set by `hold(true)`: `publish` queues without writing.
  bool held_ = false;
  int fd_ = -1;
  std::string out_;
  clock_type::time_point last_sent_;

  // -- network thread only
  std::string in_;
  size_t in_used_ = 0;
  std::string why_;
  clock_type::time_point last_received_;
  bool ping_outstanding_ = false;
  std::vector<inbound_message> batch_;
  std::vector<uint16_t> acks_;
  /// Ids of the PUBACKs of one read.
  std::vector<uint16_t> published_;
  /// Set by a read of `coalesce_min` QoS 0 messages or more (or
  /// `coalesce_min_qos1` QoS 1 ones).
  bool pause_next_read_ = false;
  /// Whether the read now handled followed a wait.
  bool read_after_pause_ = false;
  /// Whether the read now handled filled the space it was given.
  bool read_filled_ = false;
  /// Messages of the last QoS 1 read that followed a wait.
  size_t last_paused_read_ = 0;
  /// QoS 1 reads in a row, each after a wait, that brought
  /// `last_paused_read_` messages.
  size_t equal_paused_reads_ = 0;
  /// The most QoS 1 messages one read of this connection brought.
  size_t largest_qos1_read_ = 0;
  /// Until when QoS 1 reads do not wait (a broker's window showed).
  clock_type::time_point qos1_pause_off_until_{};
  std::atomic<uint64_t> qos1_windows_seen_{0};
};

} // namespace intuition::runtime
