#include "actors/order_publisher.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "trading/decimal.hpp"
#include "trading/journal.hpp"
#include "actors/publication_mark.hpp"

namespace intuition::actors {

std::string order_topic(const std::string& prefix,
                        const std::string& strategy) {
  return prefix + "orders/" + strategy;
}

std::string signal_topic(const std::string& prefix, const std::string& strategy,
                         const std::string& symbol) {
  return prefix + "signals/" + strategy + "/" + symbol;
}

namespace {

using self_ptr = order_publisher_actor::stateful_pointer<order_publisher_state>;

/// Schedules the next write of a changed mark, once.
void schedule_tick(self_ptr self) {
  auto& st = self->state;
  if (st.tick_pending)
    return;
  st.tick_pending = true;
  self->delayed_send(self, st.cfg.mark_interval, tick_atom_v);
}

/// Holds the order client's writes for its lifetime: what a handler
/// publishes goes out with one write when it returns.
class order_burst {
public:
  explicit order_burst(const publish_fns& fns) : hold_(fns.hold_orders) {
    if (hold_)
      hold_(true);
  }

  order_burst(const order_burst&) = delete;
  order_burst& operator=(const order_burst&) = delete;

  ~order_burst() {
    if (hold_)
      hold_(false);
  }

private:
  const std::function<void(bool)>& hold_;
};

void send_order(self_ptr self, const trading::order& x) {
  auto& st = self->state;
  auto res = st.publish.order(order_topic(st.cfg.topic_prefix, x.strategy),
                              trading::encode_order_json(x), 1);
  if (res) {
    st.in_flight.sent(x.seq, *res);
    st.unsent.erase(x.seq);
    ++st.published;
  } else {
    // Stays unconfirmed; the next order, ack or connect tries again. (A
    // failure while connected is the client noticing a lost connection
    // before its callback told us, so a connect follows.)
    ++st.publish_errors;
    st.unsent.insert(x.seq);
  }
}

/// Publishes again the orders whose publish failed.
void retry_unsent(self_ptr self) {
  auto& st = self->state;
  if (!st.connected || st.unsent.empty())
    return;
  auto retry = std::move(st.unsent);
  st.unsent.clear();
  for (auto seq : retry)
    if (auto i = st.unconfirmed.find(seq); i != st.unconfirmed.end())
      send_order(self, i->second);
}

bool deferring(const order_publisher_state& st) {
  return st.deferred_from <= st.deferred_to;
}

uint64_t deferred_count(const order_publisher_state& st) {
  return deferring(st) ? st.deferred_to - st.deferred_from + 1 : 0;
}

/// Takes an order in, or leaves it in the journal when the bound is reached
/// (and keeps leaving later ones there, so they go out in seq order).
void admit(self_ptr self, trading::order&& x) {
  auto& st = self->state;
  if (!st.cfg.journal_path.empty()
      && (deferring(st) || st.unconfirmed.size() >= st.cfg.max_queued)) {
    if (!deferring(st))
      st.deferred_from = x.seq;
    st.deferred_to = x.seq;
    ++st.deferred_total;
    return;
  }
  if (st.connected)
    send_order(self, x);
  st.unconfirmed.emplace(x.seq, std::move(x));
  st.peak_queued = std::max<uint64_t>(st.peak_queued, st.unconfirmed.size());
}

/// Reads deferred orders back from the journal while there is room.
void readmit(self_ptr self) {
  auto& st = self->state;
  if (!deferring(st) || st.unconfirmed.size() * 2 > st.cfg.max_queued)
    return;
  std::vector<trading::order> orders;
  auto room = st.cfg.max_queued - st.unconfirmed.size();
  if (auto ok = st.cursor.read(st.cfg.journal_path, st.deferred_from,
                               st.deferred_to, room, orders);
      !ok) {
    aout(self) << "order_publisher: " << ok.error().message << std::endl;
    return;
  }
  st.deferred_from += orders.size();
  for (auto& x : orders) {
    if (st.connected)
      send_order(self, x);
    st.unconfirmed.emplace(x.seq, std::move(x));
  }
}

void update_mark(self_ptr self) {
  auto& st = self->state;
  st.mark = !st.unconfirmed.empty() ? st.unconfirmed.begin()->first - 1
            : deferring(st)         ? st.deferred_from - 1
                                    : st.last_seq;
  if (st.mark != st.written_mark && !st.cfg.mark_path.empty())
    schedule_tick(self);
}

void write_mark(self_ptr self) {
  auto& st = self->state;
  if (st.cfg.mark_path.empty())
    st.written_mark = st.mark;
  if (st.mark == st.written_mark)
    return;
  if (auto ok = actors::write_publication_mark(st.cfg.mark_path, st.mark);
      !ok) {
    aout(self) << "order_publisher: " << ok.error().message << std::endl;
    return;
  }
  st.written_mark = st.mark;
}

/// Retires the orders `mids` acknowledges; whether any was.
bool retire(self_ptr self, const std::vector<int32_t>& mids) {
  auto& st = self->state;
  bool any = false;
  for (auto mid : mids) {
    auto seq = st.in_flight.acknowledged(mid);
    // Nothing for a copy sent before a reconnect (sent again since) or an
    // id no copy holds.
    if (!seq)
      continue;
    st.confirmed += st.unconfirmed.erase(*seq);
    any = true;
  }
  return any;
}

/// Retires what the order connection acknowledged since it last told.
bool take_acks(self_ptr self) {
  auto& st = self->state;
  if (!st.publish.take_acks)
    return false;
  auto mids = st.publish.take_acks();
  return !mids.empty() && retire(self, mids);
}

void answer_drains(self_ptr self) {
  auto& st = self->state;
  // Connected, a drain waits for acks; with nothing in flight it cannot
  // make progress and answers with what is left.
  if (st.drains.empty()
      || (st.connected && !st.unconfirmed.empty()
          && st.in_flight.awaiting() > 0))
    return;
  write_mark(self);
  for (auto& p : st.drains)
    p.deliver(static_cast<uint64_t>(st.unconfirmed.size())
              + deferred_count(st));
  st.drains.clear();
}

/// What acknowledgements free: a retry of failed publishes, room for
/// orders waiting in the journal, the mark, and waiting drains.
void after_acks(self_ptr self) {
  order_burst burst{self->state.publish};
  retry_unsent(self);
  readmit(self);
  update_mark(self);
  answer_drains(self);
}

} // namespace

const telemetry<order_publisher_state>& order_publisher_telemetry() {
  using field = telemetry_field<order_publisher_state>;
  using state = order_publisher_state;
  static const telemetry<state> table{{
    field::count("published", &state::published)
      .counter("intuition_orders_published_total",
               "Orders published to MQTT (QoS 1)."),
    field::count("confirmed", &state::confirmed)
      .counter("intuition_orders_confirmed_total",
               "Orders the broker acknowledged."),
    field::count("republished", &state::republished)
      .counter("intuition_orders_republished_total",
               "Orders published again after a reconnect."),
    field::value([](const state& st) { return st.unconfirmed.size(); })
      .gauge("intuition_orders_unconfirmed",
             "Orders not yet acknowledged by the broker."),
    field::count("signals", &state::signals)
      .counter("intuition_signals_published_total",
               "Signals published to MQTT (QoS 0)."),
    field::count("publish_errors", &state::publish_errors)
      .counter("intuition_mqtt_publish_errors_total",
               "MQTT publish calls that failed."),
    field::value(&state::connected)
      .exported(mqtt_connected_metric(), {"publisher"}),
    field::value([](const state& st) {
      return st.connects > 0 ? st.connects - 1 : 0;
    }).exported(mqtt_reconnects_metric(), {"publisher"}),
    field::count("disconnects", &state::disconnects),
    field::count("deferred", &state::deferred_total),
    field::count("backlog",
                 [](const state& st) {
                   return st.unconfirmed.size() + deferred_count(st);
                 }),
  }};
  return table;
}

order_publisher_actor::behavior_type order_publisher(
  order_publisher_actor::stateful_pointer<order_publisher_state> self,
  order_publisher_config cfg, publish_fns publish) {
  auto& st = self->state;
  st.publish = std::move(publish);
  auto unconfirmed = std::move(cfg.unconfirmed);
  cfg.unconfirmed.clear();
  st.mark = st.written_mark = cfg.mark;
  st.last_seq = unconfirmed.empty() ? cfg.mark : unconfirmed.back().seq;
  st.cfg = std::move(cfg);
  st.cfg.max_queued = std::max<size_t>(st.cfg.max_queued, 1);
  for (auto& x : unconfirmed)
    admit(self, std::move(x));
  st.probe.count_rejected(self);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    write_mark(self);
    self->quit(msg.reason);
  });
  return {
    [self](order_batch& batch) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      st.probe.mailbox_time(self, batch.sent_ns);
      order_burst burst{st.publish};
      auto acked = take_acks(self);
      retry_unsent(self);
      if (acked)
        readmit(self);
      for (auto& x : batch.orders) {
        st.last_seq = std::max(st.last_seq, x.seq);
        admit(self, std::move(x));
      }
      if (acked) {
        update_mark(self);
        answer_drains(self);
      }
    },
    [self](signal_batch& batch) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      if (!st.cfg.publish_signals || !st.connected)
        return;
      for (const auto& s : batch.signals) {
        nlohmann::json j{{"strategy", s.strategy},
                         {"symbol", s.symbol},
                         {"side", std::string{trading::to_string(s.direction)}},
                         {"strength", s.strength},
                         {"price", trading::micros_to_double(s.price_micros)},
                         {"ts", s.ts_ms}};
        // Best effort (QoS 0, not kept): a signal not sent is dropped.
        static_cast<void>(st.publish.signal(
          signal_topic(st.cfg.topic_prefix, s.strategy, s.symbol), j.dump(),
          0));
        ++st.signals;
      }
    },
    [self](puback_atom, const std::vector<int32_t>& mids) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto any = take_acks(self);
      if (retire(self, mids) || any)
        after_acks(self);
    },
    [self](connection_event& ev) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      // Not published again below: what was acknowledged meanwhile.
      if (take_acks(self))
        update_mark(self);
      if (ev.connected && !st.connected)
        ++st.connects;
      st.connected = ev.connected;
      if (!ev.connected) {
        ++st.disconnects;
        answer_drains(self);
        return;
      }
      // Whatever was in flight may be lost with the old connection: publish
      // every unconfirmed order again, in order. The old copies stay in the
      // ledger: the client still sends them and their acks must retire them.
      st.republished += st.in_flight.awaiting();
      st.in_flight.reconnected();
      st.unsent.clear();
      order_burst burst{st.publish};
      for (const auto& [seq, x] : st.unconfirmed)
        send_order(self, x);
      answer_drains(self);
    },
    [self](tick_atom) {
      auto timer = self->state.probe.time(self);
      self->state.tick_pending = false;
      if (take_acks(self))
        after_acks(self);
      write_mark(self);
    },
    [self](drain_atom) -> caf::typed_response_promise<uint64_t> {
      auto timer = self->state.probe.time(self);
      if (take_acks(self)) {
        readmit(self);
        update_mark(self);
      }
      auto promise = self->make_response_promise<uint64_t>();
      self->state.drains.push_back(promise);
      answer_drains(self);
      return promise;
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      nlohmann::json summary{{"connected", st.connected},
                             {"publication_mark", st.mark},
                             {"unconfirmed", st.unconfirmed.size()},
                             {"waiting_in_journal", deferred_count(st)},
                             {"peak_queued", st.peak_queued},
                             {"topic_prefix", st.cfg.topic_prefix}};
      return order_publisher_telemetry().reply(self, summary.dump());
    },
  };
}

} // namespace intuition::actors
