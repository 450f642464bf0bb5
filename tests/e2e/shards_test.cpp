#define CAF_SUITE e2e.shards
#include "caf/test/unit_test.hpp"

#include <initializer_list>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sys/stat.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/broker.hpp"
#include "support.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::e2e;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// One order per quote: every quote must show up in the journal exactly
/// once, whichever node owned its shard and whatever happened to it.
const char* shards_config = R"({
  "strategies": [{"name": "every", "algorithm": "random",
                  "params": {"threshold": 0.0}}],
  "portfolio": {"starting_cash": 1000000000,
                "sizing": {"kind": "fixed_quantity", "quantity": 1}},
  "journal": {"path": "shards.journal", "fsync": "never"},
  "mqtt": {"client_id": "e2e-shards", "publish_signals": false},
  "cluster": {"local": false, "ingress": "node", "name": "e2e",
              "universe": "universe.txt", "shards": 16, "max_moves": 2}
})";

/// Signals on about 5 % of the quotes: the rest are acknowledged by the
/// nodes at once and reach the coordinator at the mark interval.
const char* rare_signals_config = R"({
  "strategies": [{"name": "rare", "algorithm": "random",
                  "params": {"threshold": 0.95}}],
  "portfolio": {"starting_cash": 1000000000,
                "sizing": {"kind": "fixed_quantity", "quantity": 1}},
  "journal": {"path": "shards.journal", "fsync": "never"},
  "mqtt": {"client_id": "e2e-shards", "publish_signals": false},
  "cluster": {"local": false, "ingress": "node", "name": "e2e",
              "universe": "universe.txt", "shards": 16,
              "mark_interval_ms": 100}
})";

constexpr int symbols = 200;

struct fixture : temp_dir {
  std::unique_ptr<runtime::embedded_broker> broker;
  std::string caf_conf = write("caf-application.conf", fast_caf_settings);
  std::string journal = file("shards.journal");
  std::string listen;
  /// Broker credential flags every process of the test passes.
  std::vector<std::string> login;

  fixture() {
    broker = start_test_broker(*this);
    std::string universe;
    for (int s = 0; s < symbols; ++s)
      universe += "SYM" + std::to_string(s) + "\n";
    write("universe.txt", universe);
  }

  /// The first group captured by `pattern` in `path`, once it appears.
  std::string wait_for_match(const std::string& path,
                             const std::string& pattern,
                             std::chrono::milliseconds timeout = 20s) {
    std::smatch m;
    std::string text;
    std::regex re{pattern};
    CAF_REQUIRE(eventually(
      [&] {
        text = slurp(path);
        return std::regex_search(text, m, re);
      },
      timeout));
    return m[1].str();
  }

  /// Starts a worker node on `port` (0: any); returns it with its port.
  std::pair<process, std::string> start_node(const std::string& name,
                                             uint16_t port = 0,
                                             uint16_t metrics_port = 0) {
    std::vector<std::string> args{"node",   "--port", std::to_string(port),
                                  "--name", name,     "--caf-config",
                                  caf_conf};
    if (metrics_port > 0) {
      args.push_back("--metrics-port");
      args.push_back(std::to_string(metrics_port));
    }
    args.insert(args.end(), login.begin(), login.end());
    auto p = intuition(args, name);
    auto at = wait_for_match(p.err_path, "ready on 127\\.0\\.0\\.1:([0-9]+)");
    return {p, at};
  }

  process start_run(const std::vector<std::string>& node_ports,
                    const char* config = shards_config) {
    auto cfg = write("shards.json", config);
    std::vector<std::string> args{
      "run", "--config",     cfg,      "--broker",  broker->url(), "--listen",
      "0",   "--caf-config", caf_conf, "--journal", journal,       "--quiet"};
    for (const auto& port : node_ports) {
      args.push_back("--join");
      args.push_back("127.0.0.1:" + port);
    }
    args.insert(args.end(), login.begin(), login.end());
    auto p = intuition(args, "run");
    wait_for_match(p.err_path, "(intuition run: ready)");
    listen = wait_for_match(p.err_path, "peers on 127\\.0\\.0\\.1:([0-9]+)");
    return p;
  }

