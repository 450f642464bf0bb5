#define CAF_SUITE trading.sizing_statistics
#include "caf/test/unit_test.hpp"

#include "trading/sizing.hpp"

#include <cmath>
#include <deque>
#include <variant>

#include "trading/portfolio.hpp"

using namespace intuition::trading;

namespace {

constexpr int64_t unit = micros_per_unit;

bool near(double x, double y) {
  return std::fabs(x - y) < 1e-12;
}

std::deque<int64_t> results(std::initializer_list<int64_t> units) {
  std::deque<int64_t> out;
  for (auto x : units)
    out.push_back(x * unit);
  return out;
}

order fill_of(std::string strategy, side direction, quantity qty,
              int64_t price_units) {
  order x;
  x.strategy = std::move(strategy);
  x.symbol = "DAX";
  x.direction = direction;
  x.qty = qty;
  x.price_micros = price_units * unit;
  return x;
}

} // namespace

// -- kelly ------------------------------------------------------------------------

CAF_TEST(kelly edge of two wins of 2 and two losses of 1 is one quarter) {
  // W = 0.5, R = 2 / 1 = 2: f* = 0.5 - 0.5 / 2 = 0.25.
  CAF_CHECK(near(kelly_edge(results({2, -1, 2, -1})), 0.25));
}

CAF_TEST(kelly is zero without trades and with fewer than the lookback) {
  CAF_CHECK_EQUAL(kelly_edge({}), 0.0);
  CAF_CHECK_EQUAL(kelly_fraction({}, 4, 0.5, 1.0), 0.0);
  // N - 1 trades, all winners: still nothing.
  CAF_CHECK_EQUAL(kelly_fraction(results({1, 1, 1}), 4, 0.5, 1.0), 0.0);
  CAF_CHECK(near(kelly_fraction(results({1, 1, 1, 1}), 4, 0.5, 1.0), 0.5));
}

CAF_TEST(kelly without losses bets the win rate scaled and capped) {
  // R is unbounded: f* = W = 1.
  CAF_CHECK(near(kelly_edge(results({1, 2, 3})), 1.0));
  CAF_CHECK(near(kelly_fraction(results({1, 2, 3}), 3, 0.5, 1.0), 0.5));
  CAF_CHECK(near(kelly_fraction(results({1, 2, 3}), 3, 0.5, 0.2), 0.2));
  // A breakeven trade is not a win: W = 2/3, still no loss.
  CAF_CHECK(near(kelly_edge(results({1, 0, 3})), 2.0 / 3.0));
}

CAF_TEST(kelly with only losses or only breakeven trades is zero) {
  CAF_CHECK_EQUAL(kelly_edge(results({-1, -2})), 0.0);
  CAF_CHECK_EQUAL(kelly_edge(results({0, 0})), 0.0);
  CAF_CHECK_EQUAL(kelly_fraction(results({0, 0}), 2, 1.0, 1.0), 0.0);
}

CAF_TEST(kelly with a negative edge is zero and breakeven lowers the rate) {
  // W = 1/3, R = 1: f* = 1/3 - 2/3 < 0.
  CAF_CHECK_EQUAL(kelly_edge(results({1, -1, -1})), 0.0);
  // W = 1/3 (the 0 is a trade, not a win), R = 3: 1/3 - (2/3) / 3 = 1/9.
  CAF_CHECK(near(kelly_edge(results({3, 0, -1})), 1.0 / 9.0));
}

CAF_TEST(kelly uses only the last lookback trades) {
  // The old loss falls out: the last two are wins.
  CAF_CHECK(near(kelly_fraction(results({-5, 1, 1}), 2, 1.0, 1.0), 1.0));
  trade_results history{2};
  history.record("a", -5 * unit);
  history.record("a", unit);
  history.record("a", unit);
  history.record("b", -unit);
  CAF_CHECK_EQUAL(history.of("a").size(), 2u);
  CAF_CHECK_EQUAL(history.of("a").front(), unit);
  CAF_CHECK_EQUAL(history.of("b").size(), 1u);
  CAF_CHECK(history.of("c").empty());
}

