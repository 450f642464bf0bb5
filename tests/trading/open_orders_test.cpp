#define CAF_SUITE trading.open_orders
#include "caf/test/unit_test.hpp"

#include "trading/open_orders.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "trading/portfolio.hpp"

using namespace intuition::trading;

namespace {

constexpr int64_t unit = micros_per_unit;
constexpr int64_t day_ms = 86'400'000;

/// A portfolio trading 10 units per signal, strategy "s" with `spec`.
portfolio make_portfolio(order_spec spec, double slippage_bps = 0.0,
                         int64_t cash_units = 100'000) {
  portfolio_config cfg;
  cfg.starting_cash_micros = cash_units * unit;
  cfg.sizing.kind = sizing_kind::fixed_quantity;
  cfg.sizing.qty = 10;
  cfg.slippage.bps = slippage_bps;
  cfg.order_specs.emplace("s", spec);
  return portfolio{cfg};
}

quote make_quote(int64_t price_micros, int64_t ts_ms = 0) {
  quote q;
  q.symbol = "DAX";
  q.price_micros = price_micros;
  q.ts_ms = ts_ms;
  return q;
}

signal make_signal(side direction, int64_t price_micros, int64_t ts_ms = 0) {
  signal s;
  s.strategy = "s";
  s.symbol = "DAX";
  s.direction = direction;
  s.price_micros = price_micros;
  s.ts_ms = ts_ms;
  return s;
}

/// Quotes, then signals on the quote, as the runtime does; returns what
/// on_signal returned followed by the records it left.
std::vector<order> signal_at(portfolio& pf, side direction,
                             int64_t price_micros, int64_t ts_ms = 0) {
  pf.on_quote(make_quote(price_micros, ts_ms));
  std::vector<order> out = pf.take_records();
  auto outcome = pf.on_signal(make_signal(direction, price_micros, ts_ms));
  if (auto* x = std::get_if<order>(&outcome))
    out.push_back(*x);
  for (auto& x : pf.take_records())
    out.push_back(std::move(x));
  return out;
}

/// The records a quote produces.
std::vector<order> quote_at(portfolio& pf, int64_t price_micros,
                            int64_t ts_ms = 0) {
  pf.on_quote(make_quote(price_micros, ts_ms));
  return pf.take_records();
}

order_spec spec_of(order_type type, double offset_bps, double stop_bps,
                   time_in_force tif) {
  order_spec out;
  out.type = type;
  out.offset_bps = offset_bps;
  out.stop_offset_bps = stop_bps;
  out.tif = tif;
  return out;
}

} // namespace

// -- rules ------------------------------------------------------------------------

CAF_TEST(limit and stop prices are offsets from the signal price) {
  auto limit = spec_of(order_type::limit, 10, 0, time_in_force::gtc);
  auto buy = price_order(limit, side::buy, 100 * unit).value_or(order_prices{});
  auto sell
    = price_order(limit, side::sell, 100 * unit).value_or(order_prices{});
  CAF_CHECK_EQUAL(buy.limit_micros, 99'900'000);
  CAF_CHECK_EQUAL(buy.stop_micros, 0);
  CAF_CHECK_EQUAL(sell.limit_micros, 100'100'000);
  auto stop = spec_of(order_type::stop, 0, 20, time_in_force::gtc);
  buy = price_order(stop, side::buy, 100 * unit).value_or(order_prices{});
  sell = price_order(stop, side::sell, 100 * unit).value_or(order_prices{});
  CAF_CHECK_EQUAL(buy.stop_micros, 100'200'000);
  CAF_CHECK_EQUAL(buy.limit_micros, 0);
  CAF_CHECK_EQUAL(sell.stop_micros, 99'800'000);
  // A stop_limit buy: stop 20 bps above, limit 30 bps above (offset -30).
  auto sl = spec_of(order_type::stop_limit, -30, 20, time_in_force::gtc);
  auto p = price_order(sl, side::buy, 100 * unit);
  CAF_REQUIRE(p);
  CAF_CHECK_EQUAL(p->stop_micros, 100'200'000);
  CAF_CHECK_EQUAL(p->limit_micros, 100'300'000);
  // A price beyond 64 bits is no price.
  CAF_CHECK(!price_order(stop, side::buy, INT64_MAX));
}

