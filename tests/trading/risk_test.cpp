#define CAF_SUITE trading.risk
#include "caf/test/unit_test.hpp"

#include "trading/portfolio.hpp"

#include <variant>

using namespace intuition::trading;

namespace {

constexpr int64_t unit = micros_per_unit;

signal make_signal(std::string strategy, side direction, int64_t price_micros) {
  signal x;
  x.strategy = std::move(strategy);
  x.symbol = "X";
  x.direction = direction;
  x.price_micros = price_micros;
  return x;
}

/// Quantity of a filled order, or -1 for a refusal.
quantity filled_qty(const std::variant<order, refusal_reason>& x) {
  auto ord = std::get_if<order>(&x);
  return ord ? ord->qty : -1;
}

uint64_t refusals(const portfolio& pf, refusal_reason why) {
  return pf.counters().refusals[static_cast<size_t>(why)];
}

/// Sends a signal that must be refused for `why`, and checks that nothing but
/// the counters moved.
bool refused_without_effect(portfolio& pf, const signal& s,
                            refusal_reason why) {
  auto cash = pf.positions().cash_micros();
  auto holdings = pf.positions().holdings();
  auto net = pf.positions().net_positions();
  auto orders = pf.counters().orders;
  auto before = refusals(pf, why);
  auto res = pf.on_signal(s);
  auto reason = std::get_if<refusal_reason>(&res);
  if (reason == nullptr || *reason != why) {
    CAF_MESSAGE("expected refusal " << to_string(why));
    return false;
  }
  const auto& bk = pf.positions();
  bool same_holdings = bk.holdings().size() == holdings.size();
  for (const auto& [key, pos] : holdings) {
    auto now = bk.holding(key.first, key.second);
    same_holdings = same_holdings && now.qty == pos.qty
                    && now.cost_basis_micros == pos.cost_basis_micros
                    && now.realised_micros == pos.realised_micros;
  }
  return bk.cash_micros() == cash && same_holdings && bk.net_positions() == net
         && pf.counters().orders == orders && refusals(pf, why) == before + 1;
}

portfolio_config fixed_quantity(quantity qty) {
  portfolio_config cfg;
  cfg.sizing.kind = sizing_kind::fixed_quantity;
  cfg.sizing.qty = qty;
  return cfg;
}

} // namespace

// -- each reason ------------------------------------------------------------------

