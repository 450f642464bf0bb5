#include "actors/mqtt_ingress.hpp"

#include <algorithm>
#include <climits>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace intuition::actors {

namespace {

using self_ptr = mqtt_ingress_actor::stateful_pointer<mqtt_ingress_state>;

/// The codec gives ts-less payloads this `ts`, so that they are told apart
/// from quotes whose source stamped them.
constexpr int64_t no_ts = INT64_MIN;

/// Records read from the log per step.
constexpr size_t read_chunk = 512;

bool window_full(const mqtt_ingress_state& st) {
  return st.held_quotes >= st.cfg.window_quotes
         || st.held_bytes >= st.cfg.window_bytes;
}

void answer_drains(self_ptr self) {
  auto& st = self->state;
  if (st.drains.empty() || !st.pending.empty() || st.in_flight > 0)
    return;
  for (auto& p : st.drains)
    p.deliver(st.delivered);
  st.drains.clear();
}

/// Logs the rejections not logged yet, with a count, at most once per
/// interval unless `force`. Within the interval a `tick` is scheduled for
/// its end: a burst of bad payloads followed by silence is reported too.
void log_rejections(self_ptr self, bool force = false) {
  auto& st = self->state;
  if (st.rejected_since_log == 0)
    return;
  auto now = self->clock().now();
  auto due = st.last_log + st.cfg.log_interval;
  if (!force && now < due) {
    if (!st.log_scheduled) {
      st.log_scheduled = true;
      self->delayed_send(self, due - now, tick_atom_v);
    }
    return;
  }
  aout(self) << "mqtt_ingress: rejected " << st.rejected_since_log
             << " payload(s) since the last report; latest: "
             << st.last_rejection << std::endl;
  st.rejected_since_log = 0;
  st.last_log = now;
}

void count_rejection(self_ptr self, const trading::decode_result& res,
                     const std::string& topic) {
  auto& st = self->state;
  ++st.rejected[static_cast<size_t>(res.reason)];
  ++st.rejected_since_log;
  st.last_rejection = std::string{trading::to_string(res.reason)};
  if (!res.field.empty())
    st.last_rejection += " (" + std::string{res.field} + ")";
  st.last_rejection += " on " + topic;
  log_rejections(self);
}

void count_channel(mqtt_ingress_state& st, const std::string& topic) {
  auto channel = st.by_channel.find(topic);
  if (channel != st.by_channel.end())
    ++channel->second;
  else if (st.by_channel.size() < max_channel_labels)
    st.by_channel.emplace(topic, 1);
  else
    ++st.by_channel["other"];
}

/// Decodes one payload; ts-less quotes get `received_ms` and are marked by
/// `stamped` = false. Returns false (counted) on rejection.
bool decode(self_ptr self, const std::string& topic, const std::string& payload,
            int64_t received_ms, std::vector<trading::quote>& out,
            std::vector<bool>& stamped) {
  auto res
    = trading::decode_json_quote(payload, no_ts, out, self->state.cfg.limits);
  if (!res.ok) {
    count_rejection(self, res, topic);
    return false;
  }
  stamped.clear();
  for (auto& q : out) {
    stamped.push_back(q.ts_ms != no_ts);
    if (q.ts_ms == no_ts)
      q.ts_ms = received_ms;
  }
  return true;
}

/// Puts a quote into the next batch, or over the waiting quote of its
/// symbol and channel when conflating (another channel's quote of the symbol
/// is for other strategies).
void enqueue(mqtt_ingress_state& st, trading::quote&& q, size_t bytes) {
  if (st.cfg.overload == overload_policy::conflate
      && q.channel != trading::signal_carrier_channel) {
    auto key
      = q.channel == 0 ? q.symbol : q.symbol + '/' + std::to_string(q.channel);
    auto [i, added]
      = st.pending_index.try_emplace(std::move(key), st.pending.size());
    if (!added) {
      st.pending[i->second] = std::move(q);
      ++st.conflated;
      return;
    }
  }
  st.pending.push_back(std::move(q));
  st.pending_bytes += bytes;
  ++st.held_quotes;
  st.held_bytes += bytes;
  st.peak_held_quotes = std::max(st.peak_held_quotes, st.held_quotes);
  st.peak_held_bytes = std::max(st.peak_held_bytes, st.held_bytes);
}

// -- external algorithms ------------------------------------------------------------

/// Counts a refused external signal; logged with the refused quotes.
void count_signal_rejection(self_ptr self, trading::signal_reject_reason reason,
                            std::string_view field, const std::string& topic) {
  auto& st = self->state;
  ++st.signals_rejected[static_cast<size_t>(reason)];
  ++st.rejected_since_log;
  st.last_rejection = "signal " + std::string{trading::to_string(reason)};
  if (!field.empty())
    st.last_rejection += " (" + std::string{field} + ")";
  st.last_rejection += " on " + topic;
  log_rejections(self);
}

bool trades(const external_route& route, const std::string& symbol) {
  return route.symbols.empty()
         || std::find(route.symbols.begin(), route.symbols.end(), symbol)
              != route.symbols.end();
}

/// Remembers an accepted quote's price for the external signals after it.
void remember_price(mqtt_ingress_state& st, const trading::quote& q) {
  if (st.cfg.externals.empty())
    return;
  if (auto i = st.last_quote.find(q.symbol); i != st.last_quote.end())
    i->second = {q.price_micros, q.ts_ms};
  else if (st.last_quote.size() < st.cfg.max_priced_symbols)
    st.last_quote.emplace(q.symbol, std::make_pair(q.price_micros, q.ts_ms));
}

/// Republishes an accepted quote to the external strategies whose channels
/// its topic matches (best effort: QoS 0, dropped and counted when the
/// forwarding queue is full).
void forward_quote(mqtt_ingress_state& st, uint32_t channel,
                   const trading::quote& q, uint64_t quote_seq) {
  if (!st.cfg.forward || channel == 0)
    return;
  std::string payload;
  for (auto k : st.channels.strategies_of(channel)) {
    auto ext = k < st.forwarding.size() ? st.forwarding[k] : -1;
    if (ext < 0)
      continue;
    const auto& route = st.cfg.externals[static_cast<size_t>(ext)];
    if (!trades(route, q.symbol))
      continue;
    if (payload.empty())
      payload = trading::encode_forwarded_quote(q, quote_seq);
    if (st.cfg.forward(route.forward_topic, payload))
      ++st.forwarded;
    else
      ++st.forward_dropped;
  }
}

/// Decodes and checks an external signal of `route` against the prices and
/// signals seen so far; on success `x` holds it and its key is remembered.
bool check_signal(mqtt_ingress_state& st, const external_route& route,
                  const std::string& payload, trading::external_signal& x,
                  trading::signal_reject_reason& reason,
                  std::string_view& field) {
  using trading::signal_reject_reason;
  auto res = trading::decode_external_signal(payload, x,
                                             st.cfg.limits.max_payload_bytes);
  field = res.field;
  reason = res.reason;
  if (!res.ok)
    return false;
  field = "symbol";
  if (!trades(route, x.symbol)) {
    reason = signal_reject_reason::not_traded;
    return false;
  }
  if (st.last_quote.count(x.symbol) == 0) {
    reason = signal_reject_reason::no_price;
    return false;
  }
  auto key = route.strategy + '\n' + x.symbol + '\n'
             + std::string{trading::to_string(x.direction)} + '\n'
             + std::to_string(x.quote_seq) + '\n' + std::to_string(x.ts_ms);
  if (!st.signal_keys.insert(key).second) {
    reason = signal_reject_reason::duplicate;
    field = {};
    return false;
  }
  st.signal_key_order.push_back(std::move(key));
  if (st.signal_key_order.size() > max_signal_keys) {
    st.signal_keys.erase(st.signal_key_order.front());
    st.signal_key_order.pop_front();
  }
  return true;
}

/// Turns an external signal into a carrier quote (its symbol's last quote,
/// at the signal's input position) and the priced signal it carries.
void accept_signal(self_ptr self, size_t index, const std::string& topic,
                   const std::string& payload, int64_t received_ns,
                   uint64_t position) {
  auto& st = self->state;
  ++st.signals_received;
  const auto& route = st.cfg.externals[index];
  trading::external_signal x;
  auto reason = trading::signal_reject_reason::not_json;
  std::string_view field;
  if (!check_signal(st, route, payload, x, reason, field)) {
    count_signal_rejection(self, reason, field, topic);
    return;
  }
  auto [price, ts] = st.last_quote[x.symbol];
  trading::quote carrier;
  carrier.symbol = x.symbol;
  carrier.price_micros = price;
  carrier.ts_ms = ts;
  carrier.received_ns = received_ns;
  carrier.input_pos = position;
  carrier.channel = trading::signal_carrier_channel;
  st.pending_signals.push_back(trading::signal{
    route.strategy, x.symbol, x.direction, 1.0, price, ts, st.pending.size()});
  ++st.signals_accepted;
  if (position != 0 && position <= st.recovered_last)
    ++st.replayed;
  enqueue(st, std::move(carrier), payload.size() + 1);
}

/// Filters and enqueues the quotes of one message.
void accept(self_ptr self, const std::string& topic, const std::string& payload,
            int64_t received_ms, int64_t received_ns, uint64_t position) {
  auto& st = self->state;
  ++st.messages;
  if (auto ext = st.signal_topics.find(topic); ext != st.signal_topics.end()) {
    accept_signal(self, ext->second, topic, payload, received_ns, position);
    return;
  }
  std::vector<trading::quote> decoded;
  std::vector<bool> stamped;
  if (!decode(self, topic, payload, received_ms, decoded, stamped))
    return;
  auto bytes = payload.size() / decoded.size() + 1;
  auto channel = st.channels.resolve(topic);
  bool any = false;
  for (size_t i = 0; i < decoded.size(); ++i) {
    auto& q = decoded[i];
    if (stamped[i]) {
      auto verdict = st.filter.check(q);
      if (verdict == trading::filter_verdict::duplicate) {
        ++st.duplicates;
        continue;
      }
      if (verdict == trading::filter_verdict::stale) {
        ++st.stale;
        continue;
      }
      st.pending_accepted.emplace_back(q.symbol, q.ts_ms);
    }
    q.received_ns = received_ns;
    q.input_pos = position;
    q.channel = channel;
    ++st.quotes;
    remember_price(st, q);
    if (position != 0 && position <= st.recovered_last)
      ++st.replayed;
    else
      // A restart's tail was forwarded by the process that received it.
      forward_quote(st, channel, q, position != 0 ? position : st.messages);
    any = true;
    enqueue(st, std::move(q), bytes);
  }
  if (!any)
    return;
  if (received_ns > 0) {
    if (st.first_received_ns == 0)
      st.first_received_ns = received_ns;
    st.last_received_ns = received_ns;
  }
  count_channel(st, topic);
}

void on_batch_acked(self_ptr self, uint64_t id, uint64_t orders);
void request_watermark(self_ptr self);

/// Sends what gathered, unless enough batches are already out: then the
/// next ack sends a larger batch, so batches grow with the load.
void forward(self_ptr self) {
  auto& st = self->state;
  if (st.pending.empty() || st.in_flight >= st.cfg.max_in_flight)
    return;
  ingress_batch mark;
  auto id = st.next_batch_id++;
  mark.id = id;
  mark.last_pos = st.consumed_pos;
  mark.quotes = st.pending.size();
  mark.bytes = st.pending_bytes;
  mark.accepted = std::move(st.pending_accepted);
  st.pending_accepted.clear();
  st.batches.push_back(std::move(mark));
  ++st.in_flight;
  self
    ->request(st.router, caf::infinite,
              quote_batch{std::move(st.pending), steady_now_ns(),
                          st.channels.take_new(),
                          std::move(st.pending_signals)})
    .then([self, id](uint64_t orders) { on_batch_acked(self, id, orders); },
          [self, id](caf::error& err) {
            auto& st = self->state;
            size_t count = 0;
            for (const auto& b : st.batches)
              if (b.id == id)
                count = b.quotes;
            st.dropped += count;
            aout(self) << "mqtt_ingress: router failed a batch of " << count
                       << " quotes: " << self->system().render(err)
                       << std::endl;
            // Not processed: a restart trades these again.
            self->quit(err);
          });
  st.pending.clear();
  st.pending_signals.clear();
  st.pending_bytes = 0;
  st.pending_index.clear();
}

/// Persists the watermark and removes the segments it made obsolete, after
/// saving the filter's state at the watermark.
void on_durable(self_ptr self, uint64_t position) {
  auto& st = self->state;
  st.watermark_pending = false;
  if (position > st.durable_pos) {
    st.durable_pos = position;
    while (!st.acked.empty() && st.acked.front().last_pos <= position) {
      for (auto& [symbol, ts] : st.acked.front().accepted)
        st.committed[symbol] = ts;
      st.acked.pop_front();
    }
    if (st.cfg.input) {
      const auto& dir = st.cfg.input->options().dir;
      if (auto ok = trading::write_input_watermark(dir, position); !ok) {
        ++st.log_errors;
        aout(self) << "mqtt_ingress: " << ok.error().message << std::endl;
      }
      auto end = st.cfg.input->oldest_segment_end();
      if (end > 0 && end <= position) {
        trading::filter_snapshot snap{position, st.committed};
        if (auto ok = trading::write_filter_snapshot(dir, snap); !ok) {
          ++st.log_errors;
          aout(self) << "mqtt_ingress: " << ok.error().message << std::endl;
        } else {
          st.segments_removed += st.cfg.input->remove_through(position);
        }
      }
    }
  }
  request_watermark(self);
}

/// Asks the order log to confirm the acknowledged position durable (one
/// request at a time).
void request_watermark(self_ptr self) {
  auto& st = self->state;
  if (st.watermark_pending || st.acked_pos <= st.durable_pos)
    return;
  if (!st.cfg.log) {
    on_durable(self, st.acked_pos);
    return;
  }
  st.watermark_pending = true;
  self->request(st.cfg.log, caf::infinite, processed_atom_v, st.acked_pos)
    .then([self](uint64_t position) { on_durable(self, position); },
          [self](caf::error& err) {
            self->state.watermark_pending = false;
            aout(self) << "mqtt_ingress: order log: "
                       << self->system().render(err) << std::endl;
          });
}

/// Records read but giving no batch (rejected, duplicate) still count as
/// processed once nothing before them is outstanding.
void advance_idle(self_ptr self) {
  auto& st = self->state;
  if (st.in_flight > 0 || !st.pending.empty()
      || st.consumed_pos <= st.acked_pos)
    return;
  ingress_batch mark;
  mark.last_pos = st.consumed_pos;
  mark.accepted = std::move(st.pending_accepted);
  st.pending_accepted.clear();
  st.acked_pos = st.consumed_pos;
  st.acked.push_back(std::move(mark));
  request_watermark(self);
}

/// Reads records from the input log while the window has room.
void pull(self_ptr self) {
  auto& st = self->state;
  if (!st.cfg.input || st.draining)
    return;
  std::vector<trading::input_record> records;
  while (!window_full(st)) {
    auto last = st.cfg.input->last_position();
    if (st.reader.position() > last)
      break;
    records.clear();
    auto room = st.cfg.overload == overload_policy::conflate
                  ? read_chunk
                  : std::min(read_chunk, st.cfg.window_quotes - st.held_quotes);
    auto bytes = st.cfg.window_bytes - st.held_bytes;
    if (auto ok = st.reader.read(last, room, bytes, records); !ok) {
      ++st.log_errors;
      aout(self) << "mqtt_ingress: " << ok.error().message << std::endl;
      self->quit(caf::make_error(caf::sec::runtime_error, ok.error().message));
      return;
    }
    if (records.empty())
      break;
    for (auto& r : records) {
      auto ns = r.position <= st.recovered_last ? 0 : r.received_ns;
      accept(self, r.topic, r.payload, r.received_ms, ns, r.position);
      st.consumed_pos = r.position;
    }
    forward(self);
  }
  forward(self);
  advance_idle(self);
  answer_drains(self);
}

void on_batch_acked(self_ptr self, uint64_t id, uint64_t orders) {
  auto& st = self->state;
  --st.in_flight;
  st.orders = std::max(st.orders, orders);
  // Positions count as processed only up to the oldest unanswered batch.
  for (auto& b : st.batches)
    if (b.id == id) {
      b.acked = true;
      st.delivered += b.quotes;
      st.held_quotes -= std::min(st.held_quotes, b.quotes);
      st.held_bytes -= std::min(st.held_bytes, b.bytes);
      break;
    }
  while (!st.batches.empty() && st.batches.front().acked) {
    st.acked_pos = std::max(st.acked_pos, st.batches.front().last_pos);
    st.acked.push_back(std::move(st.batches.front()));
    st.batches.pop_front();
  }
  request_watermark(self);
  pull(self);
  forward(self);
  advance_idle(self);
  answer_drains(self);
}

/// Rebuilds the filter: the saved state, then every processed record after
/// it (decoded and filtered, not traded).
void restore_filter(self_ptr self) {
  auto& st = self->state;
  st.filter.restore(st.cfg.filter.last_ts);
  auto from = std::max<uint64_t>(st.cfg.filter.position + 1,
                                 st.cfg.input->first_position());
  st.reader.seek(st.cfg.input->options().dir, from);
  std::vector<trading::input_record> records;
  std::vector<trading::quote> decoded;
  std::vector<bool> stamped;
  while (st.reader.position() <= st.cfg.resume_after) {
    records.clear();
    if (auto ok
        = st.reader.read(st.cfg.resume_after, read_chunk, 16u << 20, records);
        !ok || records.empty()) {
      ++st.log_errors;
      aout(self) << "mqtt_ingress: rebuilding the duplicate filter: "
                 << (!ok ? ok.error().message : std::string{"records missing"})
                 << std::endl;
      break;
    }
    for (auto& r : records) {
      if (auto ext = st.signal_topics.find(r.topic);
          ext != st.signal_topics.end()) {
        trading::external_signal x;
        auto reason = trading::signal_reject_reason::not_json;
        std::string_view field;
        check_signal(st, st.cfg.externals[ext->second], r.payload, x, reason,
                     field);
        continue;
      }
      decoded.clear();
      auto res
        = trading::decode_json_quote(r.payload, no_ts, decoded, st.cfg.limits);
      if (!res.ok)
        continue;
      for (auto& q : decoded) {
        if (q.ts_ms == no_ts)
          q.ts_ms = r.received_ms;
        else if (st.filter.check(q) != trading::filter_verdict::accept)
          continue;
        remember_price(st, q);
      }
    }
  }
  st.committed = st.filter.last_ts();
  st.reader.seek(st.cfg.input->options().dir, st.cfg.resume_after + 1);
}

nlohmann::json summary_of(const mqtt_ingress_state& st) {
  nlohmann::json by_reason = nlohmann::json::object();
  for (size_t i = 0; i < st.rejected.size(); ++i)
    if (st.rejected[i] > 0)
      by_reason[std::string{
        trading::to_string(static_cast<trading::reject_reason>(i))}]
        = st.rejected[i];
  nlohmann::json channels = nlohmann::json::object();
  for (const auto& [topic, count] : st.by_channel)
    channels[topic] = count;
  auto active_ms = (st.last_received_ns - st.first_received_ns) / 1'000'000;
  auto rate = active_ms > 0 ? static_cast<double>(st.quotes) * 1e3
                                / static_cast<double>(active_ms)
                            : 0.0;
  auto idle_ms = st.last_received_ns > 0
                   ? (steady_now_ns() - st.last_received_ns) / 1'000'000
                   : int64_t{-1};
  auto logged = st.cfg.input ? st.cfg.input->last_position() : 0;
  nlohmann::json out{
    {"connected", st.connected},
    {"connection", st.connection_reason},
    {"rejected_by_reason", by_reason},
    {"accepted_by_channel", channels},
    {"channel_sets", st.channels.set_count()},
    {"quotes_per_s", rate},
    {"ms_since_last_quote", idle_ms},
    {"pending", st.pending.size()},
    {"in_flight_batches", st.in_flight},
    {"held_quotes", st.held_quotes},
    {"held_bytes", st.held_bytes},
    {"peak_held_quotes", st.peak_held_quotes},
    {"peak_held_bytes", st.peak_held_bytes},
    {"overload", std::string{trading::to_string(st.cfg.overload)}},
    {"backlog", logged - std::min(logged, st.consumed_pos)},
    {"input_position", logged},
    {"processed_position", st.durable_pos}};
  if (!st.cfg.externals.empty()) {
    nlohmann::json refused = nlohmann::json::object();
    for (size_t i = 0; i < st.signals_rejected.size(); ++i)
      if (st.signals_rejected[i] > 0)
        refused[std::string{
          trading::to_string(static_cast<trading::signal_reject_reason>(i))}]
          = st.signals_rejected[i];
    out["external_signals_rejected_by_reason"] = refused;
    out["priced_symbols"] = st.last_quote.size();
  }
  if (st.cfg.input) {
    out["input_log_bytes"] = st.cfg.input->disk_bytes();
    out["input_log_segments"] = st.cfg.input->segments();
    out["max_append_us"] = st.cfg.input->max_append_ns() / 1000;
    out["mean_append_ns"] = st.cfg.input->mean_append_ns();
  }
  return out;
}

/// Messages in the input log not read yet.
uint64_t backlog(const mqtt_ingress_state& st) {
  auto logged = st.cfg.input ? st.cfg.input->last_position() : 0;
  return logged - std::min(logged, st.consumed_pos);
}

} // namespace

