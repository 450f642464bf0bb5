#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/result.hpp"
#include "trading/types.hpp"

/// `intuition report`: one self-contained HTML file of a run, from the
/// JSON `--report` wrote and the orders in its journal.
namespace intuition::runtime {

/// One point of an equity curve: epoch ms and equity in currency units.
using curve_point = std::pair<int64_t, double>;

/// The return of one calendar month (UTC), or of one year when `month` is 0.
struct period_return {
  int year = 0;
  /// 1 to 12; 0 for a whole year.
  int month = 0;
  double value = 0.0;
};

bool operator==(const period_return& x, const period_return& y) noexcept;

/// The return of every calendar month the curve touches (`by_year`: of
/// every year): its last equity over the last equity before it began (the
/// curve's first point for the first period), minus one.
std::vector<period_return> period_returns(const std::vector<curve_point>& curve,
                                          bool by_year);

/// The `equity_curve` of a run report's JSON. Fails (an invalid request
/// naming the field) when it is missing or not a list of [ts_ms, equity].
trading::result<std::vector<curve_point>>
equity_curve_of(const nlohmann::json& report);

/// The orders a report shows, and what they are.
struct report_orders {
  std::vector<trading::order> orders;
  /// Says which orders are shown (or why none are).
  std::string note;
};

/// This session's orders from the report's journal (`journal` instead of
/// the path the report names, when given): sequence numbers after the
/// restored ones, as many as the session made durable, the last
/// `max_orders` of them. A journal that is gone or damaged gives no orders
/// and a note that says so.
report_orders load_report_orders(const nlohmann::json& report,
                                 const std::optional<std::string>& journal,
                                 size_t max_orders);

/// The report page: web/report.html with its stylesheet, uPlot, scripts and
/// the data (`report`, monthly and yearly returns, orders) inlined.
std::string render_report_html(const nlohmann::json& report,
                               const std::vector<curve_point>& curve,
                               const report_orders& orders);

/// What `intuition report` was asked.
struct report_options {
  std::string run_json;
  std::string html;
  std::optional<std::string> journal;
  size_t max_orders = 5000;
};

/// Reads the run's JSON, writes the HTML file and says where; the exit
/// code (2 for a report that is not one, 1 when the file cannot be
/// written).
int run_report_command(const report_options& opts);

} // namespace intuition::runtime
