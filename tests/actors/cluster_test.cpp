#define CAF_SUITE actors.cluster
// io_dsl.hpp includes dsl.hpp itself; both are header-only templates, so this
// suite links into the actor binary next to the dsl.hpp suites.
#include "caf/test/io_dsl.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/messages.hpp"
#include "actors/node_agent.hpp"
#include "actors/order_log.hpp"
#include "actors/portfolio.hpp"
#include "actors/quote_router.hpp"
#include "actors/telemetry.hpp"
#include "runtime/system_config.hpp"
#include "trading/decimal.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::actors;
using trading::quote;

namespace {

// -- simulated cluster ----------------------------------------------------------

/// Every simulated node runs with the configuration of a real Intuition
/// process: the middleman (on CAF's test multiplexer here) and every message
/// type, including the `algorithm_actor` handle a node agent answers
/// `place` with.
using node_base = test_coordinator_fixture<runtime::system_config>;

using link_handles
  = std::pair<caf::io::connection_handle, caf::io::connection_handle>;

quote make_quote(std::string symbol, const char* price, int64_t ts) {
  return {std::move(symbol), *trading::parse_decimal_micros(price), ts, 0};
}

/// Flat prices: moving averages never cross, so sma_crossover stays silent.
std::vector<quote> flat_quotes(const std::vector<std::string>& symbols,
                               int count) {
  std::vector<quote> out;
  for (int ts = 1; ts <= count; ++ts)
    for (const auto& symbol : symbols)
      out.push_back(make_quote(symbol, "100", ts));
  return out;
}

/// Actor states by instance name.
std::map<std::string, actor_state> by_name(std::vector<actor_state> xs) {
  std::map<std::string, actor_state> out;
  for (auto& x : xs)
    out.emplace(x.name, std::move(x));
  return out;
}

std::vector<std::string>
names_of(const std::map<std::string, actor_state>& xs) {
  std::vector<std::string> out;
  for (const auto& kv : xs)
    out.push_back(kv.first);
  return out;
}

const strategy_route hold{"hold", "buy_and_hold", "{}", {}};
const strategy_route sma{"sma", "sma_crossover", R"({"fast":2,"slow":3})", {}};
/// Draws above 0 on (practically) every quote: a buy per quote.
const strategy_route coin{"coin", "random", R"({"threshold":0.0})", {}};

/// Earth is the coordinator (router, portfolio, order log); mars and jupiter
/// are worker nodes, each publishing a node agent that earth connects to.
/// Placement among {mars, jupiter} by rendezvous hashing, for the keys used
/// below: hold/DAX, hold/SMI, sma/DAX, sma/ESTX, sma/IBEX, coin/DAX go to
/// jupiter; hold/IBEX, sma/SMI, coin/SMI, coin/ESTX, coin/CAC go to mars.
/// The router runs `rendezvous_weight` (FNV-1a, documented as stable), so
/// these are fixed values, not recomputed here.
struct fixture : belt_fixture<node_base> {
  std::string dir;
  std::string path;
  order_log_actor log;
  portfolio_actor pf;
  quote_router_actor router;
  /// The agents, as handles on their own node.
  node_agent_actor mars_agent;
  node_agent_actor jupiter_agent;
  /// Connection earth - mars: (mars's end, earth's end).
  link_handles mars_link;

  fixture() {
    // The coordinator's member name when it hosts instances itself.
    set_node_label("earth");
    char tmpl[] = "/tmp/intuition-cluster-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/orders.journal";
    run();
  }