const telemetry<mqtt_ingress_state>& mqtt_ingress_telemetry() {
  using field = telemetry_field<mqtt_ingress_state>;
  using state = mqtt_ingress_state;
  const metric_info filtered{"intuition_quotes_filtered_total",
                             metric_type::counter,
                             "Quotes MQTT ingress dropped as duplicate, stale "
                             "or conflated, by reason.",
                             {"reason"}};
  static const telemetry<state> table{{
    field::family({"intuition_quotes_rejected_total",
                   metric_type::counter,
                   "Payloads MQTT ingress rejected, by reason.",
                   {"reason"}},
                  [](const state& st) {
                    std::vector<series> out;
                    for (size_t i = 0; i < st.rejected.size(); ++i)
                      out.push_back(
                        {{std::string{trading::to_string(
                           static_cast<trading::reject_reason>(i))}},
                         st.rejected[i]});
                    return out;
                  }),
    field::family({"intuition_quotes_received_total",
                   metric_type::counter,
                   "Quotes accepted by MQTT ingress, by channel.",
                   {"channel"}},
                  [](const state& st) {
                    std::vector<series> out;
                    for (const auto& [topic, count] : st.by_channel)
                      out.push_back({{topic}, count});
                    return out;
                  }),
    field::count("duplicate", &state::duplicates)
      .exported(filtered, {"duplicate"}),
    field::count("stale", &state::stale).exported(filtered, {"stale"}),
    field::count("conflated", &state::conflated)
      .exported(filtered, {"conflated"}),
    field::count("messages", &state::messages)
      .counter("intuition_mqtt_messages_total", "MQTT messages received."),
    field::count("quotes", &state::quotes)
      .counter("intuition_quotes_accepted_total",
               "Quotes MQTT ingress accepted."),
    field::count("dropped", &state::dropped)
      .counter("intuition_quotes_dropped_total",
               "Accepted quotes lost because the router failed."),
    field::count("held_quotes", &state::held_quotes)
      .gauge("intuition_ingress_held_quotes",
             "Quotes MQTT ingress holds in memory, gathering or at the "
             "router."),
    field::count("backlog", backlog)
      .gauge("intuition_ingress_backlog",
             "Messages in the input log that MQTT ingress has not read yet."),
    field::value(&state::connected)
      .exported(mqtt_connected_metric(), {"ingress"}),
    field::value([](const state& st) {
      return st.connects > 0 ? st.connects - 1 : 0;
    }).exported(mqtt_reconnects_metric(), {"ingress"}),
    field::count("delivered", &state::delivered),
    field::count("rejected",
                 [](const state& st) {
                   uint64_t n = 0;
                   for (auto x : st.rejected)
                     n += x;
                   return n;
                 }),
    field::count("unlogged_rejections", &state::rejected_since_log),
    field::count("replayed", &state::replayed),
    field::count("peak_held_quotes", &state::peak_held_quotes),
    field::count("processed_position", &state::durable_pos),
    field::count("segments_removed", &state::segments_removed),
    field::count("log_errors", &state::log_errors),
    field::count("append_errors",
                 [](const state& st) {
                   return st.cfg.input ? st.cfg.input->append_errors() : 0;
                 }),
    field::count("connects", &state::connects),
    // -- external algorithms
    field::family({"intuition_external_signals_rejected_total",
                   metric_type::counter,
                   "External signals MQTT ingress refused, by reason.",
                   {"reason"}},
                  [](const state& st) {
                    std::vector<series> out;
                    for (size_t i = 0; i < st.signals_rejected.size(); ++i)
                      out.push_back(
                        {{std::string{trading::to_string(
                           static_cast<trading::signal_reject_reason>(i))}},
                         st.signals_rejected[i]});
                    return out;
                  }),
    field::count("external_signals", &state::signals_accepted)
      .counter("intuition_external_signals_total",
               "External signals MQTT ingress accepted."),
    field::count("external_signals_received", &state::signals_received),
    field::count("external_signals_rejected",
                 [](const state& st) {
                   uint64_t n = 0;
                   for (auto x : st.signals_rejected)
                     n += x;
                   return n;
                 }),
    field::count("forwarded_quotes", &state::forwarded)
      .counter("intuition_forwarded_quotes_total",
               "Quotes republished to external strategies."),
    field::count("forward_dropped", &state::forward_dropped)
      .counter("intuition_forward_dropped_total",
               "Quotes not republished to an external strategy: the "
               "forwarding queue was full or the connection down."),
    field::count("orders", &state::orders),
    field::count("active_ms",
                 [](const state& st) {
                   return (st.last_received_ns - st.first_received_ns)
                          / 1'000'000;
                 }),
  }};
  return table;
}

