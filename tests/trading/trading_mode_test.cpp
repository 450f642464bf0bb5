#define CAF_SUITE trading.trading_mode
#include "caf/test/unit_test.hpp"

#include "trading/portfolio.hpp"
#include "trading/trading_mode.hpp"

#include <limits>
#include <string>
#include <variant>

using namespace intuition::trading;

namespace {

constexpr int64_t unit = micros_per_unit;
constexpr int64_t day_ms = ms_per_day;

quote make_quote(const std::string& symbol, int64_t price, int64_t ts_ms) {
  quote x;
  x.symbol = symbol;
  x.price_micros = price * unit;
  x.ts_ms = ts_ms;
  return x;
}

signal make_signal(const std::string& strategy, side direction, int64_t price) {
  signal x;
  x.strategy = strategy;
  x.symbol = "X";
  x.direction = direction;
  x.price_micros = price * unit;
  x.ts_ms = 1;
  return x;
}

portfolio_config fixed_qty(quantity qty, bool allow_short = false) {
  portfolio_config cfg;
  cfg.starting_cash_micros = 100'000 * unit;
  cfg.sizing.kind = sizing_kind::fixed_quantity;
  cfg.sizing.qty = qty;
  cfg.risk.allow_short = allow_short;
  return cfg;
}

uint64_t refused(const portfolio& pf, refusal_reason why) {
  return pf.counters().refusals[static_cast<size_t>(why)];
}

} // namespace

// -- formulas at their edges ------------------------------------------------------

CAF_TEST(utc days are cut at midnight and before 1970 too) {
  CAF_CHECK_EQUAL(utc_day(0), 0);
  CAF_CHECK_EQUAL(utc_day(day_ms - 1), 0);
  CAF_CHECK_EQUAL(utc_day(day_ms), 1);
  CAF_CHECK_EQUAL(utc_day(-1), -1);
  CAF_CHECK_EQUAL(utc_day(-day_ms), -1);
  CAF_CHECK_EQUAL(utc_day(-day_ms - 1), -2);
}

