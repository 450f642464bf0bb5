#define CAF_SUITE actors.node_agent
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/messages.hpp"
#include "actors/node_agent.hpp"
#include "actors/telemetry.hpp"
#include "actors/metric_samples.hpp"

using namespace intuition;
using namespace intuition::actors;
using actors::metric_sample;
using nlohmann::json;

namespace {

constexpr int64_t units = 1'000'000;

algorithm_spec sma_spec(std::string symbol) {
  return {
    "sma", "sma_crossover", "{\"fast\":2,\"slow\":3}", std::move(symbol), 0, 0};
}

trading::quote make_quote(const std::string& symbol, int64_t price,
                          uint64_t seq) {
  return {symbol, price * units, static_cast<int64_t>(seq), seq, 0};
}

/// A long-lived actor that only reports a fixed state.
inspectable_actor::behavior_type
fake_singleton(inspectable_actor::pointer, std::string name,
               std::vector<metric_sample> metrics) {
  return {
    [name, metrics](get_state_atom) -> actor_state {
      auto st
        = make_actor_state(name, "fake", {{"answers", 1}}, R"({"fake": true})");
      st.metrics = metrics;
      return st;
    },
  };
}

/// A router that lists a fixed set of algorithm instances.
quote_router_actor::behavior_type
fake_router(quote_router_actor::pointer, std::vector<std::string> instances) {
  return {
    [](quote_batch&) -> uint64_t { return 0; },
    [](part_result&) {
      // nop
    },
    [](cluster_member&) {
      // nop
    },
    [instances](list_atom, const std::string& pattern) {
      std::vector<actor_state> out;
      for (const auto& name : instances)
        if (actors::instance_matches(pattern, name))
          out.push_back(make_actor_state(name, "algorithm", {}, "{}"));
      return out;
    },
    [](control_request& req) {
      return control_reply{true, false, "router got " + req.command};
    },
    [](get_state_atom) -> actor_state {
      return make_actor_state("quote_router", "quote_router", {}, "{}");
    },
  };
}

std::vector<std::string> names_of(const std::vector<actor_state>& xs) {
  std::vector<std::string> out;
  for (const auto& x : xs)
    out.push_back(x.name);
  return out;
}

struct fixture : testing::actor_fixture {
  node_agent_actor agent;
  std::vector<caf::actor> others;

  fixture() {
    set_node_label("worker-1");
  }

  ~fixture() {
    anon_send_exit(agent, caf::exit_reason::user_shutdown);
    for (auto& x : others)
      anon_send_exit(x, caf::exit_reason::user_shutdown);
    run();
    set_node_label("local");
  }

  void start(node_agent_config cfg) {
    agent = sys.spawn(node_agent, std::move(cfg));
    run();
  }

  void start_node() {
    node_agent_config cfg;
    cfg.role = "node";
    start(std::move(cfg));
  }