trading::ingress_report ingress_report_of(const mqtt_ingress_state& st) {
  trading::ingress_report out;
  out.counters = mqtt_ingress_telemetry().counters(st);
  out.rejected = st.rejected;
  if (const auto& log = st.cfg.input)
    out.input_log = trading::input_log_figures{
      log->mean_append_ns(), log->max_append_ns(), log->disk_bytes(),
      static_cast<uint64_t>(log->segments())};
  return out;
}

mqtt_ingress_actor::behavior_type
mqtt_ingress(mqtt_ingress_actor::stateful_pointer<mqtt_ingress_state> self,
             mqtt_ingress_config cfg, quote_router_actor router) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.cfg.window_quotes = std::max<size_t>(st.cfg.window_quotes, 1);
  st.cfg.window_bytes = std::max<size_t>(st.cfg.window_bytes, 1);
  st.router = std::move(router);
  st.filter = trading::quote_filter{st.cfg.stale};
  st.channels = trading::channel_table{st.cfg.channels};
  for (size_t i = 0; i < st.cfg.externals.size(); ++i)
    st.signal_topics.emplace(st.cfg.externals[i].signal_topic, i);
  for (const auto& s : st.cfg.channels) {
    int64_t ext = -1;
    for (size_t i = 0; i < st.cfg.externals.size(); ++i)
      if (st.cfg.externals[i].strategy == s.strategy
          && !st.cfg.externals[i].forward_topic.empty())
        ext = static_cast<int64_t>(i);
    st.forwarding.push_back(ext);
  }
  st.last_log = self->clock().now() - st.cfg.log_interval;
  st.probe.count_rejected(self);
  if (st.cfg.input) {
    st.recovered_last = st.cfg.input->last_position();
    st.consumed_pos = st.acked_pos = st.durable_pos = st.cfg.resume_after;
    restore_filter(self);
    self->send(self, input_atom_v);
  }
  return {
    [self](mqtt_message& msg) {
      auto timer = self->state.probe.time(self);
      self->state.probe.mailbox_time(self, msg.received_ns);
      accept(self, msg.topic, msg.payload, wall_now_ms(), msg.received_ns, 0);
      forward(self);
    },
    [self](input_atom) {
      auto timer = self->state.probe.time(self);
      if (self->state.cfg.notified)
        self->state.cfg.notified->store(false);
      pull(self);
    },
    [self](connection_event& ev) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      if (ev.connected && !st.connected)
        ++st.connects;
      st.connected = ev.connected;
      st.connection_reason = ev.reason;
      aout(self) << "mqtt_ingress: "
                 << (ev.connected ? "connected" : "disconnected")
                 << (ev.reason.empty() ? "" : ": ") << ev.reason << std::endl;
    },
    [self](tick_atom) {
      auto timer = self->state.probe.time(self);
      self->state.log_scheduled = false;
      log_rejections(self);
    },
    [self](drain_atom) -> caf::typed_response_promise<uint64_t> {
      auto timer = self->state.probe.time(self);
      auto promise = self->make_response_promise<uint64_t>();
      self->state.drains.push_back(promise);
      self->state.draining = true;
      log_rejections(self, true);
      answer_drains(self);
      return promise;
    },
    [self](report_atom) -> trading::ingress_report {
      auto timer = self->state.probe.time(self);
      return ingress_report_of(self->state);
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      return mqtt_ingress_telemetry().reply(self, summary_of(st).dump());
    },
  };
}

} // namespace intuition::actors
