#include "actors/order_log.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace intuition::actors {

namespace {

using self_ptr = order_log_actor::stateful_pointer<order_log_state>;

/// Answers the `processed` requests whose positions were seen, once
/// everything appended is durable.
void deliver_processed(self_ptr self) {
  auto& st = self->state;
  if (st.processed.empty() || st.appended != st.durable)
    return;
  auto waiting = std::move(st.processed);
  st.processed.clear();
  for (auto& [promise, position] : waiting) {
    if (position <= st.seen_input)
      promise.deliver(position);
    else
      st.processed.emplace_back(std::move(promise), position);
  }
}

void halt(self_ptr self, const std::string& why);

/// Everything appended is durable: say so in the end record, then hand it
/// on to the publisher.
void mark_durable(self_ptr self) {
  auto& st = self->state;
  st.durable = st.appended;
  if (auto ok = st.writer.acknowledge(); !ok) {
    // Durable, but not recorded as acknowledged: nobody may learn of these
    // orders now (the next start publishes them).
    st.unsynced.clear();
    halt(self, ok.error().message);
    return;
  }
  if (st.cfg.publisher && !st.unsynced.empty())
    self->send(st.cfg.publisher,
               order_batch{std::move(st.unsynced), 0, steady_now_ns()});
  st.unsynced.clear();
  deliver_processed(self);
}

/// Forces appended records to disk.
void sync_now(self_ptr self) {
  auto& st = self->state;
  if (st.appended == st.durable || !st.writer.is_open())
    return;
  if (auto ok = st.writer.sync(); !ok) {
    // The writer closes itself: retrying fsync can report success for data
    // that never reached the disk. Nothing more is acknowledged.
    halt(self, ok.error().message);
    return;
  }
  ++st.syncs;
  st.fsync_seconds.observe(static_cast<double>(st.writer.last_sync_ns()) / 1e9);
  st.max_sync_ns = std::max(st.max_sync_ns, st.writer.last_sync_ns());
  mark_durable(self);
}

/// Tells `whom` that trading halted and why.
void tell_halt(self_ptr self, const halt_sink_actor& whom) {
  auto& st = self->state;
  if (whom)
    self->send(whom, halt_atom_v, st.halted, st.halt_error);
}

/// Stops trading: the journal could not take or keep an order. Orders
/// appended before the failure are still made durable and handed on when
/// the file allows it; no order after it is ever acknowledged. The
/// portfolio (the last batch's sender) and the observer are told at once,
/// so that no order is filled any more.
void halt(self_ptr self, const std::string& why) {
  auto& st = self->state;
  ++st.write_errors;
  aout(self) << "order_log: " << why << std::endl;
  if (!st.halted.empty())
    return;
  st.halted = journal_halt_cause;
  st.halt_error = why;
  sync_now(self);
  aout(self) << "order_log: halted: " << st.halted << " (" << st.durable
             << " orders durable; no order is taken any more)" << std::endl;
  tell_halt(self, st.source);
  tell_halt(self, st.cfg.observer);
}

} // namespace

const telemetry<order_log_state>& order_log_telemetry() {
  using field = telemetry_field<order_log_state>;
  using state = order_log_state;
  static const telemetry<state> table{{
    field::count("appended", &state::appended)
      .counter("intuition_journal_appends_total",
               "Orders appended to the journal."),
    field::count("durable", &state::durable)
      .counter("intuition_journal_durable_total",
               "Orders known to be on stable storage."),
    field::count("syncs", &state::syncs)
      .counter("intuition_journal_syncs_total", "Journal fsync calls."),
    field::count("write_errors", &state::write_errors)
      .counter("intuition_journal_write_errors_total",
               "Journal writes or syncs that failed."),
    field::value([](const state& st) { return !st.halted.empty(); })
      .gauge("intuition_halted",
             "1 once trading halted, by reason (journal: a journal write or "
             "fsync failed).",
             {{"reason", journal_halt_cause}}),
    field::histogram("intuition_journal_fsync_seconds",
                     "Duration of a journal fsync.", &state::fsync_seconds),
    field::count("refused", &state::refused),
  }};
  return table;
}

order_log_actor::behavior_type
order_log(order_log_actor::stateful_pointer<order_log_state> self,
          std::shared_ptr<trading::journal_writer> writer,
          order_log_config cfg) {
  self->state.writer = std::move(*writer);
  self->state.cfg = cfg;
  self->state.probe.count_rejected(self);
  // A shutdown request still puts every appended record on disk first.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    sync_now(self);
    self->quit(msg.reason);
  });
  return {
    [self](order_batch& batch) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      st.probe.mailbox_time(self, batch.sent_ns);
      auto sender = caf::actor_cast<halt_sink_actor>(self->current_sender());
      if (!st.halted.empty()) {
        st.refused += batch.orders.size();
        tell_halt(self, sender);
        return;
      }
      st.source = std::move(sender);
      if (auto ok = st.writer.append(batch.orders); !ok) {
        // An order the journal did not take must not be lost silently:
        // trading halts, and the journal holds every order acknowledged
        // before.
        st.refused += batch.orders.size();
        halt(self, ok.error().message);
        return;
      }
      st.appended += batch.orders.size();
      st.seen_input = std::max(st.seen_input, batch.input_through);
      if (st.cfg.publisher)
        st.unsynced.insert(st.unsynced.end(), batch.orders.begin(),
                           batch.orders.end());
      switch (st.cfg.policy) {
        case trading::fsync_policy::always:
          // Group commit: batches already queued behind this one are
          // appended first and share one fsync (a tick queued behind
          // them), so a burst costs one sync, not one each; a batch that
          // arrives alone is synced at once.
          if (st.sync_pending)
            break;
          if (!self->mailbox().empty()) {
            st.sync_pending = true;
            self->send(self, tick_atom_v);
          } else {
            sync_now(self);
          }
          break;
        case trading::fsync_policy::interval:
          if (!st.sync_pending) {
            st.sync_pending = true;
            self->delayed_send(self, st.cfg.interval, tick_atom_v);
          }
          break;
        case trading::fsync_policy::never:
          mark_durable(self);
          break;
      }
      deliver_processed(self);
    },
    [self](processed_atom,
           uint64_t position) -> caf::typed_response_promise<uint64_t> {
      // Processed means: the portfolio reported the position (its orders
      // were appended before that report) and they are durable.
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto promise = self->make_response_promise<uint64_t>();
      st.processed.emplace_back(promise, position);
      deliver_processed(self);
      return promise;
    },
    [self](flush_atom) -> uint64_t {
      auto timer = self->state.probe.time(self);
      sync_now(self);
      return self->state.durable;
    },
    [self](tick_atom) {
      auto timer = self->state.probe.time(self);
      self->state.sync_pending = false;
      sync_now(self);
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      nlohmann::json summary{
        {"policy", std::string{trading::to_string(st.cfg.policy)}},
        {"next_seq", st.writer.next_seq()},
        {"next_id", st.writer.next_id()},
        {"max_sync_us", st.max_sync_ns / 1000},
        {"halted",
         st.halted.empty() ? nlohmann::json{} : nlohmann::json(st.halted)},
      };
      if (!st.halted.empty())
        summary["halt_error"] = st.halt_error;
      return order_log_telemetry().reply(self, summary.dump());
    },
  };
}

} // namespace intuition::actors