CAF_TEST(kelly sizing bets the scaled fraction of equity from closed trades) {
  portfolio_config cfg;
  cfg.starting_cash_micros = 100'000 * unit;
  cfg.sizing.kind = sizing_kind::kelly;
  cfg.sizing.lookback_trades = 2;
  cfg.sizing.fraction = 0.5;
  cfg.sizing.max_fraction = 1.0;
  portfolio pf{cfg};
  signal s;
  s.strategy = "k";
  s.symbol = "DAX";
  s.direction = side::buy;
  s.price_micros = 100 * unit;
  // No closed trade yet: nothing is bet.
  auto none = pf.on_signal(s);
  CAF_REQUIRE(std::holds_alternative<refusal_reason>(none));
  CAF_CHECK(std::get<refusal_reason>(none) == refusal_reason::zero_quantity);
  // A win of 100 and a loss of 50: W = 0.5, R = 2, f* = 0.25, half of it.
  CAF_REQUIRE(pf.restore(fill_of("k", side::buy, 10, 100)));
  CAF_REQUIRE(pf.restore(fill_of("k", side::sell, 10, 110)));
  CAF_REQUIRE(pf.restore(fill_of("k", side::buy, 10, 100)));
  CAF_REQUIRE(pf.restore(fill_of("k", side::sell, 10, 95)));
  CAF_CHECK_EQUAL(pf.positions().equity_micros(), 100'050 * unit);
  auto sized = pf.on_signal(s);
  CAF_REQUIRE(std::holds_alternative<order>(sized));
  // 0.125 * 100050 = 12506.25 buys 125 at 100.
  CAF_CHECK_EQUAL(std::get<order>(sized).qty, 125);
  // Another strategy has no trades of its own.
  s.strategy = "other";
  CAF_CHECK(std::holds_alternative<refusal_reason>(pf.on_signal(s)));
}

// -- volatility -------------------------------------------------------------------

CAF_TEST(ewma variance matches a hand computation) {
  ewma_volatility v{0.9};
  v.observe(100 * unit);
  CAF_CHECK_EQUAL(v.observations(), 0u);
  CAF_CHECK_EQUAL(v.variance(), 0.0);
  // r1 = 0.02 seeds the variance: 0.0004.
  v.observe(102 * unit);
  CAF_CHECK_EQUAL(v.observations(), 1u);
  CAF_CHECK(near(v.variance(), 0.0004));
  // r2 = 96.9 / 102 - 1 = -0.05: 0.9 * 0.0004 + 0.1 * 0.0025 = 0.00061.
  v.observe(96'900'000);
  CAF_CHECK_EQUAL(v.observations(), 2u);
  CAF_CHECK(near(v.variance(), 0.00061));
  CAF_CHECK(near(v.volatility(), std::sqrt(0.00061)));
  // A price of 0 is no observation.
  v.observe(0);
  CAF_CHECK_EQUAL(v.observations(), 2u);
  // An unchanged price decays the variance: 0.9 * 0.00061.
  v.observe(96'900'000);
  CAF_CHECK(near(v.variance(), 0.000549));
}

CAF_TEST(volatility target units match a hand computation) {
  // 0.01 * 100000 / (0.01 * 100) = 1000 units.
  CAF_CHECK_EQUAL(
    volatility_target_units(0.01, 100'000 * unit, 0.01, 1.0, 100 * unit, 0),
    1000);
  // Four quotes a day double the daily volatility: half the position.
  CAF_CHECK_EQUAL(
    volatility_target_units(0.01, 100'000 * unit, 0.01, 4.0, 100 * unit, 0),
    500);
  // Capped by max_position.
  CAF_CHECK_EQUAL(
    volatility_target_units(0.01, 100'000 * unit, 0.01, 1.0, 100 * unit, 300),
    300);
  // No volatility, no price or no equity: nothing (never inf or NaN).
  CAF_CHECK_EQUAL(
    volatility_target_units(0.01, 100'000 * unit, 0.0, 1.0, 100 * unit, 0), 0);
  CAF_CHECK_EQUAL(
    volatility_target_units(0.01, 100'000 * unit, 0.01, 1.0, 0, 0), 0);
  CAF_CHECK_EQUAL(volatility_target_units(0.01, -1, 0.01, 1.0, 100 * unit, 0),
                  0);
  // A tiny volatility stays a finite, bounded quantity.
  CAF_CHECK_EQUAL(volatility_target_units(1.0, INT64_MAX, 1e-300, 1.0, 1, 0),
                  int64_t{1} << 53);
}

CAF_TEST(volatility target sizing waits for observations and tops up) {
  portfolio_config cfg;
  cfg.starting_cash_micros = 100'000 * unit;
  cfg.sizing.kind = sizing_kind::volatility_target;
  cfg.sizing.target = 0.005;
  cfg.sizing.lambda = 0.5;
  cfg.sizing.min_observations = 2;
  portfolio pf{cfg};
  quote q;
  q.symbol = "DAX";
  signal s;
  s.strategy = "v";
  s.symbol = "DAX";
  s.direction = side::buy;
  auto at = [&](int64_t micros) {
    q.price_micros = micros;
    pf.on_quote(q);
    s.price_micros = micros;
    return pf.on_signal(s);
  };
  CAF_CHECK(std::holds_alternative<refusal_reason>(at(100 * unit)));
  // One return (0.01) is fewer than min_observations.
  CAF_CHECK(std::holds_alternative<refusal_reason>(at(101 * unit)));
  // r2 = 99.99 / 101 - 1 = -0.01 (almost): the variance is about 0.0001.
  auto first = at(99'990'000);
  CAF_REQUIRE(std::holds_alternative<order>(first));
  // 0.005 * 100000 / (sigma * 99.99) = 500.05 -> 500 units.
  CAF_CHECK_EQUAL(std::get<order>(first).qty, 500);
  // An unchanged price halves the variance (lambda 0.5): the target grows
  // to floor(500 / (sqrt(0.00005) * 99.99)) = 707, and the buy tops up.
  auto again = at(99'990'000);
  CAF_REQUIRE(std::holds_alternative<order>(again));
  CAF_CHECK_EQUAL(std::get<order>(again).qty, 207);
}
