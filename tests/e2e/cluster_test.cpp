#define CAF_SUITE e2e.cluster
#include "caf/test/unit_test.hpp"

#include <map>
#include <memory>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "runtime/broker.hpp"
#include "support.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::e2e;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// One order per quote and instance: every quote must show up in the
/// journal exactly once, whichever node ran its instance and whatever
/// happened to that node meanwhile.
const char* cluster_config = R"({
  "strategies": [{"name": "every", "algorithm": "random",
                  "params": {"threshold": 0.0}}],
  "portfolio": {"starting_cash": 1000000000,
                "sizing": {"kind": "fixed_quantity", "quantity": 1}},
  "journal": {"path": "cluster.journal", "fsync": "never"},
  "mqtt": {"client_id": "e2e-cluster", "publish_signals": false},
  "cluster": {"local": false}
})";

constexpr int symbols = 24;
constexpr int rounds = 40;

struct fixture : temp_dir {
  std::unique_ptr<runtime::embedded_broker> broker;
  std::string caf_conf = write("caf-application.conf", fast_caf_settings);
  std::string journal = file("cluster.journal");

  fixture() {
    broker = start_test_broker(*this);
  }

  /// The first number captured by `pattern` in `path`, once it appears.
  std::string wait_for_match(const std::string& path,
                             const std::string& pattern) {
    std::smatch m;
    std::string text;
    std::regex re{pattern};
    CAF_REQUIRE(eventually(
      [&] {
        text = slurp(path);
        return std::regex_search(text, m, re);
      },
      15s));
    return m[1].str();
  }

  /// Starts a worker node; returns it with its port.
  std::pair<process, std::string> start_node(const std::string& name) {
    auto p = intuition(
      {"node", "--port", "0", "--name", name, "--caf-config", caf_conf}, name);
    auto port = wait_for_match(p.err_path, "ready on 127\\.0\\.0\\.1:([0-9]+)");
    return {p, port};
  }

  process start_run(const std::vector<std::string>& node_ports) {
    auto cfg = write("cluster.json", cluster_config);
    std::vector<std::string> args{
      "run", "--config",     cfg,      "--broker",  broker->url(), "--listen",
      "0",   "--caf-config", caf_conf, "--journal", journal,       "--quiet"};
    for (const auto& port : node_ports) {
      args.push_back("--join");
      args.push_back("127.0.0.1:" + port);
    }
    auto p = intuition(args, "run");
    // Published before the broker acknowledged the subscription, quotes
    // would not be delivered.
    wait_for_match(p.err_path, "(intuition run: ready)");
    return p;
  }

  /// `rounds` quotes for each of `symbols` symbols, one timestamp per
  /// round, fed at a bounded rate in the background.
  process feed(int rate) {
    std::string csv = "ts,symbol,price\n";
    for (int r = 0; r < rounds; ++r)
      for (int s = 0; s < symbols; ++s)
        csv += std::to_string(1700000000000 + r * 1000) + ",SYM"
               + std::to_string(s) + "," + std::to_string(100 + r) + ".5\n";
    auto path = write("quotes.csv", csv);
    return intuition({"feed", "--broker", broker->url(), "--quotes", path,
                      "--rate", std::to_string(rate), "--quiet"},
                     "feed");
  }

  std::vector<trading::order> journaled() {
    auto read = trading::read_journal(journal, false);
    if (auto* c = read ? &*read : nullptr)
      return c->orders;
    return {};
  }

  /// The router's state, as `intuition inspect` prints it.
  json router_state(const std::string& listen_port) {
    auto p = intuition({"inspect", "--node", "127.0.0.1:" + listen_port,
                        "quote_router", "--json", "--caf-config", caf_conf},
                       "inspect");
    CAF_REQUIRE_EQUAL(p.wait_for(30s), 0);
    auto states = json::parse(slurp(p.out_path));
    CAF_REQUIRE_EQUAL(states.size(), 1u);
    return states[0];
  }

  /// Actors per node name, from the router's state.
  static std::map<std::string, int64_t> actors_by_node(const json& router) {
    std::map<std::string, int64_t> out;
    for (const auto& n : router["summary"]["nodes"])
      out[n["name"].get<std::string>()] = n["actors"].get<int64_t>();
    return out;
  }