  algorithm_actor place(const std::string& symbol) {
    algorithm_actor result;
    self->send(agent, place_atom_v, sma_spec(symbol));
    run();
    self->receive([&](algorithm_actor& x) { result = std::move(x); },
                  [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return result;
  }

  std::vector<actor_state> list(const std::string& pattern) {
    std::vector<actor_state> result;
    self->send(agent, list_atom_v, pattern);
    run();
    self->receive([&](std::vector<actor_state>& xs) { result = std::move(xs); },
                  [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return result;
  }

  std::vector<metric_sample> metrics() {
    std::vector<metric_sample> result;
    self->send(agent, metrics_atom_v);
    run();
    self->receive(
      [&](std::vector<metric_sample>& xs) { result = std::move(xs); },
      [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return result;
  }

  /// Sends `batch` as one part and returns the signals of the answer,
  /// which echoes the part's batch, slot and epoch.
  signal_batch feed(const algorithm_actor& whom, quote_batch batch) {
    part_result result;
    quote_part part{7, 3, 1, {}, 0};
    for (const auto& q : batch.quotes)
      part.ticks.push_back(trading::tick_of(q));
    self->send(whom, std::move(part));
    run();
    self->receive([&](part_result& x) { result = std::move(x); },
                  [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    CAF_CHECK_EQUAL(result.batch, 7u);
    CAF_CHECK_EQUAL(result.slot, 3u);
    CAF_CHECK_EQUAL(result.epoch, 1u);
    return signal_batch{std::move(result.signals)};
  }

  template <class Handle>
  Handle keep(Handle x) {
    others.push_back(caf::actor_cast<caf::actor>(x));
    return x;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(node_agent_tests, fixture)

CAF_TEST(a node agent places instances that answer as live actors) {
  start_node();
  auto goog = place("GOOG");
  auto msft = place("MSFT");
  CAF_REQUIRE(goog);
  CAF_REQUIRE(msft);
  CAF_CHECK(goog != msft);
  // Each reply is the instance itself: it takes quotes and reports state.
  CAF_CHECK(
    feed(goog, quote_batch{{make_quote("GOOG", 10, 1)}}).signals.empty());
  auto st = state_of(goog);
  CAF_CHECK_EQUAL(st.name, "algorithm/sma/GOOG");
  CAF_CHECK_EQUAL(st.kind, "algorithm");
  CAF_CHECK_EQUAL(st.node, "worker-1");
  CAF_CHECK_EQUAL(st.counters["quotes"], 1);
  CAF_CHECK_EQUAL(state_of(msft).name, "algorithm/sma/MSFT");
  CAF_CHECK_EQUAL(state_of(msft).counters["quotes"], 0);
}

CAF_TEST(a pattern lists exactly the matching hosted instance) {
  start_node();
  place("GOOG");
  place("MSFT");
  auto xs = list("algorithm/*/GOOG");
  CAF_REQUIRE_EQUAL(xs.size(), 1u);
  CAF_CHECK_EQUAL(xs[0].name, "algorithm/sma/GOOG");
  CAF_CHECK_EQUAL(xs[0].kind, "algorithm");
  CAF_CHECK_EQUAL(xs[0].node, "worker-1");
  auto summary = json::parse(xs[0].summary_json);
  CAF_CHECK_EQUAL(summary["symbol"].get<std::string>(), "GOOG");
  CAF_CHECK_EQUAL(summary["strategy"].get<std::string>(), "sma");
  CAF_CHECK_EQUAL(summary["algorithm"].get<std::string>(), "sma_crossover");
  CAF_CHECK(list("algorithm/*/IBM").empty());
  CAF_CHECK(list("portfolio").empty());
}

CAF_TEST(an empty pattern lists every hosted instance sorted by name) {
  start_node();
  // Placed out of order on purpose.
  place("MSFT");
  place("GOOG");
  CAF_CHECK_EQUAL(
    names_of(list("")),
    (std::vector<std::string>{"algorithm/sma/GOOG", "algorithm/sma/MSFT"}));
  CAF_CHECK_EQUAL(names_of(list("algorithm")), names_of(list("")));
}

CAF_TEST(node metrics count hosted instances and placements) {
  start_node();
  CAF_CHECK_EQUAL(
    metrics(),
    (std::vector<metric_sample>{
      actors::gauge_sample("intuition_algorithm_actors", 0,
                           {{"node", "worker-1"}}),
      actors::counter_sample("intuition_node_placements_total", 0)}));
  place("GOOG");
  place("MSFT");
  CAF_CHECK_EQUAL(
    metrics(),
    (std::vector<metric_sample>{
      actors::gauge_sample("intuition_algorithm_actors", 2,
                           {{"node", "worker-1"}}),
      actors::counter_sample("intuition_node_placements_total", 2)}));
}

CAF_TEST(a stopped instance leaves the list and the gauge) {
  start_node();
  auto goog = place("GOOG");
  place("MSFT");
  anon_send_exit(goog, caf::exit_reason::user_shutdown);
  run();
  CAF_CHECK_EQUAL(names_of(list("")),
                  std::vector<std::string>{"algorithm/sma/MSFT"});
  CAF_CHECK(list("algorithm/sma/GOOG").empty());
  // The gauge follows the living instances; placements only ever grow.
  CAF_CHECK_EQUAL(
    metrics(),
    (std::vector<metric_sample>{
      actors::gauge_sample("intuition_algorithm_actors", 1,
                           {{"node", "worker-1"}}),
      actors::counter_sample("intuition_node_placements_total", 2)}));
  auto own = state_of(agent);
  CAF_CHECK_EQUAL(own.counters["placed"], 2);
  CAF_CHECK_EQUAL(json::parse(own.summary_json)["hosted"].get<int>(), 1);
}

CAF_TEST(an instance that fails to start is not listed as hosted) {
  start_node();
  // Parameters the configuration loader would have refused (fast >= slow).
  self->send(agent, place_atom_v,
             algorithm_spec{"sma", "sma_crossover", "{\"fast\":5,\"slow\":3}",
                            "GOOG", 0, 0});
  run();
  self->receive([](algorithm_actor&) {},
                [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  place("MSFT");
  CAF_CHECK_EQUAL(names_of(list("")),
                  std::vector<std::string>{"algorithm/sma/MSFT"});
  CAF_CHECK_EQUAL(
    metrics(),
    (std::vector<metric_sample>{
      actors::gauge_sample("intuition_algorithm_actors", 1,
                           {{"node", "worker-1"}}),
      actors::counter_sample("intuition_node_placements_total", 2)}));
}

CAF_TEST(quotes sent to a placed instance show in its indicators) {
  start_node();
  auto goog = place("GOOG");
  auto st = state_of(goog);
  auto ind = json::parse(st.summary_json)["indicators"];
  // Nothing until the slow window is full.
  CAF_CHECK(ind["fast_sma"].is_null());
  CAF_CHECK(ind["slow_sma"].is_null());
  CAF_CHECK(ind["diff"].is_null());
  auto out = feed(
    goog, quote_batch{{make_quote("GOOG", 10, 1), make_quote("GOOG", 20, 2),
                       make_quote("GOOG", 30, 3)}});
  CAF_CHECK(out.signals.empty());
  ind
    = json::parse(list("algorithm/sma/GOOG").at(0).summary_json)["indicators"];
  CAF_CHECK_EQUAL(ind["fast_sma"].get<double>(), 25.0);
  CAF_CHECK_EQUAL(ind["slow_sma"].get<double>(), 20.0);
  CAF_CHECK_EQUAL(ind["diff"].get<double>(), 5.0);
  // 20 keeps fast above slow (25 > 23.3); 10 crosses it below: one sell.
  out = feed(
    goog, quote_batch{{make_quote("GOOG", 20, 4), make_quote("GOOG", 10, 5)}});
  trading::signal sell;
  sell.strategy = "sma";
  sell.symbol = "GOOG";
  sell.direction = trading::side::sell;
  sell.strength = 1.0;
  sell.price_micros = 10 * units;
  sell.ts_ms = 5;
  sell.quote_seq = 5;
  CAF_CHECK_EQUAL(out, signal_batch{{sell}});
  st = state_of(goog);
  auto summary = json::parse(st.summary_json);
  CAF_CHECK_EQUAL(summary["indicators"]["fast_sma"].get<double>(), 15.0);
  CAF_CHECK_EQUAL(summary["indicators"]["slow_sma"].get<double>(), 20.0);
  CAF_CHECK_EQUAL(summary["indicators"]["diff"].get<double>(), -5.0);
  CAF_CHECK_EQUAL(summary["last_signal"].get<std::string>(), "sell");
  CAF_CHECK_EQUAL(st.counters["quotes"], 5);
  CAF_CHECK_EQUAL(st.counters["signals"], 1);
}

CAF_TEST(a coordinator lists its singletons filtered by name) {
  node_agent_config cfg;
  cfg.role = "coordinator";
  auto pf = keep(sys.spawn(fake_singleton, std::string{"portfolio"},
                           std::vector<metric_sample>{}));
  auto log = keep(sys.spawn(fake_singleton, std::string{"order_log"},
                            std::vector<metric_sample>{}));
  cfg.singletons = {{"portfolio", pf}, {"order_log", log}};
  start(std::move(cfg));
  auto all = list("");
  CAF_CHECK_EQUAL(names_of(all),
                  (std::vector<std::string>{"portfolio", "order_log"}));
  CAF_REQUIRE_EQUAL(all.size(), 2u);
  CAF_CHECK_EQUAL(all[0].kind, "fake");
  CAF_CHECK_EQUAL(all[0].counters["answers"], 1);
  CAF_CHECK_EQUAL(names_of(list("order_log")),
                  std::vector<std::string>{"order_log"});
  CAF_CHECK_EQUAL(names_of(list("*")),
                  (std::vector<std::string>{"portfolio", "order_log"}));
  CAF_CHECK(list("algorithm").empty());
  CAF_CHECK(list("port").empty());
}

CAF_TEST(
  coordinator metrics are the fixed samples then those of each singleton) {
  node_agent_config cfg;
  cfg.role = "coordinator";
  auto pf = keep(sys.spawn(
    fake_singleton, std::string{"portfolio"},
    std::vector<metric_sample>{actors::gauge_sample("intuition_cash", 1.5)}));
  auto log = keep(sys.spawn(fake_singleton, std::string{"order_log"},
                            std::vector<metric_sample>{actors::counter_sample(
                              "intuition_journal_appends_total", 3)}));
  cfg.singletons = {{"portfolio", pf}, {"order_log", log}};
  cfg.fixed_samples = {actors::counter_sample("intuition_quotes_received_total",
                                              7, {{"channel", "replay"}})};
  start(std::move(cfg));
  // No node gauges: a coordinator's instances are counted by its router.
  CAF_CHECK_EQUAL(
    metrics(),
    (std::vector<metric_sample>{
      actors::counter_sample("intuition_quotes_received_total", 7,
                             {{"channel", "replay"}}),
      actors::gauge_sample("intuition_cash", 1.5),
      actors::counter_sample("intuition_journal_appends_total", 3)}));
}

CAF_TEST(a coordinator lists the instances of its router after its singletons) {
  node_agent_config cfg;
  cfg.role = "coordinator";
  auto router
    = keep(sys.spawn(fake_router, std::vector<std::string>{
                                    "algorithm/sma/GOOG", "algorithm/sma/MSFT",
                                    "algorithm/every/GOOG"}));
  auto pf = keep(sys.spawn(fake_singleton, std::string{"portfolio"},
                           std::vector<metric_sample>{}));
  cfg.singletons = {{"quote_router", router}, {"portfolio", pf}};
  cfg.router = router;
  start(std::move(cfg));
  CAF_CHECK_EQUAL(
    names_of(list("")),
    (std::vector<std::string>{"quote_router", "portfolio", "algorithm/sma/GOOG",
                              "algorithm/sma/MSFT", "algorithm/every/GOOG"}));
  CAF_CHECK_EQUAL(
    names_of(list("algorithm/*/GOOG")),
    (std::vector<std::string>{"algorithm/sma/GOOG", "algorithm/every/GOOG"}));
  CAF_CHECK_EQUAL(names_of(list("portfolio")),
                  std::vector<std::string>{"portfolio"});
}

CAF_TEST(a singleton that is gone is listed as unreachable) {
  node_agent_config cfg;
  cfg.role = "coordinator";
  auto pf = keep(sys.spawn(fake_singleton, std::string{"portfolio"},
                           std::vector<metric_sample>{}));
  auto log = sys.spawn(fake_singleton, std::string{"order_log"},
                       std::vector<metric_sample>{});
  cfg.singletons = {{"portfolio", pf}, {"order_log", log}};
  start(std::move(cfg));
  anon_send_exit(log, caf::exit_reason::user_shutdown);
  run();
  auto xs = list("");
  CAF_REQUIRE_EQUAL(xs.size(), 2u);
  CAF_CHECK_EQUAL(xs[0].name, "portfolio");
  CAF_CHECK_EQUAL(xs[0].kind, "fake");
  CAF_CHECK_EQUAL(xs[1].name, "order_log");
  CAF_CHECK_EQUAL(xs[1].kind, "unreachable");
  CAF_CHECK(json::parse(xs[1].summary_json).contains("error"));
}

CAF_TEST(the agent reports its role and what it hosts) {
  start_node();
  place("GOOG");
  auto st = state_of(agent);
  CAF_CHECK_EQUAL(st.name, "node_agent");
  CAF_CHECK_EQUAL(st.kind, "node_agent");
  CAF_CHECK_EQUAL(st.node, "worker-1");
  CAF_CHECK_EQUAL(st.counters["placed"], 1);
  CAF_CHECK_EQUAL(st.counters["orphans_stopped"], 0);
  auto summary = json::parse(st.summary_json);
  CAF_CHECK_EQUAL(summary["role"].get<std::string>(), "node");
  CAF_CHECK_EQUAL(summary["hosted"].get<int>(), 1);
  // Whoever placed an instance is its owner, watched to stop the instance
  // once the owner is gone: here the test itself.
  CAF_CHECK_EQUAL(summary["peers"].size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
