#pragma once

#include <memory>
#include <vector>

#include "actors/actor_types.hpp"
#include "trading/latency.hpp"
#include "trading/performance.hpp"
#include "trading/portfolio.hpp"
#include "trading/report.hpp"

/// The portfolio actor: one per deployment, the single source of truth for
/// cash and positions.
namespace intuition::actors {

struct portfolio_state {
  static inline const char* name = "portfolio";
  std::unique_ptr<trading::portfolio> pf;
  trading::equity_curve curve;
  trading::report_config report;
  /// Equity when this run started (after journal recovery).
  int64_t starting_equity_micros = 0;
  uint64_t restored_orders = 0;
  order_log_actor log;
  /// Tick-to-order: from receiving a live quote to its order being filled.
  trading::latency_recorder tick_to_order;
};

/// Spawns the portfolio. `restored` are the journal's orders, applied before
/// the first message so the book continues where the last run stopped.
portfolio_actor::behavior_type
portfolio(portfolio_actor::stateful_pointer<portfolio_state> self,
          trading::portfolio_config cfg, trading::report_config report,
          std::vector<trading::order> restored, order_log_actor log);

} // namespace intuition::actors
