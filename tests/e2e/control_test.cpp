#define CAF_SUITE e2e.control
#include "caf/test/unit_test.hpp"

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <regex>

#include <nlohmann/json.hpp>

#include "runtime/broker.hpp"
#include "support.hpp"
#include "trading/control_log.hpp"
#include "trading/journal.hpp"

// `intuition control` against a live run: halt (nothing journaled while
// halted), resume, add a strategy, remove one, restart, and find the same
// state.

using namespace intuition;
using namespace intuition::e2e;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// `every` buys one share on every quote.
const char* control_config = R"({
  "strategies": [
    {"name": "every", "algorithm": "random", "params": {"threshold": 0.0}}
  ],
  "portfolio": {"starting_cash": 1000000,
                "sizing": {"kind": "fixed_quantity", "quantity": 1}},
  "journal": {"path": "control.journal", "fsync": "always"},
  "mqtt": {"client_id": "e2e-control"}
})";

/// Added while trading: buys every quote too.
const char* late_strategy = R"({"name": "late", "algorithm": "random",
  "params": {"threshold": 0.0, "seed": 7}})";

/// Refused as the configuration refuses it.
const char* bad_strategy = R"({"name": "bad", "algorithm": "nope"})";

/// A running child killed should a failed requirement abort the binary.
std::atomic<pid_t> guarded_child{0};

