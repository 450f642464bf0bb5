#define CAF_SUITE trading.sizing
#include "caf/test/unit_test.hpp"

#include "trading/portfolio.hpp"

#include <variant>
#include <vector>

using namespace intuition::trading;

namespace {

constexpr int64_t unit = micros_per_unit;

signal make_signal(std::string symbol, side direction, int64_t price_micros,
                   std::string strategy = "s") {
  signal x;
  x.strategy = std::move(strategy);
  x.symbol = std::move(symbol);
  x.direction = direction;
  x.price_micros = price_micros;
  return x;
}

/// Quotes the symbol, then signals on the same price, as the runtime does.
std::variant<order, refusal_reason> quote_and_signal(portfolio& pf,
                                                     const std::string& symbol,
                                                     side direction,
                                                     int64_t price_micros) {
  quote q;
  q.symbol = symbol;
  q.price_micros = price_micros;
  pf.on_quote(q);
  return pf.on_signal(make_signal(symbol, direction, price_micros));
}

/// Quantity of a filled order, or -1 for a refusal.
quantity filled_qty(const std::variant<order, refusal_reason>& x) {
  auto ord = std::get_if<order>(&x);
  return ord ? ord->qty : -1;
}

portfolio_config costless(sizing_kind kind) {
  portfolio_config cfg;
  cfg.sizing.kind = kind;
  return cfg;
}

} // namespace

// -- fixed_fraction ---------------------------------------------------------------

CAF_TEST(fixed fraction buys the most the budget covers after costs) {
  auto cfg = costless(sizing_kind::fixed_fraction);
  cfg.sizing.fraction = 0.1;
  cfg.slippage.bps = 10;
  cfg.commission.per_share_micros = 10'000;
  cfg.commission.bps = 1;
  portfolio pf{cfg};
  // Budget 10'000; fill 100.10; each share costs 100.10 + 0.01 + 0.01001,
  // so 99 shares cost 9'911.88099 and 100 would cost 10'012.001.
  auto res = pf.on_signal(make_signal("X", side::buy, 100 * unit));
  auto ord = std::get_if<order>(&res);
  CAF_REQUIRE(ord != nullptr);
  CAF_CHECK_EQUAL(ord->qty, 99);
  CAF_CHECK_EQUAL(ord->price_micros, 100'100'000);
  CAF_CHECK_EQUAL(ord->commission_micros, 1'980'990);
  CAF_CHECK_EQUAL(pf.positions().cash_micros(), 90'088'119'010);
}

CAF_TEST(a minimum commission lowers the fixed fraction quantity) {
  auto cfg = costless(sizing_kind::fixed_fraction);
  cfg.sizing.fraction = 0.001;
  {
    portfolio pf{cfg};
    // Budget 100 at 10 a share.
    CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::buy, 10 * unit)),
                    10);
  }
  cfg.commission.minimum_micros = 5 * unit;
  portfolio pf{cfg};
  // 9 * 10 + 5 fits in 100, 10 * 10 + 5 does not.
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::buy, 10 * unit)),
                  9);
  CAF_CHECK_EQUAL(pf.positions().cash_micros(), 99'905 * unit);
}

CAF_TEST(fraction sizing sells close the whole holding) {
  auto cfg = costless(sizing_kind::fixed_fraction);
  cfg.sizing.fraction = 0.5;
  portfolio pf{cfg};
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::buy, 40 * unit)),
                  1250);
  // Cash is 50'000 now, the next buy spends half of it.
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::buy, 40 * unit)),
                  625);
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::sell, 50 * unit)),
                  1875);
  CAF_CHECK_EQUAL(pf.positions().holding("s", "X").qty, 0);
  CAF_CHECK_EQUAL(pf.positions().cash_micros(), 118'750 * unit);
}

// -- fixed_quantity ---------------------------------------------------------------

CAF_TEST(fixed quantity buys its quantity and sells at most the holding) {
  auto cfg = costless(sizing_kind::fixed_quantity);
  cfg.sizing.qty = 7;
  portfolio pf{cfg};
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::buy, 100 * unit)),
                  7);
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::buy, 100 * unit)),
                  7);
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::sell, 100 * unit)),
                  7);
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::buy, 100 * unit)),
                  7);
  CAF_CHECK_EQUAL(pf.positions().holding("s", "X").qty, 14);
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::sell, 100 * unit)),
                  7);
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::sell, 100 * unit)),
                  7);
  CAF_CHECK_EQUAL(pf.positions().holding("s", "X").qty, 0);
}

CAF_TEST(fixed quantity sells only what is left) {
  auto cfg = costless(sizing_kind::fixed_quantity);
  cfg.sizing.qty = 5;
  portfolio pf{cfg};
  pf.restore([] {
    order x;
    x.strategy = "s";
    x.symbol = "X";
    x.qty = 7;
    x.price_micros = 10 * unit;
    return x;
  }());
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::sell, 10 * unit)),
                  5);
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::sell, 10 * unit)),
                  2);
  CAF_CHECK_EQUAL(pf.positions().holding("s", "X").qty, 0);
}

