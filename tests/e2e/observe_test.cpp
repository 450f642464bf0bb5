#define CAF_SUITE e2e.observe
#include "caf/test/unit_test.hpp"

#include <arpa/inet.h>
#include <array>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <optional>
#include <regex>
#include <set>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "runtime/broker.hpp"
#include "support.hpp"
#include "trading/journal.hpp"
#include "trading/quote_codec.hpp"

using namespace intuition;
using namespace intuition::e2e;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// `every` buys one share per quote; `sma` crosses on GOOG only.
const char* observe_config = R"({
  "strategies": [
    {"name": "every", "algorithm": "random", "params": {"threshold": 0.0}},
    {"name": "sma", "algorithm": "sma_crossover", "symbols": ["GOOG"],
     "params": {"fast": 2, "slow": 3}}
  ],
  "portfolio": {"starting_cash": 1000000000,
                "sizing": {"kind": "fixed_quantity", "quantity": 1}},
  "journal": {"path": "observe.journal", "fsync": "always"},
  "mqtt": {"client_id": "e2e-observe"}
})";

/// GOOG falls, turns up at 100 (fast 98 > slow 97.67: one sma buy), turns
/// down at 100 (fast 102 < slow 104: one sma sell), then falls to the end.
const std::vector<double> goog_prices{100, 99,  98,  97, 96, 100, 104,
                                      108, 104, 100, 96, 92, 88,  84,
                                      80,  76,  72,  68, 64, 60.5};

/// A socket listening on a free loopback port, closed with the object.
struct listener {
  int fd = -1;
  uint16_t port = 0;

