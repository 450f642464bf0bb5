#include "actors/shard_worker.hpp"

#include <iostream>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace intuition::actors {

shard_source::~shard_source() {
  // nop
}

shard_worker_state::~shard_worker_state() {
  if (gate)
    gate->close();
  source.reset();
  auto dropped = outbox.discard();
  if (totals)
    totals->unsent_dropped += dropped;
  report_unsent();
}

void shard_worker_state::report_unsent() {
  auto now = outbox.unsent();
  if (totals) {
    totals->unsent += now;
    totals->unsent -= reported_unsent;
  }
  reported_unsent = now;
}

namespace {

using self_ptr = shard_worker_actor::stateful_pointer<shard_worker_state>;

std::vector<trading::shard_instance>
instances_of(const std::vector<algorithm_spec>& specs) {
  std::vector<trading::shard_instance> out;
  for (const auto& x : specs)
    out.push_back(
      {x.strategy, x.algorithm, x.params_json, x.symbol, x.restored_position});
  return out;
}

/// Gives the shard up: the read waiting on the gate is refused, so the
/// broker keeps it for the next owner.
void give_up(self_ptr self, const std::string& why) {
  aout(self) << "node " << node_label() << ": shard " << self->state.shard
             << " (epoch " << self->state.epoch << ") stopped: " << why
             << std::endl;
  auto err = caf::make_error(caf::sec::runtime_error, why);
  if (self->state.drained.pending())
    self->state.drained.deliver(err);
  self->quit(std::move(err));
}

/// Creates and warms the instances, then starts the session.
trading::status start(self_ptr self, const shard_assignment& a,
                      const shard_source_factory& make_source,
                      std::shared_ptr<shard_gate_counters> totals) {
  auto& st = self->state;
  auto engine = trading::shard_engine::make(instances_of(a.instances));
  if (!engine)
    return std::move(engine).error();
  st.engine = std::make_unique<trading::shard_engine>(std::move(*engine));
  // Warm before subscribing: the first live quote meets warm indicators.
  st.engine->warm_up(a.warmup);
  st.warmup_quotes = a.warmup.size();
  auto me = caf::actor_cast<shard_worker_actor>(self);
  st.gate = std::make_shared<shard_gate>(
    [me](std::vector<trading::quote> quotes, uint64_t ticket) {
      caf::anon_send(me, intake_atom_v, std::move(quotes), ticket);
    },
    [me, shard = a.shard, epoch = a.epoch](const std::string& why) {
      // The desk places the shard anew, with a new epoch and session: a
      // reconnect could take the session back from a newer owner.
      std::cout << ("node " + node_label() + ": shard " + std::to_string(shard)
                    + " (epoch " + std::to_string(epoch)
                    + ") session ended: " + why + "\n")
                << std::flush;
      caf::anon_send_exit(me, caf::exit_reason::user_shutdown);
    },
    std::move(totals));
  auto source = make_source(a, st.gate);
  if (!source)
    return std::move(source).error();
  st.source = std::move(*source);
  return {};
}

void flush(self_ptr self);

/// While handing the shard back: sends what waits, and once the desk has
/// all of it answers `drain` and stops.
void finish_drain(self_ptr self) {
  auto& st = self->state;
  if (!st.draining || st.outbox.sending())
    return;
  if (st.outbox.unsent() > 0) {
    flush(self);
    return;
  }
  st.drained.deliver(st.quotes);
  self->quit();
}

/// Starts the flush timer unless it runs or nothing waits.
void arm(self_ptr self) {
  auto& st = self->state;
  if (st.timer_armed || st.outbox.unsent() == 0)
    return;
  st.timer_armed = true;
  self->delayed_send(self, st.mark_interval, flush_atom_v);
}

/// Sends what waits to the desk (one batch at a time); the reads it held
/// are acknowledged once the desk confirms.
void flush(self_ptr self) {
  auto& st = self->state;
  if (st.outbox.sending())
    return;
  auto batch = st.outbox.take();
  st.report_unsent();
  if (batch.quotes.empty()) {
    for (auto t : batch.tickets)
      st.gate->settle(t, true);
    return;
  }
  auto n = batch.quotes.size() + batch.conflated;
  auto k = batch.signals.size();
  ++st.batches;
  self
    ->request(st.desk, shard_confirm_timeout,
              shard_batch{st.shard, st.epoch, std::move(batch.quotes),
                          std::move(batch.signals), batch.conflated})
    .then(
      [self, tickets = std::move(batch.tickets), n, k](uint64_t) {
        auto& st = self->state;
        st.outbox.done();
        st.quotes += n;
        st.signals += k;
        for (auto t : tickets)
          st.gate->settle(t, true);
        if (st.draining)
          finish_drain(self);
        else if (st.outbox.due())
          flush(self);
        else
          arm(self);
      },
      [self, tickets = batch.tickets](caf::error& err) {
        auto& st = self->state;
        st.outbox.done();
        for (auto t : tickets)
          st.gate->settle(t, false);
        give_up(self, "the coordinator did not confirm a batch: "
                        + self->system().render(err));
      });
}

} // namespace

