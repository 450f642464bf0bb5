#define CAF_SUITE actors.operator_control
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "actors/node_agent.hpp"
#include "actors/portfolio.hpp"
#include "actors/quote_router.hpp"
#include "runtime/operator_control.hpp"
#include "trading/control_log.hpp"
#include "trading/decimal.hpp"

// Operator control through the node agent, as `intuition control` sends it:
// the agent passes requests to the router, which changes the strategies
// itself and hands mode changes and flattens to the portfolio; every change
// lands in the control journal before it is answered.

using namespace intuition;
using namespace intuition::actors;
using trading::quote;

namespace {

quote make_quote(std::string symbol, const char* price, int64_t ts) {
  return {std::move(symbol), *trading::parse_decimal_micros(price), ts, 0};
}

/// An instance that buys on odd ticks and sells on even ones.
algorithm_actor::behavior_type stand_in_instance(algorithm_actor::pointer self,
                                                 algorithm_spec spec) {
  return {
    [self, spec](quote_part& part) {
      part_result out{part.batch, part.slot, part.epoch, {}};
      for (const auto& t : part.ticks)
        out.signals.push_back(
          {spec.strategy, spec.symbol,
           t.ts_ms % 2 == 1 ? trading::side::buy : trading::side::sell, 1.0,
           t.price_micros, t.ts_ms, t.seq});
      self->send(caf::actor_cast<part_sink_actor>(self->current_sender()),
                 std::move(out));
    },
    [](warmup_atom, quote_part&) {
      // nop
    },
    [spec](get_state_atom) {
      return make_actor_state("algorithm/" + spec.strategy + "/" + spec.symbol,
                              "algorithm", {}, "{}");
    },
  };
}

order_log_actor::behavior_type
stand_in_log(order_log_actor::pointer,
             std::shared_ptr<std::vector<trading::order>> seen) {
  return {
    [seen](order_batch& batch) {
      seen->insert(seen->end(), batch.orders.begin(), batch.orders.end());
    },
    [](flush_atom) { return uint64_t{0}; },
    [](tick_atom) {
      // nop
    },
    [](processed_atom, uint64_t pos) { return pos; },
    [](get_state_atom) {
      return make_actor_state("order_log", "order_log", {}, "{}");
    },
  };
}

/// A strategy definition as the runtime's parser would hand it on; names
/// starting with `bad` are refused as the configuration refuses them.
trading::result<parsed_strategy> parse(const std::string& text) {
  auto j = nlohmann::json::parse(text);
  auto name = j["name"].get<std::string>();
  if (name.rfind("bad", 0) == 0)
    return trading::invalid_value("algorithm", "\"nope\"", "one of: ...");
  return parsed_strategy{{name, "buy_and_hold", "{}", {}}, {"quotes"}, text};
}

struct fixture : testing::actor_fixture {
  std::shared_ptr<std::vector<trading::order>> orders
    = std::make_shared<std::vector<trading::order>>();
  std::vector<algorithm_spec> placed;
  std::vector<algorithm_actor> instances;
  std::string path;
  order_log_actor log;
  portfolio_actor pf;
  quote_router_actor router;
  node_agent_actor agent;

  fixture() {
    path = (std::filesystem::temp_directory_path()
            / ("intuition-opctl-" + std::to_string(::getpid()) + ".control"))
             .string();
    std::remove(path.c_str());
  }

  ~fixture() {
    anon_send_exit(agent, caf::exit_reason::user_shutdown);
    anon_send_exit(router, caf::exit_reason::user_shutdown);
    anon_send_exit(pf, caf::exit_reason::user_shutdown);
    anon_send_exit(log, caf::exit_reason::user_shutdown);
    run();
    std::remove(path.c_str());
  }

  void start(std::vector<strategy_route> routes) {
    trading::portfolio_config cfg;
    cfg.starting_cash_micros = 100'000 * trading::micros_per_unit;
    cfg.sizing.kind = trading::sizing_kind::fixed_quantity;
    cfg.sizing.qty = 10;
    trading::control_contents contents;
    auto opened = trading::control_log::open(path, contents);
    CAF_REQUIRE(opened);
    portfolio_control control;
    control.log = std::move(*opened);
    control.restored = contents.state;
    log = sys.spawn(stand_in_log, orders);
    pf = sys.spawn(controlled_portfolio, cfg, trading::report_config{},
                   std::vector<trading::order>{}, log, control);
    auto place = [this](caf::actor_system& sys, const algorithm_spec& spec) {
      placed.push_back(spec);
      auto handle = sys.spawn(stand_in_instance, spec);
      instances.push_back(handle);
      return handle;
    };
    router_options opts;
    opts.parse_strategy = parse;
    router = sys.spawn(quote_router, std::move(routes), place, pf,
                       order_publisher_actor{}, std::move(opts));
    node_agent_config acfg;
    acfg.role = "coordinator";
    acfg.router = router;
    agent = sys.spawn(node_agent, acfg);
    run();
  }