  explicit listener(bool keep_listening = true) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CAF_REQUIRE_EQUAL(
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    CAF_REQUIRE_EQUAL(
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port = ntohs(addr.sin_port);
    if (keep_listening) {
      CAF_REQUIRE_EQUAL(::listen(fd, 4), 0);
    } else {
      ::close(fd);
      fd = -1;
    }
  }

  ~listener() {
    if (fd >= 0)
      ::close(fd);
  }

  listener(const listener&) = delete;
  listener& operator=(const listener&) = delete;
};

/// The first number `pattern`'s group captures in the file at `path`, once
/// it appears (waits at most 20 s).
std::optional<uint16_t> wait_for_port(const std::string& path,
                                      const std::string& pattern) {
  std::optional<uint16_t> out;
  eventually(
    [&] {
      std::smatch m;
      auto text = slurp(path);
      if (!std::regex_search(text, m, std::regex{pattern}))
        return false;
      out = static_cast<uint16_t>(std::stoi(m[1].str()));
      return true;
    },
    20s);
  return out;
}

/// Money in micros from a price with at most two decimals.
int64_t micros(double x) {
  return std::llround(x * 1e6);
}

double units(int64_t micros) {
  return static_cast<double>(micros) / 1e6;
}

/// Long-running children (run, replay), killed should a failed requirement
/// abort the test binary: no process outlives the test.
std::array<std::atomic<pid_t>, 8> guarded_children{};

extern "C" void kill_guarded_children(int sig) {
  for (auto& x : guarded_children)
    if (auto pid = x.load(); pid > 0)
      ::kill(pid, SIGKILL);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

struct fixture : temp_dir {
  std::unique_ptr<runtime::embedded_broker> broker;
  int tags = 0;

  fixture() {
    ::signal(SIGABRT, kill_guarded_children);
  }

  ~fixture() {
    for (auto& x : guarded_children)
      if (auto pid = x.exchange(0); pid > 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
  }

  /// Starts `intuition ARGS` as a guarded child.
  process start(std::vector<std::string> args, const std::string& tag) {
    auto p = intuition(std::move(args), tag);
    for (auto& x : guarded_children) {
      pid_t none = 0;
      if (x.compare_exchange_strong(none, p.pid))
        break;
    }
    return p;
  }

  /// Waits for a guarded child as `process::wait_for` does.
  int finish(process& p, std::chrono::milliseconds timeout) {
    auto pid = p.pid;
    auto rc = p.wait_for(timeout);
    for (auto& x : guarded_children) {
      auto expected = pid;
      x.compare_exchange_strong(expected, 0);
    }
    return rc;
  }

  void start_broker() {
    broker = start_test_broker(*this);
  }

  std::string tag(const std::string& base) {
    return base + "-" + std::to_string(++tags);
  }

  /// Publishes every line of `lines` as one QoS 1 message to `quotes`.
  void publish_lines(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& l : lines)
      text += l + "\n";
    auto t = tag("pub");
    auto input = write(t + ".in", text);
    auto p = spawn("mosquitto_pub",
                   {"-h", "127.0.0.1", "-p", std::to_string(broker->port()),
                    "-t", "quotes", "-q", "1", "-l"},
                   t, input);
    CAF_REQUIRE_EQUAL(p.wait_for(60s), 0);
  }

  std::vector<trading::order> journaled(const std::string& path) {
    auto read = trading::read_journal(path, false);
    if (auto* c = read ? &*read : nullptr)
      return c->orders;
    return {};
  }

  /// The exposition text `/metrics` on `port` serves, fetched by curl.
  std::string scrape(uint16_t port) {
    auto p = spawn("curl",
                   {"-s", "-S", "--max-time", "20",
                    "http://127.0.0.1:" + std::to_string(port) + "/metrics"},
                   tag("curl"));
    auto rc = p.wait_for(30s);
    if (rc != 0) {
      CAF_MESSAGE("curl exited with " << rc << ": " << slurp(p.err_path));
      return {};
    }
    return slurp(p.out_path);
  }

  struct outcome {
    int rc;
    std::string out;
    std::string err;
  };

  /// Runs `intuition inspect ARGS` to completion.
  outcome inspect(std::vector<std::string> args) {
    args.insert(args.begin(), "inspect");
    auto p = intuition(std::move(args), tag("inspect"));
    auto rc = p.wait_for(60s);
    return {rc, slurp(p.out_path), slurp(p.err_path)};
  }

  /// `inspect --json` on the node at `port`, parsed.
  json inspect_json(uint16_t port, const std::string& pattern) {
    std::vector<std::string> args{"--node", "127.0.0.1:" + std::to_string(port),
                                  "--json"};
    if (!pattern.empty())
      args.push_back(pattern);
    auto res = inspect(args);
    if (res.rc != 0) {
      CAF_MESSAGE("inspect " << pattern << " exited with " << res.rc << ": "
                             << res.err);
      return json{};
    }
    return json::parse(res.out, nullptr, false);
  }

  /// A live run after it traded 20 GOOG and 20 MSFT quotes, interleaved,
  /// with 3 + 2 malformed payloads published before the last valid one;
  /// still running, so that its metrics and actors can be looked at.
  struct observed_run {
    process run;
    uint16_t node_port = 0;
    uint16_t metrics_port = 0;
    std::string journal;
    std::vector<double> msft_prices;
    std::vector<trading::order> orders;
    /// Cash after the orders, in micros, as the journal says.
    int64_t cash = 0;
    std::map<std::string, int64_t> qty;
  };

  observed_run start_observed_run() {
    start_broker();
    observed_run out;
    auto cfg = write("observe.json", observe_config);
    out.journal = file("observe.journal");
    out.run = start({"run", "--config", cfg, "--broker", broker->url(),
                     "--listen", "0", "--metrics-port", "0", "--quiet"},
                    "run");
    auto node_port = wait_for_port(
      out.run.err_path,
      "listening for inspect and cluster peers on 127\\.0\\.0\\.1:([0-9]+)");
    auto metrics_port = wait_for_port(
      out.run.err_path,
      "serving metrics on http://127\\.0\\.0\\.1:([0-9]+)/metrics");
    CAF_REQUIRE(node_port && metrics_port);
    out.node_port = *node_port;
    out.metrics_port = *metrics_port;
    CAF_REQUIRE(wait_ready(out.run));
    std::vector<std::string> lines;
    for (size_t i = 0; i < goog_prices.size(); ++i) {
      auto msft = 200.25 + 0.25 * static_cast<double>(i);
      out.msft_prices.push_back(msft);
      auto ts = 1'700'000'000'000 + static_cast<int64_t>(i);
      json goog{{"symbol", "GOOG"}, {"price", goog_prices[i]}, {"ts", ts}};
      json ms{{"symbol", "MSFT"}, {"price", msft}, {"ts", ts}};
      lines.push_back(goog.dump());
      if (i == 1 || i == 7 || i == 13)
        lines.push_back("{oops");
      if (i == 4 || i == 15)
        lines.push_back(R"({"goog": -1})");
      lines.push_back(ms.dump());
    }
    CAF_REQUIRE_EQUAL(lines.size(), 45u);
    publish_lines(lines);
    CAF_REQUIRE(
      eventually([&] { return journaled(out.journal).size() >= 42; }, 30s));
    out.orders = journaled(out.journal);
    out.cash = 1'000'000'000 * int64_t{1'000'000};
    for (const auto& o : out.orders) {
      out.qty[o.symbol] += o.direction == trading::side::buy ? o.qty : -o.qty;
      out.cash += trading::cash_delta_micros(o);
    }
    return out;
  }

  /// Stops an observed run with SIGINT: a clean exit that journaled nothing
  /// more.
  void stop_observed_run(observed_run& x) {
    x.run.signal(SIGINT);
    CAF_CHECK_EQUAL(finish(x.run, 30s), 0);
    CAF_CHECK_EQUAL(journaled(x.journal).size(), 42u);
  }

  /// The exposition text of `x` once the last payload went through every
  /// actor.
  std::string settled_metrics(const observed_run& x) {
    std::string text;
    CAF_CHECK(eventually(
      [&] {
        text = scrape(x.metrics_port);
        return series_value(text, "intuition_journal_appends_total") == 42.0
               && series_value(text, "intuition_mqtt_messages_total") == 45.0;
      },
      30s));
    return text;
  }
};

std::set<std::string> names_of(const json& xs) {
  std::set<std::string> out;
  if (xs.is_array())
    for (const auto& x : xs)
      out.insert(x["name"].get<std::string>());
  return out;
}

/// The value of `series` in `text`; fails the test when it is missing.
double value_of(const std::string& text, const std::string& series) {
  auto v = series_value(text, series);
  if (!v)
    CAF_FAIL("no series " << series << " in:\n" << text);
  return *v;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(observe_tests, fixture)

CAF_TEST(a live run journals what its strategies signal at the quoted prices) {
  auto x = start_observed_run();
  CAF_CHECK_EQUAL(http_get(x.metrics_port, "/ready").first, 200);
  // Every quote bought once by `every`, plus the sma round trip.
  CAF_REQUIRE_EQUAL(x.orders.size(), 42u);
  std::map<std::string, int> by_strategy_side;
  for (const auto& o : x.orders)
    ++by_strategy_side[o.strategy + "/"
                       + std::string{trading::to_string(o.direction)}];
  CAF_CHECK_EQUAL(by_strategy_side,
                  (std::map<std::string, int>{
                    {"every/buy", 40}, {"sma/buy", 1}, {"sma/sell", 1}}));
  CAF_CHECK_EQUAL(x.qty["GOOG"], 20);
  CAF_CHECK_EQUAL(x.qty["MSFT"], 20);
  // Without commission or slippage: the sum of the prices bought, the sma
  // buy at 100 and its sell at 100 cancelling out.
  int64_t spent = 0;
  for (auto p : goog_prices)
    spent += micros(p);
  for (auto p : x.msft_prices)
    spent += micros(p);
  CAF_CHECK_EQUAL(x.cash, 1'000'000'000 * int64_t{1'000'000} - spent);
  for (const auto& o : x.orders)
    if (o.strategy == "sma")
      CAF_CHECK_EQUAL(o.price_micros, micros(100));
  stop_observed_run(x);
}

CAF_TEST(metrics count what a live run did) {
  auto x = start_observed_run();
  auto text = settled_metrics(x);
  auto value = [&](const std::string& series) {
    return value_of(text, series);
  };
  CAF_CHECK_EQUAL(value("intuition_quotes_received_total{channel=\"quotes\"}"),
                  40.0);
  CAF_CHECK_EQUAL(value("intuition_quotes_accepted_total"), 40.0);
  CAF_CHECK_EQUAL(value("intuition_mqtt_messages_total"), 45.0);
  CAF_CHECK_EQUAL(value("intuition_quotes_rejected_total{reason=\"not_json\"}"),
                  3.0);
  CAF_CHECK_EQUAL(
    value("intuition_quotes_rejected_total{reason=\"non_positive_price\"}"),
    2.0);
  // Every reason is exported, the ones that never happened as 0.
  for (size_t i = 0; i < trading::reject_reason_count; ++i) {
    std::string reason{
      trading::to_string(static_cast<trading::reject_reason>(i))};
    if (reason != "not_json" && reason != "non_positive_price")
      CAF_CHECK_EQUAL(
        value("intuition_quotes_rejected_total{reason=\"" + reason + "\"}"),
        0.0);
  }
  CAF_CHECK_EQUAL(value("intuition_router_quotes_total"), 40.0);
  CAF_CHECK_EQUAL(value("intuition_portfolio_quotes_total"), 40.0);
  CAF_CHECK_EQUAL(value("intuition_symbols"), 2.0);
  CAF_CHECK_EQUAL(value("intuition_algorithm_actors{node=\"coordinator\"}"),
                  3.0);
  CAF_CHECK_EQUAL(
    value("intuition_signals_total{strategy=\"every\",side=\"buy\"}"), 40.0);
  CAF_CHECK_EQUAL(
    value("intuition_signals_total{strategy=\"sma\",side=\"buy\"}"), 1.0);
  CAF_CHECK_EQUAL(
    value("intuition_signals_total{strategy=\"sma\",side=\"sell\"}"), 1.0);
  CAF_CHECK_EQUAL(
    value("intuition_orders_total{strategy=\"every\",side=\"buy\"}"), 40.0);
  CAF_CHECK_EQUAL(
    value("intuition_orders_total{strategy=\"sma\",side=\"buy\"}"), 1.0);
  CAF_CHECK_EQUAL(
    value("intuition_orders_total{strategy=\"sma\",side=\"sell\"}"), 1.0);
  CAF_CHECK(!series_value(
    text, "intuition_orders_total{strategy=\"every\",side=\"sell\"}"));
  CAF_CHECK_EQUAL(value("intuition_journal_appends_total"),
                  static_cast<double>(x.orders.size()));
  CAF_CHECK_EQUAL(value("intuition_cash"), units(x.cash));
  CAF_CHECK_EQUAL(value("intuition_open_positions"), 2.0);
  // Every order came from a live quote: one latency observation each.
  CAF_CHECK_EQUAL(value("intuition_tick_to_order_seconds_count"), 42.0);
  CAF_CHECK_EQUAL(value("intuition_tick_to_order_seconds_bucket{le=\"+Inf\"}"),
                  42.0);
  CAF_CHECK_EQUAL(value("intuition_mqtt_connected{client=\"ingress\"}"), 1.0);
  CAF_CHECK(text.find("# TYPE intuition_orders_total counter\n")
            != std::string::npos);
  CAF_CHECK(text.find("# TYPE intuition_cash gauge\n") != std::string::npos);
  CAF_CHECK(text.find("# TYPE intuition_tick_to_order_seconds histogram\n")
            != std::string::npos);
  stop_observed_run(x);
}

CAF_TEST(metrics show what CAF 0.18 would measure and the process figures) {
  auto x = start_observed_run();
  auto text = settled_metrics(x);
  auto value = [&](const std::string& series) {
    return value_of(text, series);
  };
  CAF_CHECK_GREATER(value("caf_system_running_actors"), 0.0);
  CAF_CHECK_GREATER(value("caf_system_processed_messages_total"), 0.0);
  CAF_CHECK(
    series_value(text, "caf_system_rejected_messages_total").has_value());
  CAF_CHECK_GREATER(
    value("caf_actor_processing_time_seconds_count{name=\"portfolio\"}"), 0.0);
  CAF_CHECK_EQUAL(
    value("caf_actor_processing_time_seconds_bucket{name=\"portfolio\",le=\"+"
          "Inf\"}"),
    value("caf_actor_processing_time_seconds_count{name=\"portfolio\"}"));
  CAF_CHECK(series_value(text, "caf_actor_mailbox_size{name=\"portfolio\"}")
              .has_value());
  CAF_CHECK(series_value(text, "caf_actor_processing_time_seconds_bucket{name="
                               "\"portfolio\",le=\"1e-05\"}")
              .has_value());
  CAF_CHECK_GREATER(value("process_resident_memory_bytes"), 0.0);
  CAF_CHECK_GREATER(value("process_open_fds"), 0.0);
  stop_observed_run(x);
}

CAF_TEST(inspect shows the portfolio as the journal has it) {
  auto x = start_observed_run();
  auto pf = inspect_json(x.node_port, "portfolio");
  CAF_REQUIRE(pf.is_array());
  CAF_REQUIRE_EQUAL(pf.size(), 1u);
  CAF_CHECK_EQUAL(pf[0]["name"].get<std::string>(), "portfolio");
  CAF_CHECK_EQUAL(pf[0]["kind"].get<std::string>(), "portfolio");
  CAF_CHECK_EQUAL(pf[0]["node"].get<std::string>(), "coordinator");
  CAF_CHECK_EQUAL(pf[0]["counters"]["orders"].get<int64_t>(), 42);
  CAF_CHECK_EQUAL(pf[0]["counters"]["quotes"].get<int64_t>(), 40);
  const auto& summary = pf[0]["summary"];
  const auto msft_last = x.msft_prices.back();
  CAF_CHECK_EQUAL(summary["final_cash"].get<double>(), units(x.cash));
  CAF_CHECK_EQUAL(summary["positions"].size(), 2u);
  CAF_CHECK_EQUAL(summary["positions"]["GOOG"]["qty"].get<int64_t>(),
                  x.qty["GOOG"]);
  CAF_CHECK_EQUAL(summary["positions"]["GOOG"]["last"].get<double>(), 60.5);
  CAF_CHECK_EQUAL(summary["positions"]["GOOG"]["value"].get<double>(),
                  20 * 60.5);
  CAF_CHECK_EQUAL(summary["positions"]["MSFT"]["qty"].get<int64_t>(),
                  x.qty["MSFT"]);
  CAF_CHECK_EQUAL(summary["positions"]["MSFT"]["last"].get<double>(),
                  msft_last);
  CAF_CHECK_EQUAL(summary["positions"]["MSFT"]["value"].get<double>(),
                  20 * msft_last);
  CAF_CHECK_EQUAL(summary["equity"].get<double>(),
                  units(x.cash) + 20 * 60.5 + 20 * msft_last);
  stop_observed_run(x);
}

CAF_TEST(inspect shows the indicators of an instance over the last prices) {
  auto x = start_observed_run();
  auto sma = inspect_json(x.node_port, "algorithm/sma/GOOG");
  CAF_REQUIRE(sma.is_array());
  CAF_REQUIRE_EQUAL(sma.size(), 1u);
  CAF_CHECK_EQUAL(sma[0]["kind"].get<std::string>(), "algorithm");
  CAF_CHECK_EQUAL(sma[0]["counters"]["quotes"].get<int64_t>(), 20);
  CAF_CHECK_EQUAL(sma[0]["counters"]["signals"].get<int64_t>(), 2);
  const auto& ind = sma[0]["summary"]["indicators"];
  CAF_CHECK_EQUAL(ind["fast_sma"].get<double>(), (64 + 60.5) / 2);
  CAF_CHECK_EQUAL(ind["slow_sma"].get<double>(), (68 + 64 + 60.5) / 3);
  CAF_CHECK_EQUAL(sma[0]["summary"]["symbol"].get<std::string>(), "GOOG");
  CAF_CHECK_EQUAL(sma[0]["summary"]["last_signal"].get<std::string>(), "sell");
  CAF_CHECK_EQUAL(
    names_of(inspect_json(x.node_port, "algorithm/*/GOOG")),
    (std::set<std::string>{"algorithm/every/GOOG", "algorithm/sma/GOOG"}));
  stop_observed_run(x);
}

CAF_TEST(a bad listen or metrics flag stops the run with the field named) {
  auto journal = file("j");
  auto bad = start({"replay", "--config", "configs/demo.json", "--journal",
                    journal, "--listen", "nope"},
                   "bad");
  CAF_CHECK_EQUAL(finish(bad, 60s), 2);
  CAF_CHECK(slurp(bad.err_path).find("--listen: got \"nope\", expected \"off\"")
            != std::string::npos);
  listener taken;
  auto port = std::to_string(taken.port);
  auto busy = start({"replay", "--config", "configs/demo.json", "--journal",
                     journal, "--listen", port},
                    "busy");
  CAF_CHECK_EQUAL(finish(busy, 60s), 2);
  auto busy_err = slurp(busy.err_path);
  CAF_CHECK(busy_err.find("--listen: cannot listen on 127.0.0.1:" + port)
            != std::string::npos);
  CAF_MESSAGE("replay said: " << busy_err);
  auto metrics = start({"replay", "--config", "configs/demo.json", "--journal",
                        journal, "--metrics-port", port},
                       "metrics");
  CAF_CHECK_EQUAL(finish(metrics, 60s), 2);
  auto metrics_err = slurp(metrics.err_path);
  CAF_CHECK(metrics_err.find("metrics: cannot listen on 127.0.0.1:" + port)
            != std::string::npos);
  CAF_MESSAGE("replay said: " << metrics_err);
  auto range = start({"replay", "--config", "configs/demo.json", "--journal",
                      journal, "--metrics-port", "70000"},
                     "range");
  CAF_CHECK_EQUAL(finish(range, 60s), 2);
  CAF_CHECK(slurp(range.err_path)
              .find("--metrics-port: got \"70000\", expected "
                    "an integer in [0, 65535]")
            != std::string::npos);
  // Nothing traded before the stop.
  CAF_CHECK(journaled(journal).empty());
}

CAF_TEST(inspect reaches a replay while it runs) {
  auto replay = start({"replay", "--config", "configs/demo.json", "--journal",
                       file("j"), "--listen", "0", "--speed", "3000000x"},
                      "replay");
  auto node_port = wait_for_port(
    replay.err_path,
    "listening for inspect and cluster peers on 127\\.0\\.0\\.1:([0-9]+)");
  CAF_REQUIRE(node_port);
  // Instances exist once the first quotes went through the router.
  json all;
  CAF_CHECK(eventually(
    [&] {
      all = inspect_json(*node_port, "");
      return names_of(all).count("algorithm/trend/DAX") > 0;
    },
    30s));
  auto names = names_of(all);
  for (auto name :
       {"quote_router", "portfolio", "order_log", "algorithm/trend/DAX"})
    CAF_CHECK(names.count(name) == 1);
  CAF_REQUIRE(all.is_array() && all.size() >= 3);
  // Singletons first, in their fixed order.
  CAF_CHECK_EQUAL(all[0]["name"].get<std::string>(), "quote_router");
  CAF_CHECK_EQUAL(all[1]["name"].get<std::string>(), "portfolio");
  CAF_CHECK_EQUAL(all[2]["name"].get<std::string>(), "order_log");
  for (const auto& x : all) {
    CAF_CHECK_EQUAL(x["node"].get<std::string>(), "coordinator");
    if (x["name"].get<std::string>().rfind("algorithm/", 0) == 0)
      CAF_CHECK_EQUAL(x["kind"].get<std::string>(), "algorithm");
  }
  // Only the demo's strategies on their symbols ever appear.
  const std::set<std::string> possible{"quote_router",
                                       "portfolio",
                                       "order_log",
                                       "algorithm/trend/DAX",
                                       "algorithm/trend/SMI",
                                       "algorithm/trend/CAC",
                                       "algorithm/trend/FTSE",
                                       "algorithm/momentum/DAX",
                                       "algorithm/momentum/CAC",
                                       "algorithm/revert/SMI",
                                       "algorithm/revert/FTSE",
                                       "algorithm/hold/FTSE"};
  for (const auto& n : names)
    CAF_CHECK(possible.count(n) == 1);
  auto dax = inspect_json(*node_port, "algorithm/*/DAX");
  for (const auto& n : names_of(dax))
    CAF_CHECK(n == "algorithm/trend/DAX" || n == "algorithm/momentum/DAX");
  // A pattern nothing matches.
  auto none = inspect({"--node", "127.0.0.1:" + std::to_string(*node_port),
                       "algorithm/nothing/X", "--json"});
  CAF_CHECK_EQUAL(none.rc, 1);
  CAF_CHECK_EQUAL(json::parse(none.out, nullptr, false).dump(), "[]");
  // A port nobody listens on.
  uint16_t free_port = listener{false}.port;
  auto nobody = inspect({"--node", "127.0.0.1:" + std::to_string(free_port)});
  CAF_CHECK_EQUAL(nobody.rc, 1);
  CAF_CHECK(
    nobody.err.find("cannot reach 127.0.0.1:" + std::to_string(free_port))
    != std::string::npos);
  // A flag inspect does not know.
  auto bogus
    = inspect({"--node", "127.0.0.1:" + std::to_string(*node_port), "--bogus"});
  CAF_CHECK_EQUAL(bogus.rc, 2);
  replay.signal(SIGINT);
  CAF_CHECK_EQUAL(finish(replay, 60s), 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