CAF_TEST(a budget below one unit is refused as zero quantity) {
  portfolio_config cfg;
  cfg.sizing.fraction = 0.001;
  portfolio pf{cfg};
  // Budget 100 for a price of 1'000.
  CAF_CHECK(refused_without_effect(pf,
                                   make_signal("s", side::buy, 1'000 * unit),
                                   refusal_reason::zero_quantity));
  CAF_CHECK_EQUAL(pf.counters().signals, 1u);
  CAF_CHECK_EQUAL(pf.counters().orders, 0u);
  CAF_CHECK(pf.positions().holdings().empty());
  CAF_CHECK_EQUAL(pf.positions().cash_micros(), 100'000 * unit);
  for (auto why :
       {refusal_reason::insufficient_cash,
        refusal_reason::short_selling_disabled, refusal_reason::max_position,
        refusal_reason::max_order_notional})
    CAF_CHECK_EQUAL(refusals(pf, why), 0u);
}

CAF_TEST(a buy costing more than the cash is refused) {
  {
    portfolio pf{fixed_quantity(200)};
    CAF_CHECK(refused_without_effect(pf,
                                     make_signal("s", side::buy, 1'000 * unit),
                                     refusal_reason::insufficient_cash));
  }
  // Exactly all the cash is fine, one micro of commission more is not.
  {
    portfolio pf{fixed_quantity(100)};
    CAF_CHECK_EQUAL(
      filled_qty(pf.on_signal(make_signal("s", side::buy, 1'000 * unit))), 100);
    CAF_CHECK_EQUAL(pf.positions().cash_micros(), 0);
  }
  auto cfg = fixed_quantity(100);
  cfg.commission.minimum_micros = 1;
  portfolio pf{cfg};
  CAF_CHECK(refused_without_effect(pf,
                                   make_signal("s", side::buy, 1'000 * unit),
                                   refusal_reason::insufficient_cash));
  CAF_CHECK_EQUAL(refusals(pf, refusal_reason::insufficient_cash), 1u);
}

CAF_TEST(a sell with nothing held is refused while shorting is off) {
  portfolio pf{fixed_quantity(10)};
  CAF_CHECK(refused_without_effect(pf, make_signal("s", side::sell, 10 * unit),
                                   refusal_reason::short_selling_disabled));
  CAF_CHECK_EQUAL(
    filled_qty(pf.on_signal(make_signal("s", side::buy, 10 * unit))), 10);
  CAF_CHECK_EQUAL(
    filled_qty(pf.on_signal(make_signal("s", side::sell, 10 * unit))), 10);
  // Flat again; another strategy's holding does not count either.
  CAF_CHECK_EQUAL(
    filled_qty(pf.on_signal(make_signal("t", side::buy, 10 * unit))), 10);
  CAF_CHECK(refused_without_effect(pf, make_signal("s", side::sell, 10 * unit),
                                   refusal_reason::short_selling_disabled));
  CAF_CHECK_EQUAL(refusals(pf, refusal_reason::short_selling_disabled), 2u);
  CAF_CHECK_EQUAL(pf.counters().signals, 5u);
  CAF_CHECK_EQUAL(pf.counters().orders, 3u);
}

CAF_TEST(a fill beyond the net position limit is refused) {
  auto cfg = fixed_quantity(60);
  cfg.risk.max_position = 100;
  portfolio pf{cfg};
  CAF_CHECK_EQUAL(
    filled_qty(pf.on_signal(make_signal("a", side::buy, 10 * unit))), 60);
  // The limit is on the symbol's net position across strategies.
  CAF_CHECK(refused_without_effect(pf, make_signal("b", side::buy, 10 * unit),
                                   refusal_reason::max_position));
  CAF_CHECK(refused_without_effect(pf, make_signal("a", side::buy, 10 * unit),
                                   refusal_reason::max_position));
  CAF_CHECK_EQUAL(refusals(pf, refusal_reason::max_position), 2u);
  CAF_CHECK_EQUAL(
    filled_qty(pf.on_signal(make_signal("a", side::sell, 10 * unit))), 60);
  CAF_CHECK_EQUAL(pf.positions().net_position("X"), 0);
}

CAF_TEST(an order above the notional limit is refused at its fill price) {
  auto cfg = fixed_quantity(50);
  cfg.risk.max_order_notional_micros = 5'000 * unit;
  {
    portfolio pf{cfg};
    // 50 * 100 equals the limit.
    CAF_CHECK_EQUAL(
      filled_qty(pf.on_signal(make_signal("s", side::buy, 100 * unit))), 50);
    CAF_CHECK(refused_without_effect(pf,
                                     make_signal("s", side::buy, 101 * unit),
                                     refusal_reason::max_order_notional));
  }
  // One basis point of slippage fills at 100.01: 5'000.50 is over.
  cfg.slippage.bps = 1;
  portfolio pf{cfg};
  CAF_CHECK(refused_without_effect(pf, make_signal("s", side::buy, 100 * unit),
                                   refusal_reason::max_order_notional));
  CAF_CHECK_EQUAL(refusals(pf, refusal_reason::max_order_notional), 1u);
}

// -- order of checks --------------------------------------------------------------

CAF_TEST(checks run in the order notional then position then cash) {
  auto cfg = fixed_quantity(200);
  cfg.risk.max_order_notional_micros = 1'000 * unit;
  cfg.risk.max_position = 10;
  auto buy = make_signal("s", side::buy, 1'000 * unit);
  {
    portfolio pf{cfg};
    CAF_CHECK(
      refused_without_effect(pf, buy, refusal_reason::max_order_notional));
  }
  cfg.risk.max_order_notional_micros = 0;
  {
    portfolio pf{cfg};
    CAF_CHECK(refused_without_effect(pf, buy, refusal_reason::max_position));
  }
  cfg.risk.max_position = 0;
  {
    portfolio pf{cfg};
    CAF_CHECK(
      refused_without_effect(pf, buy, refusal_reason::insufficient_cash));
  }
  // Zero quantity comes first of all.
  cfg.sizing.qty = 0;
  cfg.risk.max_order_notional_micros = 1;
  portfolio pf{cfg};
  CAF_CHECK(refused_without_effect(pf, buy, refusal_reason::zero_quantity));
}

// -- shorting ---------------------------------------------------------------------

CAF_TEST(with shorting a sell from flat opens a short sized like a buy) {
  portfolio_config cfg;
  cfg.sizing.fraction = 0.1;
  cfg.risk.allow_short = true;
  portfolio pf{cfg};
  // 10% of 100'000 at 100.
  CAF_CHECK_EQUAL(
    filled_qty(pf.on_signal(make_signal("s", side::sell, 100 * unit))), 100);
  CAF_CHECK_EQUAL(pf.positions().holding("s", "X").qty, -100);
  CAF_CHECK_EQUAL(pf.positions().cash_micros(), 110'000 * unit);
  // Short proceeds are cash too: 10% of 110'000.
  CAF_CHECK_EQUAL(
    filled_qty(pf.on_signal(make_signal("s", side::sell, 100 * unit))), 110);
  CAF_CHECK_EQUAL(pf.positions().holding("s", "X").qty, -210);
  CAF_CHECK_EQUAL(pf.positions().net_position("X"), -210);
  CAF_CHECK_EQUAL(refusals(pf, refusal_reason::short_selling_disabled), 0u);
}

CAF_TEST(with shorting fixed quantity sells through the holding) {
  auto cfg = fixed_quantity(30);
  order held;
  held.strategy = "s";
  held.symbol = "X";
  held.qty = 10;
  held.price_micros = 10 * unit;
  {
    portfolio pf{cfg};
    pf.restore(held);
    CAF_CHECK_EQUAL(
      filled_qty(pf.on_signal(make_signal("s", side::sell, 10 * unit))), 10);
    CAF_CHECK_EQUAL(pf.positions().holding("s", "X").qty, 0);
  }
  cfg.risk.allow_short = true;
  cfg.risk.max_position = 40;
  portfolio pf{cfg};
  pf.restore(held);
  CAF_CHECK_EQUAL(
    filled_qty(pf.on_signal(make_signal("s", side::sell, 10 * unit))), 30);
  CAF_CHECK_EQUAL(pf.positions().holding("s", "X").qty, -20);
  // -50 would pass the limit of 40 on the short side too.
  CAF_CHECK(refused_without_effect(pf, make_signal("s", side::sell, 10 * unit),
                                   refusal_reason::max_position));
}

CAF_TEST(refusal reasons have stable names) {
  CAF_CHECK_EQUAL(to_string(refusal_reason::zero_quantity), "zero_quantity");
  CAF_CHECK_EQUAL(to_string(refusal_reason::insufficient_cash),
                  "insufficient_cash");
  CAF_CHECK_EQUAL(to_string(refusal_reason::short_selling_disabled),
                  "short_selling_disabled");
  CAF_CHECK_EQUAL(to_string(refusal_reason::max_position), "max_position");
  CAF_CHECK_EQUAL(to_string(refusal_reason::max_order_notional),
                  "max_order_notional");
}
