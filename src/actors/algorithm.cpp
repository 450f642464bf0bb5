#include "actors/algorithm.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace intuition::actors {

std::string algorithm_instance_name(const algorithm_spec& spec) {
  return "algorithm/" + spec.strategy + "/" + spec.symbol;
}

const telemetry<algorithm_state>& algorithm_telemetry() {
  using field = telemetry_field<algorithm_state>;
  using state = algorithm_state;
  static const telemetry<state> table{{
    field::count("quotes", &state::quotes),
    field::count("signals", &state::signals),
    field::count("warmup_quotes", &state::warmup_quotes),
  }};
  return table;
}

algorithm_actor::behavior_type
algorithm(algorithm_actor::stateful_pointer<algorithm_state> self,
          algorithm_spec spec) {
  auto& st = self->state;
  st.algo = trading::make_algorithm(spec.algorithm, spec.symbol);
  trading::status started
    = trading::invalid_request("unknown algorithm " + spec.algorithm);
  if (st.algo) {
    auto channels = trading::initialize_from_text(*st.algo, spec.params_json);
    started = channels ? trading::status{} : trading::status{channels.error()};
    if (channels && spec.restored_position != 0)
      st.algo->restore_position(spec.restored_position);
  }
  st.spec = std::move(spec);
  st.current.symbol = st.spec.symbol;
  st.probe.count_rejected(self);
  if (!started) {
    // The configuration loader validated these parameters; this only
    // happens for a spawn request that bypassed it (a remote peer).
    st.algo.reset();
    self->quit(caf::make_error(
      caf::sec::invalid_argument,
      started.error().within(algorithm_instance_name(st.spec)).message));
  }
  return {
    [self](quote_part& part) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      st.probe.mailbox_time(self, part.sent_ns);
      part_result out{part.batch, part.slot, part.epoch, {}};
      if (st.algo)
        for (const auto& x : part.ticks) {
          trading::assign_tick(st.current, x);
          if (auto d = st.algo->on_quote(st.current))
            out.signals.push_back({st.spec.strategy, st.spec.symbol,
                                   d->direction, d->strength, x.price_micros,
                                   x.ts_ms, x.seq});
        }
      st.quotes += part.ticks.size();
      st.signals += out.signals.size();
      // Answered by a message, not a response: the router needs no
      // response handler per part.
      self->send(caf::actor_cast<part_sink_actor>(self->current_sender()),
                 std::move(out));
    },
    [self](warmup_atom, quote_part& part) {
      // Indicators catch up on the symbol's recent history; the decisions
      // they would have taken then are long past and are dropped.
      auto& st = self->state;
      auto timer = st.probe.time(self);
      if (!st.algo)
        return;
      for (const auto& x : part.ticks) {
        trading::assign_tick(st.current, x);
        st.algo->on_quote(st.current);
      }
      st.warmup_quotes += part.ticks.size();
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto summary = st.algo ? st.algo->state() : nlohmann::json::object();
      summary["strategy"] = st.spec.strategy;
      summary["algorithm"] = st.spec.algorithm;
      summary["symbol"] = st.spec.symbol;
      summary["epoch"] = st.spec.epoch;
      return algorithm_telemetry().reply(self, summary.dump(),
                                         algorithm_instance_name(st.spec));
    },
  };
}

} // namespace intuition::actors
