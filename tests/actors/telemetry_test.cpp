#define CAF_SUITE actors.telemetry
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"

#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "actors/messages.hpp"
#include "actors/mqtt_ingress.hpp"
#include "actors/node_agent.hpp"
#include "actors/order_log.hpp"
#include "actors/order_publisher.hpp"
#include "actors/portfolio.hpp"
#include "actors/quote_router.hpp"
#include "actors/telemetry.hpp"
#include "actors/telemetry_table.hpp"
#include "runtime/metrics.hpp"
#include "trading/decimal.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::actors;

namespace {

/// Every actor kind that exports samples, each with something to report.
struct fixture : testing::actor_fixture {
  std::string dir;
  order_log_actor log;
  portfolio_actor pf;
  quote_router_actor router;
  mqtt_ingress_actor ingress;
  order_publisher_actor publisher;
  node_agent_actor agent;

  fixture() {
    char tmpl[] = "/tmp/intuition-telemetry-XXXXXX";
    dir = ::mkdtemp(tmpl);
    auto path = dir + "/orders.journal";
    auto contents = trading::read_journal(path);
    CAF_REQUIRE(contents);
    auto writer = std::make_shared<trading::journal_writer>();
    CAF_REQUIRE(writer->open(path, *contents));
    log = sys.spawn(order_log, writer,
                    order_log_config{trading::fsync_policy::always, {}, {}});
    trading::portfolio_config pc;
    pc.sizing.kind = trading::sizing_kind::fixed_quantity;
    pc.sizing.qty = 1;
    pf = sys.spawn(portfolio, pc, trading::report_config{},
                   std::vector<trading::order>{}, log);
    router = sys.spawn(
      quote_router,
      std::vector<strategy_route>{{"hold", "buy_and_hold", "{}", {}}},
      local_placement(), pf, order_publisher_actor{}, router_options{});
    ingress = sys.spawn(mqtt_ingress, mqtt_ingress_config{}, router);
    auto ignore = [](const std::string&, const std::string&,
                     int) -> trading::result<int> {
      return 1;
    };
    publisher = sys.spawn(order_publisher, order_publisher_config{},
                          publish_fns{ignore, ignore});
    node_agent_config node;
    node.role = "node";
    agent = sys.spawn(node_agent, std::move(node));
    run();
    // A quote placed an instance and filled an order: every family has a
    // series, the router's per-node ones too.
    trading::quote q{"DAX", *trading::parse_decimal_micros("100"), 1, 0};
    self->send(router, quote_batch{{q}});
    self->send(ingress, mqtt_message{"quotes/DAX", "not json", 0});
    run();
  }

  ~fixture() {
    for (auto handle :
         {caf::actor_cast<caf::actor>(agent),
          caf::actor_cast<caf::actor>(publisher),
          caf::actor_cast<caf::actor>(ingress),
          caf::actor_cast<caf::actor>(router), caf::actor_cast<caf::actor>(pf),
          caf::actor_cast<caf::actor>(log)})
      anon_send_exit(handle, caf::exit_reason::user_shutdown);
    run();
    std::string cmd = "rm -rf " + dir;
    CAF_CHECK_EQUAL(std::system(cmd.c_str()), 0);
  }

  /// What a worker node's agent exports of its own.
  std::vector<metric_sample> agent_samples() {
    std::vector<metric_sample> out;
    self->send(agent, metrics_atom_v);
    run();
    self->receive([&](std::vector<metric_sample>& xs) { out = std::move(xs); },
                  [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return out;
  }

  /// Every sample this process exports.
  std::vector<metric_sample> all_samples() {
    auto out = caf_samples(1);
    auto add = [&out](const std::vector<metric_sample>& xs) {
      out.insert(out.end(), xs.begin(), xs.end());
    };
    add(runtime::process_samples());
    add(agent_samples());
    for (auto handle :
         {caf::actor_cast<caf::actor>(router), caf::actor_cast<caf::actor>(pf),
          caf::actor_cast<caf::actor>(log),
          caf::actor_cast<caf::actor>(ingress),
          caf::actor_cast<caf::actor>(publisher)})
      add(state_of(handle).metrics);
    return out;
  }
};

/// The `# HELP` lines of an exposition whose text is only the metric's name.
std::vector<std::string> lines_without_help(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, 7, "# HELP ") != 0)
      continue;
    auto rest = line.substr(7);
    auto space = rest.find(' ');
    if (space == std::string::npos || rest.substr(space + 1).empty()
        || rest.substr(space + 1) == rest.substr(0, space))
      out.push_back(line);
  }
  return out;
}

/// A state to declare figures of.
struct toy_state {
  static inline const char* name = "toy";
  uint64_t seen = 0;
  uint64_t huge = std::numeric_limits<uint64_t>::max();
  bool up = true;
  std::map<std::string, uint64_t> by_topic{{"a", 1}, {"b", 2}};
  bucket_histogram latency{{0.5}};
};

