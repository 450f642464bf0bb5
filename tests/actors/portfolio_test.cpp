#define CAF_SUITE actors.portfolio
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "actors/portfolio.hpp"
#include "trading/decimal.hpp"
#include "trading/risk_file.hpp"

// The portfolio actor in front of a stand-in order log that records what
// reaches it. Sizing, risk and fills are `trading::portfolio`'s
// (trading.portfolio, trading.risk, trading.sizing); here it is what the
// actor makes of a market batch: fills in quote order, one order batch per
// market batch, the replayed tail not filled twice, latency, counters.

using namespace intuition;
using namespace intuition::actors;

namespace {

int64_t units(int64_t x) {
  return x * trading::micros_per_unit;
}

trading::quote make_quote(std::string symbol, int64_t price, uint64_t seq,
                          uint64_t input_pos = 0, int64_t received_ns = 0) {
  trading::quote q{std::move(symbol), units(price),
                   1000 + static_cast<int64_t>(seq), seq};
  q.input_pos = input_pos;
  q.received_ns = received_ns;
  return q;
}

trading::signal buy(std::string strategy, const trading::quote& q) {
  return {std::move(strategy),
          q.symbol,
          trading::side::buy,
          1.0,
          q.price_micros,
          q.ts_ms,
          q.seq};
}

/// Journal record 1: strategy `a` bought 10 DAX at 100 on the quote of
/// `ts_ms`, which came from input position `input_pos`.
trading::order held_order(int64_t ts_ms, uint64_t input_pos) {
  trading::order x;
  x.seq = 1;
  x.id = 1;
  x.ts_ms = ts_ms;
  x.strategy = "a";
  x.symbol = "DAX";
  x.qty = 10;
  x.price_micros = units(100);
  x.input_pos = input_pos;
  return x;
}

struct fixture : testing::actor_fixture {
  std::shared_ptr<std::vector<order_batch>> logged
    = std::make_shared<std::vector<order_batch>>();
  order_log_actor log;
  portfolio_actor pf;

  ~fixture() {
    anon_send_exit(pf, caf::exit_reason::user_shutdown);
    anon_send_exit(log, caf::exit_reason::user_shutdown);
    run();
  }

  /// A portfolio of `cash` units buying `qty` shares a signal.
  void start(int64_t cash, int64_t qty,
             std::vector<trading::order> restored = {},
             uint64_t input_watermark = 0) {
    trading::portfolio_config cfg;
    cfg.starting_cash_micros = units(cash);
    cfg.sizing.kind = trading::sizing_kind::fixed_quantity;
    cfg.sizing.qty = qty;
    cfg.input_watermark = input_watermark;
    log = sys.spawn(testing::stand_in_log, logged);
    pf = sys.spawn(portfolio, cfg, trading::report_config{},
                   std::move(restored), log);
    run();
  }

