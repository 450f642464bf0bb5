#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/actor_types.hpp"
#include "actors/telemetry.hpp"
#include "actors/telemetry_table.hpp"
#include "actors/metric_samples.hpp"
#include "actors/latency_recorder.hpp"
#include "trading/control_log.hpp"
#include "trading/performance.hpp"
#include "trading/portfolio.hpp"
#include "trading/report.hpp"

/// The portfolio actor: one per deployment, the single source of truth for
/// cash and positions.
namespace intuition::actors {

/// Operator control of a portfolio: where changes are journaled and what
/// an earlier process left.
struct portfolio_control {
  /// The control journal (shared only to cross `spawn`); null: changes are
  /// applied without being journaled (tests).
  std::shared_ptr<trading::control_log> log;
  /// Mode and pending flattens read back from the journal.
  trading::control_state restored;
  /// Where the risk limits' watermarks are saved (`trading::risk_file_path`);
  /// empty: not saved.
  std::string risk_path;
  /// The watermarks an earlier process saved there.
  std::optional<trading::risk_marks> risk_marks;
};

struct portfolio_state {
  static inline const char* name = "portfolio";
  std::unique_ptr<trading::portfolio> pf;
  trading::equity_curve curve;
  trading::report_config report;
  /// Equity when this run started (after journal recovery).
  int64_t starting_equity_micros = 0;
  uint64_t restored_orders = 0;
  /// Signals of a replayed input tail whose order the journal already held.
  uint64_t already_journaled = 0;
  order_log_actor log;
  /// Why trading halted (the order log's `halt`), empty while it goes on;
  /// the failure it reported.
  std::string halted;
  std::string halt_error;
  /// Quotes and signals that arrived after the halt, neither marked nor
  /// filled (a restart trades them from the input log).
  uint64_t halted_quotes = 0;
  uint64_t halted_signals = 0;
  /// Wall-clock time (Unix ms) of the last batch that marked a quote; 0
  /// before the first. Shows how fresh the portfolio's marks are.
  int64_t last_quote_at_ms = 0;
  /// Tick-to-order: from receiving a live quote to its order being filled.
  actors::latency_recorder tick_to_order;
  /// The same latency in seconds, for the exporter; finer buckets than
  /// CAF's around the 1 ms target.
  actors::bucket_histogram tick_to_order_seconds{{25e-6, 50e-6, 100e-6, 250e-6,
                                                  500e-6, 1e-3, 2.5e-3, 5e-3,
                                                  10e-3, 50e-3, 0.1, 1.0}};
  /// Signals and orders of this run by (strategy, side).
  std::map<std::pair<std::string, trading::side>, uint64_t> signals_by;
  std::map<std::pair<std::string, trading::side>, uint64_t> orders_by;
  // -- operator control
  std::shared_ptr<trading::control_log> control;
  /// Changes applied (operator and risk limits), risk halts, and orders
  /// that closed positions for a flatten.
  uint64_t control_changes = 0;
  uint64_t risk_halts = 0;
  uint64_t flatten_orders = 0;
  /// The risk watermarks' file (empty: not kept), what it holds, when it
  /// was last written and whether that failed (reported once a streak).
  std::string risk_path;
  std::optional<trading::risk_marks> saved_marks;
  std::chrono::steady_clock::time_point marks_saved_at;
  bool marks_failed = false;
  actor_probe probe{actor_kind::portfolio};
};

/// What a portfolio reports: its counters; its samples (signals, orders and
/// refusals of this run, cash, equity, P&L, open positions, tick-to-order
/// latency) and their help.
const telemetry<portfolio_state>& portfolio_telemetry();

/// Spawns the portfolio. `restored` are the journal's orders, applied before
/// the first message so the book continues where the last run stopped.
portfolio_actor::behavior_type
portfolio(portfolio_actor::stateful_pointer<portfolio_state> self,
          trading::portfolio_config cfg, trading::report_config report,
          std::vector<trading::order> restored, order_log_actor log);

/// Spawns the portfolio under operator control: `control` journals every
/// change and restores the mode an earlier process left.
portfolio_actor::behavior_type
controlled_portfolio(portfolio_actor::stateful_pointer<portfolio_state> self,
                     trading::portfolio_config cfg,
                     trading::report_config report,
                     std::vector<trading::order> restored, order_log_actor log,
                     portfolio_control control);

} // namespace intuition::actors