const telemetry<toy_state>& toy_telemetry(samples_in_state in_state) {
  using field = telemetry_field<toy_state>;
  static const std::vector<field> fields{
    field::count("seen", &toy_state::seen)
      .counter("toy_seen_total", "Things seen."),
    field::count("huge", &toy_state::huge),
    field::value(&toy_state::up)
      .gauge("toy_up", "1 while up.", {{"side", "left"}}),
    field::family(
      {"toy_by_topic_total", metric_type::counter, "By topic.", {"topic"}},
      [](const toy_state& st) {
        std::vector<series> out;
        for (const auto& [topic, n] : st.by_topic)
          out.push_back({{topic}, n});
        return out;
      }),
    field::histogram("toy_latency_seconds", "Latency.", &toy_state::latency),
  };
  static const telemetry<toy_state> yes{fields, samples_in_state::yes};
  static const telemetry<toy_state> no{fields, samples_in_state::no};
  return in_state == samples_in_state::yes ? yes : no;
}

} // namespace

CAF_TEST(one declaration yields the counters the samples and the help) {
  toy_state st;
  st.seen = 3;
  st.latency.observe(0.25);
  const auto& tel = toy_telemetry(samples_in_state::yes);
  // Counters are clamped once, not cast: a count past 2^63 - 1 is not
  // negative.
  CAF_CHECK_EQUAL(
    tel.counters(st),
    (std::map<std::string, int64_t>{
      {"huge", std::numeric_limits<int64_t>::max()}, {"seen", 3}}));
  auto xs = tel.samples(st);
  CAF_REQUIRE_EQUAL(xs.size(), 5u);
  CAF_CHECK_EQUAL(xs[0], counter_sample("toy_seen_total", 3));
  CAF_CHECK_EQUAL(xs[1], gauge_sample("toy_up", 1, {{"side", "left"}}));
  CAF_CHECK_EQUAL(xs[2],
                  counter_sample("toy_by_topic_total", 1, {{"topic", "a"}}));
  CAF_CHECK_EQUAL(xs[3],
                  counter_sample("toy_by_topic_total", 2, {{"topic", "b"}}));
  CAF_CHECK_EQUAL(xs[4], st.latency.sample("toy_latency_seconds"));
  std::vector<std::string> names;
  for (const auto& m : tel.metrics())
    names.push_back(m.name + ": " + m.help);
  CAF_CHECK_EQUAL(names,
                  (std::vector<std::string>{"toy_seen_total: Things seen.",
                                            "toy_up: 1 while up.",
                                            "toy_by_topic_total: By topic.",
                                            "toy_latency_seconds: Latency."}));
  // The state reply carries the samples only where the kind reports them
  // there.
  auto with = tel.state(st, "toy/1", "{}");
  CAF_CHECK_EQUAL(with.name, "toy/1");
  CAF_CHECK_EQUAL(with.kind, "toy");
  CAF_CHECK_EQUAL(with.counters, tel.counters(st));
  CAF_CHECK_EQUAL(with.metrics, xs);
  auto without = toy_telemetry(samples_in_state::no).state(st, "toy", "{}");
  CAF_CHECK_EQUAL(without.counters, tel.counters(st));
  CAF_CHECK(without.metrics.empty());
}

CAF_TEST(every declared metric has help text and one declaration per name) {
  std::map<std::string, metric_info> seen;
  for (const auto& x : runtime::exported_metrics()) {
    CAF_CHECK(!x.help.empty());
    CAF_CHECK_NOT_EQUAL(x.help, x.name);
    auto [i, added] = seen.emplace(x.name, x);
    if (!added) {
      // Several kinds export it (the MQTT clients, the router and a node's
      // agent): they declare it alike.
      CAF_CHECK_EQUAL(i->second.help, x.help);
      CAF_CHECK(i->second.type == x.type);
      CAF_CHECK_EQUAL(i->second.labels, x.labels);
    }
  }
  // The three whose help text was once missing are declared.
  for (auto name : {"intuition_unplaced_quotes_total",
                    "intuition_stale_replies_total", "intuition_node_alive"})
    CAF_CHECK_EQUAL(seen.count(name), 1u);
}

CAF_TEST_FIXTURE_SCOPE(telemetry_tests, fixture)

CAF_TEST(every metric an actor exports has help text) {
  // The exporter's help comes from the declarations: a sample no kind
  // declared would explain itself by its name only.
  auto xs = all_samples();
  std::set<std::string> names;
  for (const auto& x : xs)
    names.insert(x.name);
  // The families that only show once something happened are there.
  for (auto name :
       {"intuition_node_alive", "intuition_orders_total",
        "intuition_quotes_rejected_total", "intuition_journal_fsync_seconds",
        "intuition_node_placements_total", "intuition_mqtt_reconnects_total"})
    CAF_CHECK(names.count(name) == 1);
  CAF_CHECK_EQUAL(lines_without_help(runtime::exposition_text(xs)),
                  std::vector<std::string>{});
  std::set<std::string> declared;
  for (const auto& x : runtime::exported_metrics())
    declared.insert(x.name);
  for (const auto& name : names)
    CAF_CHECK(declared.count(name) == 1);
}

CAF_TEST_FIXTURE_SCOPE_END()