  /// Rounds [first, last) of one quote per symbol, one timestamp per round,
  /// published to quotes/SYMBOL in the background at `rate` quotes/s.
  process feed(int first, int last, int rate) {
    std::string csv = "ts,symbol,price\n";
    for (int r = first; r < last; ++r)
      for (int s = 0; s < symbols; ++s)
        csv += std::to_string(1700000000000 + r * 1000) + ",SYM"
               + std::to_string(s) + "," + std::to_string(100 + r) + ".5\n";
    auto tag = "feed-" + std::to_string(first);
    auto path = write(tag + ".csv", csv);
    std::vector<std::string> args{"feed",     "--broker", broker->url(),
                                  "--quotes", path,       "--topic-per-symbol",
                                  "--quiet"};
    if (rate > 0) {
      args.push_back("--rate");
      args.push_back(std::to_string(rate));
    }
    args.insert(args.end(), login.begin(), login.end());
    return intuition(args, tag);
  }

  std::vector<trading::order> journaled() {
    auto read = trading::read_journal(journal, false);
    if (auto* c = read ? &*read : nullptr)
      return c->orders;
    return {};
  }

  /// The journal holds one order per signal and none twice.
  void check_one_order_per_signal(int64_t signals) {
    auto orders = journaled();
    CAF_CHECK_EQUAL(orders.size(), static_cast<size_t>(signals));
    std::set<std::pair<std::string, int64_t>> seen;
    for (const auto& x : orders)
      CAF_CHECK(seen.insert({x.symbol, x.ts_ms}).second);
  }

  bool journaled_at_least(int rounds) {
    return eventually(
      [&] {
        return journaled().size() >= static_cast<size_t>(symbols * rounds);
      },
      60s);
  }

  /// The state of the actor `name` on the coordinator, as `inspect` prints
  /// it.
  json state_of(const std::string& name) {
    auto p = intuition({"inspect", "--node", "127.0.0.1:" + listen, name,
                        "--json", "--caf-config", caf_conf},
                       "inspect");
    CAF_REQUIRE_EQUAL(p.wait_for(30s), 0);
    auto states = json::parse(slurp(p.out_path));
    CAF_REQUIRE_EQUAL(states.size(), 1u);
    return states[0];
  }

  /// The desk's view of each node, by name.
  std::map<std::string, json> nodes() {
    std::map<std::string, json> out;
    auto desk = state_of("shard_desk");
    for (const auto& n : desk["summary"]["nodes"])
      out[n["name"].get<std::string>()] = n;
    return out;
  }

  /// Every (symbol, ts) of `rounds` rounds is in the journal exactly once.
  void check_every_quote_traded_once(int rounds) {
    auto orders = journaled();
    CAF_CHECK_EQUAL(orders.size(), static_cast<size_t>(symbols * rounds));
    std::map<std::pair<std::string, int64_t>, int> seen;
    for (const auto& x : orders)
      ++seen[{x.symbol, x.ts_ms}];
    CAF_CHECK_EQUAL(seen.size(), static_cast<size_t>(symbols * rounds));
    for (const auto& [key, n] : seen)
      if (n != 1)
        CAF_FAIL(key.first << " at " << key.second << " traded " << n
                           << " times");
  }

  void stop(process& p) {
    p.signal(SIGINT);
    CAF_CHECK_EQUAL(p.wait_for(30s), 0);
  }

  /// Feeds rounds [first, last) at full speed and waits until the journal
  /// holds every round up to `last`.
  void feed_rounds(int first, int last) {
    auto feeder = feed(first, last, 0);
    CAF_REQUIRE_EQUAL(feeder.wait_for(60s), 0);
    CAF_REQUIRE(journaled_at_least(last));
  }