CAF_TEST(crossing is inclusive at exactly the price) {
  CAF_CHECK(limit_crossed(side::buy, 100, 100));
  CAF_CHECK(limit_crossed(side::buy, 100, 99));
  CAF_CHECK(!limit_crossed(side::buy, 100, 101));
  CAF_CHECK(limit_crossed(side::sell, 100, 100));
  CAF_CHECK(!limit_crossed(side::sell, 100, 99));
  CAF_CHECK(stop_reached(side::buy, 100, 100));
  CAF_CHECK(!stop_reached(side::buy, 100, 99));
  CAF_CHECK(stop_reached(side::sell, 100, 100));
  CAF_CHECK(!stop_reached(side::sell, 100, 101));
}

CAF_TEST(utc days split at midnight also before 1970) {
  CAF_CHECK_EQUAL(utc_day(0), 0);
  CAF_CHECK_EQUAL(utc_day(day_ms - 1), 0);
  CAF_CHECK_EQUAL(utc_day(day_ms), 1);
  CAF_CHECK_EQUAL(utc_day(-1), -1);
  CAF_CHECK_EQUAL(utc_day(-day_ms), -1);
  CAF_CHECK_EQUAL(utc_day(-day_ms - 1), -2);
}

CAF_TEST(a resting limit fills at its price and an arriving one at market) {
  resting_order x;
  x.placed.type = order_type::limit;
  x.placed.direction = side::buy;
  x.placed.limit_micros = 100;
  CAF_CHECK(match(x, 101, false).kind == execution_kind::none);
  auto gap = match(x, 90, false);
  CAF_CHECK(gap.kind == execution_kind::at_limit);
  CAF_CHECK_EQUAL(fill_price(gap, side::buy, 91), 100);
  auto arriving = match(x, 90, true);
  CAF_CHECK(arriving.kind == execution_kind::at_market);
  // The market fill (with slippage) is taken, never worse than the limit.
  CAF_CHECK_EQUAL(fill_price(arriving, side::buy, 91), 91);
  CAF_CHECK_EQUAL(fill_price(arriving, side::buy, 105), 100);
}

// -- the portfolio's resting orders --------------------------------------------------

