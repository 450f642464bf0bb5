#define CAF_SUITE e2e.safety
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <csignal>
#include <memory>
#include <regex>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/broker.hpp"
#include "support.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::e2e;
using namespace std::chrono_literals;

namespace {

/// First line of a file, or empty.
std::string first_line(const std::string& path) {
  auto text = slurp(path);
  return text.substr(0, text.find('\n'));
}

/// A run with a real mosquitto on 127.0.0.1.
struct live_fixture : temp_dir {
  std::unique_ptr<runtime::embedded_broker> broker;

  /// Starts the broker on `port` (0: a free one).
  void start_broker(uint16_t port = 0) {
    runtime::broker_options opts;
    opts.port = port;
    broker = start_test_broker(*this, opts);
  }

  /// `intuition run --config CFG --broker URL --listen off --quiet ARGS`.
  process start_run(const std::string& cfg, const std::string& url,
                    std::vector<std::string> args, const std::string& tag) {
    std::vector<std::string> all{
      "run",      "--config", cfg,
      "--broker", url,        "--listen",
      "off",      "--report", file(tag + ".report.json"),
      "--quiet"};
    all.insert(all.end(), args.begin(), args.end());
    return intuition(std::move(all), tag);
  }

  std::vector<trading::order> journaled(const std::string& name) {
    auto read = trading::read_journal(file(name), false);
    if (auto* c = read ? &*read : nullptr)
      return c->orders;
    return {};
  }

  /// The sum of N over the lines "mqtt_ingress: rejected N payload(s)".
  static uint64_t rejections_logged(const std::string& text) {
    uint64_t sum = 0;
    std::regex line{"mqtt_ingress: rejected ([0-9]+) payload"};
    for (auto i = std::sregex_iterator(text.begin(), text.end(), line);
         i != std::sregex_iterator(); ++i)
      sum += std::stoull((*i)[1].str());
    return sum;
  }
};

/// Two strategies that buy one share on every quote they see, each on its
/// own channels: `a` on quotes/+ and `b` on the shared subscription of
/// ticks.
const char* two_channel_config = R"({
  "strategies": [
    {"name": "a", "algorithm": "random",
     "params": {"threshold": 0.0, "channels": ["quotes/+"]}},
    {"name": "b", "algorithm": "random",
     "params": {"threshold": 0.0, "channels": ["$share/g1/ticks"]}}
  ],
  "portfolio": {"starting_cash": 1000000000,
                "sizing": {"kind": "fixed_quantity", "quantity": 1}},
  "journal": {"path": "channels.journal", "fsync": "always"},
  "mqtt": {"client_id": "e2e-channels"}
})";

const char* hold_config = R"({
  "strategies": [{"name": "hold", "algorithm": "random",
                  "params": {"threshold": 0.0}}],
  "portfolio": {"starting_cash": 1000000000,
                "sizing": {"kind": "fixed_quantity", "quantity": 1}},
  "journal": {"path": "live.journal", "fsync": "never"},
  "mqtt": {"client_id": "e2e-safety"}
})";

} // namespace

CAF_TEST_FIXTURE_SCOPE(safety_tests, temp_dir)

CAF_TEST(a second process on the same journal is refused naming the holder) {
  // Two quotes a minute apart, paced in real time: the first replay holds
  // the journal until it is told to stop.
  auto quotes = write("slow.csv", "ts,symbol,price\n0,AAA,1\n60000,AAA,2\n");
  auto cfg = write("lock.json", R"({
    "strategies": [{"name": "hold", "algorithm": "buy_and_hold"}],
    "journal": {"path": "lock.journal", "fsync": "never"},
    "replay": {"speed": "realtime"}
  })");
  auto journal = file("lock.journal");
  auto first = intuition(
    {"replay", "--config", cfg, "--quotes", quotes, "--quiet"}, "first");
  auto pid = std::to_string(first.pid);
  // The holder writes its pid into the lock file once it has the lock.
  CAF_REQUIRE(eventually(
    [&] { return first_line(trading::journal_lock_path(journal)) == pid; },
    std::chrono::seconds(30)));
  auto expected = "journal " + journal + ": in use by process " + pid;
  CAF_CHECK_EQUAL(run({"replay", "--config", cfg, "--quotes", quotes, "--speed",
                       "max", "--quiet"},
                      "second"),
                  1);
  CAF_CHECK(contains(slurp(file("second.err")), expected));
  CAF_CHECK_EQUAL(run({"run", "--config", cfg, "--journal", journal, "--listen",
                       "off", "--quiet"},
                      "third"),
                  1);
  CAF_CHECK(contains(slurp(file("third.err")), expected));
  // The holder was not disturbed: it stops cleanly when asked...
  first.signal(SIGTERM);
  CAF_CHECK_EQUAL(first.wait_for(std::chrono::seconds(60)), 0);
  // ... and once it is gone the journal is free again.
  CAF_CHECK_EQUAL(run({"replay", "--config", cfg, "--quotes", quotes, "--speed",
                       "max", "--quiet"},
                      "after"),
                  0);
  // One writer at a time: the journal reads back clean.
  auto contents = trading::read_journal(journal, false);
  CAF_REQUIRE(contents);
  const auto& read = contents.value();
  CAF_CHECK(!read.orders.empty());
  CAF_CHECK(!read.torn_tail);
}

