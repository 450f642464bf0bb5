#define CAF_SUITE actors.shard_desk
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/node_agent.hpp"
#include "actors/shard_book.hpp"
#include "actors/shard_desk.hpp"
#include "actors/shard_worker.hpp"

using namespace intuition;
using namespace intuition::actors;

namespace {

/// What the fake portfolio took.
struct taken {
  std::vector<market_batch> batches;
};

portfolio_actor::behavior_type fake_portfolio(portfolio_actor::pointer,
                                              std::shared_ptr<taken> out) {
  return {
    [out](market_batch& b) -> uint64_t {
      out->batches.push_back(b);
      return out->batches.size();
    },
    [](halt_atom, const std::string&, const std::string&) {
      // nop
    },
    [](report_atom) { return trading::run_report{}; },
    [](control_request&) {
      return control_reply{true, false, "ok"};
    },
    [](get_state_atom) {
      return make_actor_state("portfolio", "fake", {}, "{}");
    },
  };
}

/// A session that takes nothing from a broker: the test hands quotes to
/// the shards' gates itself.
struct fake_source : shard_source {};

trading::quote quote_of(const std::string& symbol, int64_t ts) {
  trading::quote q;
  q.symbol = symbol;
  q.price_micros = 100 * trading::micros_per_unit;
  q.ts_ms = ts;
  return q;
}

struct fixture : testing::actor_fixture {
  std::shared_ptr<taken> pf = std::make_shared<taken>();
  /// The gate of each shard's latest incarnation, by shard.
  std::shared_ptr<std::map<uint32_t, std::shared_ptr<shard_gate>>> gates
    = std::make_shared<std::map<uint32_t, std::shared_ptr<shard_gate>>>();
  /// The read pause each shard's latest incarnation was given, by shard.
  std::shared_ptr<std::map<uint32_t, int32_t>> read_pauses
    = std::make_shared<std::map<uint32_t, int32_t>>();
  trading::shard_map map{{"AAA", "BBB", "CCC", "DDD"}, 2};
  shard_desk_actor desk;
  node_agent_actor agent;

  fixture() {
    desk
      = spawn_desk("test", {"coin", "random", R"({"threshold":0.0})", {}}, pf);
    agent = join(desk, "alpha", "127.0.0.1:4243");
    run();
  }

  /// A desk over `map` with one strategy, its portfolio a fake that keeps
  /// what it takes in `out`.
  shard_desk_actor spawn_desk(const std::string& cluster,
                              strategy_route strategy,
                              std::shared_ptr<taken> out,
                              bool latest_marks = false) {
    shard_desk_options opts;
    opts.latest_marks = latest_marks;
    opts.read_pause_us = 250;
    opts.map = map;
    opts.strategies = {std::move(strategy)};
    opts.cluster_name = cluster;
    opts.broker = "mqtt://127.0.0.1:1883";
    return sys.spawn(shard_desk, opts, sys.spawn(fake_portfolio, out));
  }

  /// A node agent (see `spawn_node`) introduced to `to` as `name`.
  node_agent_actor join(const shard_desk_actor& to, const std::string& name,
                        const std::string& address) {
    auto node = spawn_node();
    self->send(
      to, cluster_member{name, address, caf::actor_cast<caf::actor>(node)});
    return node;
  }

  /// A node agent whose shard sessions are fakes; each records its gate.
  node_agent_actor spawn_node() {
    node_agent_config cfg;
    auto g = gates;
    auto pauses = read_pauses;
    cfg.make_shard_source
      = [g, pauses](const shard_assignment& a, std::shared_ptr<shard_gate> gate)
      -> trading::result<std::unique_ptr<shard_source>> {
      (*g)[a.shard] = std::move(gate);
      (*pauses)[a.shard] = a.read_pause_us;
      return std::unique_ptr<shard_source>{new fake_source};
    };
    return sys.spawn(node_agent, cfg);
  }