  control_reply control(std::string command, std::string strategy = {},
                        bool flatten = false) {
    self->send(agent, control_request{std::move(command), std::move(strategy),
                                      flatten, "operator"});
    run();
    control_reply out;
    self->receive([&](control_reply& x) { out = std::move(x); },
                  [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return out;
  }

  void trade(std::vector<quote> quotes) {
    self->send(router, quote_batch{std::move(quotes)});
    run();
    drained();
  }

  nlohmann::json portfolio_summary() {
    return nlohmann::json::parse(state_of(pf).summary_json);
  }

  std::vector<trading::control_record> journaled() {
    auto read = trading::read_control_log(path);
    CAF_REQUIRE(read);
    return read->records;
  }
};

strategy_route route(std::string name) {
  return {std::move(name), "buy_and_hold", "{}", {}};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(operator_control_tests, fixture)

CAF_TEST(halt refuses every signal until resume and is journaled) {
  start({route("a")});
  trade({make_quote("DAX", "100", 1)});
  CAF_CHECK_EQUAL(orders->size(), 1u);
  auto reply = control("halt");
  CAF_CHECK(reply.ok);
  CAF_CHECK_EQUAL(reply.message, "trading halted (was normal)");
  CAF_CHECK_EQUAL(portfolio_summary()["mode"].get<std::string>(), "halted");
  trade({make_quote("DAX", "101", 2), make_quote("DAX", "102", 3)});
  CAF_CHECK_EQUAL(orders->size(), 1u);
  CAF_CHECK_EQUAL(control("halt").message, "trading is already halted");
  CAF_CHECK(control("resume").ok);
  trade({make_quote("DAX", "103", 4)});
  CAF_CHECK_EQUAL(orders->size(), 2u);
  auto records = journaled();
  CAF_REQUIRE_EQUAL(records.size(), 2u);
  CAF_CHECK_EQUAL(records[0].kind, "mode");
  CAF_CHECK_EQUAL(records[0].mode, trading::mode_kind::halted);
  CAF_CHECK_EQUAL(records[0].reason, "operator");
  CAF_CHECK_EQUAL(records[1].mode, trading::mode_kind::normal);
  CAF_CHECK_EQUAL(state_of(pf).counters.at("control_changes"), 2);
}

CAF_TEST(reduce only lets a sell through but no buy) {
  start({route("a")});
  trade({make_quote("DAX", "100", 1)});
  CAF_CHECK(control("reduce-only").ok);
  trade({make_quote("DAX", "100", 3)});
  CAF_CHECK_EQUAL(orders->size(), 1u);
  trade({make_quote("DAX", "100", 4)});
  CAF_REQUIRE_EQUAL(orders->size(), 2u);
  CAF_CHECK_EQUAL(orders->back().direction, trading::side::sell);
}

CAF_TEST(flatten closes one strategy at the next quote and is journaled) {
  start({route("a"), route("b")});
  trade({make_quote("DAX", "100", 1)});
  CAF_CHECK_EQUAL(orders->size(), 2u);
  CAF_CHECK(control("halt").ok);
  auto reply = control("flatten", "a");
  CAF_CHECK(reply.ok);
  CAF_CHECK_EQUAL(reply.message, "flattening 1 open position(s) of a at the "
                                 "next quote of each symbol");
  trade({make_quote("DAX", "90", 3)});
  CAF_REQUIRE_EQUAL(orders->size(), 3u);
  CAF_CHECK_EQUAL(orders->back().strategy, "a");
  CAF_CHECK_EQUAL(orders->back().direction, trading::side::sell);
  CAF_CHECK_EQUAL(orders->back().qty, 10);
  auto records = journaled();
  CAF_REQUIRE_EQUAL(records.size(), 3u);
  CAF_CHECK_EQUAL(records[1].kind, "flatten");
  CAF_CHECK_EQUAL(records[2].kind, "flattened");
  CAF_CHECK_EQUAL(records[2].strategy, "a");
  CAF_CHECK_EQUAL(control("flatten", "nobody").invalid, true);
}

CAF_TEST(an added strategy trades from the next quote of each symbol) {
  start({route("a")});
  trade({make_quote("DAX", "100", 1)});
  CAF_CHECK_EQUAL(placed.size(), 1u);
  auto reply = control("add-strategy", R"({"name":"late"})");
  CAF_CHECK(reply.ok);
  CAF_CHECK_EQUAL(reply.message, "strategy late added");
  trade({make_quote("DAX", "100", 3)});
  CAF_REQUIRE_EQUAL(placed.size(), 2u);
  CAF_CHECK_EQUAL(placed[1].strategy, "late");
  CAF_CHECK_EQUAL(placed[1].symbol, "DAX");
  CAF_CHECK_EQUAL(orders->back().strategy, "late");
  // The same name twice, and a definition the parser refuses.
  auto twice = control("add-strategy", R"({"name":"late"})");
  CAF_CHECK(!twice.ok);
  CAF_CHECK(twice.invalid);
  CAF_CHECK_EQUAL(twice.message,
                  "name: got \"late\", expected a name no other strategy uses");
  auto bad = control("add-strategy", R"({"name":"bad1"})");
  CAF_CHECK(bad.invalid);
  CAF_CHECK_EQUAL(bad.message, "algorithm: got \"nope\", expected one of: ...");
  auto records = journaled();
  CAF_REQUIRE_EQUAL(records.size(), 1u);
  CAF_CHECK_EQUAL(records[0].kind, "add_strategy");
  CAF_CHECK_EQUAL(records[0].strategy, "late");
}

CAF_TEST(a removed strategy stops its instances and trades no more) {
  start({route("a"), route("b")});
  trade({make_quote("DAX", "100", 1), make_quote("SMI", "50", 1)});
  CAF_CHECK_EQUAL(orders->size(), 4u);
  auto reply = control("remove-strategy", "b", true);
  CAF_CHECK(reply.ok);
  CAF_CHECK_EQUAL(reply.message,
                  "strategy b removed; flattening its 2 open position(s) at "
                  "the next quote of each symbol; 2 instance(s) stopped");
  CAF_CHECK_EQUAL(state_of(router).counters.at("strategies_removed"), 1);
  trade({make_quote("DAX", "100", 3), make_quote("SMI", "50", 3)});
  // a buys again; b's two holdings are closed, b signals nothing.
  size_t by_b = 0;
  for (const auto& x : *orders)
    by_b += x.strategy == "b" ? 1 : 0;
  CAF_CHECK_EQUAL(by_b, 4u);
  CAF_CHECK_EQUAL(orders->size(), 8u);
  CAF_CHECK_EQUAL(orders->at(4).strategy, "b");
  CAF_CHECK_EQUAL(orders->at(4).direction, trading::side::sell);
  auto unknown = control("remove-strategy", "b");
  CAF_CHECK(unknown.invalid);
  CAF_CHECK_EQUAL(unknown.message, "strategy: got \"b\", expected one of the "
                                   "running strategies: a");
}

CAF_TEST(the mode comes back from the journal after a restart) {
  {
    trading::control_contents c;
    auto log = trading::control_log::open(path, c);
    CAF_REQUIRE(log);
    trading::control_record x;
    x.kind = "mode";
    x.mode = trading::mode_kind::halted;
    x.reason = "max_drawdown: test";
    x.risk = true;
    CAF_REQUIRE((*log)->append(x));
  }
  start({route("a")});
  CAF_CHECK_EQUAL(portfolio_summary()["mode"].get<std::string>(), "halted");
  CAF_CHECK_EQUAL(portfolio_summary()["mode_reason"].get<std::string>(),
                  "max_drawdown: test");
  trade({make_quote("DAX", "100", 1)});
  CAF_CHECK(orders->empty());
  CAF_CHECK(control("resume").ok);
  trade({make_quote("DAX", "100", 3)});
  CAF_CHECK_EQUAL(orders->size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(add strategy refuses what is set up only at start) {
  auto parse = intuition::runtime::make_strategy_parser();
  auto message = [&](const std::string& text) {
    auto res = parse(text);
    return res ? std::string{"ok"} : res.error().message;
  };
  CAF_CHECK_EQUAL(message(R"({"name": "late", "algorithm": "momentum"})"),
                  "ok");
  CAF_CHECK_EQUAL(
    message(R"({"name": "ext", "algorithm": "external"})"),
    "algorithm: got \"external\", expected a built-in algorithm (an external "
    "strategy's signal topic is subscribed at start: put it in the "
    "configuration)");
  CAF_CHECK_EQUAL(
    message(R"({"name": "lim", "algorithm": "momentum",
                "order": {"type": "limit", "offset_bps": 10}})"),
    "order.type: got \"limit\", expected market (order types are set at "
    "start: put the strategy in the configuration)");
}