  /// Every (symbol, ts) fed is in the journal exactly once.
  void check_every_quote_traded_once() {
    auto orders = journaled();
    CAF_CHECK_EQUAL(orders.size(), static_cast<size_t>(symbols * rounds));
    std::map<std::pair<std::string, int64_t>, int> seen;
    std::set<uint64_t> ids;
    for (const auto& x : orders) {
      ++seen[{x.symbol, x.ts_ms}];
      ids.insert(x.id);
    }
    CAF_CHECK_EQUAL(seen.size(), static_cast<size_t>(symbols * rounds));
    for (const auto& [key, n] : seen)
      if (n != 1)
        CAF_FAIL(key.first << " at " << key.second << " traded " << n
                           << " times");
    CAF_CHECK_EQUAL(ids.size(), orders.size());
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cluster_tests, fixture)

CAF_TEST(actors of a killed node move to the survivor and no quote is lost) {
  auto [alpha, alpha_port] = start_node("alpha");
  auto [beta, beta_port] = start_node("beta");
  auto run = start_run({alpha_port, beta_port});
  auto listen
    = wait_for_match(run.err_path, "peers on 127\\.0\\.0\\.1:([0-9]+)");
  // Each node logs the coordinator that joined it.
  wait_for_match(alpha.out_path,
                 "node alpha: (coordinator) [0-9A-F#]+ connected");
  wait_for_match(beta.out_path,
                 "node beta: (coordinator) [0-9A-F#]+ connected");
  auto feeder = feed(400);
  // Both nodes host actors once every symbol appeared.
  CAF_REQUIRE(
    eventually([&] { return journaled().size() >= symbols * 5; }, 30s));
  auto before = actors_by_node(router_state(listen));
  CAF_CHECK_EQUAL(before.count("coordinator"), 0u);
  CAF_CHECK_GREATER(before["alpha"], 0);
  CAF_CHECK_GREATER(before["beta"], 0);
  CAF_CHECK_EQUAL(before["alpha"] + before["beta"], symbols);
  // Asked directly, a node lists exactly the actors the router placed there.
  auto listing = intuition({"inspect", "--node", "127.0.0.1:" + beta_port,
                            "algorithm", "--json", "--caf-config", caf_conf},
                           "inspect-beta");
  CAF_REQUIRE_EQUAL(listing.wait_for(30s), 0);
  auto hosted = json::parse(slurp(listing.out_path));
  CAF_CHECK_EQUAL(static_cast<int64_t>(hosted.size()), before["beta"]);
  for (const auto& x : hosted) {
    CAF_CHECK_EQUAL(x["node"].get<std::string>(), "beta");
    CAF_CHECK_EQUAL(x["kind"].get<std::string>(), "algorithm");
    CAF_CHECK_GREATER(x["counters"]["quotes"].get<int64_t>(), 0);
  }
  alpha.signal(SIGKILL);
  alpha.wait_for(5s);
  CAF_REQUIRE_EQUAL(feeder.wait_for(60s), 0);
  CAF_REQUIRE(eventually(
    [&] { return journaled().size() >= static_cast<size_t>(symbols * rounds); },
    60s));
  auto after = router_state(listen);
  auto by_node = actors_by_node(after);
  CAF_CHECK_EQUAL(by_node["alpha"], 0);
  CAF_CHECK_EQUAL(by_node["beta"], symbols);
  CAF_CHECK_EQUAL(after["counters"]["replacements"].get<int64_t>(),
                  before["alpha"]);
  for (const auto& n : after["summary"]["nodes"])
    if (n["name"] == "alpha") {
      CAF_CHECK_EQUAL(n["alive"].get<bool>(), false);
      CAF_CHECK_EQUAL(n["replaced_after_loss"].get<int64_t>(), before["alpha"]);
    }
  auto out = slurp(run.out_path);
  CAF_CHECK(out.find("node alpha (127.0.0.1:" + alpha_port + ") lost")
            != std::string::npos);
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  check_every_quote_traded_once();
  // The survivor saw the coordinator leave.
  wait_for_match(beta.out_path, "node beta: (coordinator) [0-9A-F#]+ left");
  beta.signal(SIGINT);
  CAF_CHECK_EQUAL(beta.wait_for(10s), 0);
}

CAF_TEST(a frozen node is detected and its stale actors never trade) {
  auto [alpha, alpha_port] = start_node("alpha");
  auto [beta, beta_port] = start_node("beta");
  auto run = start_run({alpha_port, beta_port});
  auto listen
    = wait_for_match(run.err_path, "peers on 127\\.0\\.0\\.1:([0-9]+)");
  auto feeder = feed(400);
  CAF_REQUIRE(
    eventually([&] { return journaled().size() >= symbols * 5; }, 30s));
  auto before = actors_by_node(router_state(listen));
  CAF_REQUIRE_GREATER(before["beta"], 0);
  beta.signal(SIGSTOP);
  // Detected after the connection timeout (1 s here), then re-placed.
  CAF_REQUIRE(eventually(
    [&] {
      return slurp(run.out_path)
               .find("node beta (127.0.0.1:" + beta_port + ") lost")
             != std::string::npos;
    },
    20s));
  CAF_REQUIRE_EQUAL(feeder.wait_for(60s), 0);
  CAF_REQUIRE(eventually(
    [&] { return journaled().size() >= static_cast<size_t>(symbols * rounds); },
    60s));
  // The node wakes up: it finds the coordinator gone, stops what it ran for
  // it, and is joined again for new placements only.
  beta.signal(SIGCONT);
  CAF_CHECK(eventually(
    [&] {
      return slurp(beta.out_path).find("had placed here") != std::string::npos;
    },
    20s));
  CAF_CHECK(eventually(
    [&] {
      return slurp(run.out_path)
               .find("node beta (127.0.0.1:" + beta_port + ") rejoined")
             != std::string::npos;
    },
    20s));
  auto after = router_state(listen);
  auto by_node = actors_by_node(after);
  CAF_CHECK_EQUAL(by_node["beta"], 0);
  CAF_CHECK_EQUAL(by_node["alpha"], symbols);
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  check_every_quote_traded_once();
  alpha.signal(SIGINT);
  beta.signal(SIGINT);
  CAF_CHECK_EQUAL(alpha.wait_for(10s), 0);
  CAF_CHECK_EQUAL(beta.wait_for(10s), 0);
}

CAF_TEST(an unreachable node is reported and the coordinator runs on) {
  auto [alpha, alpha_port] = start_node("alpha");
  // A port nobody listens on: bind one, remember it, close it.
  auto probe = intuition(
    {"node", "--port", "0", "--name", "gone", "--caf-config", caf_conf},
    "gone");
  auto gone_port
    = wait_for_match(probe.err_path, "ready on 127\\.0\\.0\\.1:([0-9]+)");
  probe.signal(SIGINT);
  CAF_REQUIRE_EQUAL(probe.wait_for(10s), 0);
  auto run = start_run({alpha_port, gone_port});
  auto err = slurp(run.err_path);
  CAF_CHECK(err.find("cluster: 1 of 2 node(s) joined") != std::string::npos);
  CAF_CHECK(slurp(run.out_path).find("cannot reach node 127.0.0.1:" + gone_port)
            != std::string::npos);
  auto feeder = feed(2000);
  CAF_REQUIRE_EQUAL(feeder.wait_for(60s), 0);
  CAF_REQUIRE(eventually(
    [&] { return journaled().size() >= static_cast<size_t>(symbols * rounds); },
    60s));
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  check_every_quote_traded_once();
  alpha.signal(SIGINT);
  CAF_CHECK_EQUAL(alpha.wait_for(10s), 0);
}

CAF_TEST(with tls only peers holding a certificate of the ca may join) {
  // A private CA and one certificate it signed, for node and coordinator.
  CAF_REQUIRE(make_test_certificates(path));
  auto tls_conf = write("tls.conf", std::string{fast_caf_settings}
                                      + test_openssl_section(path));
  auto node = intuition(
    {"node", "--port", "0", "--name", "secure", "--caf-config", tls_conf},
    "secure");
  auto port
    = wait_for_match(node.err_path, "ready on 127\\.0\\.0\\.1:([0-9]+) ");
  CAF_CHECK(slurp(node.err_path).find("(TLS)") != std::string::npos);
  auto cfg = write("tls.json", R"({
    "strategies": [{"name": "t", "algorithm": "sma_crossover",
                    "params": {"fast": 2, "slow": 3}}],
    "journal": {"path": "tls.journal", "fsync": "never"},
    "cluster": {"local": false}
  })");
  // Without the certificate the handshake fails and nothing can run.
  auto plain = intuition(
    {"replay", "--config", cfg, "--quotes", "data/eustockmarkets.csv", "--join",
     "127.0.0.1:" + port, "--caf-config", caf_conf, "--quiet"},
    "plain");
  CAF_CHECK_EQUAL(plain.wait_for(60s), 1);
  CAF_CHECK(slurp(plain.err_path).find("no node answered")
            != std::string::npos);
  // With it, the node runs every instance of the replay.
  auto secure = intuition(
    {"replay", "--config", cfg, "--quotes", "data/eustockmarkets.csv", "--join",
     "127.0.0.1:" + port, "--caf-config", tls_conf, "--quiet"},
    "tls-replay");
  CAF_CHECK_EQUAL(secure.wait_for(120s), 0);
  CAF_CHECK(slurp(secure.err_path).find("cluster: 1 of 1 node(s) joined")
            != std::string::npos);
  CAF_CHECK(slurp(secure.out_path).find("orders durable this run")
            != std::string::npos);
  node.signal(SIGINT);
  CAF_CHECK_EQUAL(node.wait_for(10s), 0);
}

CAF_TEST(a node started without failure detection refuses to start) {
  auto conf
    = write("no-heartbeat.conf", "[middleman]\nheartbeat-interval=0s\n");
  auto node = intuition({"node", "--port", "0", "--caf-config", conf}, "node");
  CAF_CHECK_EQUAL(node.wait_for(10s), 2);
  CAF_CHECK(slurp(node.err_path).find("middleman.heartbeat-interval is 0")
            != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
