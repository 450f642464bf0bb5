#include "actors/portfolio.hpp"

#include <chrono>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace intuition::actors {

namespace {

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

nlohmann::json latency_json(const trading::latency_recorder& x) {
  auto us = [](int64_t ns) { return static_cast<double>(ns) / 1e3; };
  return {{"count", x.count()},
          {"p50_us", us(x.percentile_ns(0.50))},
          {"p99_us", us(x.percentile_ns(0.99))},
          {"max_us", us(x.max_ns())}};
}

} // namespace

portfolio_actor::behavior_type
portfolio(portfolio_actor::stateful_pointer<portfolio_state> self,
          trading::portfolio_config cfg, trading::report_config report,
          std::vector<trading::order> restored, order_log_actor log) {
  auto& st = self->state;
  st.pf = std::make_unique<trading::portfolio>(std::move(cfg));
  for (const auto& x : restored)
    st.pf->restore(x);
  st.restored_orders = restored.size();
  st.starting_equity_micros = st.pf->positions().equity_micros();
  st.report = report;
  st.curve = trading::equity_curve{report.equity_interval_ms};
  st.log = std::move(log);
  return {
    [self](market_batch& batch) -> uint64_t {
      // Signals arrive sorted by quote sequence: fill each right after its
      // quote marked the book, as a single-threaded loop would.
      auto& st = self->state;
      order_batch filled;
      auto sig = batch.signals.begin();
      for (const auto& q : batch.quotes) {
        st.pf->on_quote(q);
        for (; sig != batch.signals.end() && sig->quote_seq == q.seq; ++sig) {
          auto outcome = st.pf->on_signal(*sig);
          if (auto* x = std::get_if<trading::order>(&outcome)) {
            filled.orders.push_back(std::move(*x));
            if (q.received_ns > 0)
              st.tick_to_order.record(steady_ns() - q.received_ns);
          }
        }
        st.curve.record(q.ts_ms, st.pf->positions().equity_micros());
      }
      if (!filled.orders.empty())
        self->send(st.log, std::move(filled));
      return st.pf->counters().orders;
    },
    [self](report_atom) -> std::string {
      auto& st = self->state;
      auto out = trading::portfolio_report(*st.pf, st.curve,
                                           st.starting_equity_micros,
                                           st.report, true);
      out["restored_orders"] = st.restored_orders;
      out["tick_to_order"] = latency_json(st.tick_to_order);
      return out.dump();
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      const auto& c = st.pf->counters();
      return {portfolio_state::name,
              portfolio_state::name,
              {{"quotes", static_cast<int64_t>(c.quotes)},
               {"signals", static_cast<int64_t>(c.signals)},
               {"orders", static_cast<int64_t>(c.orders)}},
              trading::portfolio_summary(*st.pf).dump()};
    },
  };
}

} // namespace intuition::actors