extern "C" void kill_guarded_child(int sig) {
  if (auto pid = guarded_child.load(); pid > 0)
    ::kill(pid, SIGKILL);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

struct fixture : temp_dir {
  std::unique_ptr<runtime::embedded_broker> broker;
  int tags = 0;
  int64_t next_ts = 1'700'000'000'000;

  fixture() {
    ::signal(SIGABRT, kill_guarded_child);
    broker = start_test_broker(*this);
  }

  ~fixture() {
    if (auto pid = guarded_child.exchange(0); pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }

  std::string tag(const std::string& base) {
    return base + "-" + std::to_string(++tags);
  }

  struct live {
    process run;
    uint16_t node_port = 0;
    uint16_t metrics_port = 0;
  };

  /// Starts `intuition run` and waits until it is ready.
  live start_run(const std::string& cfg) {
    live out;
    out.run = intuition({"run", "--config", cfg, "--broker", broker->url(),
                         "--listen", "0", "--metrics-port", "0"},
                        tag("run"));
    guarded_child = out.run.pid;
    auto port = [&](const std::string& pattern) {
      std::optional<uint16_t> found;
      eventually(
        [&] {
          std::smatch m;
          auto text = slurp(out.run.err_path);
          if (!std::regex_search(text, m, std::regex{pattern}))
            return false;
          found = static_cast<uint16_t>(std::stoi(m[1].str()));
          return true;
        },
        20s);
      return found;
    };
    auto node = port(
      "listening for inspect and cluster peers on 127\\.0\\.0\\.1:([0-9]+)");
    auto metrics
      = port("serving metrics on http://127\\.0\\.0\\.1:([0-9]+)/metrics");
    CAF_REQUIRE(node && metrics);
    out.node_port = *node;
    out.metrics_port = *metrics;
    CAF_REQUIRE(wait_ready(out.run));
    return out;
  }

  void stop_run(live& x) {
    x.run.signal(SIGINT);
    CAF_CHECK_EQUAL(x.run.wait_for(30s), 0);
    guarded_child = 0;
  }

  /// Publishes `n` GOOG quotes, one per message, at later timestamps.
  void publish(size_t n) {
    std::vector<std::string> lines;
    for (size_t i = 0; i < n; ++i)
      lines.push_back(
        json{{"symbol", "GOOG"}, {"price", 100.0}, {"ts", next_ts++}}.dump());
    CAF_REQUIRE_EQUAL(
      temp_dir::publish(broker->port(), "quotes", lines, tag("pub")), 0);
  }

  struct outcome {
    int rc;
    std::string out;
    std::string err;
  };

  outcome control(const live& x, std::vector<std::string> args) {
    args.insert(args.begin(), {"control", "--node",
                               "127.0.0.1:" + std::to_string(x.node_port)});
    auto p = intuition(std::move(args), tag("control"));
    auto rc = p.wait_for(60s);
    return {rc, slurp(p.out_path), slurp(p.err_path)};
  }

  /// The portfolio as `inspect --json portfolio` shows it (asked again
  /// while the process answers nothing yet).
  json portfolio(const live& x) {
    json out;
    eventually(
      [&] {
        auto p = intuition({"inspect", "--node",
                            "127.0.0.1:" + std::to_string(x.node_port),
                            "--json", "portfolio"},
                           tag("inspect"));
        if (p.wait_for(60s) != 0) {
          CAF_MESSAGE("inspect: " << slurp(p.err_path));
          return false;
        }
        auto xs = json::parse(slurp(p.out_path), nullptr, false);
        if (!xs.is_array() || xs.size() != 1)
          return false;
        out = xs[0];
        return true;
      },
      30s);
    return out;
  }

  /// Waits until the portfolio marked `quotes` quotes.
  void await_quotes(const live& x, int64_t quotes) {
    CAF_REQUIRE(eventually(
      [&] {
        auto pf = portfolio(x);
        return pf.is_object() && pf["counters"]["quotes"] == quotes;
      },
      30s));
  }

  std::vector<trading::order> orders() {
    auto read = trading::read_journal(file("control.journal"), false);
    return read ? read->orders : std::vector<trading::order>{};
  }

  std::map<std::string, size_t> by_strategy() {
    std::map<std::string, size_t> out;
    for (const auto& o : orders())
      ++out[o.strategy];
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(control_tests, fixture)

CAF_TEST(halt resume add remove and a restart keep the operator state) {
  auto cfg = write("control.json", control_config);
  auto late = write("late.json", late_strategy);
  auto bad = write("bad.json", bad_strategy);
  auto x = start_run(cfg);
  publish(3);
  CAF_REQUIRE(eventually([&] { return orders().size() == 3; }, 30s));
  // Halted: quotes are marked, no order is journaled.
  auto halt = control(x, {"halt"});
  CAF_CHECK_EQUAL(halt.rc, 0);
  CAF_CHECK_EQUAL(halt.out, "trading halted (was normal)\n");
  publish(3);
  await_quotes(x, 6);
  CAF_CHECK_EQUAL(orders().size(), 3u);
  auto pf = portfolio(x);
  CAF_CHECK_EQUAL(pf["summary"]["mode"].get<std::string>(), "halted");
  CAF_CHECK_EQUAL(pf["summary"]["mode_reason"].get<std::string>(), "operator");
  auto metrics = http_get(x.metrics_port, "/metrics").second;
  CAF_CHECK_EQUAL(series_value(metrics, "intuition_trading_mode"), 2.0);
  CAF_CHECK_EQUAL(
    series_value(metrics, "intuition_risk_refusals_total{reason=\"halted\"}"),
    3.0);
  CAF_CHECK(eventually(
    [&] { return contains(slurp(x.run.err_path), ", trading halted"); }, 10s));
  // Resumed: orders again.
  CAF_CHECK_EQUAL(control(x, {"resume"}).rc, 0);
  publish(2);
  CAF_REQUIRE(eventually([&] { return orders().size() == 5; }, 30s));
  // A bad strategy file is refused with the configuration's message.
  auto refused = control(x, {"add-strategy", bad});
  CAF_CHECK_EQUAL(refused.rc, 2);
  CAF_CHECK(contains(refused.err, "algorithm: got \"nope\", expected one of:"));
  auto added = control(x, {"add-strategy", late});
  CAF_CHECK_EQUAL(added.rc, 0);
  CAF_CHECK_EQUAL(added.out, "strategy late added\n");
  publish(2);
  CAF_REQUIRE(eventually([&] { return orders().size() == 9; }, 30s));
  CAF_CHECK_EQUAL(by_strategy()["late"], 2u);
  // Removed: its instance stops, its position stays.
  auto removed = control(x, {"remove-strategy", "every"});
  CAF_CHECK_EQUAL(removed.rc, 0);
  CAF_CHECK(contains(removed.out, "strategy every removed; its positions "
                                  "stay; 1 instance(s) stopped"));
  auto unknown = control(x, {"remove-strategy", "every"});
  CAF_CHECK_EQUAL(unknown.rc, 2);
  publish(2);
  CAF_REQUIRE(eventually([&] { return orders().size() == 11; }, 30s));
  CAF_CHECK_EQUAL(by_strategy()["every"], 7u);
  CAF_CHECK_EQUAL(by_strategy()["late"], 4u);
  // Halted when stopped: the restart comes back halted, with `late` only.
  CAF_CHECK_EQUAL(control(x, {"halt"}).rc, 0);
  stop_run(x);
  auto y = start_run(cfg);
  CAF_CHECK(contains(slurp(y.run.err_path), "trading stays halted"));
  CAF_CHECK_EQUAL(portfolio(y)["summary"]["mode"].get<std::string>(), "halted");
  publish(2);
  await_quotes(y, 2);
  CAF_CHECK_EQUAL(orders().size(), 11u);
  CAF_CHECK_EQUAL(control(y, {"resume"}).rc, 0);
  publish(2);
  CAF_REQUIRE(eventually([&] { return orders().size() == 13; }, 30s));
  CAF_CHECK_EQUAL(by_strategy()["every"], 7u);
  CAF_CHECK_EQUAL(by_strategy()["late"], 6u);
  stop_run(y);
  // The control journal says it all, one record a change.
  auto read = trading::read_control_log(file("control.journal.control"));
  CAF_REQUIRE(read);
  std::vector<std::string> kinds;
  for (const auto& r : read->records)
    kinds.push_back(r.kind);
  CAF_CHECK_EQUAL(
    kinds, (std::vector<std::string>{"mode", "mode", "add_strategy",
                                     "remove_strategy", "mode", "mode"}));
}

CAF_TEST(control refuses a bad command line and an unknown command) {
  auto p
    = intuition({"control", "--node", "127.0.0.1:1", "sideways"}, tag("bad"));
  CAF_CHECK_EQUAL(p.wait_for(30s), 2);
  CAF_CHECK(contains(slurp(p.err_path), "command: got \"sideways\""));
  auto q = intuition({"control", "halt"}, tag("bad"));
  CAF_CHECK_EQUAL(q.wait_for(30s), 2);
  CAF_CHECK(contains(slurp(q.err_path), "--node"));
}

CAF_TEST_FIXTURE_SCOPE_END()