  /// Stops the run, checks that each of `rounds` rounds was traded exactly
  /// once, and stops the nodes.
  void finish(process& run, int rounds, std::initializer_list<process*> ps) {
    stop(run);
    check_every_quote_traded_once(rounds);
    for (auto* p : ps)
      stop(*p);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(shards_tests, fixture)

CAF_TEST(nodes take their shards quotes and every quote is traded once) {
  auto alpha_metrics = unused_port();
  auto [alpha, alpha_port] = start_node("alpha", 0, alpha_metrics);
  auto [beta, beta_port] = start_node("beta");
  auto run = start_run({alpha_port, beta_port});
  CAF_CHECK(contains(slurp(run.err_path),
                     "cluster: node-local ingress, 200 symbol(s) in 16 "
                     "shard(s) on topics quotes/SYMBOL"));
  auto feeder = feed(0, 10, 0);
  CAF_REQUIRE_EQUAL(feeder.wait_for(60s), 0);
  CAF_REQUIRE(journaled_at_least(10));
  auto by_node = nodes();
  CAF_CHECK_EQUAL(
    by_node["alpha"]["shards"].size() + by_node["beta"]["shards"].size(), 16u);
  CAF_CHECK_GREATER(by_node["alpha"]["quotes"].get<int64_t>(), 0);
  CAF_CHECK_GREATER(by_node["beta"]["quotes"].get<int64_t>(), 0);
  CAF_CHECK_EQUAL(by_node["alpha"]["quotes"].get<int64_t>()
                    + by_node["beta"]["quotes"].get<int64_t>(),
                  symbols * 10);
  // No quote passed through the coordinator's router.
  auto router = state_of("quote_router");
  CAF_CHECK_EQUAL(router["counters"]["quotes"], 0);
  // A node lists the shards it runs, each with its session.
  auto listing = intuition({"inspect", "--node", "127.0.0.1:" + alpha_port,
                            "shard/*", "--json", "--caf-config", caf_conf},
                           "inspect-alpha");
  CAF_REQUIRE_EQUAL(listing.wait_for(30s), 0);
  auto hosted = json::parse(slurp(listing.out_path));
  CAF_CHECK_EQUAL(hosted.size(), by_node["alpha"]["shards"].size());
  int64_t confirmed = 0;
  for (const auto& x : hosted) {
    CAF_CHECK_EQUAL(x["kind"], "shard_worker");
    CAF_CHECK_EQUAL(x["counters"]["in_flight"], 0);
    confirmed += x["counters"]["confirmed"].get<int64_t>();
  }
  CAF_CHECK_EQUAL(confirmed, by_node["alpha"]["quotes"].get<int64_t>());
  // The node exports its ingress and what a SIGKILL now would leave to
  // redelivery; the coordinator exports ownership and quotes per node.
  auto text = http_get(alpha_metrics, "/metrics").second;
  CAF_CHECK_EQUAL(series_value(text, "intuition_node_shard_quotes_confirmed_"
                                     "total{node=\"alpha\"}"),
                  static_cast<double>(confirmed));
  CAF_CHECK_EQUAL(
    series_value(text, "intuition_node_shard_quotes_in_flight{node=\"alpha\"}"),
    0.0);
  CAF_CHECK_EQUAL(series_value(text, "intuition_node_shards{node=\"alpha\"}"),
                  static_cast<double>(hosted.size()));
  stop(run);
  check_every_quote_traded_once(10);
  stop(alpha);
  stop(beta);
}

CAF_TEST(quotes without a signal are acknowledged at once and still marked) {
  auto alpha_metrics = unused_port();
  auto [alpha, alpha_port] = start_node("alpha", 0, alpha_metrics);
  auto [beta, beta_port] = start_node("beta");
  auto run = start_run({alpha_port, beta_port}, rare_signals_config);
  auto feeder = feed(0, 10, 0);
  CAF_REQUIRE_EQUAL(feeder.wait_for(60s), 0);
  // Every quote reaches the portfolio within the mark interval, though
  // few raised a signal.
  auto quotes = [&] {
    return state_of("portfolio")["counters"]["quotes"].get<int64_t>();
  };
  CAF_REQUIRE(eventually([&] { return quotes() == symbols * 10; }, 30s));
  auto desk = state_of("shard_desk");
  CAF_CHECK_EQUAL(desk["counters"]["quotes"].get<int64_t>(), symbols * 10);
  auto signals = desk["counters"]["signals"].get<int64_t>();
  CAF_CHECK_GREATER(signals, 0);
  CAF_CHECK_LESS(signals, symbols * 10 / 4);
  // The nodes acknowledged every read and hold nothing back any more.
  auto text = http_get(alpha_metrics, "/metrics").second;
  auto figure = [&](const std::string& name) {
    return series_value(text, name + "{node=\"alpha\"}");
  };
  CAF_CHECK_GREATER(figure("intuition_node_shard_quotes_received_total"), 0.0);
  CAF_CHECK_EQUAL(figure("intuition_node_shard_quotes_confirmed_total"),
                  figure("intuition_node_shard_quotes_received_total"));
  CAF_CHECK_EQUAL(figure("intuition_node_shard_quotes_unsent"), 0.0);
  CAF_CHECK_EQUAL(figure("intuition_node_shard_quotes_in_flight"), 0.0);
  stop(run);
  check_one_order_per_signal(signals);
  stop(alpha);
  stop(beta);
}

CAF_TEST(
  with latest marks every quote is counted and every signal traded once) {
  std::string config = rare_signals_config;
  auto at = config.find(R"("mark_interval_ms": 100)");
  CAF_REQUIRE(at != std::string::npos);
  config.insert(at, R"("marks": "latest", )");
  auto [alpha, alpha_port] = start_node("alpha");
  auto [beta, beta_port] = start_node("beta");
  auto run = start_run({alpha_port, beta_port}, config.c_str());
  auto feeder = feed(0, 10, 0);
  CAF_REQUIRE_EQUAL(feeder.wait_for(60s), 0);
  auto counter = [&](const std::string& name) {
    return state_of("shard_desk")["counters"][name].get<int64_t>();
  };
  CAF_REQUIRE(
    eventually([&] { return counter("quotes") == symbols * 10; }, 30s));
  // The nodes sent each symbol's newest quote and the signals' quotes; the
  // portfolio marked those, and the rest were counted.
  auto conflated = counter("conflated");
  auto marked = state_of("portfolio")["counters"]["quotes"].get<int64_t>();
  CAF_CHECK_GREATER(conflated, 0);
  CAF_CHECK_EQUAL(marked + conflated, symbols * 10);
  auto signals = counter("signals");
  CAF_CHECK_GREATER(signals, 0);
  stop(run);
  check_one_order_per_signal(signals);
  stop(alpha);
  stop(beta);
}

CAF_TEST(the shards of a killed node move to the survivor and none is lost) {
  auto [alpha, alpha_port] = start_node("alpha");
  auto [beta, beta_port] = start_node("beta");
  auto run = start_run({alpha_port, beta_port});
  auto feeder = feed(0, 20, 1000);
  CAF_REQUIRE(journaled_at_least(4));
  // Beta joined after alpha took every shard: the kill is meant for a
  // settled cluster, not for one still moving shards to beta.
  CAF_REQUIRE(eventually(
    [&] { return state_of("shard_desk")["summary"]["moves_pending"] == 0; },
    30s));
  auto before = nodes();
  auto alpha_shards = before["alpha"]["shards"].size();
  CAF_REQUIRE_GREATER(alpha_shards, 0u);
  alpha.signal(SIGKILL);
  alpha.wait_for(5s);
  CAF_REQUIRE_EQUAL(feeder.wait_for(60s), 0);
  CAF_REQUIRE(journaled_at_least(20));
  auto after = nodes();
  CAF_CHECK_EQUAL(after["alpha"]["alive"], false);
  CAF_CHECK_EQUAL(after["alpha"]["shards"].size(), 0u);
  CAF_CHECK_EQUAL(after["beta"]["shards"].size(), 16u);
  CAF_CHECK_EQUAL(after["alpha"]["failed_over"].get<size_t>(), alpha_shards);
  auto desk = state_of("shard_desk");
  CAF_CHECK_EQUAL(desk["counters"]["failovers"].get<size_t>(), alpha_shards);
  CAF_CHECK(contains(slurp(run.out_path), "shard_desk: lost node alpha"));
  stop(run);
  // Acknowledged only once confirmed: nothing is lost, nothing twice.
  check_every_quote_traded_once(20);
  stop(beta);
}

CAF_TEST(a frozen node is fenced and trades nothing twice) {
  auto [alpha, alpha_port] = start_node("alpha");
  auto [beta, beta_port] = start_node("beta");
  auto run = start_run({alpha_port, beta_port});
  auto feeder = feed(0, 20, 1000);
  CAF_REQUIRE(journaled_at_least(4));
  CAF_REQUIRE_GREATER(nodes()["beta"]["shards"].size(), 0u);
  beta.signal(SIGSTOP);
  // Noticed after the connection timeout; its shards' sessions are taken
  // over by alpha.
  wait_for_match(run.out_path, "shard_desk: (lost node beta)");
  CAF_REQUIRE_EQUAL(feeder.wait_for(60s), 0);
  CAF_REQUIRE(journaled_at_least(20));
  CAF_CHECK_EQUAL(nodes()["alpha"]["shards"].size(), 16u);
  // Awake again, beta finds its sessions taken over (the broker closed
  // them) and its late batches refused by epoch: it stops those shards.
  // Rejoined, it takes its share back by moves.
  beta.signal(SIGCONT);
  wait_for_match(beta.out_path,
                 "(shard\\(s\\) coordinator|\\(epoch [0-9]+\\) stopped|"
                 "\\(epoch [0-9]+\\) session ended)");
  CAF_REQUIRE(eventually(
    [&] {
      return occurrences(slurp(run.out_path), "cluster: joined node beta") >= 2;
    },
    30s));
  CAF_REQUIRE(
    eventually([&] { return nodes()["beta"]["shards"].size() > 0; }, 20s));
  feed_rounds(20, 25);
  finish(run, 25, {&alpha, &beta});
}

CAF_TEST(a node that joins takes its share of shards by counted moves) {
  auto [alpha, alpha_port] = start_node("alpha");
  auto [beta, beta_port] = start_node("beta");
  auto gamma_port = unused_port();
  auto run = start_run({alpha_port, beta_port, std::to_string(gamma_port)});
  CAF_CHECK(contains(slurp(run.err_path), "cluster: 2 of 3 node(s) joined"));
  auto first = feed(0, 10, 0);
  CAF_REQUIRE_EQUAL(first.wait_for(60s), 0);
  CAF_REQUIRE(journaled_at_least(10));
  auto moves_before
    = state_of("shard_desk")["counters"]["moves"].get<int64_t>();
  auto [gamma, unused] = start_node("gamma", gamma_port);
  wait_for_match(run.out_path, "shard_desk: (node gamma joined)", 30s);
  CAF_REQUIRE(eventually(
    [&] { return state_of("shard_desk")["counters"]["moves_pending"] == 0; },
    30s));
  auto second = feed(10, 20, 0);
  CAF_REQUIRE_EQUAL(second.wait_for(60s), 0);
  CAF_REQUIRE(journaled_at_least(20));
  auto by_node = nodes();
  auto gamma_shards = by_node["gamma"]["shards"].size();
  CAF_CHECK_GREATER(gamma_shards, 0u);
  CAF_CHECK_EQUAL(by_node["gamma"]["moved_in"].get<size_t>(), gamma_shards);
  CAF_CHECK_GREATER(by_node["gamma"]["quotes"].get<int64_t>(), 0);
  CAF_CHECK_EQUAL(by_node["alpha"]["shards"].size()
                    + by_node["beta"]["shards"].size() + gamma_shards,
                  16u);
  auto desk = state_of("shard_desk");
  CAF_CHECK_EQUAL(desk["counters"]["moves"].get<int64_t>() - moves_before,
                  static_cast<int64_t>(gamma_shards));
  // Each moved shard was handed back by its owner first (beta's too, which
  // alpha held until beta joined).
  CAF_CHECK_EQUAL(desk["counters"]["handovers"], desk["counters"]["moves"]);
  CAF_CHECK_EQUAL(desk["counters"]["failovers"].get<int64_t>(), 0);
  stop(run);
  check_every_quote_traded_once(20);
  stop(alpha);
  stop(beta);
  stop(gamma);
}

CAF_TEST(shards that move mid stream lose none of the quotes acknowledged) {
  // Rare signals: most reads are acknowledged at once and their quotes
  // wait on the node for the mark interval when their shard moves.
  auto [alpha, alpha_port] = start_node("alpha");
  auto [beta, beta_port] = start_node("beta");
  auto gamma_port = unused_port();
  auto run = start_run({alpha_port, beta_port, std::to_string(gamma_port)},
                       rare_signals_config);
  auto quotes = [&] {
    return state_of("portfolio")["counters"]["quotes"].get<int64_t>();
  };
  auto feeder = feed(0, 20, 1000);
  CAF_REQUIRE(eventually([&] { return quotes() >= symbols * 3; }, 30s));
  auto [gamma, unused] = start_node("gamma", gamma_port);
  wait_for_match(run.out_path, "shard_desk: (node gamma joined)", 30s);
  CAF_REQUIRE_EQUAL(feeder.wait_for(60s), 0);
  CAF_REQUIRE(eventually(
    [&] { return state_of("shard_desk")["counters"]["moves_pending"] == 0; },
    30s));
  // Every quote reaches the portfolio once, moved shards' included.
  CAF_CHECK(eventually([&] { return quotes() == symbols * 20; }, 30s));
  CAF_CHECK_EQUAL(quotes(), symbols * 20);
  auto desk = state_of("shard_desk");
  auto moves = desk["counters"]["moves"].get<int64_t>();
  CAF_CHECK_GREATER(moves, 0);
  CAF_CHECK_EQUAL(desk["counters"]["handovers"].get<int64_t>(), moves);
  CAF_CHECK_EQUAL(desk["counters"]["failovers"].get<int64_t>(), 0);
  CAF_CHECK_EQUAL(desk["counters"]["quotes"].get<int64_t>(), symbols * 20);
  stop(run);
  // One order per signal, none twice.
  auto orders = journaled();
  CAF_CHECK_EQUAL(orders.size(), desk["counters"]["signals"].get<size_t>());
  std::set<std::pair<std::string, int64_t>> seen;
  for (const auto& x : orders)
    CAF_CHECK(seen.insert({x.symbol, x.ts_ms}).second);
  stop(alpha);
  stop(beta);
  stop(gamma);
}

CAF_TEST(nodes log in to a broker that requires a password) {
  // Shard sessions connected anonymously: with a broker that takes users
  // only, no shard ever got a quote.
  auto passwd = file("broker.passwd");
  auto cmd = "mosquitto_passwd -c -b " + passwd + " alice secret";
  CAF_REQUIRE_EQUAL(std::system(cmd.c_str()), 0);
  runtime::broker_options opts;
  opts.password_file = passwd;
  broker.reset();
  broker = start_test_broker(*this, opts);
  auto pw = write("alice.pw", "secret\n");
  ::chmod(pw.c_str(), 0600);
  login = {"--username", "alice", "--password-file", pw};
  auto [alpha, alpha_port] = start_node("alpha");
  auto [beta, beta_port] = start_node("beta");
  auto run = start_run({alpha_port, beta_port});
  feed_rounds(0, 5);
  finish(run, 5, {&alpha, &beta});
  for (auto* p : {&alpha, &beta})
    CAF_CHECK_EQUAL(slurp(p->err_path).find("refused"), std::string::npos);
}

CAF_TEST(a node with a password file and no user name stops at once) {
  auto pw = write("alice.pw", "secret\n");
  ::chmod(pw.c_str(), 0600);
  auto p = intuition({"node", "--port", "0", "--password-file", pw}, "bad");
  CAF_CHECK_EQUAL(p.wait_for(30s), 2);
  CAF_CHECK(contains(slurp(p.err_path), "--password-file"));
}

CAF_TEST_FIXTURE_SCOPE_END()