  ~fixture() {
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(pf, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(log, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(mars_agent, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(jupiter_agent, caf::exit_reason::user_shutdown);
    run();
    std::string cmd = "rm -rf " + dir;
    CAF_CHECK_EQUAL(std::system(cmd.c_str()), 0);
  }

  /// Delivers every message and network packet on all three nodes, until
  /// nothing moves. Unlike `exec_all`, fires no timeout: CAF 0.17's
  /// `read_data` may put bytes on the wire and still report no progress,
  /// so `exec_all` can take a quiet moment for idleness and time out a
  /// request (the router's `place`) whose answer is still on its way.
  void run() {
    planet_type* nodes[] = {&earth, &mars, &jupiter};
    auto advance = [](planet_type* x) {
      return x->sched.try_run_once() || x->mpx.read_data()
             || x->mpx.try_exec_runnable() || x->mpx.try_accept_connection();
    };
    for (int quiet = 0; quiet < 2;)
      quiet = std::any_of(std::begin(nodes), std::end(nodes), advance)
                ? 0
                : quiet + 1;
  }

  /// Spawns order log, portfolio and router on earth. Without `local` the
  /// coordinator hosts no instance itself.
  void start(std::vector<strategy_route> routes, placement_fn local = {}) {
    auto contents = trading::read_journal(path).value();
    auto writer = std::make_shared<trading::journal_writer>();
    CAF_REQUIRE(writer->open(path, contents));
    log = earth.sys.spawn(
      order_log, writer,
      order_log_config{trading::fsync_policy::always, {}, {}});
    trading::portfolio_config pc;
    pc.starting_cash_micros = 1'000'000 * trading::micros_per_unit;
    pc.sizing.kind = trading::sizing_kind::fixed_quantity;
    pc.sizing.qty = 10;
    pf = earth.sys.spawn(portfolio, pc, trading::report_config{},
                         std::move(contents.orders), log);
    router = earth.sys.spawn(quote_router, std::move(routes), std::move(local),
                             pf, order_publisher_actor{}, router_options{});
    run();
  }

  /// Publishes a node agent on `node` at `host`:8080, connects earth to it
  /// and hands it to the router, as the cluster connector does.
  node_agent_actor join(planet_type& node, const std::string& host,
                        link_handles* link = nullptr) {
    auto agent = node.sys.spawn(node_agent, node_agent_config{});
    auto handles = prepare_connection(node, earth, host, 8080);
    if (link != nullptr)
      *link = handles;
    CAF_CHECK_EQUAL(node.publish(agent, 8080), 8080u);
    auto proxy = earth.remote_actor<node_agent_actor>(host, 8080);
    CAF_REQUIRE(proxy);
    earth.self->send(
      router,
      cluster_member{host, host + ":8080", caf::actor_cast<caf::actor>(proxy)});
    run();
    return agent;
  }

  void join_mars_and_jupiter() {
    mars_agent = join(mars, "mars", &mars_link);
    jupiter_agent = join(jupiter, "jupiter");
  }

  /// Sends `xs` from `on`'s test actor to `whom`, runs the cluster and
  /// takes the one answer of type T.
  template <class T, class Handle, class... Ts>
  T ask(planet_type& on, const Handle& whom, Ts&&... xs) {
    on.self->send(caf::actor_cast<caf::actor>(whom), std::forward<Ts>(xs)...);
    run();
    T result{};
    on.self->receive([&](T& x) { result = std::move(x); },
                     [&](caf::error& err) { CAF_FAIL(on.sys.render(err)); },
                     caf::after(std::chrono::seconds(0)) >>
                       [&] { CAF_FAIL("no answer"); });
    return result;
  }

  /// Routes `quotes` as one batch; returns the router's answer (orders
  /// filled so far).
  uint64_t route(std::vector<quote> quotes) {
    return ask<uint64_t>(earth, router, quote_batch{std::move(quotes)});
  }

  template <class Handle>
  actor_state state_of(planet_type& on, const Handle& whom) {
    return ask<actor_state>(on, whom, get_state_atom_v);
  }

  actor_state router_state() {
    return state_of(earth, router);
  }

  /// The router's placement summary: "strategy/SYMBOL" -> {node, epoch}.
  nlohmann::json placement() {
    return nlohmann::json::parse(router_state().summary_json)["placement"];
  }

  /// The instances `agent` hosts on `node`, by name.
  std::map<std::string, actor_state> hosted(planet_type& node,
                                            const node_agent_actor& agent) {
    return by_name(
      ask<std::vector<actor_state>>(node, agent, list_atom_v, std::string{}));
  }

  /// Every instance the router placed, wherever it runs, by name.
  std::map<std::string, actor_state> routed() {
    return by_name(
      ask<std::vector<actor_state>>(earth, router, list_atom_v, std::string{}));
  }

  /// Closes the connection earth - mars on both ends, as a crashed machine
  /// or a cut cable would: each side's BASP broker drops the route and its
  /// proxies for the other node die with `remote_link_unreachable`.
  void cut_mars() {
    auto basp = [](planet_type& node) {
      return node.mm.named_broker<caf::io::basp_broker>(caf::atom("BASP"));
    };
    caf::anon_send(basp(earth),
                   caf::io::connection_closed_msg{mars_link.second});
    caf::anon_send(basp(mars), caf::io::connection_closed_msg{mars_link.first});
    run();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cluster_tests, fixture)

CAF_TEST(instances land on the node that wins the hash) {
  start({hold, sma});
  join_mars_and_jupiter();
  // DAX twice, SMI and IBEX once: buy_and_hold buys once per instance, the
  // crossover needs three quotes before it can signal.
  auto orders
    = route({make_quote("DAX", "100", 1), make_quote("SMI", "200", 1),
             make_quote("DAX", "101", 2), make_quote("IBEX", "50", 1)});
  CAF_CHECK_EQUAL(orders, 3u);
  auto on_mars = hosted(mars, mars_agent);
  CAF_CHECK_EQUAL(
    names_of(on_mars),
    (std::vector<std::string>{"algorithm/hold/IBEX", "algorithm/sma/SMI"}));
  auto on_jupiter = hosted(jupiter, jupiter_agent);
  CAF_CHECK_EQUAL(
    names_of(on_jupiter),
    (std::vector<std::string>{"algorithm/hold/DAX", "algorithm/hold/SMI",
                              "algorithm/sma/DAX", "algorithm/sma/IBEX"}));
  // Each instance saw exactly its symbol's quotes.
  CAF_CHECK_EQUAL(on_mars["algorithm/hold/IBEX"].counters["quotes"], 1);
  CAF_CHECK_EQUAL(on_mars["algorithm/hold/IBEX"].counters["signals"], 1);
  CAF_CHECK_EQUAL(on_mars["algorithm/sma/SMI"].counters["quotes"], 1);
  CAF_CHECK_EQUAL(on_mars["algorithm/sma/SMI"].counters["signals"], 0);
  CAF_CHECK_EQUAL(on_jupiter["algorithm/hold/DAX"].counters["quotes"], 2);
  CAF_CHECK_EQUAL(on_jupiter["algorithm/hold/DAX"].counters["signals"], 1);
  CAF_CHECK_EQUAL(on_jupiter["algorithm/sma/DAX"].counters["quotes"], 2);
  CAF_CHECK_EQUAL(on_jupiter["algorithm/hold/SMI"].counters["quotes"], 1);
  CAF_CHECK_EQUAL(on_jupiter["algorithm/sma/IBEX"].counters["quotes"], 1);
  // The router's view agrees, every instance in its first placement.
  auto where = placement();
  CAF_CHECK_EQUAL(where.size(), 6u);
  for (auto key : {"hold/IBEX", "sma/SMI"})
    CAF_CHECK_EQUAL(where[key]["node"].get<std::string>(), "mars");
  for (auto key : {"hold/DAX", "hold/SMI", "sma/DAX", "sma/IBEX"})
    CAF_CHECK_EQUAL(where[key]["node"].get<std::string>(), "jupiter");
  for (auto& [key, x] : where.items())
    CAF_CHECK_EQUAL(x["epoch"].get<uint64_t>(), 1u);
  auto st = router_state();
  CAF_CHECK_EQUAL(st.counters["placements"], 6);
  CAF_CHECK_EQUAL(st.counters["placement_failures"], 0);
  CAF_CHECK_EQUAL(st.counters["quotes"], 4);
  CAF_CHECK_EQUAL(state_of(mars, mars_agent).counters["placed"], 2);
}

CAF_TEST(signals cross nodes into the portfolio) {
  start({coin});
  join_mars_and_jupiter();
  // coin/SMI, coin/ESTX and coin/CAC run on mars; three quotes each.
  auto orders = route(flat_quotes({"SMI", "ESTX", "CAC"}, 3));
  CAF_CHECK_EQUAL(orders, 9u);
  auto on_mars = hosted(mars, mars_agent);
  CAF_CHECK_EQUAL(
    names_of(on_mars),
    (std::vector<std::string>{"algorithm/coin/CAC", "algorithm/coin/ESTX",
                              "algorithm/coin/SMI"}));
  for (auto& [name, x] : on_mars) {
    CAF_CHECK_EQUAL(x.counters["quotes"], 3);
    CAF_CHECK_EQUAL(x.counters["signals"], 3);
  }
  CAF_CHECK(hosted(jupiter, jupiter_agent).empty());
  auto pst = state_of(earth, pf);
  CAF_CHECK_EQUAL(pst.counters["signals"], 9);
  CAF_CHECK_EQUAL(pst.counters["orders"], 9);
  // The journal holds the nine buys, in quote order: SMI, ESTX, CAC per tick.
  auto read = trading::read_journal(path);
  auto& contents = read.value();
  CAF_REQUIRE_EQUAL(contents.orders.size(), 9u);
  std::vector<std::string> symbols;
  for (const auto& o : contents.orders) {
    CAF_CHECK_EQUAL(o.strategy, "coin");
    CAF_CHECK_EQUAL(o.qty, 10);
    symbols.push_back(o.symbol);
  }
  CAF_CHECK_EQUAL(symbols,
                  (std::vector<std::string>{"SMI", "ESTX", "CAC", "SMI", "ESTX",
                                            "CAC", "SMI", "ESTX", "CAC"}));
}

CAF_TEST(the instances of a lost node are placed anew and trade on) {
  start({sma, coin});
  join_mars_and_jupiter();
  // mars runs sma/SMI, coin/SMI and coin/ESTX; jupiter the other three.
  // Four flat ticks: only the coins buy, 3 symbols x 4 quotes.
  CAF_CHECK_EQUAL(route(flat_quotes({"SMI", "ESTX", "DAX"}, 4)), 12u);
  CAF_CHECK_EQUAL(hosted(mars, mars_agent).size(), 3u);
  cut_mars();
  auto st = router_state();
  CAF_CHECK_EQUAL(st.counters["replacements"], 3);
  CAF_CHECK_EQUAL(st.counters["placements"], 9);
  CAF_CHECK_EQUAL(st.counters["placement_failures"], 0);
  CAF_CHECK_EQUAL(st.counters["stale_replies"], 0);
  auto summary = nlohmann::json::parse(st.summary_json);
  auto& where = summary["placement"];
  CAF_CHECK_EQUAL(where.size(), 6u);
  for (auto& [key, x] : where.items())
    CAF_CHECK_EQUAL(x["node"].get<std::string>(), "jupiter");
  for (auto key : {"sma/SMI", "coin/SMI", "coin/ESTX"})
    CAF_CHECK_EQUAL(where[key]["epoch"].get<uint64_t>(), 2u);
  for (auto key : {"sma/DAX", "coin/DAX", "sma/ESTX"})
    CAF_CHECK_EQUAL(where[key]["epoch"].get<uint64_t>(), 1u);
  for (auto& node : summary["nodes"])
    if (node["name"] == "mars") {
      CAF_CHECK_EQUAL(node["alive"].get<bool>(), false);
      CAF_CHECK_EQUAL(node["replaced_after_loss"].get<uint64_t>(), 3u);
    }
  // Mars noticed the coordinator leave and stopped what it hosted for it.
  CAF_CHECK(hosted(mars, mars_agent).empty());
  CAF_CHECK_EQUAL(state_of(mars, mars_agent).counters["orphans_stopped"], 3);
  // Jupiter runs all six; the newcomers were warmed up with the symbol's
  // last quotes, as many as the longest window trading it (sma's slow 3).
  auto on_jupiter = hosted(jupiter, jupiter_agent);
  CAF_CHECK_EQUAL(on_jupiter.size(), 6u);
  for (auto name :
       {"algorithm/sma/SMI", "algorithm/coin/SMI", "algorithm/coin/ESTX"}) {
    auto& x = on_jupiter[name];
    CAF_CHECK_EQUAL(
      nlohmann::json::parse(x.summary_json)["epoch"].get<uint64_t>(), 2u);
    CAF_CHECK_EQUAL(x.counters["warmup_quotes"], 3);
    CAF_CHECK_EQUAL(x.counters["quotes"], 0);
  }
  for (auto name :
       {"algorithm/sma/DAX", "algorithm/coin/DAX", "algorithm/sma/ESTX"}) {
    auto& x = on_jupiter[name];
    CAF_CHECK_EQUAL(
      nlohmann::json::parse(x.summary_json)["epoch"].get<uint64_t>(), 1u);
    CAF_CHECK_EQUAL(x.counters["warmup_quotes"], 0);
    CAF_CHECK_EQUAL(x.counters["quotes"], 4);
  }
  // Trading goes on. A rise in SMI crosses the warmed-up averages at once
  // (fast 105 over slow 103.3): a fresh instance would need two more quotes.
  auto orders
    = route({make_quote("SMI", "110", 5), make_quote("ESTX", "100", 5)});
  // sma/SMI, coin/SMI and coin/ESTX buy; sma/ESTX stays flat.
  CAF_CHECK_EQUAL(orders, 15u);
  on_jupiter = hosted(jupiter, jupiter_agent);
  CAF_CHECK_EQUAL(on_jupiter["algorithm/sma/SMI"].counters["quotes"], 1);
  CAF_CHECK_EQUAL(on_jupiter["algorithm/sma/SMI"].counters["signals"], 1);
  CAF_CHECK_EQUAL(on_jupiter["algorithm/coin/ESTX"].counters["signals"], 1);
  auto read = trading::read_journal(path);
  auto& contents = read.value();
  CAF_REQUIRE_EQUAL(contents.orders.size(), 15u);
  CAF_CHECK_EQUAL(contents.orders[12].strategy, "sma");
  CAF_CHECK_EQUAL(contents.orders[12].symbol, "SMI");
  CAF_CHECK_EQUAL(contents.orders[13].strategy, "coin");
  CAF_CHECK_EQUAL(contents.orders[13].symbol, "SMI");
  CAF_CHECK_EQUAL(contents.orders[14].symbol, "ESTX");
}

CAF_TEST(the coordinator takes over when it hosts instances too) {
  start({sma, coin}, local_placement());
  mars_agent = join(mars, "mars", &mars_link);
  // Between earth and mars the hash puts sma/SMI and coin/CAC on mars,
  // coin/SMI and sma/CAC on earth.
  CAF_CHECK_EQUAL(route(flat_quotes({"SMI", "CAC"}, 4)), 8u);
  CAF_CHECK_EQUAL(
    names_of(hosted(mars, mars_agent)),
    (std::vector<std::string>{"algorithm/coin/CAC", "algorithm/sma/SMI"}));
  auto where = placement();
  CAF_CHECK_EQUAL(where["coin/SMI"]["node"].get<std::string>(), "earth");
  CAF_CHECK_EQUAL(where["sma/CAC"]["node"].get<std::string>(), "earth");
  cut_mars();
  auto st = router_state();
  CAF_CHECK_EQUAL(st.counters["replacements"], 2);
  CAF_CHECK_EQUAL(st.counters["placements"], 6);
  CAF_CHECK_EQUAL(st.counters["algorithm_failures"], 0);
  where = nlohmann::json::parse(st.summary_json)["placement"];
  CAF_CHECK_EQUAL(where.size(), 4u);
  for (auto& [key, x] : where.items())
    CAF_CHECK_EQUAL(x["node"].get<std::string>(), "earth");
  auto all = routed();
  CAF_CHECK_EQUAL(names_of(all), (std::vector<std::string>{
                                   "algorithm/coin/CAC", "algorithm/coin/SMI",
                                   "algorithm/sma/CAC", "algorithm/sma/SMI"}));
  for (auto name : {"algorithm/sma/SMI", "algorithm/coin/CAC"}) {
    auto& x = all[name];
    CAF_CHECK_EQUAL(
      nlohmann::json::parse(x.summary_json)["epoch"].get<uint64_t>(), 2u);
    CAF_CHECK_EQUAL(x.counters["warmup_quotes"], 3);
  }
  for (auto name : {"algorithm/sma/CAC", "algorithm/coin/SMI"}) {
    CAF_CHECK_EQUAL(all[name].counters["warmup_quotes"], 0);
    CAF_CHECK_EQUAL(all[name].counters["quotes"], 4);
  }
  // sma/SMI crosses at once thanks to its warm-up; both coins buy.
  CAF_CHECK_EQUAL(
    route({make_quote("SMI", "110", 5), make_quote("CAC", "100", 5)}), 11u);
  CAF_CHECK_EQUAL(routed()["algorithm/sma/SMI"].counters["signals"], 1);
}

CAF_TEST_FIXTURE_SCOPE_END()