CAF_TEST(a gtc buy limit rests and a later quote at the limit fills it) {
  auto pf = make_portfolio(
    spec_of(order_type::limit, 100, 0, time_in_force::gtc), 10);
  auto placed = signal_at(pf, side::buy, 100 * unit);
  CAF_REQUIRE_EQUAL(placed.size(), 1u);
  CAF_CHECK(placed[0].kind == record_kind::placed);
  CAF_CHECK_EQUAL(placed[0].ref, 1u);
  CAF_CHECK_EQUAL(placed[0].limit_micros, 99 * unit);
  CAF_CHECK_EQUAL(placed[0].qty, 10);
  CAF_CHECK_EQUAL(pf.resting().size(), 1u);
  CAF_CHECK_EQUAL(pf.positions().cash_micros(), 100'000 * unit);
  // One micro above the limit: nothing.
  CAF_CHECK(quote_at(pf, 99 * unit + 1).empty());
  // Exactly the limit: filled at it, without slippage.
  auto filled = quote_at(pf, 99 * unit, 5);
  CAF_REQUIRE_EQUAL(filled.size(), 1u);
  CAF_CHECK(filled[0].kind == record_kind::fill);
  CAF_CHECK_EQUAL(filled[0].ref, 1u);
  CAF_CHECK_EQUAL(filled[0].price_micros, 99 * unit);
  CAF_CHECK_EQUAL(filled[0].ts_ms, 5);
  CAF_CHECK_EQUAL(pf.positions().holding("s", "DAX").qty, 10);
  CAF_CHECK(pf.resting().empty());
  CAF_CHECK_EQUAL(pf.counters().orders, 1u);
  // Filled once.
  CAF_CHECK(quote_at(pf, 98 * unit).empty());
}

CAF_TEST(a quote gapping through a limit fills at the limit price) {
  auto pf
    = make_portfolio(spec_of(order_type::limit, 0, 0, time_in_force::gtc));
  signal_at(pf, side::buy, 100 * unit);
  // Sell limits too: buy 10 first so that there is something to sell.
  auto filled = quote_at(pf, 90 * unit);
  CAF_REQUIRE_EQUAL(filled.size(), 1u);
  CAF_CHECK_EQUAL(filled[0].price_micros, 100 * unit);
  auto sell = signal_at(pf, side::sell, 100 * unit);
  CAF_REQUIRE_EQUAL(sell.size(), 1u);
  auto sold = quote_at(pf, 120 * unit);
  CAF_REQUIRE_EQUAL(sold.size(), 1u);
  CAF_CHECK_EQUAL(sold[0].price_micros, 100 * unit);
  CAF_CHECK_EQUAL(pf.positions().holding("s", "DAX").qty, 0);
}

CAF_TEST(a stop triggers at its price and fills at market with slippage) {
  auto pf
    = make_portfolio(spec_of(order_type::stop, 0, 100, time_in_force::gtc), 10);
  auto placed = signal_at(pf, side::buy, 100 * unit);
  CAF_REQUIRE_EQUAL(placed.size(), 1u);
  CAF_CHECK_EQUAL(placed[0].stop_micros, 101 * unit);
  CAF_CHECK(quote_at(pf, 101 * unit - 1).empty());
  auto filled = quote_at(pf, 102 * unit);
  CAF_REQUIRE_EQUAL(filled.size(), 1u);
  // 102 plus 10 bps.
  CAF_CHECK_EQUAL(filled[0].price_micros, 102'102'000);
}

CAF_TEST(a stop limit triggers then rests as a limit) {
  // Buy: stop 100 bps above (101), limit 50 bps above (100.5).
  auto pf = make_portfolio(
    spec_of(order_type::stop_limit, -50, 100, time_in_force::gtc));
  signal_at(pf, side::buy, 100 * unit);
  // 102 reaches the stop but is above the limit: triggered, not filled.
  auto triggered = quote_at(pf, 102 * unit);
  CAF_REQUIRE_EQUAL(triggered.size(), 1u);
  CAF_CHECK(triggered[0].kind == record_kind::triggered);
  CAF_CHECK(pf.resting().all().begin()->second.triggered);
  // Below the stop now, but the order is a limit: 100.5 fills it.
  auto filled = quote_at(pf, 100'500'000);
  CAF_REQUIRE_EQUAL(filled.size(), 1u);
  CAF_CHECK(filled[0].kind == record_kind::fill);
  CAF_CHECK_EQUAL(filled[0].price_micros, 100'500'000);
}

CAF_TEST(an ioc order fills on its own quote or is cancelled at once) {
  // A passive ioc limit does not cross the signal's price: cancelled.
  auto passive
    = make_portfolio(spec_of(order_type::limit, 10, 0, time_in_force::ioc));
  auto records = signal_at(passive, side::buy, 100 * unit);
  CAF_REQUIRE_EQUAL(records.size(), 2u);
  CAF_CHECK(records[0].kind == record_kind::placed);
  CAF_CHECK(records[1].kind == record_kind::cancelled);
  CAF_CHECK_EQUAL(records[1].reason, "ioc");
  CAF_CHECK_EQUAL(records[1].ref, records[0].ref);
  CAF_CHECK(passive.resting().empty());
  // A marketable ioc limit (20 bps through) takes the quote with slippage
  // (10 bps), inside its limit.
  auto taker = make_portfolio(
    spec_of(order_type::limit, -20, 0, time_in_force::ioc), 10);
  records = signal_at(taker, side::buy, 100 * unit);
  CAF_REQUIRE_EQUAL(records.size(), 2u);
  CAF_CHECK(records[1].kind == record_kind::fill);
  CAF_CHECK_EQUAL(records[1].price_micros, 100'100'000);
  // 50 bps of slippage would pass the limit: the limit price caps it.
  auto capped = make_portfolio(
    spec_of(order_type::limit, -20, 0, time_in_force::ioc), 50);
  records = signal_at(capped, side::buy, 100 * unit);
  CAF_REQUIRE_EQUAL(records.size(), 2u);
  CAF_CHECK_EQUAL(records[1].price_micros, 100'200'000);
}

CAF_TEST(a day order expires with the first quote of the next utc day) {
  auto pf
    = make_portfolio(spec_of(order_type::limit, 100, 0, time_in_force::day));
  auto gtc
    = make_portfolio(spec_of(order_type::limit, 100, 0, time_in_force::gtc));
  // Placed one millisecond before midnight.
  auto last_ms = 20'000 * day_ms - 1;
  signal_at(pf, side::buy, 100 * unit, last_ms - 1);
  signal_at(gtc, side::buy, 100 * unit, last_ms - 1);
  CAF_CHECK(quote_at(pf, 100 * unit, last_ms).empty());
  // Midnight, at a price that would fill it: the day is over first.
  auto expired = quote_at(pf, 98 * unit, last_ms + 1);
  CAF_REQUIRE_EQUAL(expired.size(), 1u);
  CAF_CHECK(expired[0].kind == record_kind::expired);
  CAF_CHECK_EQUAL(expired[0].ts_ms, last_ms + 1);
  CAF_CHECK(pf.resting().empty());
  CAF_CHECK_EQUAL(pf.positions().holding("s", "DAX").qty, 0);
  // A gtc order lives on and fills.
  auto filled = quote_at(gtc, 98 * unit, last_ms + 1);
  CAF_REQUIRE_EQUAL(filled.size(), 1u);
  CAF_CHECK(filled[0].kind == record_kind::fill);
}

CAF_TEST(risk is checked at fill time and a refused fill cancels) {
  // Nothing is reserved: two buys of 10 at 99 both rest on 1500 of cash,
  // the second cannot be paid when it fills.
  auto pf = make_portfolio(
    spec_of(order_type::limit, 100, 0, time_in_force::gtc), 0, 1500);
  signal_at(pf, side::buy, 100 * unit);
  signal_at(pf, side::buy, 100 * unit);
  CAF_CHECK_EQUAL(pf.resting().size(), 2u);
  auto records = quote_at(pf, 99 * unit);
  CAF_REQUIRE_EQUAL(records.size(), 2u);
  CAF_CHECK(records[0].kind == record_kind::fill);
  CAF_CHECK(records[1].kind == record_kind::cancelled);
  CAF_CHECK_EQUAL(records[1].reason, "insufficient_cash");
  CAF_CHECK(pf.resting().empty());
  CAF_CHECK_EQUAL(
    pf.counters()
      .refusals[static_cast<size_t>(refusal_reason::insufficient_cash)],
    1u);
}

CAF_TEST(open orders are bounded and an operator cancel returns records) {
  portfolio_config cfg;
  cfg.sizing.kind = sizing_kind::fixed_quantity;
  cfg.sizing.qty = 1;
  cfg.max_open_orders = 2;
  auto limit = spec_of(order_type::limit, 100, 0, time_in_force::gtc);
  cfg.order_specs.emplace("s", limit);
  cfg.order_specs.emplace("t", limit);
  portfolio pf{cfg};
  auto s = make_signal(side::buy, 100 * unit);
  CAF_CHECK(std::holds_alternative<order>(pf.on_signal(s)));
  s.strategy = "t";
  CAF_CHECK(std::holds_alternative<order>(pf.on_signal(s)));
  auto full = pf.on_signal(s);
  CAF_REQUIRE(std::holds_alternative<refusal_reason>(full));
  CAF_CHECK(std::get<refusal_reason>(full) == refusal_reason::open_orders_full);
  auto cancelled = pf.cancel_open_orders("t", "halt", 7);
  CAF_REQUIRE_EQUAL(cancelled.size(), 1u);
  CAF_CHECK(cancelled[0].kind == record_kind::cancelled);
  CAF_CHECK_EQUAL(cancelled[0].strategy, "t");
  CAF_CHECK_EQUAL(cancelled[0].reason, "halt");
  CAF_CHECK_EQUAL(cancelled[0].ts_ms, 7);
  CAF_CHECK_EQUAL(pf.resting().size(), 1u);
  CAF_CHECK_EQUAL(pf.cancel_open_orders("", "halt", 8).size(), 1u);
  CAF_CHECK(pf.resting().empty());
}

CAF_TEST(a halt cancels every open order and removal one strategy s) {
  portfolio_config cfg;
  cfg.sizing.kind = sizing_kind::fixed_quantity;
  cfg.sizing.qty = 1;
  // Buy limits 1 % below the signal price: they rest.
  auto limit = spec_of(order_type::limit, 100, 0, time_in_force::gtc);
  cfg.order_specs.emplace("s", limit);
  cfg.order_specs.emplace("t", limit);
  portfolio pf{cfg};
  pf.on_quote(make_quote(100 * unit, 5));
  auto s = make_signal(side::buy, 100 * unit, 5);
  CAF_REQUIRE(std::holds_alternative<order>(pf.on_signal(s)));
  s.strategy = "t";
  CAF_REQUIRE(std::holds_alternative<order>(pf.on_signal(s)));
  CAF_REQUIRE_EQUAL(pf.resting().size(), 2u);
  // remove-strategy: the strategy's orders only, at the last quote's time.
  CAF_CHECK_EQUAL(pf.cancel_resting("t", "strategy removed"), 1u);
  auto removed = pf.take_records();
  CAF_REQUIRE_EQUAL(removed.size(), 1u);
  CAF_CHECK(removed[0].kind == record_kind::cancelled);
  CAF_CHECK_EQUAL(removed[0].strategy, "t");
  CAF_CHECK_EQUAL(removed[0].reason, "strategy removed");
  CAF_CHECK_EQUAL(removed[0].ts_ms, 5);
  // A halt leaves nothing resting that a later quote could fill.
  CAF_CHECK(pf.set_mode(mode_kind::halted, "operator"));
  auto halted = pf.take_records();
  CAF_REQUIRE_EQUAL(halted.size(), 1u);
  CAF_CHECK_EQUAL(halted[0].strategy, "s");
  CAF_CHECK_EQUAL(halted[0].reason, "halted");
  CAF_CHECK(pf.resting().empty());
  pf.on_quote(make_quote(90 * unit, 6));
  CAF_CHECK(pf.take_records().empty());
  CAF_CHECK_EQUAL(pf.positions().holding("s", "DAX").qty, 0);
}

CAF_TEST(reduce only cuts a resting order when it is placed) {
  portfolio_config cfg;
  cfg.sizing.kind = sizing_kind::fixed_quantity;
  cfg.sizing.qty = 10;
  cfg.order_specs.emplace(
    "s", spec_of(order_type::limit, 100, 0, time_in_force::gtc));
  portfolio pf{cfg};
  pf.on_quote(make_quote(100 * unit));
  // "s" holds 4, restored as from the journal.
  order held;
  held.strategy = "s";
  held.symbol = "DAX";
  held.direction = side::buy;
  held.qty = 4;
  held.price_micros = 100 * unit;
  CAF_REQUIRE(pf.restore(held));
  CAF_CHECK(pf.set_mode(mode_kind::reduce_only, "operator"));
  // A buy would grow the holding: refused.
  auto buy = pf.on_signal(make_signal(side::buy, 100 * unit));
  CAF_REQUIRE(std::holds_alternative<refusal_reason>(buy));
  CAF_CHECK(std::get<refusal_reason>(buy) == refusal_reason::reduce_only);
  // A sell (limit 1 % above) rests for the 4 held, not the 10 sizing says.
  auto sell = pf.on_signal(make_signal(side::sell, 100 * unit));
  CAF_REQUIRE(std::holds_alternative<order>(sell));
  CAF_CHECK(std::get<order>(sell).kind == record_kind::placed);
  CAF_CHECK_EQUAL(std::get<order>(sell).qty, 4);
}

CAF_TEST(a market strategy beside a limit strategy fills at once) {
  auto pf
    = make_portfolio(spec_of(order_type::limit, 100, 0, time_in_force::gtc));
  auto s = make_signal(side::buy, 100 * unit);
  s.strategy = "market";
  auto x = pf.on_signal(s);
  CAF_REQUIRE(std::holds_alternative<order>(x));
  CAF_CHECK(std::get<order>(x).kind == record_kind::fill);
  CAF_CHECK_EQUAL(std::get<order>(x).ref, 0u);
  CAF_CHECK(pf.take_records().empty());
}

CAF_TEST(a restart rebuilds open orders from the records and fills once) {
  auto spec = spec_of(order_type::limit, 100, 0, time_in_force::gtc);
  auto first = make_portfolio(spec);
  std::vector<order> journal;
  for (auto& x : signal_at(first, side::buy, 100 * unit))
    journal.push_back(x);
  for (auto& x : signal_at(first, side::buy, 100 * unit))
    journal.push_back(x);
  for (auto& x : first.cancel_open_orders("", "halt", 1))
    journal.push_back(x);
  for (auto& x : signal_at(first, side::buy, 100 * unit))
    journal.push_back(x);
  CAF_REQUIRE_EQUAL(journal.size(), 5u);
  // Stopped here; the next run restores the records.
  auto second = make_portfolio(spec);
  for (const auto& x : journal)
    CAF_CHECK(second.restore(x));
  CAF_REQUIRE_EQUAL(second.resting().size(), 1u);
  CAF_CHECK_EQUAL(second.resting().all().begin()->first, 3u);
  auto filled = quote_at(second, 99 * unit);
  CAF_REQUIRE_EQUAL(filled.size(), 1u);
  CAF_CHECK_EQUAL(filled[0].ref, 3u);
  journal.push_back(filled[0]);
  CAF_CHECK(quote_at(second, 99 * unit).empty());
  // New orders continue the numbering.
  auto next = signal_at(second, side::buy, 100 * unit);
  CAF_REQUIRE_EQUAL(next.size(), 1u);
  CAF_CHECK_EQUAL(next[0].ref, 4u);
  // A third run sees the fill: the order is not open, the holding is there.
  auto third = make_portfolio(spec);
  for (const auto& x : journal)
    CAF_CHECK(third.restore(x));
  CAF_CHECK(third.resting().empty());
  CAF_CHECK_EQUAL(third.positions().holding("s", "DAX").qty, 10);
}

CAF_TEST(a restart keeps a triggered stop limit triggered) {
  auto spec = spec_of(order_type::stop_limit, -50, 100, time_in_force::gtc);
  auto first = make_portfolio(spec);
  std::vector<order> journal = signal_at(first, side::buy, 100 * unit);
  for (auto& x : quote_at(first, 102 * unit))
    journal.push_back(x);
  CAF_REQUIRE_EQUAL(journal.size(), 2u);
  auto second = make_portfolio(spec);
  for (const auto& x : journal)
    second.restore(x);
  CAF_REQUIRE_EQUAL(second.resting().size(), 1u);
  CAF_CHECK(second.resting().all().begin()->second.triggered);
  // Below the stop: only a triggered order fills here.
  CAF_CHECK_EQUAL(quote_at(second, 100'500'000).size(), 1u);
}
