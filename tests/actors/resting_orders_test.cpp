#define CAF_SUITE actors.resting_orders
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"

#include <memory>
#include <string>
#include <vector>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <nlohmann/json.hpp>

#include "actors/portfolio.hpp"

// The portfolio actor with a strategy that places limit orders: the records
// of a resting order reach the order log after what caused them, stamped
// with their quote's input position; inspect lists open orders; a restart
// from the journal's records fills a still open order once.

using namespace intuition;
using namespace intuition::actors;

namespace {

int64_t units(int64_t x) {
  return x * trading::micros_per_unit;
}

trading::quote make_quote(int64_t price, uint64_t seq) {
  trading::quote q{"DAX", units(price), 1000 + static_cast<int64_t>(seq), seq};
  q.input_pos = 100 + seq;
  return q;
}

trading::signal buy(const trading::quote& q) {
  return {"lim",   q.symbol, trading::side::buy, 1.0, q.price_micros,
          q.ts_ms, q.seq};
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

  /// A portfolio buying 10 shares a signal of strategy `lim` with a gtc
  /// limit 100 bps below the signal's price.
  void start(std::vector<trading::order> restored = {}) {
    trading::portfolio_config cfg;
    cfg.sizing.kind = trading::sizing_kind::fixed_quantity;
    cfg.sizing.qty = 10;
    trading::order_spec spec;
    spec.type = trading::order_type::limit;
    spec.offset_bps = 100;
    cfg.order_specs.emplace("lim", spec);
    log = sys.spawn(testing::stand_in_log, logged);
    pf = sys.spawn(portfolio, cfg, trading::report_config{},
                   std::move(restored), log);
    run();
  }

  /// The records of the last order batch.
  const std::vector<trading::order>& last() const {
    return logged->back().orders;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(resting_orders_tests, fixture)

CAF_TEST(a resting order is logged when placed and again when filled) {
  start();
  auto q1 = make_quote(100, 1);
  self->send(pf, market_batch{{q1}, {buy(q1)}});
  expect((market_batch), from(self).to(pf));
  expect((order_batch), from(pf).to(log));
  CAF_CHECK_EQUAL(drained(), 0u);
  CAF_REQUIRE_EQUAL(last().size(), 1u);
  CAF_CHECK(last()[0].kind == trading::record_kind::placed);
  CAF_CHECK_EQUAL(last()[0].input_pos, 101u);
  CAF_CHECK_EQUAL(last()[0].limit_micros, units(99));
  auto summary = nlohmann::json::parse(state_of(pf).summary_json);
  CAF_CHECK_EQUAL(summary["open_orders"]["count"], 1);
  CAF_CHECK_EQUAL(summary["open_orders"]["first"][0]["limit"], "99");
  CAF_CHECK_EQUAL(summary["open_orders"]["first"][0]["type"], "limit");
  auto q2 = make_quote(98, 2);
  self->send(pf, market_batch{{q2}, {}});
  expect((market_batch), from(self).to(pf));
  expect((order_batch), from(pf).to(log));
  // The answer counts fills: the resting order's fill is one.
  CAF_CHECK_EQUAL(drained(), 1u);
  CAF_REQUIRE_EQUAL(last().size(), 1u);
  CAF_CHECK(last()[0].kind == trading::record_kind::fill);
  CAF_CHECK_EQUAL(last()[0].ref, 1u);
  CAF_CHECK_EQUAL(last()[0].price_micros, units(99));
  CAF_CHECK_EQUAL(last()[0].input_pos, 102u);
  summary = nlohmann::json::parse(state_of(pf).summary_json);
  CAF_CHECK_EQUAL(summary["open_orders"]["count"], 0);
  CAF_CHECK_EQUAL(state_of(pf).counters["orders_placed"], 1);
}

CAF_TEST(a restarted portfolio fills the restored open order once) {
  trading::order placed;
  placed.seq = 1;
  placed.id = 1;
  placed.ts_ms = 1001;
  placed.strategy = "lim";
  placed.symbol = "DAX";
  placed.qty = 10;
  placed.price_micros = units(100);
  placed.kind = trading::record_kind::placed;
  placed.ref = 1;
  placed.type = trading::order_type::limit;
  placed.limit_micros = units(99);
  placed.input_pos = 101;
  start({placed});
  auto summary = nlohmann::json::parse(state_of(pf).summary_json);
  CAF_CHECK_EQUAL(summary["open_orders"]["count"], 1);
  auto q2 = make_quote(99, 2);
  auto q3 = make_quote(97, 3);
  self->send(pf, market_batch{{q2, q3}, {}});
  expect((market_batch), from(self).to(pf));
  expect((order_batch), from(pf).to(log));
  CAF_REQUIRE_EQUAL(last().size(), 1u);
  CAF_CHECK(last()[0].kind == trading::record_kind::fill);
  CAF_CHECK_EQUAL(last()[0].ref, 1u);
  CAF_CHECK_EQUAL(last()[0].input_pos, 102u);
}

CAF_TEST(order records cross nodes with their kind and reference) {
  trading::order x;
  x.kind = trading::record_kind::cancelled;
  x.ref = 7;
  x.type = trading::order_type::stop_limit;
  x.tif = trading::time_in_force::day;
  x.limit_micros = 5;
  x.stop_micros = 6;
  x.reason = "halt";
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  CAF_REQUIRE(!sink(x));
  trading::order y;
  caf::binary_deserializer source{sys, buf};
  CAF_REQUIRE(!source(y));
  CAF_CHECK(y == x);
}

CAF_TEST_FIXTURE_SCOPE_END()
