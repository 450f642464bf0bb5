#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// Performance statistics over an equity curve.
namespace intuition::trading {

/// One point of the equity curve.
struct equity_point {
  int64_t ts_ms = 0;
  int64_t equity_micros = 0;
};

/// Collects the equity curve: one point per distinct timestamp, or, with a
/// bar interval, the last equity of each bar [k * interval, (k+1) * interval).
///
/// A live run records for as long as it runs, so the curve has a bound: once
/// it holds `max_points`, it is thinned by half (of each two neighbours the
/// later stays) and from then on each point stands for twice as many
/// timestamps (or bars) as before: 2, 4, 8, ... Each point keeps the time
/// and equity of the last of them, so the last point is always the latest
/// equity; the statistics are those of the coarser curve, as with wider
/// bars.
class equity_curve {
public:
  /// Points held at most (a power of two by default: 4 MB).
  static constexpr size_t default_max_points = size_t{1} << 18;

  /// `max_points` below 2 counts as 2.
  explicit equity_curve(int64_t bar_interval_ms = 0,
                        size_t max_points = default_max_points);

  /// Records the equity after all quotes with timestamp `ts_ms`; a timestamp
  /// (or bar) at or before the last point's overwrites that point's equity.
  void record(int64_t ts_ms, int64_t equity_micros);

  const std::vector<equity_point>& points() const noexcept {
    return points_;
  }

  /// Distinct timestamps (or bars) each point stands for: 1 until the curve
  /// was first thinned.
  size_t span() const noexcept {
    return span_;
  }

private:
  /// Halves the points, keeping the later of each two.
  void thin();

  int64_t interval_ms_;
  size_t max_points_;
  std::vector<equity_point> points_;
  size_t span_ = 1;
  /// Timestamps (or bars) the last point stands for so far.
  size_t in_last_ = 0;
};

/// Summary statistics of a curve.
struct performance_stats {
  /// (last - first) / first, where first is the starting equity.
  double total_return = 0.0;
  /// mean(r) / stdev(r) * sqrt(periods_per_year) over simple returns r
  /// between consecutive points, risk-free rate 0, sample stdev (n - 1);
  /// nothing when it cannot be measured (see `sharpe_missing`), which is
  /// not the same as a measured 0.
  std::optional<double> sharpe;
  /// Why `sharpe` is missing, in words for the summary; empty when it is set.
  std::string sharpe_missing;
  /// Largest peak-to-trough fall as a fraction of the peak (0..1).
  double max_drawdown = 0.0;
  /// The annualisation factor used.
  double periods_per_year = 0.0;
};

bool operator==(const equity_point& x, const equity_point& y) noexcept;
bool operator==(const performance_stats& x,
                const performance_stats& y) noexcept;

/// Computes the statistics. `starting_equity_micros` is the equity before the
/// first point. `periods_per_year` <= 0 estimates it from the timestamps:
/// (points - 1) / (span in years of 365.25 days); a curve spanning less than
/// a day then gets no Sharpe ratio, since its period is unknown.
performance_stats compute_performance(const std::vector<equity_point>& curve,
                                      int64_t starting_equity_micros,
                                      double periods_per_year = 0.0);

} // namespace intuition::trading
