#include "actors/algorithm.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace intuition::actors {

std::string algorithm_instance_name(const algorithm_spec& spec) {
  return "algorithm/" + spec.strategy + "/" + spec.symbol;
}

algorithm_actor::behavior_type
algorithm(algorithm_actor::stateful_pointer<algorithm_state> self,
          algorithm_spec spec) {
  auto& st = self->state;
  st.algo = trading::make_algorithm(spec.algorithm, spec.symbol);
  std::string failure;
  if (!st.algo) {
    failure = "unknown algorithm " + spec.algorithm;
  } else {
    try {
      st.algo->initialize(nlohmann::json::parse(spec.params_json));
    } catch (const std::exception& ex) {
      failure = ex.what();
    }
  }
  st.spec = std::move(spec);
  st.probe.count_rejected(self);
  if (!failure.empty()) {
    // The configuration loader validated these parameters; this only
    // happens for a spawn request that bypassed it (a remote peer).
    st.algo.reset();
    self->quit(caf::make_error(caf::sec::invalid_argument,
                               algorithm_instance_name(st.spec) + ": "
                                 + failure));
  }
  return {
    [self](quote_part& part) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      st.probe.mailbox_time(self, part.sent_ns);
      part_result out{part.batch, part.slot, part.epoch, {}};
      if (st.algo)
        for (const auto& q : part.quotes)
          if (auto d = st.algo->on_quote(q))
            out.signals.push_back({st.spec.strategy, q.symbol, d->direction,
                                   d->strength, q.price_micros, q.ts_ms,
                                   q.seq});
      st.quotes += part.quotes.size();
      st.signals += out.signals.size();
      // Answered by a message, not a response: the router needs no
      // response handler per part.
      self->send(caf::actor_cast<part_sink_actor>(self->current_sender()),
                 std::move(out));
    },
    [self](warmup_atom, quote_batch& batch) {
      // Indicators catch up on the symbol's recent history; the decisions
      // they would have taken then are long past and are dropped.
      auto& st = self->state;
      auto timer = st.probe.time(self);
      if (!st.algo)
        return;
      for (const auto& q : batch.quotes)
        st.algo->on_quote(q);
      st.warmup_quotes += batch.quotes.size();
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto summary = st.algo ? st.algo->state() : nlohmann::json::object();
      summary["strategy"] = st.spec.strategy;
      summary["algorithm"] = st.spec.algorithm;
      summary["symbol"] = st.spec.symbol;
      summary["epoch"] = st.spec.epoch;
      auto out = make_actor_state(algorithm_instance_name(st.spec),
                                  algorithm_state::name,
                                  {{"quotes", static_cast<int64_t>(st.quotes)},
                                   {"signals", static_cast<int64_t>(st.signals)},
                                   {"warmup_quotes", static_cast<int64_t>(st.warmup_quotes)}},
                                  summary.dump());
      st.probe.stamp(out, self->mailbox().size());
      return out;
    },
  };
}

} // namespace intuition::actors
