#define CAF_SUITE trading.performance
#include "caf/test/unit_test.hpp"

#include "trading/performance.hpp"

#include <cmath>
#include <limits>
#include <vector>

using namespace intuition::trading;

namespace {

constexpr int64_t unit = 1'000'000;

constexpr int64_t day_ms = 86'400'000;

bool near(double x, double y) {
  return std::abs(x - y) < 1e-9;
}

/// A curve of equities (in micros) one day apart, starting at `ts_ms` 0.
std::vector<equity_point> daily(const std::vector<int64_t>& equities) {
  std::vector<equity_point> out;
  int64_t ts = 0;
  for (auto e : equities) {
    out.push_back({ts, e});
    ts += day_ms;
  }
  return out;
}

} // namespace

// -- equity_curve -----------------------------------------------------------------

CAF_TEST(without an interval the curve keeps one point per timestamp) {
  equity_curve curve;
  curve.record(1'000, 10);
  curve.record(1'000, 11);
  curve.record(2'000, 12);
  CAF_REQUIRE_EQUAL(curve.points().size(), 2u);
  CAF_CHECK_EQUAL(curve.points()[0].ts_ms, 1'000);
  CAF_CHECK_EQUAL(curve.points()[0].equity_micros, 11);
  CAF_CHECK_EQUAL(curve.points()[1].ts_ms, 2'000);
  CAF_CHECK_EQUAL(curve.points()[1].equity_micros, 12);
  // A late timestamp updates the last point instead of going back in time.
  curve.record(1'500, 13);
  CAF_REQUIRE_EQUAL(curve.points().size(), 2u);
  CAF_CHECK_EQUAL(curve.points()[1].ts_ms, 2'000);
  CAF_CHECK_EQUAL(curve.points()[1].equity_micros, 13);
}

CAF_TEST(with an interval the curve keeps the last equity of each bar) {
  equity_curve curve{60'000};
  curve.record(0, 1);
  curve.record(59'999, 2);
  curve.record(60'000, 3);
  curve.record(185'000, 4);
  CAF_REQUIRE_EQUAL(curve.points().size(), 3u);
  CAF_CHECK_EQUAL(curve.points()[0].ts_ms, 0);
  CAF_CHECK_EQUAL(curve.points()[0].equity_micros, 2);
  CAF_CHECK_EQUAL(curve.points()[1].ts_ms, 60'000);
  CAF_CHECK_EQUAL(curve.points()[1].equity_micros, 3);
  // Bars with no record leave no point; a point carries its bar's start.
  CAF_CHECK_EQUAL(curve.points()[2].ts_ms, 180'000);
  CAF_CHECK_EQUAL(curve.points()[2].equity_micros, 4);
  // An earlier bar arriving late overwrites the last point.
  curve.record(170'000, 5);
  CAF_REQUIRE_EQUAL(curve.points().size(), 3u);
  CAF_CHECK_EQUAL(curve.points()[2].ts_ms, 180'000);
  CAF_CHECK_EQUAL(curve.points()[2].equity_micros, 5);
}

CAF_TEST(bars before the epoch start at a multiple of the interval) {
  equity_curve curve{60'000};
  curve.record(-1, 7);
  CAF_REQUIRE_EQUAL(curve.points().size(), 1u);
  CAF_CHECK_EQUAL(curve.points()[0].ts_ms, -60'000);
}

CAF_TEST(a curve at its bound is thinned by half and keeps the latest equity) {
  equity_curve curve{0, 4};
  auto ts_of = [&] {
    std::vector<int64_t> out;
    for (const auto& p : curve.points())
      out.push_back(p.ts_ms);
    return out;
  };
  for (int64_t t = 1; t <= 4; ++t)
    curve.record(t, t * 10);
  CAF_CHECK_EQUAL(ts_of(), (std::vector<int64_t>{1, 2, 3, 4}));
  CAF_CHECK_EQUAL(curve.span(), 1u);
  // The fifth timestamp: of each two neighbours the later stays, and each
  // point now stands for two timestamps.
  curve.record(5, 50);
  CAF_CHECK_EQUAL(ts_of(), (std::vector<int64_t>{2, 4, 5}));
  CAF_CHECK_EQUAL(curve.span(), 2u);
  // The sixth moves the last point on instead of adding one.
  curve.record(6, 60);
  CAF_CHECK_EQUAL(ts_of(), (std::vector<int64_t>{2, 4, 6}));
  curve.record(7, 70);
  curve.record(8, 80);
  CAF_CHECK_EQUAL(ts_of(), (std::vector<int64_t>{2, 4, 6, 8}));
  curve.record(9, 90);
  CAF_CHECK_EQUAL(ts_of(), (std::vector<int64_t>{4, 8, 9}));
  CAF_CHECK_EQUAL(curve.span(), 4u);
  CAF_CHECK_EQUAL(curve.points()[1].equity_micros, 80);
  CAF_CHECK_EQUAL(curve.points()[2].equity_micros, 90);
  // A late timestamp still updates the last point.
  curve.record(3, 95);
  CAF_CHECK_EQUAL(ts_of(), (std::vector<int64_t>{4, 8, 9}));
  CAF_CHECK_EQUAL(curve.points()[2].equity_micros, 95);
}

CAF_TEST(a long run keeps the curve within its bound) {
  // One point per timestamp grew by 16 bytes per distinct timestamp for as
  // long as a live run ran.
  equity_curve curve{0, 1024};
  for (int64_t t = 1; t <= 1'000'000; ++t)
    curve.record(t * 1'000, t);
  CAF_CHECK_LESS_OR_EQUAL(curve.points().size(), 1024u);
  CAF_CHECK_LESS_OR_EQUAL(curve.points().capacity(), 1024u);
  CAF_CHECK_GREATER(curve.points().size(), 512u);
  CAF_CHECK_EQUAL(curve.points().back().ts_ms, 1'000'000'000);
  CAF_CHECK_EQUAL(curve.points().back().equity_micros, 1'000'000);
  bool increasing = true;
  for (size_t i = 1; i < curve.points().size(); ++i)
    increasing &= curve.points()[i - 1].ts_ms < curve.points()[i].ts_ms;
  CAF_CHECK(increasing);
  // Each point stands for the same number of timestamps, the last one for
  // at most that many.
  auto span = static_cast<int64_t>(curve.span());
  CAF_CHECK_EQUAL(curve.points()[0].ts_ms, span * 1'000);
  CAF_CHECK_EQUAL(curve.points()[1].ts_ms, 2 * span * 1'000);
  // The default bound: 4 MB of points.
  CAF_CHECK_EQUAL(equity_curve::default_max_points * sizeof(equity_point),
                  size_t{4} << 20);
}

// -- statistics -------------------------------------------------------------------

CAF_TEST(total return compares the last point with the starting equity) {
  auto stats = compute_performance(daily({120 * unit, 90 * unit, 130 * unit}),
                                   100 * unit, 252);
  CAF_CHECK(near(stats.total_return, 0.3));
  CAF_CHECK(near(stats.periods_per_year, 252));
}

CAF_TEST(an empty curve has no return risk or drawdown) {
  auto stats = compute_performance({}, 100 * unit);
  CAF_CHECK_EQUAL(stats.total_return, 0.0);
  CAF_CHECK(!stats.sharpe);
  CAF_CHECK_EQUAL(stats.sharpe_missing, "fewer than 2 returns");
  CAF_CHECK_EQUAL(stats.max_drawdown, 0.0);
  CAF_CHECK_EQUAL(stats.periods_per_year, 252.0);
}

CAF_TEST(sharpe annualises mean over sample stdev of simple returns) {
  // Returns 0.1, -0.1, 0.2, -0.05, 0.1: mean 0.05, squared deviations sum to
  // 0.06, sample variance 0.015. Sharpe = 0.05 / sqrt(0.015) * sqrt(12)
  // = sqrt(2).
  auto curve
    = daily({110 * unit, 99 * unit, 118'800'000, 112'860'000, 124'146'000});
  auto stats = compute_performance(curve, 100 * unit, 12);
  CAF_REQUIRE(stats.sharpe);
  CAF_CHECK(near(*stats.sharpe, 1.4142135623730951));
  CAF_CHECK(stats.sharpe_missing.empty());
  CAF_CHECK(near(stats.total_return, 0.24146));
  CAF_CHECK(near(stats.max_drawdown, 0.1));
  CAF_CHECK_EQUAL(stats.periods_per_year, 12.0);
}

CAF_TEST(sharpe is missing without variance or with fewer than two returns) {
  // Missing, with the reason, rather than a 0 that reads as measured.
  auto flat
    = compute_performance(daily({100 * unit, 100 * unit}), 100 * unit, 252);
  CAF_CHECK(!flat.sharpe);
  CAF_CHECK_EQUAL(flat.sharpe_missing, "the returns do not vary");
  auto steady = compute_performance(
    daily({110 * unit, 121 * unit, 133'100'000}), 100 * unit, 252);
  CAF_CHECK(!steady.sharpe);
  CAF_CHECK_EQUAL(steady.sharpe_missing, "the returns do not vary");
  auto single = compute_performance(daily({150 * unit}), 100 * unit, 252);
  CAF_CHECK(!single.sharpe);
  CAF_CHECK_EQUAL(single.sharpe_missing, "fewer than 2 returns");
  CAF_CHECK(near(single.total_return, 0.5));
}

CAF_TEST(max drawdown is the largest fall from a running peak) {
  // 100 -> 120 -> 90 -> 130 -> 65: the fall from 130 to 65 is half.
  auto stats = compute_performance(
    daily({120 * unit, 90 * unit, 130 * unit, 65 * unit}), 100 * unit, 252);
  CAF_CHECK(near(stats.max_drawdown, 0.5));
  CAF_CHECK(near(stats.total_return, -0.35));
  // The starting equity counts as a peak.
  auto first
    = compute_performance(daily({80 * unit, 90 * unit}), 100 * unit, 252);
  CAF_CHECK(near(first.max_drawdown, 0.2));
  auto rising
    = compute_performance(daily({110 * unit, 120 * unit}), 100 * unit, 252);
  CAF_CHECK_EQUAL(rising.max_drawdown, 0.0);
}

CAF_TEST(periods per year are estimated from the timestamps) {
  // Five daily points span four days: four periods in 4 / 365.25 years.
  auto curve
    = daily({101 * unit, 102 * unit, 101 * unit, 103 * unit, 104 * unit});
  auto stats = compute_performance(curve, 100 * unit);
  CAF_CHECK(near(stats.periods_per_year, 365.25));
  // Hourly points over a day and more: 24 * 365.25 per year.
  std::vector<equity_point> hourly;
  for (int64_t h = 0; h <= 24; ++h)
    hourly.push_back({h * 3'600'000, (100 + h % 3) * unit});
  CAF_CHECK(
    near(compute_performance(hourly, 100 * unit).periods_per_year, 8'766.0));
  // Under a day the period is unknown: no Sharpe ratio rather than noise
  // scaled by a guessed factor.
  std::vector<equity_point> short_run{
    {0, 100 * unit}, {1'000, 101 * unit}, {2'000, 99 * unit}};
  auto unknown = compute_performance(short_run, 100 * unit);
  CAF_CHECK(!unknown.sharpe);
  CAF_CHECK_EQUAL(unknown.sharpe_missing,
                  "less than a day of data: the period is unknown (set "
                  "report.periods_per_year)");
  CAF_CHECK(compute_performance(short_run, 100 * unit, 252).sharpe);
  // Without a span there is nothing to estimate from.
  CAF_CHECK_EQUAL(
    compute_performance(daily({101 * unit}), 100 * unit).periods_per_year,
    252.0);
  std::vector<equity_point> same_ts{{5, 100 * unit}, {5, 101 * unit}};
  CAF_CHECK_EQUAL(compute_performance(same_ts, 100 * unit).periods_per_year,
                  252.0);
  // A given value wins over the estimate.
  CAF_CHECK_EQUAL(compute_performance(curve, 100 * unit, 52).periods_per_year,
                  52.0);
}

CAF_TEST(an equity clamped at the 64 - bit bound reads as a gain) {
  // The book clamps a valuation beyond 64 bits instead of wrapping it into
  // a loss: the figures stay on the right side.
  auto max = std::numeric_limits<int64_t>::max();
  auto stats
    = compute_performance(daily({100 * unit, max, max}), 100 * unit, 252);
  CAF_CHECK_GREATER(stats.total_return, 0.0);
  CAF_CHECK_EQUAL(stats.max_drawdown, 0.0);
}
