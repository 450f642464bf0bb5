#define CAF_SUITE e2e.durability
#include "caf/test/unit_test.hpp"

#include <arpa/inet.h>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <random>
#include <set>
#include <sys/socket.h>
#include <utility>

#include <nlohmann/json.hpp>

#include "runtime/broker.hpp"
#include "support.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::e2e;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// One order per quote: `random` with threshold 0, one unit each. The input
/// log syncs like the journal, every 20 ms.
const char* every_quote_config = R"({
  "strategies": [{"name": "every", "algorithm": "random",
                  "params": {"threshold": 0.0}}],
  "portfolio": {"starting_cash": 1000000000000,
                "sizing": {"kind": "fixed_quantity", "quantity": 1}},
  "journal": {"path": "live.journal", "fsync": "interval", "interval_ms": 20},
  "mqtt": {"client_id": "e2e", "publish_signals": false}
})";

using quote_key = std::pair<std::string, int64_t>;

struct fixture : temp_dir {
  std::unique_ptr<runtime::embedded_broker> broker;
  std::string journal = file("live.journal");

  /// A broker with persistence; `killed`: the test kills it, so it saves
  /// on every change.
  void start_broker(bool killed) {
    runtime::broker_options opts;
    opts.persistence = true;
    // mosquitto acknowledges a publish before its next save: saved every
    // second, a hard kill loses what it acknowledged in that second (seen:
    // 25 and 40 of 12,000), which no subscriber can get back. Each save
    // rewrites the whole database, though, so with thousands queued for a
    // killed subscriber it falls to a few hundred messages a second: only
    // a broker that is itself killed pays that.
    opts.save_every_change = killed;
    broker = start_test_broker(*this, opts);
  }

  /// Starts `intuition run` and waits (bounded) until the broker
  /// acknowledged its subscription, which it asks for only after trading
  /// what its input log held unprocessed.
  process start_run(const std::string& cfg, const std::string& tag) {
    auto p
      = intuition({"run", "--config", cfg, "--broker", broker->url(),
                   "--report", file(tag + ".json"), "--listen", "0", "--quiet"},
                  tag);
    CAF_REQUIRE(wait_ready(p));
    return p;
  }

  /// Writes `symbols` x `rows` quotes with distinct increasing timestamps.
  std::string write_quotes(int symbols, int rows, std::set<quote_key>& sent) {
    std::string csv = "ts,symbol,price\n";
    for (int r = 0; r < rows; ++r)
      for (int s = 0; s < symbols; ++s) {
        auto sym = "S" + std::to_string(s);
        auto ts = int64_t{1'600'000'000'000} + r;
        csv += std::to_string(ts) + "," + sym + ","
               + std::to_string(100 + r % 50) + ".5\n";
        sent.emplace(sym, ts);
      }
    return write("quotes.csv", csv);
  }

  process start_feed(const std::string& csv, const std::string& rate) {
    return intuition({"feed", "--broker", broker->url(), "--quotes", csv,
                      "--qos", "1", "--rate", rate, "--quiet"},
                     "feed");
  }

  std::vector<trading::order> journaled() {
    auto read = trading::read_journal(journal, false);
    if (auto* c = read ? &*read : nullptr)
      return c->orders;
    return {};
  }

  bool wait_for_orders(size_t n, std::chrono::milliseconds timeout) {
    return eventually([&] { return journaled().size() >= n; }, timeout);
  }

  /// Every quote sent became exactly one order.
  void check_exactly_once(const std::set<quote_key>& sent) {
    auto orders = journaled();
    std::map<quote_key, int> traded;
    for (const auto& x : orders)
      ++traded[{x.symbol, x.ts_ms}];
    size_t twice = 0;
    size_t unknown = 0;
    for (const auto& [key, n] : traded) {
      if (n > 1)
        ++twice;
      if (sent.count(key) == 0)
        ++unknown;
    }
    size_t lost = 0;
    for (const auto& key : sent)
      if (traded.count(key) == 0)
        ++lost;
    CAF_MESSAGE(orders.size() << " orders for " << sent.size() << " quotes: "
                              << lost << " lost, " << twice << " traded twice");
    CAF_CHECK_EQUAL(orders.size(), sent.size());
    CAF_CHECK_EQUAL(lost, 0u);
    CAF_CHECK_EQUAL(twice, 0u);
    CAF_CHECK_EQUAL(unknown, 0u);
  }
};

// -- a minimal MQTT 3.1.1 client over a raw socket ------------------------------

void put_length(std::string& out, size_t n) {
  do {
    auto byte = static_cast<char>(n % 128);
    n /= 128;
    if (n > 0)
      byte = static_cast<char>(byte | 0x80);
    out += byte;
  } while (n > 0);
}

void put_string(std::string& out, const std::string& s) {
  out += static_cast<char>(s.size() >> 8);
  out += static_cast<char>(s.size() & 0xFF);
  out += s;
}