// -- random_fraction --------------------------------------------------------------

CAF_TEST(random fraction is reproducible from its seed) {
  auto cfg = costless(sizing_kind::random_fraction);
  cfg.sizing.min_fraction = 0.2;
  cfg.sizing.max_fraction = 0.3;
  cfg.sizing.seed = 7;
  portfolio pf{cfg};
  // splitmix64(7) draws u = 0.23898..., 0.20167..., 0.29007... of the
  // remaining cash at 1 a share.
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::buy, 1 * unit)),
                  23'898);
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::buy, 1 * unit)),
                  15'348);
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "X", side::buy, 1 * unit)),
                  17'623);
  CAF_CHECK_EQUAL(pf.positions().cash_micros(), 43'131 * unit);
  portfolio same{cfg};
  cfg.sizing.seed = 8;
  portfolio other{cfg};
  std::vector<quantity> a;
  std::vector<quantity> b;
  std::vector<quantity> c;
  for (int i = 0; i < 5; ++i) {
    a.push_back(filled_qty(quote_and_signal(same, "X", side::buy, 3 * unit)));
    c.push_back(filled_qty(quote_and_signal(other, "X", side::buy, 3 * unit)));
  }
  cfg.sizing.seed = 7;
  portfolio replay{cfg};
  for (int i = 0; i < 5; ++i)
    b.push_back(filled_qty(quote_and_signal(replay, "X", side::buy, 3 * unit)));
  CAF_CHECK_EQUAL(a, b);
  CAF_CHECK_NOT_EQUAL(a, c);
}

CAF_TEST(random fraction stays within its bounds) {
  auto cfg = costless(sizing_kind::random_fraction);
  cfg.sizing.min_fraction = 0.05;
  cfg.sizing.max_fraction = 0.1;
  cfg.sizing.seed = 99;
  portfolio pf{cfg};
  int outside = 0;
  // At most 10% a time, 40 buys leave well over a thousand units of cash.
  for (int i = 0; i < 40; ++i) {
    auto cash = pf.positions().cash_micros();
    auto qty = filled_qty(quote_and_signal(pf, "X", side::buy, 1 * unit));
    // At 1 a share the quantity is the budget rounded down to whole units.
    auto spent = static_cast<double>(qty * unit);
    if (qty < 0 || spent > 0.1 * static_cast<double>(cash)
        || spent <= 0.05 * static_cast<double>(cash) - unit)
      ++outside;
  }
  CAF_CHECK_EQUAL(outside, 0);
}

// -- equal_weight -----------------------------------------------------------------

CAF_TEST(equal weight splits equity across the configured symbols) {
  auto cfg = costless(sizing_kind::equal_weight);
  cfg.sizing.symbols = {"A", "B", "C", "D"};
  portfolio pf{cfg};
  // A quarter of 100'000 each.
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "A", side::buy, 10 * unit)),
                  2500);
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "B", side::buy, 20 * unit)),
                  1250);
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "C", side::buy, 30 * unit)),
                  833);
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "D", side::buy, 70 * unit)),
                  357);
  CAF_CHECK_EQUAL(pf.positions().cash_micros(), 20 * unit);
  CAF_CHECK_EQUAL(pf.positions().equity_micros(), 100'000 * unit);
  // A is at its target: nothing left to buy.
  auto res = quote_and_signal(pf, "A", side::buy, 10 * unit);
  CAF_REQUIRE(std::holds_alternative<refusal_reason>(res));
  CAF_CHECK(std::get<refusal_reason>(res) == refusal_reason::zero_quantity);
  // A falls to 8: equity 95'000, target 23'750, A worth 20'000; the 3'750 gap
  // is capped at the 20 of cash left.
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "A", side::buy, 8 * unit)),
                  2);
  CAF_CHECK_EQUAL(pf.positions().cash_micros(), 4 * unit);
  // Sells close the holding.
  CAF_CHECK_EQUAL(filled_qty(quote_and_signal(pf, "B", side::sell, 20 * unit)),
                  1250);
}

CAF_TEST(equal weight counts every strategy holding the symbol) {
  auto cfg = costless(sizing_kind::equal_weight);
  cfg.sizing.symbols = {"A", "B"};
  portfolio pf{cfg};
  pf.on_quote(quote{"A", 10 * unit, 0, 0});
  CAF_CHECK_EQUAL(
    filled_qty(pf.on_signal(make_signal("A", side::buy, 10 * unit, "one"))),
    5000);
  auto res = pf.on_signal(make_signal("A", side::buy, 10 * unit, "two"));
  CAF_REQUIRE(std::holds_alternative<refusal_reason>(res));
  CAF_CHECK(std::get<refusal_reason>(res) == refusal_reason::zero_quantity);
}
