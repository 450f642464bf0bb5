#include "trading/report.hpp"

#include "trading/checked.hpp"
#include "trading/decimal.hpp"

namespace intuition::trading {

namespace {

double units(int64_t micros) {
  return micros_to_double(micros);
}

} // namespace

nlohmann::json portfolio_summary(const portfolio& pf) {
  using nlohmann::json;
  const auto& bk = pf.positions();
  const auto& cnt = pf.counters();
  json positions = json::object();
  for (const auto& [sym, qty] : bk.net_positions()) {
    auto last = bk.last_price_micros(sym);
    positions[sym] = {{"qty", qty},
                      {"last", units(last)},
                      {"value", units(saturate(static_cast<int128_t>(last) * qty))}};
  }
  json strategies = json::object();
  for (const auto& [name, pnl] : bk.pnl_by_strategy())
    strategies[name] = {{"realised_pnl", units(pnl.realised_micros)},
                        {"unrealised_pnl", units(pnl.unrealised_micros)},
                        {"commission", units(pnl.commission_micros)},
                        {"buys", pnl.buys},
                        {"sells", pnl.sells}};
  json holdings = json::array();
  for (const auto& [key, pos] : bk.holdings()) {
    if (pos.qty == 0)
      continue;
    holdings.push_back({{"strategy", key.first},
                        {"symbol", key.second},
                        {"qty", pos.qty},
                        {"avg_cost", units(book::average_cost_micros(pos))},
                        {"unrealised_pnl",
                         units(bk.unrealised_micros(key.second, pos))}});
  }
  json refusals = json::object();
  for (size_t i = 0; i < refusal_reason_count; ++i)
    refusals[std::string{to_string(static_cast<refusal_reason>(i))}]
      = cnt.refusals[i];
  return {{"quotes", cnt.quotes},
          {"signals", cnt.signals},
          {"orders", cnt.orders},
          {"refusals", refusals},
          {"starting_cash", units(bk.starting_cash_micros())},
          {"final_cash", units(bk.cash_micros())},
          {"equity", units(bk.equity_micros())},
          {"positions", positions},
          {"holdings", holdings},
          {"strategies", strategies}};
}

nlohmann::json portfolio_report(const portfolio& pf, const equity_curve& curve,
                                int64_t starting_equity_micros,
                                const report_config& cfg, bool with_curve) {
  auto out = portfolio_summary(pf);
  auto stats = compute_performance(curve.points(), starting_equity_micros,
                                   cfg.periods_per_year);
  // Since inception: the configured starting cash is the base, whatever a
  // restored journal did before this session.
  auto start = pf.positions().starting_cash_micros();
  out["total_return"]
    = start > 0 ? static_cast<double>(pf.positions().equity_micros())
                      / static_cast<double>(start)
                    - 1.0
                : 0.0;
  // This session: the equity at start (after a resume, restored positions
  // are valued at their last fill price, the only price the journal holds).
  out["session_start_equity"] = units(starting_equity_micros);
  out["session_return"] = stats.total_return;
  // null, not 0, when there is nothing to measure: a 0 would read as a
  // strategy without edge.
  out["sharpe"] = stats.sharpe ? nlohmann::json(*stats.sharpe)
                               : nlohmann::json(nullptr);
  if (!stats.sharpe)
    out["sharpe_missing"] = stats.sharpe_missing;
  out["max_drawdown"] = stats.max_drawdown;
  out["periods_per_year"] = stats.periods_per_year;
  out["equity_points"] = curve.points().size();
  if (with_curve) {
    auto pts = nlohmann::json::array();
    for (const auto& p : curve.points())
      pts.push_back({p.ts_ms, units(p.equity_micros)});
    out["equity_curve"] = std::move(pts);
  }
  return out;
}

} // namespace intuition::trading
