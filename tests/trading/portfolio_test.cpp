#define CAF_SUITE trading.portfolio
#include "caf/test/unit_test.hpp"

#include "trading/portfolio.hpp"
#include "trading/quote_codec.hpp"

#include <limits>
#include <string>
#include <variant>

using namespace intuition::trading;

namespace {

constexpr int64_t unit = micros_per_unit;

quote make_quote(int64_t price_micros, int64_t ts_ms) {
  quote x;
  x.symbol = "X";
  x.price_micros = price_micros;
  x.ts_ms = ts_ms;
  return x;
}

signal make_signal(side direction, int64_t price_micros, int64_t ts_ms) {
  signal x;
  x.strategy = "sma";
  x.symbol = "X";
  x.direction = direction;
  x.price_micros = price_micros;
  x.ts_ms = ts_ms;
  x.quote_seq = 7;
  return x;
}

} // namespace

// -- commission -------------------------------------------------------------------

CAF_TEST(commission adds per share and basis point parts) {
  commission_model m{5'000, 2.0, 0};
  // 100 * 0.005 + 2 bps of 5'000.
  CAF_CHECK_EQUAL(m.compute(100, 50 * unit).value_or(-1), 1'500'000);
  CAF_CHECK_EQUAL(m.compute(1, 50 * unit).value_or(-1), 5'000 + 10'000);
  CAF_CHECK_EQUAL(m.compute(0, 50 * unit).value_or(-1), 0);
}

CAF_TEST(commission never falls below the minimum) {
  commission_model m{5'000, 2.0, 1 * unit};
  CAF_CHECK_EQUAL(m.compute(100, 50 * unit).value_or(-1), 1'500'000);
  // 0.05 + 0.10 is below the minimum of 1.
  CAF_CHECK_EQUAL(m.compute(10, 50 * unit).value_or(-1), 1 * unit);
  // No shares, no fill, no fee.
  CAF_CHECK_EQUAL(m.compute(0, 50 * unit).value_or(-1), 0);
}

CAF_TEST(commission basis points round to the nearest micro) {
  commission_model m{0, 1.0, 0};
  // 1 bp of 12'345 micros is 1.2345 micros; of 15'000 it is 1.5.
  CAF_CHECK_EQUAL(m.compute(1, 12'345).value_or(-1), 1);
  CAF_CHECK_EQUAL(m.compute(1, 15'000).value_or(-1), 2);
  CAF_CHECK_EQUAL(m.compute(3, 10'000).value_or(-1), 3);
}

// -- slippage ---------------------------------------------------------------------

CAF_TEST(slippage moves buys up and sells down) {
  slippage_model m{25.0};
  CAF_CHECK_EQUAL(m.fill_price(side::buy, 100 * unit).value_or(-1),
                  100'250'000);
  CAF_CHECK_EQUAL(m.fill_price(side::sell, 100 * unit).value_or(-1),
                  99'750'000);
  slippage_model none;
  CAF_CHECK_EQUAL(none.fill_price(side::buy, 123'456'789).value_or(-1),
                  123'456'789);
  CAF_CHECK_EQUAL(none.fill_price(side::sell, 123'456'789).value_or(-1),
                  123'456'789);
}

CAF_TEST(slippage rounds to the nearest micro and keeps prices positive) {
  slippage_model m{5.0};
  // The move is 500.0005 micros.
  CAF_CHECK_EQUAL(m.fill_price(side::buy, 1'000'001).value_or(-1), 1'000'501);
  CAF_CHECK_EQUAL(m.fill_price(side::sell, 1'000'001).value_or(-1), 999'501);
  slippage_model all{10'000.0};
  CAF_CHECK_EQUAL(all.fill_price(side::sell, 5).value_or(-1), 1);
}

// -- names ------------------------------------------------------------------------

CAF_TEST(sizing kinds round trip through their names) {
  for (auto k : {sizing_kind::random_fraction, sizing_kind::fixed_fraction,
                 sizing_kind::fixed_quantity, sizing_kind::equal_weight,
                 sizing_kind::kelly, sizing_kind::volatility_target}) {
    auto x = k == sizing_kind::fixed_fraction ? sizing_kind::equal_weight
                                              : sizing_kind::fixed_fraction;
    CAF_CHECK(from_string(to_string(k), x));
    CAF_CHECK(x == k);
  }
  CAF_CHECK_EQUAL(to_string(sizing_kind::equal_weight), "equal_weight");
  CAF_CHECK_EQUAL(to_string(sizing_kind::random_fraction), "random_fraction");
  auto x = sizing_kind::fixed_quantity;
  CAF_CHECK_EQUAL(to_string(sizing_kind::volatility_target),
                  "volatility_target");
  CAF_CHECK(!from_string("half_kelly", x));
  CAF_CHECK(x == sizing_kind::fixed_quantity);
}

// -- signal to order --------------------------------------------------------------

CAF_TEST(a buy signal becomes a filled order in the book) {
  portfolio_config cfg;
  cfg.starting_cash_micros = 10'000 * unit;
  cfg.sizing.fraction = 0.5;
  cfg.slippage.bps = 10;
  cfg.commission.minimum_micros = 1 * unit;
  portfolio pf{cfg};
  pf.on_quote(make_quote(50 * unit, 1'000));
  auto res = pf.on_signal(make_signal(side::buy, 50 * unit, 1'000));
  auto ord = std::get_if<order>(&res);
  CAF_REQUIRE(ord != nullptr);
  // Budget 5'000 at 50.05 plus a fee of 1: 99 shares.
  order expected;
  expected.ts_ms = 1'000;
  expected.strategy = "sma";
  expected.symbol = "X";
  expected.direction = side::buy;
  expected.qty = 99;
  expected.price_micros = 50'050'000;
  expected.commission_micros = 1 * unit;
  CAF_CHECK(*ord == expected);
  CAF_CHECK_EQUAL(ord->seq, 0u);
  CAF_CHECK_EQUAL(ord->id, 0u);
  const auto& bk = pf.positions();
  CAF_CHECK_EQUAL(bk.cash_micros(), 5'044'050'000);
  CAF_CHECK_EQUAL(bk.holding("sma", "X").qty, 99);
  CAF_CHECK_EQUAL(bk.holding("sma", "X").cost_basis_micros, 4'954'950'000);
  // Marked at the quote (50), the slippage already shows as a loss.
  CAF_CHECK_EQUAL(bk.unrealised_micros("X", bk.holding("sma", "X")),
                  -4'950'000);
  CAF_CHECK_EQUAL(pf.counters().quotes, 1u);
  CAF_CHECK_EQUAL(pf.counters().signals, 1u);
  CAF_CHECK_EQUAL(pf.counters().orders, 1u);
}

CAF_TEST(a sell signal closes the position with slippage and fees) {
  portfolio_config cfg;
  cfg.starting_cash_micros = 10'000 * unit;
  cfg.sizing.fraction = 0.5;
  cfg.slippage.bps = 10;
  cfg.commission.minimum_micros = 1 * unit;
  portfolio pf{cfg};
  pf.on_quote(make_quote(50 * unit, 1'000));
  pf.on_signal(make_signal(side::buy, 50 * unit, 1'000));
  pf.on_quote(make_quote(60 * unit, 2'000));
  auto res = pf.on_signal(make_signal(side::sell, 60 * unit, 2'000));
  auto ord = std::get_if<order>(&res);
  CAF_REQUIRE(ord != nullptr);
  CAF_CHECK(ord->direction == side::sell);
  CAF_CHECK_EQUAL(ord->qty, 99);
  CAF_CHECK_EQUAL(ord->price_micros, 59'940'000);
  CAF_CHECK_EQUAL(ord->ts_ms, 2'000);
  const auto& bk = pf.positions();
  // 99 * (59.94 - 50.05) - 2.
  CAF_CHECK_EQUAL(bk.holding("sma", "X").realised_micros, 977'110'000);
  CAF_CHECK_EQUAL(bk.holding("sma", "X").qty, 0);
  CAF_CHECK_EQUAL(bk.cash_micros(), 10'977'110'000);
  CAF_CHECK_EQUAL(bk.equity_micros(), 10'977'110'000);
  auto pnl = bk.pnl_by_strategy();
  CAF_CHECK_EQUAL(pnl["sma"].commission_micros, 2 * unit);
  CAF_CHECK_EQUAL(pnl["sma"].buys, 1u);
  CAF_CHECK_EQUAL(pnl["sma"].sells, 1u);
  CAF_CHECK_EQUAL(pf.counters().quotes, 2u);
  CAF_CHECK_EQUAL(pf.counters().signals, 2u);
  CAF_CHECK_EQUAL(pf.counters().orders, 2u);
}

CAF_TEST(restored orders rebuild the book without counting as new) {
  portfolio_config cfg;
  cfg.starting_cash_micros = 10'000 * unit;
  cfg.sizing.fraction = 0.5;
  cfg.slippage.bps = 10;
  cfg.commission.minimum_micros = 1 * unit;
  portfolio live{cfg};
  live.on_quote(make_quote(50 * unit, 1'000));
  auto first
    = std::get<order>(live.on_signal(make_signal(side::buy, 50 * unit, 1'000)));
  portfolio recovered{cfg};
  recovered.restore(first);
  CAF_CHECK_EQUAL(recovered.positions().cash_micros(),
                  live.positions().cash_micros());
  CAF_CHECK_EQUAL(recovered.positions().holding("sma", "X").qty, 99);
  CAF_CHECK_EQUAL(recovered.counters().orders, 0u);
  CAF_CHECK_EQUAL(recovered.counters().signals, 0u);
  // The recovered holding can be sold like a live one.
  recovered.on_quote(make_quote(60 * unit, 2'000));
  auto res = recovered.on_signal(make_signal(side::sell, 60 * unit, 2'000));
  CAF_REQUIRE(std::holds_alternative<order>(res));
  CAF_CHECK_EQUAL(std::get<order>(res).qty, 99);
  CAF_CHECK_EQUAL(recovered.positions().cash_micros(), 10'977'110'000);
}

// -- limits -----------------------------------------------------------------------

namespace {

constexpr int64_t max_micros = std::numeric_limits<int64_t>::max();

/// The refusal of a result, or `notional_overflow` as a placeholder for "no
/// refusal" that the checks below never expect.
std::string refusal_of(const std::variant<order, refusal_reason>& res) {
  if (auto why = std::get_if<refusal_reason>(&res))
    return std::string{to_string(*why)};
  return "filled";
}

} // namespace

CAF_TEST(slippage at the largest price refuses instead of overflowing) {
  slippage_model m{10};
  CAF_CHECK(!m.fill_price(side::buy, max_micros));
  // Selling moves the price down, back into range.
  CAF_CHECK(m.fill_price(side::sell, max_micros));
  // A price the codec accepts keeps its exact fill.
  CAF_CHECK_EQUAL(
    m.fill_price(side::buy, default_max_price_micros).value_or(-1),
    1'001'000'000'000'000);
}

CAF_TEST(commission at the limits refuses instead of overflowing) {
  commission_model per_share{1 * unit, 0.0, 0};
  CAF_CHECK(!per_share.compute(max_micros, 1));
  CAF_CHECK(!per_share.compute(max_micros / 2, 1));
  commission_model all{0, 10'000.0, 0};
  CAF_CHECK(!all.compute(2, max_micros));
  commission_model bps{0, 10.0, 0};
  CAF_CHECK(!bps.compute(max_micros, max_micros));
  // price * qty would wrap in 64 bits; the fee itself fits.
  CAF_CHECK_EQUAL(bps.compute(10'000, 1'000'000'000'000'000).value_or(-1),
                  10'000'000'000'000'000);
}

CAF_TEST(
  an order at an INT64_MAX micros price is refused as notional_overflow) {
  portfolio_config cfg;
  cfg.sizing.kind = sizing_kind::fixed_quantity;
  cfg.sizing.qty = 2;
  cfg.risk.allow_short = true;
  cfg.slippage.bps = 10;
  portfolio pf{cfg};
  pf.on_quote(make_quote(max_micros, 1));
  CAF_CHECK_EQUAL(
    refusal_of(pf.on_signal(make_signal(side::buy, max_micros, 1))),
    "notional_overflow");
  CAF_CHECK_EQUAL(
    refusal_of(pf.on_signal(make_signal(side::sell, max_micros, 1))),
    "notional_overflow");
  // Without slippage the price fits, the notional does not.
  cfg.slippage.bps = 0;
  portfolio exact{cfg};
  CAF_CHECK_EQUAL(
    refusal_of(exact.on_signal(make_signal(side::sell, max_micros / 2 + 1, 1))),
    "notional_overflow");
  CAF_CHECK_EQUAL(exact.positions().cash_micros(), cfg.starting_cash_micros);
  CAF_CHECK_EQUAL(
    exact.counters()
      .refusals[static_cast<size_t>(refusal_reason::notional_overflow)],
    1u);
  CAF_CHECK_EQUAL(exact.counters().orders, 0u);
}

CAF_TEST(a holding bought at 1 and marked at 9e12 neither wraps nor sells) {
  // CSV `1,AAA,1` then `2,AAA,9000000000000`, past the codec.
  portfolio_config cfg;
  cfg.starting_cash_micros = 100'000 * unit;
  cfg.sizing.fraction = 1.0;
  portfolio pf{cfg};
  pf.on_quote(make_quote(1 * unit, 1));
  auto bought = pf.on_signal(make_signal(side::buy, 1 * unit, 1));
  CAF_REQUIRE_EQUAL(refusal_of(bought), "filled");
  CAF_CHECK_EQUAL(std::get<order>(bought).qty, 100'000);
  auto huge = 9'000'000'000'000 * unit;
  pf.on_quote(make_quote(huge, 2));
  const auto& bk = pf.positions();
  // 1e5 * 9e18 micros is beyond 64 bits: reported at the bound, not wrapped
  // into a loss.
  CAF_CHECK_EQUAL(bk.equity_micros(), max_micros);
  CAF_CHECK_EQUAL(bk.unrealised_micros("X", bk.holding("sma", "X")),
                  max_micros);
  CAF_CHECK_EQUAL(refusal_of(pf.on_signal(make_signal(side::sell, huge, 2))),
                  "notional_overflow");
  CAF_CHECK_EQUAL(bk.cash_micros(), 0);
  CAF_CHECK_EQUAL(bk.holding("sma", "X").qty, 100'000);
}

CAF_TEST(a starting cash of 9e12 cannot be wrapped by a sale) {
  // `"starting_cash": 9e12`, past the configuration's bound.
  portfolio_config cfg;
  cfg.starting_cash_micros = 9'000'000'000'000 * unit;
  cfg.sizing.kind = sizing_kind::fixed_quantity;
  cfg.sizing.qty = 1'000;
  cfg.risk.allow_short = true;
  portfolio pf{cfg};
  auto price = 1'000'000'000 * unit;
  pf.on_quote(make_quote(price, 1));
  // A short sale would credit 1e18 micros: cash would pass INT64_MAX.
  CAF_CHECK_EQUAL(refusal_of(pf.on_signal(make_signal(side::sell, price, 1))),
                  "notional_overflow");
  CAF_CHECK_EQUAL(pf.positions().cash_micros(), cfg.starting_cash_micros);
  // A buy of the same size fits and is filled.
  CAF_CHECK_EQUAL(refusal_of(pf.on_signal(make_signal(side::buy, price, 1))),
                  "filled");
  CAF_CHECK_EQUAL(pf.positions().cash_micros(),
                  cfg.starting_cash_micros - 1'000 * price);
}

CAF_TEST(a buy whose cost would wrap is not mistaken for an affordable one) {
  portfolio_config cfg;
  cfg.starting_cash_micros = 1 * unit;
  cfg.sizing.kind = sizing_kind::fixed_quantity;
  cfg.sizing.qty = 4;
  portfolio pf{cfg};
  // 4 * 2.4e18 wraps to a negative number in 64 bits.
  CAF_CHECK_EQUAL(refusal_of(pf.on_signal(
                    make_signal(side::buy, 2'400'000'000'000'000'000, 1))),
                  "notional_overflow");
  CAF_CHECK_EQUAL(pf.positions().cash_micros(), 1 * unit);
}

CAF_TEST(restoring a record that would overflow the book leaves it unchanged) {
  portfolio_config cfg;
  portfolio pf{cfg};
  order x;
  x.strategy = "sma";
  x.symbol = "X";
  x.direction = side::sell;
  x.qty = 10;
  x.price_micros = max_micros / 4;
  CAF_CHECK(!pf.restore(x));
  CAF_CHECK_EQUAL(pf.positions().cash_micros(), cfg.starting_cash_micros);
  CAF_CHECK_EQUAL(pf.positions().holding("sma", "X").qty, 0);
  x.qty = 1;
  CAF_CHECK(pf.restore(x));
  CAF_CHECK_EQUAL(pf.positions().holding("sma", "X").qty, -1);
}

CAF_TEST(restored orders above the input watermark are known as journaled) {
  portfolio_config cfg;
  cfg.input_watermark = 5;
  portfolio pf{cfg};
  order below;
  below.strategy = "every";
  below.symbol = "DAX";
  below.qty = 1;
  below.price_micros = 1'000'000;
  below.input_pos = 4;
  order above = below;
  above.input_pos = 7;
  pf.restore(below);
  pf.restore(above);
  // Only the replayed tail matters: positions up to the watermark are never
  // traded again.
  CAF_CHECK(!pf.journaled(4, "every", "DAX"));
  CAF_CHECK(pf.journaled(7, "every", "DAX"));
  CAF_CHECK(!pf.journaled(7, "other", "DAX"));
  CAF_CHECK(!pf.journaled(7, "every", "SMI"));
  CAF_CHECK(!pf.journaled(8, "every", "DAX"));
  CAF_CHECK(!pf.journaled(0, "every", "DAX"));
}