  ~fixture() {
    // The system waits for its actors: stop the ones still running.
    self->send_exit(agent, caf::exit_reason::user_shutdown);
    self->send_exit(desk, caf::exit_reason::user_shutdown);
    run();
  }

  /// Hands `quotes` to the shard's worker as its session would; the
  /// deterministic scheduler runs the rest.
  void intake(uint32_t shard, std::vector<trading::quote> quotes) {
    CAF_REQUIRE(gates->count(shard) == 1);
    // A zero timeout: the test thread is also the scheduler.
    (*gates)[shard]->pass(std::move(quotes), std::chrono::milliseconds{0});
    run();
  }

  /// A symbol of `shard`.
  std::string symbol_in(uint32_t shard) {
    return map.symbols(shard).front();
  }

  /// The summary of shard `n`'s worker on the fixture's node.
  nlohmann::json shard_summary(uint32_t n) {
    std::vector<actor_state> xs;
    self->send(agent, list_atom_v, "shard/" + std::to_string(n));
    run();
    self->receive([&](std::vector<actor_state>& x) { xs = std::move(x); },
                  [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    CAF_REQUIRE_EQUAL(xs.size(), 1u);
    return nlohmann::json::parse(xs[0].summary_json);
  }

  int64_t counter(const std::string& name) {
    return state_of(desk).counters[name];
  }

  /// Runs every message but no timer (`run` fires timers too): a quote
  /// without a signal then waits in its worker's outbox.
  void run_messages() {
    while (sched.try_run_once()) {
      // nop
    }
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(shard_desk_tests, fixture)

CAF_TEST(the first node gets every shard with its symbols and instances) {
  CAF_CHECK_EQUAL(gates->size(), 2u);
  auto st = state_of(agent);
  CAF_CHECK_EQUAL(st.counters["shards_started"], 2);
  CAF_CHECK_EQUAL(counter("moves"), 0);
}

CAF_TEST(the shard sessions get the ingress read pause) {
  // ingress.read_pause_us of the coordinator's configuration, here 250.
  CAF_REQUIRE_EQUAL(read_pauses->size(), 2u);
  for (const auto& [shard, pause] : *read_pauses)
    CAF_CHECK_EQUAL(pause, 250);
}

CAF_TEST(quotes from a node reach the portfolio numbered with their signals) {
  auto sym = symbol_in(0);
  intake(0, {quote_of(sym, 1), quote_of(sym, 2)});
  CAF_REQUIRE_EQUAL(pf->batches.size(), 1u);
  const auto& b = pf->batches[0];
  CAF_REQUIRE_EQUAL(b.quotes.size(), 2u);
  CAF_REQUIRE_EQUAL(b.signals.size(), 2u);
  CAF_CHECK_LESS(b.quotes[0].seq, b.quotes[1].seq);
  CAF_CHECK_EQUAL(b.signals[0].quote_seq, b.quotes[0].seq);
  CAF_CHECK_EQUAL(b.signals[1].quote_seq, b.quotes[1].seq);
  CAF_CHECK_EQUAL(counter("quotes"), 2);
}

CAF_TEST(a shard worker shows when its instances last took a read) {
  CAF_CHECK_EQUAL(shard_summary(0)["last_quote_at_ms"].get<int64_t>(), 0);
  auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  intake(0, {quote_of(symbol_in(0), 1)});
  CAF_CHECK_GREATER_OR_EQUAL(
    shard_summary(0)["last_quote_at_ms"].get<int64_t>(), before);
  CAF_CHECK_EQUAL(shard_summary(1)["last_quote_at_ms"].get<int64_t>(), 0);
}

CAF_TEST(a quote taken before is dropped with its signals) {
  auto sym = symbol_in(1);
  intake(1, {quote_of(sym, 1)});
  CAF_REQUIRE_EQUAL(pf->batches.size(), 1u);
  // The next owner got it again from the broker, with a new one.
  trading::signal again{
    "coin", sym, trading::side::buy, 1.0, 100 * trading::micros_per_unit, 1, 0};
  trading::signal fresh{
    "coin", sym, trading::side::buy, 1.0, 100 * trading::micros_per_unit, 2, 1};
  self->send(
    desk,
    shard_batch{1, 1, {quote_of(sym, 1), quote_of(sym, 2)}, {again, fresh}});
  run();
  CAF_CHECK_EQUAL(drained(), 1u);
  CAF_REQUIRE_EQUAL(pf->batches.size(), 2u);
  CAF_REQUIRE_EQUAL(pf->batches[1].quotes.size(), 1u);
  CAF_CHECK_EQUAL(pf->batches[1].quotes[0].ts_ms, 2);
  CAF_REQUIRE_EQUAL(pf->batches[1].signals.size(), 1u);
  CAF_CHECK_EQUAL(pf->batches[1].signals[0].ts_ms, 2);
  CAF_CHECK_EQUAL(counter("duplicates"), 1);
}

CAF_TEST(a batch of a stale epoch is refused and never traded) {
  auto sym = symbol_in(0);
  self->send(desk, shard_batch{0, 7, {quote_of(sym, 1)}, {}});
  run();
  bool refused = false;
  self->receive([&](uint64_t) { CAF_FAIL("a stale batch was taken"); },
                [&](caf::error&) { refused = true; });
  CAF_CHECK(refused);
  CAF_CHECK(pf->batches.empty());
  CAF_CHECK_EQUAL(counter("fenced"), 1);
  CAF_CHECK_EQUAL(counter("fenced_quotes"), 1);
}

CAF_TEST(a lost node fences its shards and a new node takes them over) {
  self->send_exit(agent, caf::exit_reason::kill);
  run();
  auto sym = symbol_in(0);
  self->send(desk, shard_batch{0, 1, {quote_of(sym, 1)}, {}});
  run();
  bool refused = false;
  self->receive([&](uint64_t) { CAF_FAIL("a lost node's batch was taken"); },
                [&](caf::error&) { refused = true; });
  CAF_CHECK(refused);
  CAF_CHECK_EQUAL(counter("failovers"), 2);
  // A second node joins: both shards start there with a higher epoch.
  gates->clear();
  auto beta = join(desk, "beta", "127.0.0.1:4244");
  run();
  CAF_CHECK_EQUAL(gates->size(), 2u);
  intake(0, {quote_of(sym, 1)});
  CAF_REQUIRE_EQUAL(pf->batches.size(), 1u);
  self->send_exit(beta, caf::exit_reason::user_shutdown);
  run();
}

CAF_TEST(a shard that moves is handed back with the quotes its owner holds) {
  // A strategy that never signals: a read is acknowledged at once and its
  // quotes wait for the mark interval.
  auto quiet_pf = std::make_shared<taken>();
  auto quiet = spawn_desk(
    "quiet", {"never", "random", R"({"threshold":1.0})", {}}, quiet_pf);
  gates->clear();
  auto alpha = join(quiet, "alpha", "127.0.0.1:5001");
  run();
  CAF_REQUIRE_EQUAL(gates->size(), 2u);
  // The shard beta will win once it joins.
  shard_book book{2, 1};
  book.add_member("alpha", "127.0.0.1:5001");
  book.add_member("beta", "127.0.0.1:5002");
  uint32_t moving = book.desired_owner(0) == 1 ? 0 : 1;
  CAF_REQUIRE_EQUAL(book.desired_owner(moving), 1u);
  int64_t wins = 0;
  for (uint32_t s = 0; s < 2; ++s)
    wins += book.desired_owner(s) == 1 ? 1 : 0;
  auto sym = symbol_in(moving);
  (*gates)[moving]->pass({quote_of(sym, 1), quote_of(sym, 2)},
                         std::chrono::milliseconds{0});
  run_messages();
  CAF_CHECK(quiet_pf->batches.empty());
  // Beta joins: alpha hands the shard back with its two quotes before
  // beta starts it.
  auto beta = join(quiet, "beta", "127.0.0.1:5002");
  run_messages();
  size_t marked = 0;
  for (const auto& b : quiet_pf->batches)
    marked += b.quotes.size();
  CAF_CHECK_EQUAL(marked, 2u);
  auto desk_state = state_of(quiet);
  CAF_CHECK_EQUAL(desk_state.counters["handovers"], wins);
  CAF_CHECK_EQUAL(desk_state.counters["moves"], wins);
  CAF_CHECK_EQUAL(desk_state.counters["failovers"], 0);
  CAF_CHECK_EQUAL(state_of(alpha).counters["shards_drained"], wins);
  CAF_CHECK_EQUAL(state_of(beta).counters["shards_started"], wins);
  for (auto hdl :
       {caf::actor_cast<caf::actor>(alpha), caf::actor_cast<caf::actor>(beta),
        caf::actor_cast<caf::actor>(quiet)})
    self->send_exit(hdl, caf::exit_reason::user_shutdown);
  run();
}

CAF_TEST(with latest marks a node sends each symbol newest quote only) {
  auto quiet_pf = std::make_shared<taken>();
  auto quiet = spawn_desk(
    "latest", {"never", "random", R"({"threshold":1.0})", {}}, quiet_pf, true);
  gates->clear();
  auto alpha = join(quiet, "alpha", "127.0.0.1:5001");
  run();
  CAF_REQUIRE_EQUAL(gates->size(), 2u);
  // Four symbols over two shards: one shard has two of them at least.
  uint32_t shard = map.symbols(0).size() >= 2 ? 0 : 1;
  auto a = map.symbols(shard)[0];
  auto b = map.symbols(shard)[1];
  (*gates)[shard]->pass({quote_of(a, 1), quote_of(b, 2), quote_of(a, 3),
                         quote_of(a, 4), quote_of(b, 5)},
                        std::chrono::milliseconds{0});
  // The timer sends what waits.
  run();
  CAF_REQUIRE_EQUAL(quiet_pf->batches.size(), 1u);
  const auto& marks = quiet_pf->batches[0].quotes;
  CAF_REQUIRE_EQUAL(marks.size(), 2u);
  CAF_CHECK_EQUAL(marks[0].symbol, a);
  CAF_CHECK_EQUAL(marks[0].ts_ms, 4);
  CAF_CHECK_EQUAL(marks[1].symbol, b);
  CAF_CHECK_EQUAL(marks[1].ts_ms, 5);
  auto desk_state = state_of(quiet);
  CAF_CHECK_EQUAL(desk_state.counters["quotes"], 5);
  CAF_CHECK_EQUAL(desk_state.counters["conflated"], 3);
  // After a crash the next owner can send an older quote that the first
  // one conflated, alone: it must not move the mark back. A signal's
  // quote is traded whatever its age.
  trading::signal late{
    "never", a, trading::side::buy, 1.0, 100 * trading::micros_per_unit, 2, 1};
  self->send(quiet,
             shard_batch{shard, 1, {quote_of(a, 1), quote_of(a, 2)}, {late}});
  run();
  CAF_REQUIRE_EQUAL(quiet_pf->batches.size(), 2u);
  const auto& again = quiet_pf->batches[1];
  CAF_REQUIRE_EQUAL(again.quotes.size(), 1u);
  CAF_CHECK_EQUAL(again.quotes[0].ts_ms, 2);
  CAF_REQUIRE_EQUAL(again.signals.size(), 1u);
  desk_state = state_of(quiet);
  CAF_CHECK_EQUAL(desk_state.counters["conflated"], 4);
  CAF_CHECK_EQUAL(desk_state.counters["quotes"], 7);
  for (auto hdl :
       {caf::actor_cast<caf::actor>(alpha), caf::actor_cast<caf::actor>(quiet)})
    self->send_exit(hdl, caf::exit_reason::user_shutdown);
  run();
}

CAF_TEST_FIXTURE_SCOPE_END()
