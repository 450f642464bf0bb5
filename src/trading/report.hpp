#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/book.hpp"
#include "trading/performance.hpp"
#include "trading/portfolio.hpp"
#include "trading/quote_codec.hpp"

/// The run report shared by replay, live mode and inspection: typed figures,
/// printed for people by the runtime and turned into JSON here, once.
namespace intuition::trading {

/// Settings of the equity curve and its statistics.
struct report_config {
  /// Bar width of the equity curve in ms; 0 records one point per timestamp.
  int64_t equity_interval_ms = 0;
  /// Annualisation factor of the Sharpe ratio; 0 estimates it from the data.
  double periods_per_year = 0.0;
};

// -- the portfolio's part ---------------------------------------------------------

/// One symbol's net position over every strategy.
struct net_position {
  quantity qty = 0;
  int64_t last_micros = 0;
  /// `qty * last`, clamped to 64 bits.
  int64_t value_micros = 0;
};

/// One strategy's open holding in one symbol.
struct holding_figures {
  std::string strategy;
  std::string symbol;
  quantity qty = 0;
  int64_t avg_cost_micros = 0;
  int64_t unrealised_micros = 0;
};

/// The portfolio's state: cash, equity, positions, per-strategy P&L and
/// counters.
struct portfolio_figures {
  portfolio_counters counters;
  int64_t starting_cash_micros = 0;
  int64_t cash_micros = 0;
  int64_t equity_micros = 0;
  /// Net positions by symbol (symbols with a non-zero net quantity).
  std::map<std::string, net_position> positions;
  /// Open holdings by (strategy, symbol), in that order.
  std::vector<holding_figures> holdings;
  std::map<std::string, strategy_pnl> strategies;
};

/// A latency distribution: how many were measured, and where.
struct latency_figures {
  uint64_t count = 0;
  int64_t p50_ns = 0;
  int64_t p99_ns = 0;
  int64_t max_ns = 0;
};

// -- the runtime's part -----------------------------------------------------------

/// The input log's figures at the end of a live run.
struct input_log_figures {
  int64_t mean_append_ns = 0;
  int64_t max_append_ns = 0;
  uint64_t bytes = 0;
  uint64_t segments = 0;
};

/// What MQTT ingress reports at the end of a live run.
struct ingress_report {
  /// Its inspect counters (`messages`, `quotes`, `duplicate`, ...).
  std::map<std::string, int64_t> counters;
  /// Payloads rejected, by reason.
  std::array<uint64_t, reject_reason_count> rejected{};
  /// Its input log; nothing when it reads MQTT messages only.
  std::optional<input_log_figures> input_log;
};

/// What the runtime knows about a run beyond the portfolio's report.
struct run_info {
  /// `run` or `replay`.
  std::string mode;
  /// The broker (`run`) or the CSV file (`replay`).
  std::string input;
  double elapsed_s = 0.0;
  bool interrupted = false;
  /// MQTT messages (`run`) or CSV rows (`replay`) read.
  uint64_t rows = 0;
  std::array<uint64_t, reject_reason_count> rejected{};
  std::string journal_path;
  uint64_t journal_durable = 0;
  uint64_t restored_orders = 0;
  /// Why trading halted (`journal`), empty when it did not; the failure.
  std::string halted;
  std::string halt_error;
  /// Live runs: what MQTT ingress took in, when it answered.
  std::optional<ingress_report> ingress;
  /// Live runs: the publisher's inspect counters, when it answered.
  std::optional<std::map<std::string, int64_t>> mqtt_out;
  /// Live runs: orders the broker did not confirm before the stop.
  std::optional<uint64_t> unconfirmed_orders;
};

// -- the report -------------------------------------------------------------------

/// The report of one run: the portfolio's figures and statistics (answered
/// by the portfolio actor), and the runtime's part (`run`, filled by the
/// command before it prints or writes the report).
struct run_report {
  portfolio_figures portfolio;
  /// Since inception: final equity over the configured starting cash, minus
  /// one, whatever a restored journal did before this session.
  double total_return = 0.0;
  /// The equity this session began with (restored positions valued at
  /// their last fill price, the only price the journal holds).
  int64_t session_start_equity_micros = 0;
  /// Statistics of this session's curve (its `total_return` is the
  /// session's return).
  performance_stats session;
  std::vector<equity_point> equity_curve;
  /// Orders the portfolio restored from the journal at start.
  uint64_t restored_orders = 0;
  /// From receiving a live quote to filling its order.
  latency_figures tick_to_order;
  run_info run;
};

/// Quotes traded per second of the run (0 when no time passed).
double quotes_per_s(const run_info& info, uint64_t quotes);

bool operator==(const net_position& x, const net_position& y) noexcept;
bool operator==(const holding_figures& x, const holding_figures& y) noexcept;
bool operator==(const portfolio_figures& x,
                const portfolio_figures& y) noexcept;
bool operator==(const latency_figures& x, const latency_figures& y) noexcept;
bool operator==(const input_log_figures& x,
                const input_log_figures& y) noexcept;
bool operator==(const ingress_report& x, const ingress_report& y) noexcept;
bool operator==(const run_info& x, const run_info& y) noexcept;
bool operator==(const run_report& x, const run_report& y) noexcept;

/// The figures of `pf`.
portfolio_figures portfolio_figures_of(const portfolio& pf);

/// The report of `pf` over `curve`: its figures and statistics.
/// `starting_equity_micros` is the equity this session began with (after
/// the journal was restored). Two returns are reported, each with its
/// base: `total_return` since inception (the configured starting cash,
/// every journaled order) and the session's since this session began;
/// Sharpe ratio and drawdown are of this session's curve.
run_report portfolio_report(const portfolio& pf, const equity_curve& curve,
                            int64_t starting_equity_micros,
                            const report_config& cfg);

/// The latency as JSON: count, p50, p99 and max in microseconds.
nlohmann::json to_json(const latency_figures& x);

/// The portfolio's figures as JSON: cash, equity, positions, per-strategy
/// P&L and counters, money in currency units.
nlohmann::json to_json(const portfolio_figures& x);

/// The report as JSON, as `--report FILE` writes it.
nlohmann::json to_json(const run_report& x);

} // namespace intuition::trading
