#define CAF_SUITE actors.pipeline
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"
#include "../file_size_limit.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "actors/messages.hpp"
#include "actors/order_log.hpp"
#include "actors/portfolio.hpp"
#include "actors/quote_router.hpp"
#include "trading/decimal.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::actors;
using trading::quote;

namespace {

quote make_quote(std::string symbol, const char* price, int64_t ts) {
  return {std::move(symbol), *trading::parse_decimal_micros(price), ts, 0};
}

struct fixture : testing::actor_fixture {
  std::string dir;
  std::string path;
  order_log_actor log;
  portfolio_actor pf;
  quote_router_actor router;
  /// Every instance the router placed, in placement order.
  std::shared_ptr<std::vector<algorithm_actor>> placed
    = std::make_shared<std::vector<algorithm_actor>>();

  fixture() {
    char tmpl[] = "/tmp/intuition-actors-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/orders.journal";
  }

  ~fixture() {
    anon_send_exit(router, caf::exit_reason::user_shutdown);
    anon_send_exit(pf, caf::exit_reason::user_shutdown);
    anon_send_exit(log, caf::exit_reason::user_shutdown);
    run();
    std::string cmd = "rm -rf " + dir;
    CAF_CHECK_EQUAL(std::system(cmd.c_str()), 0);
  }

