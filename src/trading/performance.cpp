#include "trading/performance.hpp"

#include <algorithm>
#include <cmath>

#include "trading/types.hpp"

namespace intuition::trading {

bool operator==(const equity_point& x, const equity_point& y) noexcept {
  return x.ts_ms == y.ts_ms && x.equity_micros == y.equity_micros;
}

bool operator==(const performance_stats& x,
                const performance_stats& y) noexcept {
  return x.total_return == y.total_return && x.sharpe == y.sharpe
         && x.sharpe_missing == y.sharpe_missing
         && x.max_drawdown == y.max_drawdown
         && x.periods_per_year == y.periods_per_year;
}

namespace {

constexpr double ms_per_year = 365.25 * 86'400'000.0;

/// Periods per year when neither the caller nor the timestamps say: trading
/// days.
constexpr double default_periods_per_year = 252.0;

/// Shortest span of timestamps the annualisation factor is estimated from.

/// Floor division, so negative timestamps fall into the bar before zero.
int64_t floor_div(int64_t x, int64_t y) noexcept {
  auto q = x / y;
  return (x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q;
}

} // namespace

// -- equity_curve -----------------------------------------------------------------

equity_curve::equity_curve(int64_t bar_interval_ms, size_t max_points)
    : interval_ms_(std::max<int64_t>(bar_interval_ms, 0)),
      max_points_(std::max<size_t>(max_points, 2)) {
  // nop
}

void equity_curve::record(int64_t ts_ms, int64_t equity_micros) {
  auto key
    = interval_ms_ > 0 ? floor_div(ts_ms, interval_ms_) * interval_ms_ : ts_ms;
  // A timestamp at or before the last point (a late quote from another
  // source) updates that point, so the curve's time axis stays increasing.
  if (!points_.empty() && key <= points_.back().ts_ms) {
    points_.back().equity_micros = equity_micros;
    return;
  }
  if (points_.size() == max_points_ && in_last_ >= span_)
    thin();
  if (!points_.empty() && in_last_ < span_) {
    // The last point stands for more than one timestamp: it moves on.
    points_.back() = {key, equity_micros};
    ++in_last_;
    return;
  }
  if (points_.capacity() == points_.size())
    points_.reserve(
      std::min(max_points_, std::max<size_t>(16, 2 * points_.size())));
  points_.push_back({key, equity_micros});
  in_last_ = 1;
}

void equity_curve::thin() {
  // Pairs from the front: each keeps its later point. With an odd count
  // the last point stays alone and stands for what it stood for.
  auto n = points_.size();
  size_t kept = 0;
  for (size_t i = 0; i + 1 < n; i += 2)
    points_[kept++] = points_[i + 1];
  size_t last_span = in_last_ + span_;
  if (n % 2 == 1) {
    points_[kept++] = points_[n - 1];
    last_span = in_last_;
  }
  points_.resize(kept);
  span_ *= 2;
  in_last_ = last_span;
}

// -- statistics -------------------------------------------------------------------

performance_stats compute_performance(const std::vector<equity_point>& curve,
                                      int64_t starting_equity_micros,
                                      double periods_per_year) {
  performance_stats out;
  // Annualising needs a sense of the period: under a day of data (a short
  // live session) an estimate would scale noise into absurd ratios, so the
  // ratio is left out unless the caller gives the period.
  bool annualise = true;
  if (periods_per_year > 0) {
    out.periods_per_year = periods_per_year;
  } else {
    out.periods_per_year = default_periods_per_year;
    if (curve.size() >= 2) {
      auto span_ms = curve.back().ts_ms - curve.front().ts_ms;
      if (span_ms >= ms_per_day)
        out.periods_per_year = static_cast<double>(curve.size() - 1)
                               / (static_cast<double>(span_ms) / ms_per_year);
      else
        annualise = false;
    }
  }
  // The series starts with the equity before the first point, so the first
  // point's own move counts as a return and as a possible drawdown.
  std::vector<double> series;
  series.reserve(curve.size() + 1);
  series.push_back(static_cast<double>(starting_equity_micros));
  for (const auto& p : curve)
    series.push_back(static_cast<double>(p.equity_micros));
  if (!curve.empty() && series.front() > 0)
    out.total_return = series.back() / series.front() - 1.0;
  std::vector<double> returns;
  returns.reserve(series.size());
  for (size_t i = 1; i < series.size(); ++i)
    if (series[i - 1] > 0)
      returns.push_back(series[i] / series[i - 1] - 1.0);
  if (returns.size() < 2) {
    out.sharpe_missing = "fewer than 2 returns";
  } else if (!annualise) {
    out.sharpe_missing = "less than a day of data: the period is unknown "
                         "(set report.periods_per_year)";
  } else {
    auto n = static_cast<double>(returns.size());
    double sum = 0.0;
    for (auto r : returns)
      sum += r;
    auto mean = sum / n;
    double squares = 0.0;
    for (auto r : returns)
      squares += (r - mean) * (r - mean);
    auto stdev = std::sqrt(squares / (n - 1.0));
    // Identical returns leave rounding noise instead of an exact zero; treat
    // noise far below the mean as no variance rather than a huge ratio.
    if (stdev > 1e-12 * std::abs(mean) && stdev > 0)
      out.sharpe = mean / stdev * std::sqrt(out.periods_per_year);
    else
      out.sharpe_missing = "the returns do not vary";
  }
  double peak = series.front();
  for (auto e : series) {
    peak = std::max(peak, e);
    if (peak > 0)
      out.max_drawdown = std::max(out.max_drawdown, (peak - e) / peak);
  }
  return out;
}

} // namespace intuition::trading
