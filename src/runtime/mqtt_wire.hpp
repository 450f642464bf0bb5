#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "trading/result.hpp"

/// The MQTT 3.1.1 packets a client sends and receives, encoded
/// and decoded without any I/O (the ingress's own client, `mqtt_tcp_client`,
/// does the I/O). Plain C++ without libmosquitto, so that the parser can be
/// tested and fuzzed on its own.
namespace intuition::runtime::mqtt_wire {

/// Control packet types (the high nibble of the first byte).
enum class packet_type : uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
};

/// The largest remaining length the protocol can express (four length
/// bytes).
constexpr uint32_t max_remaining_length = 268'435'455;

/// What a CONNECT carries.
struct connect_fields {
  std::string client_id;
  bool clean_session = false;
  uint16_t keepalive_s = 0;
  std::string username;
  std::string password;
};

/// Appends a CONNECT (protocol level 4) to `out`.
void encode_connect(std::string& out, const connect_fields& x);

/// Appends a SUBSCRIBE for one topic filter to `out`.
void encode_subscribe(std::string& out, uint16_t packet_id,
                      std::string_view filter, int qos);

/// Appends a PUBLISH to `out`: `qos` 0 or 1, `packet_id` ignored for QoS 0,
/// `dup` set when a QoS 1 message is sent again after a reconnect. The
/// caller keeps the topic under 65,536 bytes and topic and payload within
/// `max_remaining_length`.
void encode_publish(std::string& out, std::string_view topic,
                    std::string_view payload, int qos, uint16_t packet_id,
                    bool dup);

/// Appends a PUBACK to `out`.
void encode_puback(std::string& out, uint16_t packet_id);

/// Appends a PINGREQ to `out`.
void encode_pingreq(std::string& out);

/// Appends a DISCONNECT to `out`.
void encode_disconnect(std::string& out);

/// One packet cut from the stream: its first byte split into type and flags,
/// and its variable header and payload.
struct packet {
  packet_type type = packet_type::connect;
  uint8_t flags = 0;
  std::string_view body;
};

/// Cuts the first packet off `data`. Returns its full size, 0 when `data`
/// holds only part of it, or a failed operation when the fixed header is
/// malformed (a length over four bytes or beyond `max_bytes`, type 0 or 15).
trading::result<size_t> next_packet(std::string_view data, packet& out,
                                    uint32_t max_bytes);

/// A PUBLISH's fields; topic and payload point into the packet's body.
struct publish_fields {
  std::string_view topic;
  std::string_view payload;
  int qos = 0;
  bool dup = false;
  bool retain = false;
  /// 0 for QoS 0.
  uint16_t packet_id = 0;
};

/// Decodes a PUBLISH. Fails (a failed operation) on QoS 3, a topic longer
/// than the body, an empty topic, or a QoS > 0 packet without its id or with
/// id 0.
trading::result<publish_fields> parse_publish(const packet& x);

/// A CONNACK's fields.
struct connack_fields {
  bool session_present = false;
  /// 0 accepted; 1..5 the MQTT 3.1.1 refusals.
  int return_code = 0;
};

/// Decodes a CONNACK (exactly two bytes). Fails otherwise.
trading::result<connack_fields> parse_connack(const packet& x);

/// A SUBACK's fields.
struct suback_fields {
  uint16_t packet_id = 0;
  /// One entry per filter of the SUBSCRIBE: the granted QoS, or 128.
  std::vector<int> granted;
};

/// Decodes a SUBACK. Fails on a body shorter than three bytes.
trading::result<suback_fields> parse_suback(const packet& x);

/// The two-byte packet id of a PUBACK, PUBREC, PUBREL, PUBCOMP or UNSUBACK.
trading::result<uint16_t> parse_packet_id(const packet& x);

} // namespace intuition::runtime::mqtt_wire
