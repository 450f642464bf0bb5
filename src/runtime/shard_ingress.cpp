#include "runtime/shard_ingress.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>

#include "actors/telemetry.hpp"
#include "runtime/mqtt_source.hpp"

namespace intuition::runtime {

namespace {

/// A shard's session; stopping it disconnects.
class shard_session final : public actors::shard_source {
public:
  explicit shard_session(std::unique_ptr<mqtt_source> src)
      : src_(std::move(src)) {
    // nop
  }

  ~shard_session() override {
    src_->stop();
  }

private:
  std::unique_ptr<mqtt_source> src_;
};

} // namespace

actors::shard_source_factory shard_ingress(shard_ingress_options opts) {
  return [opts](const actors::shard_assignment& a,
                std::shared_ptr<actors::shard_gate> gate)
           -> trading::result<std::unique_ptr<actors::shard_source>> {
    auto url = parse_broker_url(opts.broker ? *opts.broker : a.broker);
    if (!url)
      return std::move(url).error().within("shard broker");
    auto mo = opts.session;
    mo.broker = *url;
    mo.client_id = a.client_id;
    // The session outlives the node: a new owner takes it over with what
    // it queued.
    mo.clean_session = false;
    mo.read_pause_us = std::clamp(a.read_pause_us, 0, 100'000);
    source_callbacks cb;
    auto limits = opts.codec;
    cb.on_messages = [gate, limits](const std::vector<inbound_message>& xs) {
      std::vector<trading::quote> quotes;
      auto now = actors::wall_now_ms();
      for (const auto& m : xs)
        // A payload that does not decode is acknowledged and dropped: the
        // broker would only deliver it again.
        trading::decode_json_quote(m.payload, now, quotes, limits);
      if (quotes.empty())
        return true;
      return gate->pass(std::move(quotes),
                        std::chrono::duration_cast<std::chrono::milliseconds>(
                          actors::shard_confirm_timeout));
    };
    cb.events.on_disconnect = [gate](std::string why, bool unexpected) {
      if (unexpected)
        gate->lost(why);
    };
    // The session retries with backoff; the operator hears of a refusal
    // that retrying does not heal (credentials, ACL, certificates) once.
    auto told = std::make_shared<std::atomic<bool>>(false);
    cb.events.on_refused = [told, id = a.client_id](mqtt_refusal x) {
      if (!told->exchange(true))
        std::cerr << ("intuition node: the broker refused session " + id + ": "
                      + x.reason
                      + "; retrying (check --username, --password-file and "
                        "the TLS flags)\n");
    };
    auto src = make_mqtt_source(mo, std::move(cb));
    for (const auto& topic : a.topics)
      if (auto ok = src->subscribe(topic, a.qos); !ok)
        return std::move(ok).error().within("shard subscribe " + topic);
    if (auto ok = src->start(); !ok)
      return std::move(ok).error().within("shard session");
    return std::unique_ptr<actors::shard_source>{
      new shard_session(std::move(src))};
  };
}

} // namespace intuition::runtime