/// Connects, sends the exact bytes of one QoS 1 PUBLISH (packet id 7), waits
/// for its PUBACK, and closes; `dup` sets the DUP flag of a redelivery.
bool publish_raw(uint16_t port, const std::string& topic,
                 const std::string& payload, bool dup) {
  auto fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return false;
  }
  std::string body;
  put_string(body, "MQTT");
  body += '\x04';                     // protocol level 3.1.1
  body += '\x02';                     // clean session
  body += std::string{"\x00\x3c", 2}; // keepalive 60 s
  put_string(body, "e2e-raw");
  std::string connect = "\x10";
  put_length(connect, body.size());
  connect += body;
  std::string pub_body;
  put_string(pub_body, topic);
  pub_body += std::string{"\x00\x07", 2};
  pub_body += payload;
  std::string publish(1, dup ? '\x3A' : '\x32');
  put_length(publish, pub_body.size());
  publish += pub_body;
  char ack[4];
  auto ok = ::send(fd, connect.data(), connect.size(), 0)
              == static_cast<ssize_t>(connect.size())
            && ::recv(fd, ack, 4, MSG_WAITALL) == 4 && ack[0] == '\x20'
            && ack[3] == 0
            && ::send(fd, publish.data(), publish.size(), 0)
                 == static_cast<ssize_t>(publish.size())
            && ::recv(fd, ack, 4, MSG_WAITALL) == 4 && ack[0] == '\x40';
  const char disconnect[2] = {'\xE0', '\x00'};
  ::send(fd, disconnect, 2, 0);
  ::close(fd);
  return ok;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(durability_tests, fixture)

CAF_TEST(a run killed at ten random moments trades every quote exactly once) {
  start_broker(false);
  auto cfg = write("live.json", every_quote_config);
  std::set<quote_key> sent;
  auto csv = write_quotes(4, 6000, sent);
  auto run = start_run(cfg, "run0");
  auto feed = start_feed(csv, "max");
  std::random_device rd;
  auto seed = rd();
  CAF_MESSAGE("kill moments seeded with " << seed);
  std::mt19937 gen{seed};
  std::uniform_int_distribution<int> pause_ms{50, 900};
  for (int kill = 1; kill <= 10; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(gen)));
    run.signal(SIGKILL);
    run.wait();
    CAF_MESSAGE("kill " << kill << ": " << journaled().size() << " orders");
    run = start_run(cfg, "run" + std::to_string(kill));
  }
  CAF_REQUIRE_EQUAL(feed.wait_for(90s), 0);
  CAF_CHECK(wait_for_orders(sent.size(), 60s));
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  check_exactly_once(sent);
  // The last run's counters, for the log: its redeliveries were dropped.
  auto report = json::parse(slurp(file("run10.json")));
  CAF_MESSAGE("last run: " << report["mqtt_in"].dump());
}

CAF_TEST(a broker killed and restarted with persistence loses no quote) {
  start_broker(true);
  auto cfg = write("live.json", every_quote_config);
  std::set<quote_key> sent;
  auto csv = write_quotes(4, 3000, sent);
  auto run = start_run(cfg, "run");
  auto feed = start_feed(csv, "4000");
  // The broker saves its state every second: let it save the sessions.
  std::this_thread::sleep_for(1500ms);
  broker->kill_hard();
  std::this_thread::sleep_for(500ms);
  CAF_REQUIRE(broker->restart());
  CAF_REQUIRE_EQUAL(feed.wait_for(90s), 0);
  CAF_CHECK(wait_for_orders(sent.size(), 60s));
  // Redeliveries after the restart arrive late: give them a moment.
  std::this_thread::sleep_for(1s);
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  check_exactly_once(sent);
  auto report = json::parse(slurp(file("run.json")));
  CAF_MESSAGE("ingress: " << report["mqtt_in"].dump());
}

CAF_TEST(
  a publish redelivered with the dup flag is traded once even across a crash) {
  start_broker(false);
  auto cfg = write("live.json", every_quote_config);
  auto run = start_run(cfg, "run1");
  const std::string first
    = R"({"symbol":"DAX","price":1628.75,"ts":1700000000000})";
  const std::string second
    = R"({"symbol":"DAX","price":1629.5,"ts":1700000001000})";
  CAF_REQUIRE(publish_raw(broker->port(), "quotes", first, false));
  CAF_REQUIRE(publish_raw(broker->port(), "quotes", first, true));
  CAF_REQUIRE(publish_raw(broker->port(), "quotes", second, false));
  CAF_REQUIRE(wait_for_orders(2, 20s));
  // The filter's state survives a crash: the redelivery after it is
  // recognised too.
  std::this_thread::sleep_for(300ms);
  run.signal(SIGKILL);
  run.wait();
  run = start_run(cfg, "run2");
  CAF_REQUIRE(publish_raw(broker->port(), "quotes", second, true));
  const std::string third
    = R"({"symbol":"DAX","price":1630,"ts":1700000002000})";
  CAF_REQUIRE(publish_raw(broker->port(), "quotes", third, false));
  CAF_REQUIRE(wait_for_orders(3, 20s));
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  auto orders = journaled();
  CAF_REQUIRE_EQUAL(orders.size(), 3u);
  CAF_CHECK_EQUAL(orders[0].ts_ms, 1700000000000);
  CAF_CHECK_EQUAL(orders[1].ts_ms, 1700000001000);
  CAF_CHECK_EQUAL(orders[2].ts_ms, 1700000002000);
  auto report = json::parse(slurp(file("run2.json")));
  CAF_CHECK_EQUAL(report["mqtt_in"]["duplicate"].get<int64_t>(), 1);
}

CAF_TEST_FIXTURE_SCOPE_END()