CAF_TEST(a journal that cannot be written is named in the error) {
  auto quotes = write("q.csv", "ts,symbol,price\n0,AAA,1\n");
  auto cfg = write("w.json", R"({
    "strategies": [{"name": "hold", "algorithm": "buy_and_hold"}]
  })");
  // A folder where the journal file should be.
  auto folder = file("taken");
  CAF_REQUIRE_EQUAL(::mkdir(folder.c_str(), 0755), 0);
  CAF_CHECK_EQUAL(run({"replay", "--config", cfg, "--quotes", quotes,
                       "--journal", folder, "--quiet"},
                      "dir"),
                  1);
  CAF_CHECK(contains(slurp(file("dir.err")), "journal " + folder + ": "));
  // A read-only journal file (permissions do not bind root).
  if (::geteuid() != 0) {
    auto ro = write("ro.journal", "");
    CAF_REQUIRE_EQUAL(::chmod(ro.c_str(), 0444), 0);
    CAF_CHECK_EQUAL(run({"replay", "--config", cfg, "--quotes", quotes,
                         "--journal", ro, "--quiet"},
                        "ro"),
                    1);
    CAF_CHECK(
      contains(slurp(file("ro.err")), "journal " + ro
                                        + ": cannot open for appending: "
                                          "Permission denied"));
  }
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(live_safety_tests, live_fixture)

CAF_TEST(exit when idle stops a run that never received a quote) {
  start_broker();
  auto cfg = write("idle.json", hold_config);
  auto run = start_run(cfg, broker->url(), {"--exit-when-idle", "1"}, "idle");
  // Bounded: a run that ignored the option would be killed here.
  CAF_CHECK_EQUAL(run.wait_for(60s), 0);
  auto err = slurp(run.err_path);
  CAF_CHECK(contains(err, ready_line));
  CAF_CHECK(contains(err, "no quote for 1 s (--exit-when-idle)"));
  CAF_CHECK(journaled("live.journal").empty());
}

CAF_TEST(a quote reaches only the strategies whose channels match its topic) {
  start_broker();
  auto cfg = write("channels.json", two_channel_config);
  auto run = start_run(cfg, broker->url(), {}, "run");
  CAF_REQUIRE(wait_ready(run));
  auto port = broker->port();
  CAF_REQUIRE_EQUAL(
    publish(port, "quotes/GOOG", {R"({"symbol":"GOOG","price":100})"}, "goog"),
    0);
  CAF_REQUIRE_EQUAL(
    publish(port, "ticks", {R"({"symbol":"MSFT","price":200})"}, "msft"), 0);
  CAF_REQUIRE(
    eventually([&] { return journaled("channels.journal").size() >= 2; }, 30s));
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  // Everything received was traded before the exit: exactly two orders.
  auto orders = journaled("channels.journal");
  CAF_REQUIRE_EQUAL(orders.size(), 2u);
  CAF_CHECK_EQUAL(orders[0].strategy + "/" + orders[0].symbol, "a/GOOG");
  CAF_CHECK_EQUAL(orders[1].strategy + "/" + orders[1].symbol, "b/MSFT");
}

CAF_TEST(ready is answered 503 until the broker acknowledged the subscription) {
  // The broker is not up yet: the run waits, and says so.
  auto port = unused_port();
  CAF_REQUIRE_NOT_EQUAL(port, 0u);
  auto cfg = write("ready.json", hold_config);
  auto run = start_run(cfg, "mqtt://127.0.0.1:" + std::to_string(port),
                       {"--metrics-port", "0"}, "run");
  uint16_t metrics_port = 0;
  CAF_REQUIRE(eventually(
    [&] {
      std::smatch m;
      auto err = slurp(run.err_path);
      if (!std::regex_search(err, m,
                             std::regex{"serving metrics on "
                                        "http://127\\.0\\.0\\.1:([0-9]+)/"}))
        return false;
      metrics_port = static_cast<uint16_t>(std::stoi(m[1].str()));
      return true;
    },
    30s));
  std::pair<int, std::string> answer;
  CAF_REQUIRE(eventually(
    [&] {
      answer = http_get(metrics_port, "/ready");
      return answer.first != 0;
    },
    10s));
  CAF_CHECK_EQUAL(answer.first, 503);
  CAF_CHECK(contains(answer.second, "not ready: "));
  CAF_CHECK_EQUAL(slurp(run.err_path).find(ready_line + ":"),
                  std::string::npos);
  // /metrics is served all along.
  CAF_CHECK_EQUAL(http_get(metrics_port, "/metrics").first, 200);
  start_broker(port);
  CAF_REQUIRE(eventually(
    [&] { return http_get(metrics_port, "/ready").first == 200; }, 60s));
  CAF_CHECK(wait_ready(run));
  CAF_CHECK_EQUAL(http_get(metrics_port, "/ready").second, "ready\n");
  // From here on nothing published is lost.
  CAF_REQUIRE_EQUAL(
    publish(port, "quotes", {R"({"symbol":"IBM","price":10})"}, "pub"), 0);
  CAF_REQUIRE(
    eventually([&] { return journaled("live.journal").size() >= 1; }, 30s));
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  CAF_CHECK_EQUAL(journaled("live.journal").size(), 1u);
}

CAF_TEST(a burst of bad payloads is logged without further traffic) {
  start_broker();
  auto cfg = write("bad.json", hold_config);
  auto run = start_run(cfg, broker->url(), {}, "run");
  CAF_REQUIRE(wait_ready(run));
  std::vector<std::string> garbage(24, "this is not json");
  CAF_REQUIRE_EQUAL(publish(broker->port(), "quotes", garbage, "pub"), 0);
  // The first is logged at once, the rest when the second is over: all 24
  // show up with nothing else published.
  CAF_CHECK(eventually(
    [&] { return rejections_logged(slurp(run.out_path)) == 24; }, 10s));
  CAF_CHECK_EQUAL(rejections_logged(slurp(run.out_path)), 24u);
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  CAF_CHECK_EQUAL(rejections_logged(slurp(run.out_path)), 24u);
}

CAF_TEST_FIXTURE_SCOPE_END()