  /// Sends `batch` and returns the portfolio's answer.
  uint64_t trade(market_batch batch) {
    self->send(pf, std::move(batch));
    run();
    return drained();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(portfolio_tests, fixture)

CAF_TEST(signals are filled in quote order and logged as one batch) {
  start(10'000, 10);
  auto dax = make_quote("DAX", 100, 1, 11);
  auto smi = make_quote("SMI", 200, 2, 12);
  self->send(pf, market_batch{{dax, smi}, {buy("a", dax), buy("b", smi)}});
  expect((market_batch), from(self).to(pf));
  expect((order_batch), from(pf).to(log));
  CAF_CHECK_EQUAL(drained(), 2u);
  CAF_REQUIRE_EQUAL(logged->size(), 1u);
  const auto& orders = logged->front().orders;
  CAF_REQUIRE_EQUAL(orders.size(), 2u);
  CAF_CHECK_EQUAL(orders[0].symbol, "DAX");
  CAF_CHECK_EQUAL(orders[0].strategy, "a");
  CAF_CHECK_EQUAL(orders[0].price_micros, units(100));
  CAF_CHECK_EQUAL(orders[0].input_pos, 11u);
  CAF_CHECK_EQUAL(orders[1].symbol, "SMI");
  CAF_CHECK_EQUAL(orders[1].input_pos, 12u);
  CAF_CHECK_EQUAL(logged->front().input_through, 12u);
}

CAF_TEST(the answer counts every order filled so far) {
  start(10'000, 1);
  auto q1 = make_quote("DAX", 100, 1);
  auto q2 = make_quote("DAX", 101, 2);
  CAF_CHECK_EQUAL(trade({{q1}, {buy("a", q1)}}), 1u);
  CAF_CHECK_EQUAL(trade({{q2}, {buy("a", q2), buy("b", q2)}}), 3u);
}

CAF_TEST(a batch without orders still tells the log how far the input went) {
  start(10'000, 1);
  CAF_CHECK_EQUAL(
    trade({{make_quote("DAX", 100, 1, 7), make_quote("DAX", 101, 2, 8)}, {}}),
    0u);
  CAF_REQUIRE_EQUAL(logged->size(), 1u);
  CAF_CHECK(logged->front().orders.empty());
  CAF_CHECK_EQUAL(logged->front().input_through, 8u);
  // Replayed history (no input positions, no orders) costs the log nothing.
  trade({{make_quote("DAX", 102, 3)}, {}});
  CAF_CHECK_EQUAL(logged->size(), 1u);
}

CAF_TEST(a signal whose order the journal already holds is not filled again) {
  // The journal holds a's order for the quote at input position 5, past
  // the watermark 4: a restart replays that quote, and b's signal on it is
  // new while a's is not.
  start(10'000, 10, {held_order(1001, 5)}, 4);
  auto q = make_quote("DAX", 100, 1, 5);
  CAF_CHECK_EQUAL(trade({{q}, {buy("a", q), buy("b", q)}}), 1u);
  CAF_REQUIRE_EQUAL(logged->size(), 1u);
  CAF_REQUIRE_EQUAL(logged->front().orders.size(), 1u);
  CAF_CHECK_EQUAL(logged->front().orders.front().strategy, "b");
  auto st = state_of(pf);
  CAF_CHECK_EQUAL(st.counters["already_journaled"], 1);
  CAF_CHECK_EQUAL(st.counters["restored_orders"], 1);
}

CAF_TEST(a refused signal makes no order and is counted by reason) {
  start(1'000, 100); // 100 shares at 100 cost ten times the cash
  auto q = make_quote("DAX", 100, 1);
  CAF_CHECK_EQUAL(trade({{q}, {buy("a", q)}}), 0u);
  CAF_CHECK(logged->empty());
  auto st = state_of(pf);
  CAF_CHECK_EQUAL(st.counters["signals"], 1);
  CAF_CHECK_EQUAL(st.counters["orders"], 0);
  bool found = false;
  for (const auto& m : st.metrics)
    if (m.name == "intuition_risk_refusals_total"
        && m.labels == actors::metric_labels{{"reason", "insufficient_cash"}}) {
      CAF_CHECK_EQUAL(m.value, 1.0);
      found = true;
    }
  CAF_CHECK(found);
}

CAF_TEST(only live quotes are timed from receipt to fill) {
  start(10'000, 1);
  auto live = make_quote("DAX", 100, 1, 1, 1); // received at the clock's start
  auto history = make_quote("SMI", 100, 2);
  trade({{live, history}, {buy("a", live), buy("a", history)}});
  auto summary = nlohmann::json::parse(state_of(pf).summary_json);
  CAF_CHECK_EQUAL(summary["tick_to_order"]["count"].get<uint64_t>(), 1u);
}

CAF_TEST(the state says when the portfolio last marked a quote) {
  start(10'000, 1);
  auto at = [&] {
    auto summary = nlohmann::json::parse(state_of(pf).summary_json);
    return summary["last_quote_at_ms"].get<int64_t>();
  };
  CAF_CHECK_EQUAL(at(), 0);
  auto wall_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
  };
  auto before = wall_ms();
  trade({{make_quote("DAX", 100, 1)}, {}});
  auto after = wall_ms();
  CAF_CHECK_GREATER_OR_EQUAL(at(), before);
  CAF_CHECK_LESS_OR_EQUAL(at(), after);
}

CAF_TEST(the drawdown peak survives a restart through the risk file) {
  auto path = (std::filesystem::temp_directory_path()
               / ("intuition-risk-" + std::to_string(::getpid()) + ".risk"))
                .string();
  std::remove(path.c_str());
  // Halt 10 % below the peak; 10 shares a buy.
  auto spawn_with
    = [&](std::optional<trading::risk_marks> marks,
          std::vector<trading::order> restored, bool limits = true) {
        trading::portfolio_config cfg;
        cfg.starting_cash_micros = units(100'000);
        cfg.sizing.kind = trading::sizing_kind::fixed_quantity;
        cfg.sizing.qty = 10;
        cfg.risk.halt.max_drawdown_ppm = limits ? 100'000 : 0;
        portfolio_control control;
        control.risk_path = path;
        control.risk_marks = marks;
        log = sys.spawn(testing::stand_in_log, logged);
        pf = sys.spawn(controlled_portfolio, cfg, trading::report_config{},
                       std::move(restored), log, std::move(control));
        run();
      };
  auto stop = [&] {
    anon_send_exit(pf, caf::exit_reason::user_shutdown);
    anon_send_exit(log, caf::exit_reason::user_shutdown);
    run();
  };
  auto mode = [&] {
    return nlohmann::json::parse(state_of(pf).summary_json)["mode"]
      .get<std::string>();
  };
  spawn_with(std::nullopt, {});
  // 10 at 100, then 10 more at 1,100: equity 110,000 at the peak.
  auto q1 = make_quote("DAX", 100, 1);
  trade(market_batch{{q1}, {buy("a", q1)}});
  auto q2 = make_quote("DAX", 1'100, 2);
  trade(market_batch{{q2}, {buy("a", q2)}});
  stop();
  auto saved = trading::read_risk_file(path);
  CAF_REQUIRE(saved && *saved);
  CAF_CHECK_EQUAL((*saved)->peak_micros, units(110'000));
  std::vector<trading::order> journal;
  for (const auto& b : *logged)
    journal.insert(journal.end(), b.orders.begin(), b.orders.end());
  CAF_REQUIRE_EQUAL(journal.size(), 2u);
  // At 500 the 20 shares leave 98,000: 10.9 % below the saved peak, so the
  // restarted portfolio halts at its first quote.
  spawn_with(*saved, journal);
  trade(market_batch{{make_quote("DAX", 500, 3)}, {}});
  CAF_CHECK_EQUAL(mode(), "halted");
  // The state shows what the limits measure from.
  auto marks = nlohmann::json::parse(state_of(pf).summary_json)["risk_marks"];
  CAF_CHECK_EQUAL(marks["peak"].get<double>(), 110'000.0);
  CAF_CHECK_EQUAL(marks["day_open"].get<double>(), 100'000.0);
  stop();
  // Started from scratch, the same quote would have been its first peak.
  std::remove(path.c_str());
  spawn_with(std::nullopt, journal);
  trade(market_batch{{make_quote("DAX", 500, 3)}, {}});
  CAF_CHECK_EQUAL(mode(), "normal");
  stop();
  // Without limits the marks are not kept: a file left from a run with
  // limits goes, so that turning them on again starts them over.
  CAF_REQUIRE(trading::write_risk_file(path, *saved));
  spawn_with(*saved, journal, false);
  CAF_CHECK(!std::filesystem::exists(path));
  trade(market_batch{{make_quote("DAX", 500, 3)}, {}});
  stop();
  CAF_CHECK(!std::filesystem::exists(path));
}

CAF_TEST(the report continues from the restored book) {
  start(10'000, 10, {held_order(1000, 0)});
  self->send(pf, report_atom_v);
  run();
  trading::run_report report;
  self->receive([&](trading::run_report& x) { report = std::move(x); },
                [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_CHECK_EQUAL(report.restored_orders, 1u);
  CAF_CHECK_EQUAL(trading::to_json(report)["restored_orders"].get<uint64_t>(),
                  1u);
  CAF_CHECK_EQUAL(state_of(pf).counters["orders"], 0);
}

CAF_TEST(the report crosses nodes unchanged) {
  trading::run_report full;
  full.portfolio.counters.quotes = 7;
  full.portfolio.counters.refusals[1] = 2;
  full.portfolio.cash_micros = -5;
  full.portfolio.positions["DAX"] = {3, 100, 300};
  full.portfolio.holdings.push_back({"s", "DAX", 3, 90, 30});
  full.portfolio.strategies["s"] = {1, 2, 3, 4, 5};
  full.session.sharpe = 1.25;
  full.equity_curve = {{1, 2}, {3, 4}};
  full.tick_to_order = {1, 2, 3, 4};
  full.run.mode = "run";
  full.run.rejected[2] = 9;
  full.run.ingress = trading::ingress_report{
    {{"messages", 4}}, {}, trading::input_log_figures{1, 2, 3, 4}};
  full.run.mqtt_out = std::map<std::string, int64_t>{{"confirmed", 5}};
  full.run.unconfirmed_orders = 6;
  trading::run_report bare;
  bare.session.sharpe_missing = "not measured";
  for (const auto& x : {full, bare}) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    CAF_REQUIRE(!sink(x));
    // Loading over a report with every optional part set clears the ones
    // the original lacks.
    auto y = full;
    caf::binary_deserializer source{sys, buf};
    CAF_REQUIRE(!source(y));
    CAF_CHECK(y == x);
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
