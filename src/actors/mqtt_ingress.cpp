#include "actors/mqtt_ingress.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace intuition::actors {

namespace {

using self_ptr = mqtt_ingress_actor::stateful_pointer<mqtt_ingress_state>;

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

void answer_drains(self_ptr self) {
  auto& st = self->state;
  if (st.drains.empty() || !st.pending.empty() || st.in_flight > 0)
    return;
  for (auto& p : st.drains)
    p.deliver(st.delivered);
  st.drains.clear();
}

/// Sends what gathered, unless enough batches are already out: then the
/// next ack sends a larger batch, so batches grow with the load.
void forward(self_ptr self) {
  auto& st = self->state;
  if (st.pending.empty() || st.in_flight >= st.cfg.max_in_flight)
    return;
  auto count = st.pending.size();
  ++st.in_flight;
  self
    ->request(st.router, caf::infinite,
              quote_batch{std::move(st.pending), steady_now_ns()})
    .then(
      [self, count](uint64_t orders) {
        auto& st = self->state;
        --st.in_flight;
        st.delivered += count;
        st.orders = orders;
        forward(self);
        answer_drains(self);
      },
      [self, count](caf::error& err) {
        auto& st = self->state;
        --st.in_flight;
        st.dropped += count;
        aout(self) << "mqtt_ingress: router failed a batch of " << count
                   << " quotes: " << self->system().render(err) << std::endl;
        forward(self);
        answer_drains(self);
      });
  st.pending.clear();
}

/// Logs rejections at most once per interval, with a count.
void log_rejections(self_ptr self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  if (st.rejected_since_log == 0 || now - st.last_log < st.cfg.log_interval)
    return;
  aout(self) << "mqtt_ingress: rejected " << st.rejected_since_log
             << " payload(s) since the last report; latest: "
             << st.last_rejection << std::endl;
  st.rejected_since_log = 0;
  st.last_log = now;
}

} // namespace

mqtt_ingress_actor::behavior_type
mqtt_ingress(mqtt_ingress_actor::stateful_pointer<mqtt_ingress_state> self,
             mqtt_ingress_config cfg, quote_router_actor router) {
  auto& st = self->state;
  st.cfg = cfg;
  st.router = std::move(router);
  st.last_log = std::chrono::steady_clock::now() - cfg.log_interval;
  st.probe.count_rejected(self);
  return {
    [self](mqtt_message& msg) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      st.probe.mailbox_time(self, msg.received_ns);
      ++st.messages;
      auto before = st.pending.size();
      auto res = trading::decode_json_quote(msg.payload, wall_clock_ms(),
                                            st.pending, st.cfg.limits);
      if (!res.ok) {
        ++st.rejected[static_cast<size_t>(res.reason)];
        ++st.rejected_since_log;
        st.last_rejection = std::string{trading::to_string(res.reason)};
        if (!res.field.empty())
          st.last_rejection += " (" + std::string{res.field} + ")";
        st.last_rejection += " on " + msg.topic;
        log_rejections(self);
        return;
      }
      for (auto i = before; i < st.pending.size(); ++i)
        st.pending[i].received_ns = msg.received_ns;
      if (st.first_received_ns == 0)
        st.first_received_ns = msg.received_ns;
      st.last_received_ns = msg.received_ns;
      st.quotes += st.pending.size() - before;
      auto channel = st.by_channel.find(msg.topic);
      if (channel != st.by_channel.end())
        ++channel->second;
      else if (st.by_channel.size() < max_channel_labels)
        st.by_channel.emplace(msg.topic, 1);
      else
        ++st.by_channel["other"];
      forward(self);
    },
    [self](connection_event& ev) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      if (ev.connected && !st.connected)
        ++st.connects;
      st.connected = ev.connected;
      st.connection_reason = ev.reason;
      aout(self) << "mqtt_ingress: " << (ev.connected ? "connected" : "disconnected")
                 << (ev.reason.empty() ? "" : ": ") << ev.reason << std::endl;
    },
    [self](drain_atom) -> caf::typed_response_promise<uint64_t> {
      auto timer = self->state.probe.time(self);
      auto promise = self->make_response_promise<uint64_t>();
      self->state.drains.push_back(promise);
      log_rejections(self);
      answer_drains(self);
      return promise;
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto n = [](uint64_t x) { return static_cast<double>(x); };
      std::vector<trading::metric_sample> metrics;
      nlohmann::json by_reason = nlohmann::json::object();
      uint64_t rejected = 0;
      for (size_t i = 0; i < st.rejected.size(); ++i) {
        auto reason = std::string{
          trading::to_string(static_cast<trading::reject_reason>(i))};
        rejected += st.rejected[i];
        if (st.rejected[i] > 0)
          by_reason[reason] = st.rejected[i];
        metrics.push_back(trading::counter_sample(
          "intuition_quotes_rejected_total", n(st.rejected[i]),
          {{"reason", reason}}));
      }
      nlohmann::json channels = nlohmann::json::object();
      for (const auto& [topic, count] : st.by_channel) {
        channels[topic] = count;
        metrics.push_back(trading::counter_sample(
          "intuition_quotes_received_total", n(count), {{"channel", topic}}));
      }
      auto active_ms = (st.last_received_ns - st.first_received_ns) / 1'000'000;
      auto rate = active_ms > 0 ? static_cast<double>(st.quotes) * 1e3
                                    / static_cast<double>(active_ms)
                                : 0.0;
      auto idle_ms = st.last_received_ns > 0
                       ? (steady_now_ns() - st.last_received_ns) / 1'000'000
                       : int64_t{-1};
      nlohmann::json summary{{"connected", st.connected},
                             {"connection", st.connection_reason},
                             {"rejected_by_reason", by_reason},
                             {"accepted_by_channel", channels},
                             {"quotes_per_s", rate},
                             {"ms_since_last_quote", idle_ms},
                             {"pending", st.pending.size()},
                             {"in_flight_batches", st.in_flight}};
      metrics.push_back(trading::counter_sample("intuition_mqtt_messages_total",
                                                n(st.messages)));
      metrics.push_back(trading::counter_sample("intuition_quotes_accepted_total",
                                                n(st.quotes)));
      metrics.push_back(trading::counter_sample("intuition_quotes_dropped_total",
                                                n(st.dropped)));
      metrics.push_back(trading::gauge_sample(
        "intuition_mqtt_connected", st.connected ? 1.0 : 0.0,
        {{"client", "ingress"}}));
      metrics.push_back(trading::counter_sample(
        "intuition_mqtt_reconnects_total",
        n(st.connects > 0 ? st.connects - 1 : 0), {{"client", "ingress"}}));
      auto out = make_actor_state(mqtt_ingress_state::name,
                                  mqtt_ingress_state::name,
                                  {{"messages", static_cast<int64_t>(st.messages)},
                                   {"quotes", static_cast<int64_t>(st.quotes)},
                                   {"delivered", static_cast<int64_t>(st.delivered)},
                                   {"dropped", static_cast<int64_t>(st.dropped)},
                                   {"rejected", static_cast<int64_t>(rejected)},
                                   {"connects", static_cast<int64_t>(st.connects)},
                                   {"orders", static_cast<int64_t>(st.orders)},
                                   {"active_ms", active_ms}},
                                  summary.dump());
      out.metrics = std::move(metrics);
      st.probe.stamp(out, self->mailbox().size());
      return out;
    },
  };
}

} // namespace intuition::actors
