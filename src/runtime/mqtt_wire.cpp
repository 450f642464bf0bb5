#include "runtime/mqtt_wire.hpp"

namespace intuition::runtime::mqtt_wire {

namespace {

void put_u16(std::string& out, uint16_t x) {
  out += static_cast<char>(x >> 8);
  out += static_cast<char>(x & 0xFF);
}

void put_string(std::string& out, std::string_view x) {
  put_u16(out, static_cast<uint16_t>(x.size()));
  out.append(x.data(), x.size());
}

void put_remaining_length(std::string& out, uint32_t n) {
  do {
    auto byte = static_cast<uint8_t>(n % 128);
    n /= 128;
    if (n > 0)
      byte |= 0x80;
    out += static_cast<char>(byte);
  } while (n > 0);
}

/// Appends the fixed header and `body`.
void put_packet(std::string& out, packet_type type, uint8_t flags,
                std::string_view body) {
  out += static_cast<char>((static_cast<uint8_t>(type) << 4) | flags);
  put_remaining_length(out, static_cast<uint32_t>(body.size()));
  out.append(body.data(), body.size());
}

uint16_t get_u16(const char* p) {
  return static_cast<uint16_t>((static_cast<unsigned char>(p[0]) << 8)
                               | static_cast<unsigned char>(p[1]));
}

trading::failure malformed(std::string_view what) {
  return trading::operation_failed("malformed MQTT packet: "
                                   + std::string{what});
}

} // namespace

void encode_connect(std::string& out, const connect_fields& x) {
  std::string body;
  put_string(body, "MQTT");
  body += static_cast<char>(4); // protocol level: 3.1.1
  uint8_t flags = 0;
  if (x.clean_session)
    flags |= 0x02;
  if (!x.username.empty()) {
    flags |= 0x80;
    if (!x.password.empty())
      flags |= 0x40;
  }
  body += static_cast<char>(flags);
  put_u16(body, x.keepalive_s);
  put_string(body, x.client_id);
  if (!x.username.empty()) {
    put_string(body, x.username);
    if (!x.password.empty())
      put_string(body, x.password);
  }
  put_packet(out, packet_type::connect, 0, body);
}

void encode_subscribe(std::string& out, uint16_t packet_id,
                      std::string_view filter, int qos) {
  std::string body;
  put_u16(body, packet_id);
  put_string(body, filter);
  body += static_cast<char>(qos);
  // SUBSCRIBE's reserved flags are 0010.
  put_packet(out, packet_type::subscribe, 0x02, body);
}

void encode_publish(std::string& out, std::string_view topic,
                    std::string_view payload, int qos, uint16_t packet_id,
                    bool dup) {
  auto length = 2 + topic.size() + (qos > 0 ? 2 : 0) + payload.size();
  auto flags = static_cast<uint8_t>((qos & 0x03) << 1);
  if (dup && qos > 0)
    flags |= 0x08;
  out += static_cast<char>((static_cast<uint8_t>(packet_type::publish) << 4)
                           | flags);
  put_remaining_length(out, static_cast<uint32_t>(length));
  put_string(out, topic);
  if (qos > 0)
    put_u16(out, packet_id);
  out.append(payload.data(), payload.size());
}

void encode_puback(std::string& out, uint16_t packet_id) {
  out += static_cast<char>(static_cast<uint8_t>(packet_type::puback) << 4);
  out += static_cast<char>(2);
  put_u16(out, packet_id);
}

void encode_pingreq(std::string& out) {
  put_packet(out, packet_type::pingreq, 0, {});
}

void encode_disconnect(std::string& out) {
  put_packet(out, packet_type::disconnect, 0, {});
}

trading::result<size_t> next_packet(std::string_view data, packet& out,
                                    uint32_t max_bytes) {
  if (data.size() < 2)
    return size_t{0};
  auto first = static_cast<uint8_t>(data[0]);
  auto type = first >> 4;
  if (type == 0 || type == 15)
    return malformed("reserved packet type " + std::to_string(type));
  uint32_t length = 0;
  uint32_t scale = 1;
  size_t pos = 1;
  for (;;) {
    if (pos >= data.size())
      return size_t{0};
    if (pos > 4)
      return malformed("remaining length of more than four bytes");
    auto byte = static_cast<uint8_t>(data[pos++]);
    length += (byte & 0x7Fu) * scale;
    if ((byte & 0x80) == 0)
      break;
    scale *= 128;
  }
  if (length > max_bytes)
    return malformed("a packet of " + std::to_string(length)
                     + " bytes, more than the limit of "
                     + std::to_string(max_bytes));
  if (data.size() - pos < length)
    return size_t{0};
  out.type = static_cast<packet_type>(type);
  out.flags = static_cast<uint8_t>(first & 0x0F);
  out.body = data.substr(pos, length);
  return pos + length;
}

trading::result<publish_fields> parse_publish(const packet& x) {
  publish_fields out;
  out.qos = (x.flags >> 1) & 0x03;
  out.dup = (x.flags & 0x08) != 0;
  out.retain = (x.flags & 0x01) != 0;
  if (out.qos == 3)
    return malformed("PUBLISH with QoS 3");
  auto body = x.body;
  if (body.size() < 2)
    return malformed("PUBLISH without a topic");
  auto topic_len = get_u16(body.data());
  if (topic_len == 0)
    return malformed("PUBLISH with an empty topic");
  if (body.size() - 2 < topic_len)
    return malformed("PUBLISH topic longer than the packet");
  out.topic = body.substr(2, topic_len);
  size_t pos = 2 + size_t{topic_len};
  if (out.qos > 0) {
    if (body.size() - pos < 2)
      return malformed("PUBLISH without its packet id");
    out.packet_id = get_u16(body.data() + pos);
    if (out.packet_id == 0)
      return malformed("PUBLISH with packet id 0");
    pos += 2;
  }
  out.payload = body.substr(pos);
  return out;
}

trading::result<connack_fields> parse_connack(const packet& x) {
  if (x.body.size() != 2)
    return malformed("CONNACK of " + std::to_string(x.body.size())
                     + " bytes, expected 2");
  connack_fields out;
  out.session_present = (static_cast<uint8_t>(x.body[0]) & 0x01) != 0;
  out.return_code = static_cast<uint8_t>(x.body[1]);
  return out;
}

trading::result<suback_fields> parse_suback(const packet& x) {
  if (x.body.size() < 3)
    return malformed("SUBACK of " + std::to_string(x.body.size())
                     + " bytes, expected at least 3");
  suback_fields out;
  out.packet_id = get_u16(x.body.data());
  for (size_t i = 2; i < x.body.size(); ++i)
    out.granted.push_back(static_cast<uint8_t>(x.body[i]));
  return out;
}

trading::result<uint16_t> parse_packet_id(const packet& x) {
  if (x.body.size() != 2)
    return malformed("acknowledgement of " + std::to_string(x.body.size())
                     + " bytes, expected 2");
  return get_u16(x.body.data());
}

} // namespace intuition::runtime::mqtt_wire
