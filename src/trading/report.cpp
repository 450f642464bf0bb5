#include "trading/report.hpp"

#include "trading/checked.hpp"
#include "trading/decimal.hpp"

namespace intuition::trading {

namespace {

double units(int64_t micros) {
  return micros_to_double(micros);
}

double us(int64_t ns) {
  return static_cast<double>(ns) / 1e3;
}

/// Adds the runtime's figures (`rejected`, `rejected_by_reason`,
/// throughput, journal, `halted`, and a live run's MQTT figures) to `out`.
void add_run(nlohmann::json& out, const run_info& info, uint64_t quotes) {
  using nlohmann::json;
  uint64_t rejected = 0;
  auto by_reason = json::object();
  for (size_t i = 0; i < info.rejected.size(); ++i) {
    rejected += info.rejected[i];
    if (info.rejected[i] > 0)
      by_reason[std::string{to_string(static_cast<reject_reason>(i))}]
        = info.rejected[i];
  }
  out["mode"] = info.mode;
  out["input"] = info.input;
  out["rows"] = info.rows;
  out["rejected"] = rejected;
  out["rejected_by_reason"] = by_reason;
  out["elapsed_s"] = info.elapsed_s;
  out["quotes_per_s"] = quotes_per_s(info, quotes);
  out["rows_are"] = info.mode == "run" ? "mqtt_messages" : "csv_rows";
  out["interrupted"] = info.interrupted;
  out["journal"] = {{"path", info.journal_path},
                    {"durable_orders", info.journal_durable},
                    {"restored_orders", info.restored_orders}};
  out["halted"] = info.halted.empty() ? json{} : json(info.halted);
  if (!info.halted.empty())
    out["journal"]["error"] = info.halt_error;
  if (info.ingress) {
    out["mqtt_in"] = info.ingress->counters;
    const auto& log = info.ingress->input_log;
    // Without an input log the figures are unknown, not zero.
    auto figure = [&log](auto read) {
      return log ? json(read(*log)) : json{};
    };
    out["input_log"] = {
      {"mean_append_ns", figure([](auto& x) { return x.mean_append_ns; })},
      {"max_append_us", figure([](auto& x) { return x.max_append_ns / 1000; })},
      {"bytes", figure([](auto& x) { return x.bytes; })},
      {"segments", figure([](auto& x) { return x.segments; })}};
  }
  if (info.mqtt_out)
    out["mqtt_out"] = *info.mqtt_out;
  if (info.unconfirmed_orders)
    out["unconfirmed_orders"] = *info.unconfirmed_orders;
}

} // namespace

bool operator==(const net_position& x, const net_position& y) noexcept {
  return x.qty == y.qty && x.last_micros == y.last_micros
         && x.value_micros == y.value_micros;
}

bool operator==(const holding_figures& x, const holding_figures& y) noexcept {
  return x.strategy == y.strategy && x.symbol == y.symbol && x.qty == y.qty
         && x.avg_cost_micros == y.avg_cost_micros
         && x.unrealised_micros == y.unrealised_micros;
}

bool operator==(const portfolio_figures& x,
                const portfolio_figures& y) noexcept {
  return x.counters == y.counters
         && x.starting_cash_micros == y.starting_cash_micros
         && x.cash_micros == y.cash_micros && x.equity_micros == y.equity_micros
         && x.positions == y.positions && x.holdings == y.holdings
         && x.strategies == y.strategies;
}

bool operator==(const latency_figures& x, const latency_figures& y) noexcept {
  return x.count == y.count && x.p50_ns == y.p50_ns && x.p99_ns == y.p99_ns
         && x.max_ns == y.max_ns;
}

bool operator==(const input_log_figures& x,
                const input_log_figures& y) noexcept {
  return x.mean_append_ns == y.mean_append_ns
         && x.max_append_ns == y.max_append_ns && x.bytes == y.bytes
         && x.segments == y.segments;
}

bool operator==(const ingress_report& x, const ingress_report& y) noexcept {
  return x.counters == y.counters && x.rejected == y.rejected
         && x.input_log == y.input_log;
}

bool operator==(const run_info& x, const run_info& y) noexcept {
  return x.mode == y.mode && x.input == y.input && x.elapsed_s == y.elapsed_s
         && x.interrupted == y.interrupted && x.rows == y.rows
         && x.rejected == y.rejected && x.journal_path == y.journal_path
         && x.journal_durable == y.journal_durable
         && x.restored_orders == y.restored_orders && x.halted == y.halted
         && x.halt_error == y.halt_error && x.ingress == y.ingress
         && x.mqtt_out == y.mqtt_out
         && x.unconfirmed_orders == y.unconfirmed_orders;
}

bool operator==(const run_report& x, const run_report& y) noexcept {
  return x.portfolio == y.portfolio && x.total_return == y.total_return
         && x.session_start_equity_micros == y.session_start_equity_micros
         && x.session == y.session && x.equity_curve == y.equity_curve
         && x.restored_orders == y.restored_orders
         && x.tick_to_order == y.tick_to_order && x.run == y.run;
}

nlohmann::json to_json(const latency_figures& x) {
  return {{"count", x.count},
          {"p50_us", us(x.p50_ns)},
          {"p99_us", us(x.p99_ns)},
          {"max_us", us(x.max_ns)}};
}

double quotes_per_s(const run_info& info, uint64_t quotes) {
  return info.elapsed_s > 0 ? static_cast<double>(quotes) / info.elapsed_s
                            : 0.0;
}

portfolio_figures portfolio_figures_of(const portfolio& pf) {
  const auto& bk = pf.positions();
  portfolio_figures out;
  out.counters = pf.counters();
  out.starting_cash_micros = bk.starting_cash_micros();
  out.cash_micros = bk.cash_micros();
  out.equity_micros = bk.equity_micros();
  for (const auto& [sym, qty] : bk.net_positions()) {
    auto last = bk.last_price_micros(sym);
    out.positions[sym]
      = {qty, last, saturate(static_cast<int128_t>(last) * qty)};
  }
  for (const auto& [key, pos] : bk.holdings())
    if (pos.qty != 0)
      out.holdings.push_back({key.first, key.second, pos.qty,
                              book::average_cost_micros(pos),
                              bk.unrealised_micros(key.second, pos)});
  out.strategies = bk.pnl_by_strategy();
  return out;
}

run_report portfolio_report(const portfolio& pf, const equity_curve& curve,
                            int64_t starting_equity_micros,
                            const report_config& cfg) {
  run_report out;
  out.portfolio = portfolio_figures_of(pf);
  auto start = pf.positions().starting_cash_micros();
  out.total_return = start > 0
                       ? static_cast<double>(pf.positions().equity_micros())
                             / static_cast<double>(start)
                           - 1.0
                       : 0.0;
  out.session_start_equity_micros = starting_equity_micros;
  out.session = compute_performance(curve.points(), starting_equity_micros,
                                    cfg.periods_per_year);
  out.equity_curve = curve.points();
  return out;
}

nlohmann::json to_json(const portfolio_figures& x) {
  using nlohmann::json;
  json positions = json::object();
  for (const auto& [sym, p] : x.positions)
    positions[sym] = {{"qty", p.qty},
                      {"last", units(p.last_micros)},
                      {"value", units(p.value_micros)}};
  json strategies = json::object();
  for (const auto& [name, pnl] : x.strategies)
    strategies[name] = {{"realised_pnl", units(pnl.realised_micros)},
                        {"unrealised_pnl", units(pnl.unrealised_micros)},
                        {"commission", units(pnl.commission_micros)},
                        {"buys", pnl.buys},
                        {"sells", pnl.sells}};
  json holdings = json::array();
  for (const auto& h : x.holdings)
    holdings.push_back({{"strategy", h.strategy},
                        {"symbol", h.symbol},
                        {"qty", h.qty},
                        {"avg_cost", units(h.avg_cost_micros)},
                        {"unrealised_pnl", units(h.unrealised_micros)}});
  json refusals = json::object();
  for (size_t i = 0; i < refusal_reason_count; ++i)
    refusals[std::string{to_string(static_cast<refusal_reason>(i))}]
      = x.counters.refusals[i];
  return {{"quotes", x.counters.quotes},
          {"signals", x.counters.signals},
          {"orders", x.counters.orders},
          {"refusals", refusals},
          {"starting_cash", units(x.starting_cash_micros)},
          {"final_cash", units(x.cash_micros)},
          {"equity", units(x.equity_micros)},
          {"positions", positions},
          {"holdings", holdings},
          {"strategies", strategies}};
}

nlohmann::json to_json(const run_report& x) {
  using nlohmann::json;
  auto out = to_json(x.portfolio);
  out["total_return"] = x.total_return;
  out["session_start_equity"] = units(x.session_start_equity_micros);
  out["session_return"] = x.session.total_return;
  // null, not 0, when there is nothing to measure: a 0 would read as a
  // strategy without edge.
  out["sharpe"] = x.session.sharpe ? json(*x.session.sharpe) : json(nullptr);
  if (!x.session.sharpe)
    out["sharpe_missing"] = x.session.sharpe_missing;
  out["max_drawdown"] = x.session.max_drawdown;
  out["periods_per_year"] = x.session.periods_per_year;
  out["equity_points"] = x.equity_curve.size();
  auto pts = json::array();
  for (const auto& p : x.equity_curve)
    pts.push_back({p.ts_ms, units(p.equity_micros)});
  out["equity_curve"] = std::move(pts);
  out["restored_orders"] = x.restored_orders;
  out["tick_to_order"] = to_json(x.tick_to_order);
  add_run(out, x.run, x.portfolio.counters.quotes);
  return out;
}

} // namespace intuition::trading
