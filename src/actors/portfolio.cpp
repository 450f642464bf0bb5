#include "actors/portfolio.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace intuition::actors {

namespace {

nlohmann::json latency_json(const actors::latency_recorder& x) {
  auto us = [](int64_t ns) { return static_cast<double>(ns) / 1e3; };
  return {{"count", x.count()},
          {"p50_us", us(x.percentile_ns(0.50))},
          {"p99_us", us(x.percentile_ns(0.99))},
          {"max_us", us(x.max_ns())}};
}

} // namespace

std::vector<actors::metric_sample> portfolio_metrics(const portfolio_state& st) {
  using actors::counter_sample;
  using actors::gauge_sample;
  auto n = [](uint64_t x) { return static_cast<double>(x); };
  auto units = [](int64_t micros) {
    return static_cast<double>(micros) / static_cast<double>(trading::micros_per_unit);
  };
  std::vector<actors::metric_sample> out;
  for (const auto& [key, count] : st.signals_by)
    out.push_back(counter_sample(
      "intuition_signals_total", n(count),
      {{"strategy", key.first}, {"side", std::string{trading::to_string(key.second)}}}));
  for (const auto& [key, count] : st.orders_by)
    out.push_back(counter_sample(
      "intuition_orders_total", n(count),
      {{"strategy", key.first}, {"side", std::string{trading::to_string(key.second)}}}));
  const auto& c = st.pf->counters();
  for (size_t i = 0; i < c.refusals.size(); ++i)
    out.push_back(counter_sample(
      "intuition_risk_refusals_total", n(c.refusals[i]),
      {{"reason", std::string{trading::to_string(
                    static_cast<trading::refusal_reason>(i))}}}));
  out.push_back(counter_sample("intuition_portfolio_quotes_total", n(c.quotes)));
  const auto& bk = st.pf->positions();
  int64_t realised = 0;
  int64_t unrealised = 0;
  for (const auto& [name, pnl] : bk.pnl_by_strategy()) {
    realised += pnl.realised_micros;
    unrealised += pnl.unrealised_micros;
  }
  out.push_back(gauge_sample("intuition_cash", units(bk.cash_micros())));
  out.push_back(gauge_sample("intuition_equity", units(bk.equity_micros())));
  out.push_back(gauge_sample("intuition_realised_pnl", units(realised)));
  out.push_back(gauge_sample("intuition_unrealised_pnl", units(unrealised)));
  out.push_back(gauge_sample("intuition_open_positions",
                             n(bk.net_positions().size())));
  out.push_back(st.tick_to_order_seconds.sample("intuition_tick_to_order_seconds"));
  return out;
}

portfolio_actor::behavior_type
portfolio(portfolio_actor::stateful_pointer<portfolio_state> self,
          trading::portfolio_config cfg, trading::report_config report,
          std::vector<trading::order> restored, order_log_actor log) {
  auto& st = self->state;
  st.pf = std::make_unique<trading::portfolio>(std::move(cfg));
  for (const auto& x : restored)
    if (!st.pf->restore(x))
      // Only a hand-made or foreign record gets here: this runtime never
      // journals an order whose money figures leave 64 bits.
      std::cerr << "journal record seq " << x.seq << " (order " << x.id
                << "): a money figure would leave 64 bits; not applied\n";
  st.restored_orders = restored.size();
  st.starting_equity_micros = st.pf->positions().equity_micros();
  st.report = report;
  st.curve = trading::equity_curve{report.equity_interval_ms};
  st.log = std::move(log);
  st.probe.count_rejected(self);
  return {
    [self](market_batch& batch) -> uint64_t {
      // Signals arrive sorted by quote sequence: fill each right after its
      // quote marked the book, as a single-threaded loop would.
      auto& st = self->state;
      auto timer = st.probe.time(self);
      st.probe.mailbox_time(self, batch.sent_ns);
      if (!st.halted.empty()) {
        // An order filled now could not be journaled.
        st.halted_quotes += batch.quotes.size();
        st.halted_signals += batch.signals.size();
        return st.pf->counters().orders;
      }
      order_batch filled;
      auto sig = batch.signals.begin();
      for (const auto& q : batch.quotes) {
        st.pf->on_quote(q);
        for (; sig != batch.signals.end() && sig->quote_seq == q.seq; ++sig) {
          if (st.pf->journaled(q.input_pos, sig->strategy, sig->symbol)) {
            ++st.already_journaled;
            continue;
          }
          ++st.signals_by[{sig->strategy, sig->direction}];
          auto outcome = st.pf->on_signal(*sig);
          if (auto* x = std::get_if<trading::order>(&outcome)) {
            x->input_pos = q.input_pos;
            ++st.orders_by[{x->strategy, x->direction}];
            filled.orders.push_back(std::move(*x));
            if (q.received_ns > 0) {
              auto ns = steady_now_ns() - q.received_ns;
              st.tick_to_order.record(ns);
              st.tick_to_order_seconds.observe(static_cast<double>(ns) / 1e9);
            }
          }
        }
        st.curve.record(q.ts_ms, st.pf->positions().equity_micros());
        filled.input_through = std::max(filled.input_through, q.input_pos);
      }
      if (!filled.orders.empty() || filled.input_through > 0) {
        filled.sent_ns = steady_now_ns();
        self->send(st.log, std::move(filled));
      }
      return st.pf->counters().orders;
    },
    [self](halt_atom, std::string& cause, std::string& why) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      if (!st.halted.empty())
        return;
      st.halted = std::move(cause);
      st.halt_error = std::move(why);
      aout(self) << "portfolio: halted: " << st.halted
                 << " (no order is filled any more)" << std::endl;
    },
    [self](report_atom) -> std::string {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto out = trading::portfolio_report(*st.pf, st.curve,
                                           st.starting_equity_micros,
                                           st.report, true);
      out["restored_orders"] = st.restored_orders;
      out["tick_to_order"] = latency_json(st.tick_to_order);
      return out.dump();
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      const auto& c = st.pf->counters();
      auto summary = trading::portfolio_summary(*st.pf);
      summary["tick_to_order"] = latency_json(st.tick_to_order);
      summary["halted"] = st.halted.empty() ? nlohmann::json{}
                                            : nlohmann::json(st.halted);
      auto out = make_actor_state(portfolio_state::name,
                                  portfolio_state::name,
                                  {{"quotes", static_cast<int64_t>(c.quotes)},
                                   {"signals", static_cast<int64_t>(c.signals)},
                                   {"orders", static_cast<int64_t>(c.orders)},
                                   {"restored_orders",
                                    static_cast<int64_t>(st.restored_orders)},
                                   {"already_journaled",
                                    static_cast<int64_t>(st.already_journaled)},
                                   {"halted_quotes",
                                    static_cast<int64_t>(st.halted_quotes)},
                                   {"halted_signals",
                                    static_cast<int64_t>(st.halted_signals)}},
                                  summary.dump());
      out.metrics = portfolio_metrics(st);
      st.probe.stamp(out, self->mailbox().size());
      return out;
    },
  };
}

} // namespace intuition::actors
