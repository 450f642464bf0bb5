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
  if (!failure.empty()) {
    // The configuration loader validated these parameters; this only
    // happens for a spawn request that bypassed it (a remote peer).
    st.algo.reset();
    self->quit(caf::make_error(caf::sec::invalid_argument,
                               algorithm_instance_name(st.spec) + ": "
                                 + failure));
  }
  return {
    [self](quote_batch& batch) -> signal_batch {
      auto& st = self->state;
      signal_batch out;
      if (!st.algo)
        return out;
      for (const auto& q : batch.quotes)
        if (auto d = st.algo->on_quote(q))
          out.signals.push_back({st.spec.strategy, q.symbol, d->direction,
                                 d->strength, q.price_micros, q.ts_ms, q.seq});
      st.quotes += batch.quotes.size();
      st.signals += out.signals.size();
      return out;
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      return {algorithm_instance_name(st.spec),
              algorithm_state::name,
              {{"quotes", static_cast<int64_t>(st.quotes)},
               {"signals", static_cast<int64_t>(st.signals)}},
              st.algo ? st.algo->state().dump() : "{}"};
    },
  };
}

} // namespace intuition::actors