CAF_TEST(a drawdown trips exactly at the limit and not a micro before) {
  // 10% of 100000 is 10000: equity 90000 is exactly at the limit.
  CAF_CHECK(drawdown_reached(100'000 * unit, 90'000 * unit, 100'000));
  CAF_CHECK(!drawdown_reached(100'000 * unit, 90'000 * unit + 1, 100'000));
  CAF_CHECK(drawdown_reached(100'000 * unit, 90'000 * unit - 1, 100'000));
  // No limit, no peak.
  CAF_CHECK(!drawdown_reached(100'000 * unit, 0, 0));
  CAF_CHECK(!drawdown_reached(0, -5 * unit, 100'000));
}

CAF_TEST(drawdown arithmetic does not wrap at the ends of 64 bits) {
  auto max = std::numeric_limits<int64_t>::max();
  auto min = std::numeric_limits<int64_t>::min();
  CAF_CHECK(drawdown_reached(max, min, 999'999));
  CAF_CHECK(!drawdown_reached(max, max, 1));
  // One millionth of the peak, rounded down, is just short of the limit.
  CAF_CHECK(!drawdown_reached(max, max - max / 1'000'000, 1));
  CAF_CHECK(drawdown_reached(max, max - max / 1'000'000 - 1, 1));
}

CAF_TEST(a daily loss trips exactly at the limit) {
  CAF_CHECK(daily_loss_reached(100 * unit, 50 * unit, 50 * unit));
  CAF_CHECK(!daily_loss_reached(100 * unit, 50 * unit + 1, 50 * unit));
  CAF_CHECK(!daily_loss_reached(100 * unit, 200 * unit, 50 * unit));
  CAF_CHECK(!daily_loss_reached(100 * unit, 0, 0));
  auto max = std::numeric_limits<int64_t>::max();
  auto min = std::numeric_limits<int64_t>::min();
  CAF_CHECK(daily_loss_reached(max, min, max));
}

// -- the mode ---------------------------------------------------------------------

CAF_TEST(a new day opens at its first quote and forgets the loss before) {
  trading_mode m{{0, 100 * unit}};
  CAF_CHECK(!m.observe(10, 1000 * unit));
  // 99 lost today: not yet.
  CAF_CHECK(!m.observe(20, 901 * unit));
  // Next day opens at 901: the same equity is no loss.
  CAF_CHECK(!m.observe(day_ms + 5, 901 * unit));
  CAF_CHECK_EQUAL(m.day_open_micros(), 901 * unit);
  // A late quote of yesterday does not reopen yesterday.
  CAF_CHECK(!m.observe(30, 850 * unit));
  CAF_CHECK_EQUAL(m.day_open_micros(), 901 * unit);
  auto why = m.observe(day_ms + 6, 801 * unit);
  CAF_REQUIRE(why);
  CAF_CHECK_EQUAL(m.kind(), mode_kind::halted);
  CAF_CHECK(m.risk_tripped());
  CAF_CHECK_EQUAL(why->rfind("max_daily_loss: ", 0), 0u);
}

CAF_TEST(the drawdown limit halts once and resume starts the peak over) {
  trading_mode m{{100'000, 0}};
  CAF_CHECK(!m.observe(1, 1000 * unit));
  CAF_CHECK(!m.observe(2, 1200 * unit));
  CAF_CHECK_EQUAL(m.peak_micros(), 1200 * unit);
  auto why = m.observe(3, 1080 * unit);
  CAF_REQUIRE(why);
  CAF_CHECK_EQUAL(*why, "max_drawdown: equity 1080 is 120 below the peak "
                        "1200 (limit 0.1 of the peak)");
  // Halted: nothing trips again.
  CAF_CHECK(!m.observe(4, 10 * unit));
  CAF_CHECK(m.set(mode_kind::normal, ""));
  CAF_CHECK_EQUAL(m.reason(), "");
  CAF_CHECK(!m.risk_tripped());
  CAF_CHECK(!m.observe(5, 10 * unit));
  CAF_CHECK_EQUAL(m.peak_micros(), 10 * unit);
}

CAF_TEST(watermarks restored from an earlier process go on counting) {
  trading_mode before{{100'000, 100 * unit}};
  CAF_CHECK(!before.marks());
  CAF_CHECK(!before.observe(10, 1000 * unit));
  CAF_CHECK(!before.observe(20, 1200 * unit));
  auto saved = before.marks();
  CAF_REQUIRE(saved);
  CAF_CHECK_EQUAL(saved->peak_micros, 1200 * unit);
  CAF_CHECK_EQUAL(saved->day, 0);
  CAF_CHECK_EQUAL(saved->day_open_micros, 1000 * unit);
  // A new process: its first quote counts against the saved peak (10 %
  // below it) and the saved day's opening.
  trading_mode after{{100'000, 100 * unit}};
  after.restore_marks(*saved);
  auto why = after.observe(30, 1080 * unit);
  CAF_REQUIRE(why);
  CAF_CHECK_EQUAL(why->rfind("max_drawdown: ", 0), 0u);
  // The daily loss too: 100 below the day's opening of 1000.
  trading_mode daily{{0, 100 * unit}};
  daily.restore_marks(*saved);
  CAF_CHECK(daily.observe(40, 900 * unit));
  // Resuming starts them over: none until the next quote.
  CAF_CHECK(after.set(mode_kind::normal, ""));
  CAF_CHECK(!after.marks());
}

CAF_TEST(setting the same operator mode twice changes nothing) {
  trading_mode m;
  CAF_CHECK(!m.set(mode_kind::normal, ""));
  CAF_CHECK(m.set(mode_kind::halted, "operator"));
  CAF_CHECK(!m.set(mode_kind::halted, "operator"));
  CAF_CHECK(m.set(mode_kind::reduce_only, "operator"));
  CAF_CHECK_EQUAL(m.kind(), mode_kind::reduce_only);
}

// -- the portfolio under control --------------------------------------------------

CAF_TEST(halted refuses every signal as halted and counts it) {
  portfolio pf{fixed_qty(10)};
  pf.on_quote(make_quote("X", 100, 1));
  CAF_CHECK(pf.set_mode(mode_kind::halted, "operator"));
  auto out = pf.on_signal(make_signal("a", side::buy, 100));
  CAF_REQUIRE(std::holds_alternative<refusal_reason>(out));
  CAF_CHECK_EQUAL(to_string(std::get<refusal_reason>(out)), "halted");
  CAF_CHECK_EQUAL(refused(pf, refusal_reason::halted), 1u);
  CAF_CHECK_EQUAL(pf.counters().orders, 0u);
  pf.set_mode(mode_kind::normal, "");
  CAF_CHECK(std::holds_alternative<order>(
    pf.on_signal(make_signal("a", side::buy, 100))));
}

CAF_TEST(reduce only cuts a sell to the holding and refuses what grows it) {
  portfolio pf{fixed_qty(10, true)};
  pf.on_quote(make_quote("X", 100, 1));
  CAF_REQUIRE(std::holds_alternative<order>(
    pf.on_signal(make_signal("a", side::buy, 100))));
  pf.set_mode(mode_kind::reduce_only, "operator");
  // Another buy would grow the long.
  auto grow = pf.on_signal(make_signal("a", side::buy, 100));
  CAF_REQUIRE(std::holds_alternative<refusal_reason>(grow));
  CAF_CHECK_EQUAL(refused(pf, refusal_reason::reduce_only), 1u);
  // With shorting on, a sell of 10 is allowed: exactly the holding.
  auto sell = pf.on_signal(make_signal("a", side::sell, 100));
  CAF_REQUIRE(std::holds_alternative<order>(sell));
  CAF_CHECK_EQUAL(std::get<order>(sell).qty, 10);
  // Flat now: a further sell would open a short.
  auto again = pf.on_signal(make_signal("a", side::sell, 100));
  CAF_CHECK(std::holds_alternative<refusal_reason>(again));
  CAF_CHECK_EQUAL(refused(pf, refusal_reason::reduce_only), 2u);
}

CAF_TEST(reduce only lets a buy cover a short but not flip it) {
  portfolio pf{fixed_qty(10, true)};
  pf.on_quote(make_quote("X", 100, 1));
  CAF_REQUIRE(std::holds_alternative<order>(
    pf.on_signal(make_signal("a", side::sell, 100))));
  CAF_CHECK_EQUAL(pf.positions().holding("a", "X").qty, -10);
  pf.set_mode(mode_kind::reduce_only, "operator");
  auto cover = pf.on_signal(make_signal("a", side::buy, 100));
  CAF_REQUIRE(std::holds_alternative<order>(cover));
  CAF_CHECK_EQUAL(std::get<order>(cover).qty, 10);
  CAF_CHECK_EQUAL(pf.positions().holding("a", "X").qty, 0);
}

CAF_TEST(flatten closes one strategy at the next quote of its symbol) {
  portfolio pf{fixed_qty(10)};
  pf.on_quote(make_quote("X", 100, 1));
  CAF_REQUIRE(std::holds_alternative<order>(
    pf.on_signal(make_signal("a", side::buy, 100))));
  CAF_REQUIRE(std::holds_alternative<order>(
    pf.on_signal(make_signal("b", side::buy, 100))));
  CAF_CHECK_EQUAL(pf.request_flatten("a"), 1u);
  // A quote of another symbol closes nothing.
  pf.on_quote(make_quote("Y", 5, 2));
  auto none = pf.after_quote(make_quote("Y", 5, 2));
  CAF_CHECK(none.orders.empty());
  CAF_CHECK(none.flattened.empty());
  auto q = make_quote("X", 110, 3);
  pf.on_quote(q);
  auto out = pf.after_quote(q);
  CAF_REQUIRE_EQUAL(out.orders.size(), 1u);
  CAF_CHECK_EQUAL(out.orders[0].strategy, "a");
  CAF_CHECK_EQUAL(out.orders[0].direction, side::sell);
  CAF_CHECK_EQUAL(out.orders[0].qty, 10);
  CAF_CHECK_EQUAL(out.orders[0].price_micros, 110 * unit);
  CAF_REQUIRE_EQUAL(out.flattened.size(), 1u);
  CAF_CHECK_EQUAL(out.flattened[0], "a");
  CAF_CHECK_EQUAL(pf.positions().holding("a", "X").qty, 0);
  CAF_CHECK_EQUAL(pf.positions().holding("b", "X").qty, 10);
  CAF_CHECK(!pf.mode().flatten_pending());
}

CAF_TEST(flatten of everything closes a short with a buy) {
  portfolio pf{fixed_qty(5, true)};
  pf.on_quote(make_quote("X", 100, 1));
  CAF_REQUIRE(std::holds_alternative<order>(
    pf.on_signal(make_signal("a", side::sell, 100))));
  pf.request_flatten("");
  auto q = make_quote("X", 90, 2);
  pf.on_quote(q);
  auto out = pf.after_quote(q);
  CAF_REQUIRE_EQUAL(out.orders.size(), 1u);
  CAF_CHECK_EQUAL(out.orders[0].direction, side::buy);
  CAF_CHECK_EQUAL(out.orders[0].qty, 5);
  CAF_CHECK(pf.positions().net_positions().empty());
  CAF_CHECK_EQUAL(out.flattened, std::vector<std::string>{""});
}

CAF_TEST(a risk halt refuses signals as risk_halt until resumed) {
  auto cfg = fixed_qty(100);
  cfg.risk.halt.max_drawdown_ppm = 50'000; // 5%
  portfolio pf{cfg};
  auto q1 = make_quote("X", 100, 1);
  pf.on_quote(q1);
  CAF_CHECK(!pf.after_quote(q1).tripped);
  CAF_REQUIRE(std::holds_alternative<order>(
    pf.on_signal(make_signal("a", side::buy, 100))));
  // 100 units lose 50 each: 5000 of 100000 is exactly 5%.
  auto q2 = make_quote("X", 50, 2);
  pf.on_quote(q2);
  auto out = pf.after_quote(q2);
  CAF_REQUIRE(out.tripped);
  CAF_CHECK_EQUAL(pf.mode().kind(), mode_kind::halted);
  auto sig = pf.on_signal(make_signal("a", side::sell, 50));
  CAF_REQUIRE(std::holds_alternative<refusal_reason>(sig));
  CAF_CHECK_EQUAL(to_string(std::get<refusal_reason>(sig)), "risk_halt");
  pf.set_mode(mode_kind::normal, "");
  CAF_CHECK(std::holds_alternative<order>(
    pf.on_signal(make_signal("a", side::sell, 50))));
}
