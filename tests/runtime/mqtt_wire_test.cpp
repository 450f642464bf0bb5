#define CAF_SUITE runtime.mqtt_wire

#include "caf/test/unit_test.hpp"

#include <string>

#include "runtime/mqtt_wire.hpp"

using namespace intuition::runtime::mqtt_wire;

namespace {

/// A packet's bytes: first byte, remaining length as given, body.
std::string raw(uint8_t first, std::string length, std::string body) {
  return std::string(1, static_cast<char>(first)) + length + body;
}

/// "ok" with the size cut, or the failure.
std::string cut(std::string_view data, packet& p, uint32_t max = 1u << 20) {
  auto res = next_packet(data, p, max);
  return res ? "ok " + std::to_string(*res) : res.error().message;
}

} // namespace

CAF_TEST(remaining lengths at the edges of each byte count round trip) {
  for (uint32_t n : {0u, 1u, 127u, 128u, 16383u, 16384u, 2097151u, 2097152u}) {
    std::string body(n, 'x');
    std::string out;
    // A PUBLISH body: topic "t", QoS 0, payload of the rest.
    std::string publish_body = std::string{"\0\1t", 3} + body;
    out += static_cast<char>(0x30);
    auto len = static_cast<uint32_t>(publish_body.size());
    do {
      auto byte = static_cast<uint8_t>(len % 128);
      len /= 128;
      out += static_cast<char>(len > 0 ? (byte | 0x80) : byte);
    } while (len > 0);
    out += publish_body;
    packet p;
    CAF_CHECK_EQUAL(cut(out, p, 1u << 22), "ok " + std::to_string(out.size()));
    auto msg = parse_publish(p);
    CAF_REQUIRE(msg);
    CAF_CHECK_EQUAL(msg->topic, "t");
    CAF_CHECK_EQUAL(msg->payload.size(), n);
    // Every proper prefix is incomplete, not an error.
    for (size_t k : {size_t{0}, size_t{1}, out.size() / 2, out.size() - 1})
      CAF_CHECK_EQUAL(cut(std::string_view{out}.substr(0, k), p, 1u << 22),
                      "ok 0");
  }
}

CAF_TEST(malformed fixed headers are refused with a reason) {
  packet p;
  CAF_CHECK_EQUAL(cut(raw(0x00, std::string(1, 0), ""), p),
                  "malformed MQTT packet: reserved packet type 0");
  CAF_CHECK_EQUAL(cut(raw(0xF0, std::string(1, 0), ""), p),
                  "malformed MQTT packet: reserved packet type 15");
  CAF_CHECK_EQUAL(cut(raw(0x30, "\x80\x80\x80\x80\x01", ""), p),
                  "malformed MQTT packet: remaining length of more than four "
                  "bytes");
  CAF_CHECK_EQUAL(cut(raw(0x30, "\x81\x01", std::string(129, 'x')), p, 128),
                  "malformed MQTT packet: a packet of 129 bytes, more than the "
                  "limit of 128");
}

CAF_TEST(a QoS 1 PUBLISH yields topic packet id payload and flags) {
  // DUP, QoS 1, retain; topic "quotes", id 0x1234, payload {"a":1}.
  std::string body = std::string{"\0\6quotes\x12\x34", 10} + "{\"a\":1}";
  auto bytes = raw(0x3B, std::string(1, static_cast<char>(body.size())), body);
  packet p;
  CAF_REQUIRE_EQUAL(cut(bytes, p), "ok " + std::to_string(bytes.size()));
  CAF_CHECK(p.type == packet_type::publish);
  auto msg = parse_publish(p);
  CAF_REQUIRE(msg);
  CAF_CHECK_EQUAL(msg->topic, "quotes");
  CAF_CHECK_EQUAL(msg->payload, "{\"a\":1}");
  CAF_CHECK_EQUAL(msg->qos, 1);
  CAF_CHECK(msg->dup);
  CAF_CHECK(msg->retain);
  CAF_CHECK_EQUAL(msg->packet_id, 0x1234);
}

CAF_TEST(broken PUBLISH bodies are refused with a reason) {
  auto reason = [](uint8_t first, std::string body) {
    packet p;
    p.type = packet_type::publish;
    p.flags = static_cast<uint8_t>(first & 0x0F);
    p.body = body;
    auto res = parse_publish(p);
    return res ? std::string{"ok"} : res.error().message;
  };
  CAF_CHECK_EQUAL(reason(0x36, std::string{"\0\1t\0\1", 5}),
                  "malformed MQTT packet: PUBLISH with QoS 3");
  CAF_CHECK_EQUAL(reason(0x30, "\1"),
                  "malformed MQTT packet: PUBLISH without a topic");
  CAF_CHECK_EQUAL(reason(0x30, std::string{"\0\0x", 3}),
                  "malformed MQTT packet: PUBLISH with an empty topic");
  CAF_CHECK_EQUAL(
    reason(0x30, std::string{"\0\5abc", 5}),
    "malformed MQTT packet: PUBLISH topic longer than the packet");
  CAF_CHECK_EQUAL(reason(0x32, std::string{"\0\1t\1", 4}),
                  "malformed MQTT packet: PUBLISH without its packet id");
  CAF_CHECK_EQUAL(reason(0x32, std::string{"\0\1t\0\0", 5}),
                  "malformed MQTT packet: PUBLISH with packet id 0");
  CAF_CHECK_EQUAL(reason(0x30, std::string{"\0\1t", 3}), "ok");
}

CAF_TEST(CONNACK SUBACK and acknowledgements decode or say why not ) {
  packet p;
  p.type = packet_type::connack;
  std::string two{"\1\5", 2};
  p.body = two;
  auto ack = parse_connack(p);
  CAF_REQUIRE(ack);
  CAF_CHECK(ack->session_present);
  CAF_CHECK_EQUAL(ack->return_code, 5);
  std::string three{"\0\0\0", 3};
  p.body = three;
  CAF_CHECK(!parse_connack(p));
  std::string suback{"\0\7\1\x80", 4};
  p.body = suback;
  auto sub = parse_suback(p);
  CAF_REQUIRE(sub);
  CAF_CHECK_EQUAL(sub->packet_id, 7);
  CAF_CHECK_EQUAL(sub->granted, (std::vector<int>{1, 128}));
  p.body = two;
  CAF_CHECK(!parse_suback(p));
  auto id = parse_packet_id(p);
  CAF_REQUIRE(id);
  CAF_CHECK_EQUAL(*id, 0x0105);
}

CAF_TEST(encoded packets carry the fields MQTT 3.1.1 defines) {
  std::string out;
  connect_fields hello;
  hello.client_id = "c";
  hello.keepalive_s = 10;
  hello.username = "u";
  hello.password = "p";
  encode_connect(out, hello);
  CAF_CHECK_EQUAL(
    out, std::string("\x10\x13\0\4MQTT\4\xC0\0\x0A\0\1c\0\1u\0\1p", 21));
  out.clear();
  hello.username.clear();
  hello.clean_session = true;
  encode_connect(out, hello);
  CAF_CHECK_EQUAL(out, std::string("\x10\x0D\0\4MQTT\4\x02\0\x0A\0\1c", 15));
  out.clear();
  encode_subscribe(out, 0x0102, "q/#", 1);
  CAF_CHECK_EQUAL(out, std::string("\x82\x08\x01\x02\0\3q/#\1", 10));
  out.clear();
  encode_puback(out, 0xABCD);
  encode_pingreq(out);
  encode_disconnect(out);
  CAF_CHECK_EQUAL(out, std::string("\x40\x02\xAB\xCD\xC0\0\xE0\0", 8));
}
