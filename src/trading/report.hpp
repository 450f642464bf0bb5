#pragma once

#include <nlohmann/json.hpp>

#include "trading/performance.hpp"
#include "trading/portfolio.hpp"

/// The run summary shared by replay, live mode and inspection.
namespace intuition::trading {

/// Settings of the equity curve and its statistics.
struct report_config {
  /// Bar width of the equity curve in ms; 0 records one point per timestamp.
  int64_t equity_interval_ms = 0;
  /// Annualisation factor of the Sharpe ratio; 0 estimates it from the data.
  double periods_per_year = 0.0;
};

/// Portfolio state as JSON: cash, equity, positions, per-strategy P&L and
/// counters. Money is in currency units.
nlohmann::json portfolio_summary(const portfolio& pf);

/// `portfolio_summary` plus performance statistics and, when
/// `with_curve` is set, the equity curve as [[ts_ms, equity], ...].
/// `starting_equity_micros` is the equity this session began with (after
/// the journal was restored). Two returns are reported, each with its
/// base: `total_return` since inception (the configured starting cash,
/// every journaled order) and `session_return` since this session began;
/// Sharpe ratio and drawdown are of this session's curve.
nlohmann::json portfolio_report(const portfolio& pf, const equity_curve& curve,
                                int64_t starting_equity_micros,
                                const report_config& cfg, bool with_curve);

} // namespace intuition::trading
