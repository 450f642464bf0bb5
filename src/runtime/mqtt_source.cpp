#include "runtime/mqtt_source.hpp"

#include "runtime/mqtt_tcp_client.hpp"

namespace intuition::runtime {

mqtt_source::~mqtt_source() = default;

mqtt_sink::~mqtt_sink() = default;

void mqtt_sink::hold(bool) {
  // nop
}

size_t mqtt_sink::unacknowledged() const {
  return 0;
}

size_t mqtt_sink::unsent_bytes() const {
  return 0;
}

namespace {

/// libmosquitto's client as a source: every message is a batch of one,
/// already acknowledged when it arrives (libmosquitto 2.0 queues the PUBACK
/// before its message callback runs).
class mosquitto_source final : public mqtt_source {
public:
  mosquitto_source(mqtt_options opts, source_callbacks cb) {
    auto events = std::move(cb.events);
    events.on_message = [on_messages = std::move(cb.on_messages)](
                          std::string topic, std::string payload) {
      if (on_messages)
        on_messages({inbound_message{topic, payload}});
    };
    client_ = std::make_unique<mqtt_client>(std::move(opts), std::move(events));
  }

  trading::status start() override {
    return client_->start();
  }

  void stop() override {
    client_->stop();
  }

  trading::status subscribe(const std::string& topic, int qos) override {
    return client_->subscribe(topic, qos);
  }

  bool connected() const noexcept override {
    return client_->connected();
  }

  bool subscribed() const noexcept override {
    return client_->subscribed();
  }

private:
  std::unique_ptr<mqtt_client> client_;
};

/// libmosquitto's client as a sink.
class mosquitto_sink final : public mqtt_sink {
public:
  mosquitto_sink(mqtt_options opts, mqtt_callbacks cb)
      : client_(std::make_unique<mqtt_client>(std::move(opts), std::move(cb))) {
    // nop
  }

  trading::status start() override {
    return client_->start();
  }

  void stop() override {
    client_->stop();
  }

  trading::result<int> publish(const std::string& topic,
                               std::string_view payload, int qos) override {
    return client_->publish(topic, payload, qos);
  }

  bool connected() const noexcept override {
    return client_->connected();
  }

private:
  std::unique_ptr<mqtt_client> client_;
};

} // namespace

bool uses_libmosquitto(const mqtt_options& opts) {
  return opts.broker.tls || !opts.tls_ca_file.empty();
}

std::unique_ptr<mqtt_source> make_mqtt_source(mqtt_options opts,
                                              source_callbacks cb) {
  if (uses_libmosquitto(opts))
    return std::make_unique<mosquitto_source>(std::move(opts), std::move(cb));
  return std::make_unique<mqtt_tcp_client>(std::move(opts), std::move(cb));
}

std::unique_ptr<mqtt_sink> make_mqtt_sink(mqtt_options opts,
                                          mqtt_callbacks cb) {
  if (uses_libmosquitto(opts))
    return std::make_unique<mosquitto_sink>(std::move(opts), std::move(cb));
  return std::make_unique<mqtt_tcp_client>(std::move(opts), std::move(cb));
}

} // namespace intuition::runtime