const telemetry<shard_worker_state>& shard_worker_telemetry() {
  using field = telemetry_field<shard_worker_state>;
  using state = shard_worker_state;
  static const telemetry<state> table{
    {
      field::count("quotes", &state::quotes),
      field::count("signals", &state::signals),
      field::count("duplicates", &state::duplicates),
      field::count("foreign", &state::foreign),
      field::count("batches", &state::batches),
      field::count("warmup_quotes", &state::warmup_quotes),
      field::count("received",
                   [](const state& st) {
                     return st.gate ? st.gate->counters().received.load() : 0;
                   }),
      field::count("confirmed",
                   [](const state& st) {
                     return st.gate ? st.gate->counters().confirmed.load() : 0;
                   }),
      field::count("unconfirmed",
                   [](const state& st) {
                     return st.gate ? st.gate->counters().unconfirmed.load()
                                    : 0;
                   }),
      field::count(
        "in_flight",
        [](const state& st) { return st.gate ? st.gate->in_flight() : 0; }),
      field::count("unsent",
                   [](const state& st) { return st.outbox.unsent(); }),
    },
    samples_in_state::no};
  return table;
}

shard_worker_actor::behavior_type
shard_worker(shard_worker_actor::stateful_pointer<shard_worker_state> self,
             shard_assignment a, shard_source_factory make_source,
             std::shared_ptr<shard_gate_counters> totals) {
  auto& st = self->state;
  st.shard = a.shard;
  st.epoch = a.epoch;
  st.client_id = a.client_id;
  st.desk = caf::actor_cast<shard_desk_actor>(a.desk);
  st.mark_interval = std::chrono::milliseconds{a.mark_interval_ms};
  trading::outbox_limits limits;
  limits.conflate = a.latest_marks;
  st.outbox = trading::shard_outbox{limits};
  st.totals = totals;
  // A failure quits at once; the handlers below never run then.
  if (auto ok = start(self, a, make_source, std::move(totals)); !ok)
    give_up(self, ok.error().message);
  return {
    [self](intake_atom, std::vector<trading::quote>& quotes, uint64_t ticket) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      // Handed back: the gate refused this read, and the broker delivers
      // it to the next owner.
      if (st.draining)
        return;
      if (!quotes.empty())
        st.last_quote_at_ms = wall_now_ms();
      auto out = st.engine->on_quotes(std::move(quotes));
      st.duplicates += out.duplicates;
      st.foreign += out.foreign;
      auto verdict = st.outbox.add(std::move(out), ticket);
      st.report_unsent();
      if (verdict.settle)
        st.gate->settle(ticket, true);
      if (verdict.flush)
        flush(self);
      else
        arm(self);
    },
    [self](flush_atom) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      st.timer_armed = false;
      flush(self);
    },
    [self](drain_atom) -> caf::typed_response_promise<uint64_t> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto promise = self->make_response_promise<uint64_t>();
      if (st.draining) {
        promise.deliver(caf::make_error(caf::sec::runtime_error,
                                        "the shard is being handed back"));
        return promise;
      }
      st.draining = true;
      st.drained = promise;
      // Reads no more: the waiting read is refused and the session ends,
      // so the broker keeps what follows for the next owner.
      if (st.gate)
        st.gate->close();
      st.source.reset();
      aout(self) << "node " << node_label() << ": shard " << st.shard
                 << " (epoch " << st.epoch << ") handed back, "
                 << st.outbox.unsent() << " quote(s) still to send"
                 << std::endl;
      finish_drain(self);
      return promise;
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      nlohmann::json summary{
        {"shard", st.shard},
        {"epoch", st.epoch},
        {"client_id", st.client_id},
        {"instances", st.engine ? st.engine->instances() : 0},
        {"symbols", st.engine ? st.engine->symbols() : 0},
        {"last_quote_at_ms", st.last_quote_at_ms}};
      return shard_worker_telemetry().reply(
        self, summary.dump(), "shard/" + std::to_string(st.shard));
    },
  };
}

} // namespace intuition::actors