  /// Spawns order log, portfolio and router over the journal at `path`.
  void start(std::vector<strategy_route> routes, route_limits limits = {}) {
    auto contents = trading::read_journal(path).value();
    auto writer = std::make_shared<trading::journal_writer>();
    CAF_REQUIRE(writer->open(path, contents));
    log = sys.spawn(order_log, writer,
                    order_log_config{trading::fsync_policy::always, {}, {}});
    trading::portfolio_config pc;
    pc.starting_cash_micros = 10'000 * trading::micros_per_unit;
    pc.sizing.kind = trading::sizing_kind::fixed_quantity;
    pc.sizing.qty = 10;
    pf = sys.spawn(portfolio, pc, trading::report_config{},
                   std::move(contents.orders), log);
    // Local placement, remembered so the test can address each instance.
    auto record
      = [placed = placed](caf::actor_system& sys, const algorithm_spec& spec) {
          auto handle = local_placement()(sys, spec);
          placed->push_back(handle);
          return handle;
        };
    router_options opts;
    opts.limits = limits;
    router = sys.spawn(quote_router, std::move(routes), record, pf,
                       order_publisher_actor{}, std::move(opts));
    run();
  }
};

strategy_route buy_and_hold_everywhere() {
  return {"hold", "buy_and_hold", "{}", {}};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(pipeline_tests, fixture)

CAF_TEST(a quote travels router to algorithm to portfolio to journal) {
  start({buy_and_hold_everywhere()});
  self->send(router, quote_batch{{make_quote("DAX", "100", 1000),
                                  make_quote("SMI", "200", 1000)}});
  expect((quote_batch), from(self).to(router));
  // One instance per symbol, spawned on first sight; each gets its part of
  // the batch as one message and answers it with one message.
  CAF_REQUIRE_EQUAL(placed->size(), 2u);
  auto dax_algo = placed->at(0);
  auto smi_algo = placed->at(1);
  expect((quote_part), from(router).to(dax_algo));
  expect((quote_part), from(router).to(smi_algo));
  expect((part_result), from(dax_algo).to(router));
  expect((part_result), from(smi_algo).to(router));
  // Both signals reach the portfolio in quote order, with their quotes.
  expect((market_batch), from(router).to(pf));
  trading::order dax;
  dax.ts_ms = 1000;
  dax.strategy = "hold";
  dax.symbol = "DAX";
  dax.qty = 10;
  dax.price_micros = 100 * trading::micros_per_unit;
  auto smi = dax;
  smi.symbol = "SMI";
  smi.price_micros = 200 * trading::micros_per_unit;
  expect((order_batch), from(pf).to(log).with(order_batch{{dax, smi}}));
  expect((uint64_t), from(pf).to(router).with(uint64_t{2}));
  expect((uint64_t), from(router).to(self).with(uint64_t{2}));
  // The journal holds both orders, numbered from 1.
  auto read = trading::read_journal(path);
  auto& contents = read.value();
  CAF_REQUIRE_EQUAL(contents.orders.size(), 2u);
  CAF_CHECK_EQUAL(contents.orders[0].id, 1u);
  CAF_CHECK_EQUAL(contents.orders[0].symbol, "DAX");
  CAF_CHECK_EQUAL(contents.orders[1].id, 2u);
  CAF_CHECK_EQUAL(contents.orders[1].symbol, "SMI");
  auto st = state_of(caf::actor_cast<caf::actor>(log));
  CAF_CHECK_EQUAL(st.counters["durable"], 2);
}

CAF_TEST(
  a journal that cannot be written halts trading and no order is filled after) {
  start({buy_and_hold_everywhere()});
  // A full disk: the journal (empty so far) may not grow.
  fault::file_size_limit full{0};
  self->send(router, quote_batch{{make_quote("DAX", "100", 1000)}});
  expect((quote_batch), from(self).to(router));
  CAF_REQUIRE_EQUAL(placed->size(), 1u);
  auto dax_algo = placed->at(0);
  expect((quote_part), from(router).to(dax_algo));
  expect((part_result), from(dax_algo).to(router));
  expect((market_batch), from(router).to(pf));
  // The fill was made before anyone knew; the journal refuses it and the
  // order log tells the portfolio at once.
  expect((order_batch), from(pf).to(log));
  expect((halt_atom, std::string, std::string),
         from(log).to(pf).with(halt_atom_v, std::string{"journal"},
                               "journal " + path
                                 + ": write failed: File too large"));
  expect((uint64_t), from(pf).to(router).with(uint64_t{1}));
  expect((uint64_t), from(router).to(self).with(uint64_t{1}));
  // A new symbol buys, but the halted portfolio fills nothing: no order
  // reaches the order log, and the answer still counts one.
  self->send(router, quote_batch{{make_quote("SMI", "200", 2000)}});
  expect((quote_batch), from(self).to(router));
  CAF_REQUIRE_EQUAL(placed->size(), 2u);
  auto smi_algo = placed->at(1);
  expect((quote_part), from(router).to(smi_algo));
  expect((part_result), from(smi_algo).to(router));
  expect((market_batch), from(router).to(pf));
  disallow((order_batch), from(pf).to(log));
  expect((uint64_t), from(pf).to(router).with(uint64_t{1}));
  expect((uint64_t), from(router).to(self).with(uint64_t{1}));
  auto pst = state_of(caf::actor_cast<caf::actor>(pf));
  CAF_CHECK_EQUAL(pst.counters["orders"], 1);
  CAF_CHECK_EQUAL(pst.counters["halted_signals"], 1);
  CAF_CHECK_EQUAL(pst.counters["halted_quotes"], 1);
  CAF_CHECK(nlohmann::json::parse(pst.summary_json)["halted"] == "journal");
  auto lst = state_of(caf::actor_cast<caf::actor>(log));
  CAF_CHECK_EQUAL(lst.counters["durable"], 0);
  CAF_CHECK_EQUAL(lst.counters["refused"], 1);
  auto read = trading::read_journal(path);
  CAF_CHECK(read.value().orders.empty());
}

CAF_TEST(the router spawns instances only for strategies that trade the symbol) {
  start(
    {{"dax_only", "buy_and_hold", "{}", {"DAX"}}, buy_and_hold_everywhere()});
  self->send(router, quote_batch{{make_quote("DAX", "100", 1),
                                  make_quote("SMI", "200", 1),
                                  make_quote("DAX", "101", 2)}});
  run();
  auto st = state_of(caf::actor_cast<caf::actor>(router));
  CAF_CHECK_EQUAL(st.counters["placements"], 3);
  CAF_CHECK_EQUAL(st.counters["quotes"], 3);
  auto pst = state_of(caf::actor_cast<caf::actor>(pf));
  // buy_and_hold buys once per instance: DAX twice (two strategies), SMI once.
  CAF_CHECK_EQUAL(pst.counters["signals"], 3);
  CAF_CHECK_EQUAL(pst.counters["orders"], 3);
  CAF_CHECK_EQUAL(pst.counters["quotes"], 3);
}

CAF_TEST(a quote reaches only the strategies whose channels match its topic) {
  // a asked for quotes/+ and b for $share/g1/ticks; the ingress sent GOOG
  // from quotes/GOOG (set 1: a) and MSFT from ticks (set 2: b).
  start({{"a", "buy_and_hold", "{}", {}}, {"b", "buy_and_hold", "{}", {}}});
  auto goog = make_quote("GOOG", "100", 1);
  goog.channel = 1;
  auto msft = make_quote("MSFT", "200", 1);
  msft.channel = 2;
  quote_batch batch{{goog, msft}};
  batch.channel_sets = {{1, {"a"}}, {2, {"b"}}};
  self->send(router, batch);
  expect((quote_batch), from(self).to(router));
  CAF_REQUIRE_EQUAL(placed->size(), 2u);
  expect((quote_part), from(router).to(placed->at(0)));
  expect((quote_part), from(router).to(placed->at(1)));
  run();
  auto read = trading::read_journal(path);
  auto& contents = read.value();
  CAF_REQUIRE_EQUAL(contents.orders.size(), 2u);
  CAF_CHECK_EQUAL(contents.orders[0].strategy, "a");
  CAF_CHECK_EQUAL(contents.orders[0].symbol, "GOOG");
  CAF_CHECK_EQUAL(contents.orders[1].strategy, "b");
  CAF_CHECK_EQUAL(contents.orders[1].symbol, "MSFT");
  // The portfolio still saw both prices.
  CAF_CHECK_EQUAL(state_of(caf::actor_cast<caf::actor>(pf)).counters["quotes"],
                  2);
}

CAF_TEST(
  a restarted pipeline continues the journal with fresh ids and same cash) {
  start({buy_and_hold_everywhere()});
  self->send(router, quote_batch{{make_quote("DAX", "100", 1)}});
  run();
  anon_send_exit(router, caf::exit_reason::user_shutdown);
  anon_send_exit(pf, caf::exit_reason::user_shutdown);
  anon_send_exit(log, caf::exit_reason::user_shutdown);
  run();
  // Second incarnation on the same journal.
  start({buy_and_hold_everywhere()});
  auto pst = state_of(caf::actor_cast<caf::actor>(pf));
  auto summary = nlohmann::json::parse(pst.summary_json);
  // 10,000 - 10 * 100 = 9,000, rebuilt from the journal alone.
  CAF_CHECK_EQUAL(summary["final_cash"].get<double>(), 9000.0);
  CAF_CHECK_EQUAL(summary["positions"]["DAX"]["qty"].get<int64_t>(), 10);
  self->send(router, quote_batch{{make_quote("SMI", "50", 2)}});
  run();
  auto read = trading::read_journal(path);
  auto& contents = read.value();
  CAF_REQUIRE_EQUAL(contents.orders.size(), 2u);
  CAF_CHECK_EQUAL(contents.orders[1].id, 2u);
  CAF_CHECK_EQUAL(contents.orders[1].seq, 2u);
  CAF_CHECK_EQUAL(contents.orders[1].symbol, "SMI");
}

CAF_TEST(
  quotes of symbols past the cap are refused and never reach the portfolio) {
  route_limits limits;
  limits.max_symbols = 2;
  start({buy_and_hold_everywhere()}, limits);
  self->send(
    router,
    quote_batch{{make_quote("DAX", "100", 1), make_quote("SMI", "200", 1),
                 make_quote("CAC", "300", 1), make_quote("DAX", "101", 2)}});
  run();
  // Two symbols placed; CAC is refused, counted, and never traded.
  CAF_CHECK_EQUAL(placed->size(), 2u);
  auto st = state_of(caf::actor_cast<caf::actor>(router));
  CAF_CHECK_EQUAL(st.counters["too_many_symbols"], 1);
  CAF_CHECK_EQUAL(st.counters["quotes"], 3);
  auto sample
    = std::find_if(st.metrics.begin(), st.metrics.end(), [](const auto& m) {
        return m.name == "intuition_too_many_symbols_total";
      });
  CAF_REQUIRE(sample != st.metrics.end());
  CAF_CHECK_EQUAL(sample->value, 1.0);
  auto pst = state_of(caf::actor_cast<caf::actor>(pf));
  CAF_CHECK_EQUAL(pst.counters["quotes"], 3);
  CAF_CHECK_EQUAL(pst.counters["orders"], 2);
  auto summary = nlohmann::json::parse(pst.summary_json);
  CAF_CHECK(!summary["positions"].contains("CAC"));
}

CAF_TEST(an instance cap refuses a symbol whose instances would pass it) {
  route_limits limits;
  limits.max_instances = 3;
  // Two strategies trade every symbol: the second symbol would make four.
  start({buy_and_hold_everywhere(), {"other", "buy_and_hold", "{}", {}}},
        limits);
  self->send(router, quote_batch{{make_quote("DAX", "100", 1),
                                  make_quote("SMI", "200", 1)}});
  run();
  CAF_CHECK_EQUAL(placed->size(), 2u);
  auto st = state_of(caf::actor_cast<caf::actor>(router));
  CAF_CHECK_EQUAL(st.counters["too_many_symbols"], 1);
  auto pst = state_of(caf::actor_cast<caf::actor>(pf));
  CAF_CHECK_EQUAL(pst.counters["orders"], 2);
}

CAF_TEST(every actor answers the state query with its kind) {
  start({buy_and_hold_everywhere()});
  CAF_CHECK_EQUAL(state_of(caf::actor_cast<caf::actor>(router)).kind,
                  "quote_router");
  CAF_CHECK_EQUAL(state_of(caf::actor_cast<caf::actor>(pf)).kind, "portfolio");
  CAF_CHECK_EQUAL(state_of(caf::actor_cast<caf::actor>(log)).kind, "order_log");
}

CAF_TEST_FIXTURE_SCOPE_END()
