#define CAF_SUITE e2e.live
#include "caf/test/unit_test.hpp"

#include <arpa/inet.h>
#include <algorithm>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <regex>
#include <set>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "runtime/broker.hpp"
#include "support.hpp"
#include "trading/decimal.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::e2e;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// How often `needle` occurs in `text`.
size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto i = text.find(needle); i != std::string::npos;
       i = text.find(needle, i + 1))
    ++n;
  return n;
}

/// Every order the strategy `every` makes: one per quote.
const char* every_quote_config = R"({
  "strategies": [{"name": "every", "algorithm": "random",
                  "params": {"threshold": 0.0}}],
  "portfolio": {"starting_cash": 1000000000,
                "sizing": {"kind": "fixed_quantity", "quantity": 1}},
  "journal": {"path": "live.journal", "fsync": "always"},
  "mqtt": {"client_id": "e2e"}
})";

bool port_accepts(uint16_t port) {
  auto fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto ok
    = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

struct fixture : temp_dir {
  std::unique_ptr<runtime::embedded_broker> broker;
  std::string journal = file("live.journal");

  void start_broker() {
    runtime::broker_options opts;
    opts.persistence = true;
    broker = start_test_broker(*this, opts);
  }

  std::string port() const {
    return std::to_string(broker->port());
  }

  /// Starts `intuition run` against the test's broker and waits (bounded)
  /// until the broker acknowledged its subscription.
  process start_run(const std::string& cfg, const std::string& tag) {
    auto p
      = intuition({"run", "--config", cfg, "--broker", broker->url(),
                   "--report", file(tag + ".json"), "--listen", "0", "--quiet"},
                  tag);
    CAF_REQUIRE(wait_ready(p));
    return p;
  }

  /// A persistent-session subscriber to orders/#.
  process start_subscriber(const std::string& tag) {
    auto p = spawn("mosquitto_sub",
                   {"-h", "127.0.0.1", "-p", port(), "-t", "orders/#", "-q",
                    "1", "-v", "-c", "-i", "e2e-orders"},
                   tag);
    // The subscription has to exist before the first order is published.
    std::this_thread::sleep_for(500ms);
    return p;
  }

  /// Publishes every line of `lines` as one QoS 1 message to `quotes`.
  void publish_lines(const std::vector<std::string>& lines,
                     const std::string& tag) {
    std::string text;
    for (const auto& l : lines)
      text += l + "\n";
    auto input = write(tag + ".in", text);
    auto p = spawn(
      "mosquitto_pub",
      {"-h", "127.0.0.1", "-p", port(), "-t", "quotes", "-q", "1", "-l"}, tag,
      input);
    CAF_REQUIRE_EQUAL(p.wait_for(60s), 0);
  }

  std::vector<trading::order> journaled() {
    auto read = trading::read_journal(journal, false);
    if (auto* c = read ? &*read : nullptr)
      return c->orders;
    return {};
  }

  bool wait_for_orders(size_t n) {
    return eventually([&] { return journaled().size() >= n; }, 30s);
  }

  /// Orders seen by subscribers, by id (a redelivery overwrites itself).
  std::map<uint64_t, json>
  orders_seen(const std::vector<std::string>& outputs) {
    std::map<uint64_t, json> out;
    for (const auto& path : outputs) {
      std::stringstream in{slurp(path)};
      std::string line;
      while (std::getline(in, line)) {
        auto sp = line.find(' ');
        if (sp == std::string::npos)
          continue;
        auto j = json::parse(line.substr(sp + 1), nullptr, false);
        if (j.is_object() && j.contains("id"))
          out[j["id"].get<uint64_t>()] = j;
      }
    }
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(live_tests, fixture)

CAF_TEST(every payload shape published by a stock client becomes an order) {
  start_broker();
  auto cfg = write("live.json", every_quote_config);
  auto sub = start_subscriber("sub");
  auto run = start_run(cfg, "run");
  publish_lines({R"({"sid":"GOOG","quote":"345"})",
                 R"({"sid":"goog","quote":346.5})",
                 R"({"goog": 3.45, "msft": 2})",
                 R"({"symbol":"IBM","price":100.5,"ts":1700000000000})"},
                "pub");
  CAF_REQUIRE(wait_for_orders(5));
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  auto orders = journaled();
  CAF_REQUIRE_EQUAL(orders.size(), 5u);
  std::vector<std::pair<std::string, std::string>> expected{{"GOOG", "345"},
                                                            {"GOOG", "346.5"},
                                                            {"GOOG", "3.45"},
                                                            {"MSFT", "2"},
                                                            {"IBM", "100.5"}};
  for (size_t i = 0; i < orders.size(); ++i) {
    CAF_CHECK_EQUAL(orders[i].symbol, expected[i].first);
    CAF_CHECK_EQUAL(trading::format_micros(orders[i].price_micros),
                    expected[i].second);
    CAF_CHECK_EQUAL(orders[i].id, i + 1);
  }
  CAF_CHECK_EQUAL(orders[4].ts_ms, 1700000000000);
  // MQTT carries exactly what the journal holds.
  CAF_REQUIRE(
    eventually([&] { return orders_seen({sub.out_path}).size() >= 5; }, 10s));
  sub.signal(SIGTERM);
  sub.wait_for(5s);
  auto seen = orders_seen({sub.out_path});
  CAF_REQUIRE_EQUAL(seen.size(), 5u);
  for (const auto& x : orders) {
    const auto& j = seen[x.id];
    CAF_CHECK_EQUAL(j["symbol"].get<std::string>(), x.symbol);
    CAF_CHECK_EQUAL(j["seq"].get<uint64_t>(), x.seq);
    CAF_CHECK_EQUAL(j["qty"].get<int64_t>(), x.qty);
    CAF_CHECK_EQUAL(j["side"].get<std::string>(), "buy");
    CAF_CHECK_EQUAL(trading::double_to_micros(j["price"].get<double>()),
                    x.price_micros);
  }
  auto report = json::parse(slurp(file("run.json")));
  CAF_CHECK_EQUAL(report["orders"].get<uint64_t>(), 5u);
  CAF_CHECK_EQUAL(report["mqtt_out"]["confirmed"].get<int64_t>(), 5);
  CAF_CHECK_EQUAL(report["unconfirmed_orders"].get<uint64_t>(), 0u);
}

CAF_TEST(a flood of garbage loses no valid quote) {
  start_broker();
  auto cfg = write("live.json", every_quote_config);
  auto run = start_run(cfg, "run");
  const std::vector<std::pair<std::string, std::string>> garbage{
    {"this is not json", "not_json"},
    {R"({"sid":"X"})", "missing_field"},
    {R"({"x": -1})", "non_positive_price"},
    {R"({"x": "NaN"})", "not_finite"},
    {R"([1, 2, 3])", "wrong_type"}};
  std::vector<std::string> lines;
  std::map<std::string, uint64_t> expected_by_price;
  for (int i = 0; i < 1000; ++i) {
    auto sym = "S" + std::to_string(i % 10);
    auto price = std::to_string(100 + i) + ".25";
    lines.push_back(R"({"symbol":")" + sym + R"(","price":)" + price + "}");
    lines.push_back(garbage[static_cast<size_t>(i) % garbage.size()].first);
  }
  publish_lines(lines, "pub");
  CAF_REQUIRE(wait_for_orders(1000));
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  auto orders = journaled();
  CAF_REQUIRE_EQUAL(orders.size(), 1000u);
  // Every valid quote traded once, in publication order.
  for (size_t i = 0; i < orders.size(); ++i) {
    CAF_CHECK_EQUAL(orders[i].symbol, "S" + std::to_string(i % 10));
    CAF_CHECK_EQUAL(orders[i].price_micros,
                    static_cast<int64_t>(100 + i) * 1'000'000 + 250'000);
  }
  auto report = json::parse(slurp(file("run.json")));
  CAF_CHECK_EQUAL(report["rejected"].get<uint64_t>(), 1000u);
  for (const auto& [payload, reason] : garbage)
    CAF_CHECK_EQUAL(report["rejected_by_reason"][reason].get<uint64_t>(), 200u);
  CAF_CHECK_EQUAL(report["rows"].get<uint64_t>(), 2000u);
  CAF_CHECK_EQUAL(report["quotes"].get<uint64_t>(), 1000u);
}

CAF_TEST(
  after a broker restart the runtime reconnects and publishes every order) {
  start_broker();
  auto cfg = write("live.json", every_quote_config);
  auto sub1 = start_subscriber("sub1");
  auto run = start_run(cfg, "run");
  std::vector<std::string> first, second;
  for (int i = 0; i < 300; ++i) {
    first.push_back(R"({"symbol":"A","price":)" + std::to_string(10 + i) + "}");
    second.push_back(R"({"symbol":"B","price":)" + std::to_string(10 + i)
                     + "}");
  }
  publish_lines(first, "pub1");
  // Stop the broker mid-stream: orders still in the pipeline are journaled
  // while it is away and must reach MQTT after the reconnect.
  sub1.signal(SIGTERM);
  sub1.wait_for(5s);
  broker->stop();
  CAF_REQUIRE(wait_for_orders(300));
  std::this_thread::sleep_for(1s);
  CAF_REQUIRE(broker->restart());
  auto sub2 = start_subscriber("sub2");
  // The runtime reconnects by itself and subscribes again.
  CAF_REQUIRE(wait_ready(run, 40s, 2));
  publish_lines(second, "pub2");
  CAF_REQUIRE(wait_for_orders(600));
  CAF_REQUIRE(eventually(
    [&] {
      return orders_seen({sub1.out_path, sub2.out_path}).size() >= 600;
    },
    30s));
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  sub2.signal(SIGTERM);
  sub2.wait_for(5s);
  auto orders = journaled();
  CAF_REQUIRE_EQUAL(orders.size(), 600u);
  auto seen = orders_seen({sub1.out_path, sub2.out_path});
  // Deduplicated by id, MQTT shows exactly the journal.
  CAF_CHECK_EQUAL(seen.size(), 600u);
  for (const auto& x : orders) {
    CAF_REQUIRE(seen.count(x.id) == 1);
    CAF_CHECK_EQUAL(seen[x.id]["symbol"].get<std::string>(), x.symbol);
  }
  auto report = json::parse(slurp(file("run.json")));
  CAF_CHECK_EQUAL(report["unconfirmed_orders"].get<uint64_t>(), 0u);
  CAF_CHECK(report["mqtt_in"]["connects"].get<int64_t>() >= 2);
  CAF_MESSAGE("egress after the restart: " << report["mqtt_out"].dump());
}

CAF_TEST(without a broker the run starts and stops its own) {
  auto cfg = write("live.json", R"({
    "strategies": [{"name": "hold", "algorithm": "buy_and_hold"}],
    "portfolio": {"sizing": {"kind": "fixed_quantity", "quantity": 1}},
    "journal": {"path": "live.journal"}
  })");
  auto run
    = intuition({"run", "--config", cfg, "--listen", "0", "--quiet"}, "run");
  std::smatch m;
  std::string out;
  CAF_REQUIRE(eventually(
    [&] {
      out = slurp(run.out_path);
      return std::regex_search(
               out, m,
               std::regex{"embedded broker: mqtt://127\\.0\\.0\\.1:([0-9]+)"})
             && slurp(run.err_path).find(ready_line) != std::string::npos;
    },
    10s));
  auto port = static_cast<uint16_t>(std::stoi(m[1].str()));
  CAF_CHECK(port_accepts(port));
  auto pub = spawn("mosquitto_pub",
                   {"-h", "127.0.0.1", "-p", std::to_string(port), "-t",
                    "quotes", "-q", "1", "-m", R"({"goog": 3.45})"},
                   "pub");
  CAF_REQUIRE_EQUAL(pub.wait_for(10s), 0);
  CAF_REQUIRE(wait_for_orders(1));
  run.signal(SIGTERM);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  CAF_CHECK_EQUAL(journaled().front().symbol, "GOOG");
  // The broker went with it.
  CAF_CHECK(!port_accepts(port));
}

CAF_TEST(after a clean stop beyond 65536 orders a restart republishes nothing) {
  // Four strategies trade every quote: 84,000 orders, more than MQTT has
  // packet ids, each with a signal beside it. While they are traded the
  // broker reads nothing from the runtime's publishing connection, so every
  // order (up to max_queued_orders) and signal waits in the client, as
  // behind a slow broker, and the ids go round before the first PUBACK.
  constexpr int symbols = 7;
  constexpr int rows = 3'000;
  constexpr uint64_t n = uint64_t{4} * symbols * rows;
  start_broker();
  mqtt_relay relay{broker->port()};
  CAF_REQUIRE_NOT_EQUAL(relay.port(), 0u);
  std::string strategies;
  for (int i = 1; i <= 4; ++i)
    strategies
      += std::string{i > 1 ? "," : ""} + R"({"name": "every)"
         + std::to_string(i)
         + R"(", "algorithm": "random", "params": {"threshold": 0.0}})";
  auto cfg = write("live.json", R"({"strategies": [)" + strategies + R"(],
    "portfolio": {"starting_cash": 1000000000000,
                  "sizing": {"kind": "fixed_quantity", "quantity": 1}},
    "journal": {"path": "live.journal", "fsync": "interval", "interval_ms": 20},
    "mqtt": {"client_id": "e2e-wrap", "max_queued_orders": 100000}
  })");
  std::string csv = "ts,symbol,price\n";
  for (int r = 0; r < rows; ++r)
    for (int s = 0; s < symbols; ++s)
      csv += std::to_string(int64_t{1'600'000'000'000} + r) + ",S"
             + std::to_string(s) + "," + std::to_string(100 + r % 50) + ".5\n";
  auto quotes = write("quotes.csv", csv);
  auto sub = start_subscriber("sub");
  auto start_via_relay = [&](const std::string& tag) {
    auto p
      = intuition({"run", "--config", cfg, "--broker", relay.url(), "--report",
                   file(tag + ".json"), "--listen", "0", "--quiet"},
                  tag);
    CAF_REQUIRE(eventually(
      [&] {
        return slurp(p.out_path).find("mqtt_ingress: connected")
               != std::string::npos;
      },
      10s));
    return p;
  };
  auto run = start_via_relay("run1");
  relay.hold("-out");
  auto feed = intuition({"feed", "--broker", broker->url(), "--quotes", quotes,
                         "--qos", "1", "--rate", "max", "--quiet"},
                        "feed");
  // Held for at most 8 s: the client's keepalive is 10 s.
  eventually([&] { return journaled().size() >= n; }, 8s);
  CAF_MESSAGE(journaled().size() << " orders traded while held");
  relay.release();
  CAF_REQUIRE_EQUAL(feed.wait_for(300s), 0);
  CAF_REQUIRE(eventually([&] { return journaled().size() >= n; }, 300s));
  // The publication mark follows the broker's confirmations to the last
  // order while the run goes on.
  auto mark_path = journal + ".published";
  auto mark = [&] {
    auto text = slurp(mark_path);
    return text.empty() ? uint64_t{0} : std::stoull(text);
  };
  CAF_CHECK(eventually([&] { return mark() >= n; }, 120s));
  run.signal(SIGTERM);
  CAF_REQUIRE_EQUAL(run.wait_for(60s), 0);
  CAF_CHECK_EQUAL(journaled().size(), n);
  CAF_CHECK_EQUAL(mark(), n);
  auto first = json::parse(slurp(file("run1.json")));
  CAF_CHECK_EQUAL(first["unconfirmed_orders"].get<uint64_t>(), 0u);
  CAF_CHECK_EQUAL(first["mqtt_out"]["confirmed"].get<uint64_t>(), n);
  // The subscriber saw every order the mark covers.
  CAF_CHECK(
    eventually([&] { return count_of(slurp(sub.out_path), "\n") >= n; }, 120s));
  CAF_CHECK(
    eventually([&] { return orders_seen({sub.out_path}).size() >= n; }, 30s));
  sub.signal(SIGTERM);
  sub.wait_for(5s);
  CAF_CHECK_EQUAL(orders_seen({sub.out_path}).size(), n);
  // A restart finds nothing to publish again.
  auto again = start_via_relay("run2");
  again.signal(SIGINT);
  CAF_REQUIRE_EQUAL(again.wait_for(60s), 0);
  auto err = slurp(again.err_path);
  CAF_CHECK_EQUAL(err.find("not yet confirmed by the broker"),
                  std::string::npos);
  auto second = json::parse(slurp(file("run2.json")));
  CAF_CHECK_EQUAL(second["mqtt_out"]["published"].get<uint64_t>(), 0u);
  CAF_CHECK_EQUAL(second["unconfirmed_orders"].get<uint64_t>(), 0u);
  CAF_CHECK_EQUAL(mark(), n);
}

CAF_TEST(a feed whose broker went away stops when asked to) {
  start_broker();
  std::string csv = "ts,symbol,price\n";
  for (int r = 0; r < 20'000; ++r)
    csv += std::to_string(int64_t{1'600'000'000'000} + r) + ",A,"
           + std::to_string(100 + r % 50) + ".5\n";
  auto quotes = write("feed-quotes.csv", csv);
  auto feed = intuition({"feed", "--broker", broker->url(), "--quotes", quotes,
                         "--qos", "1", "--rate", "2000"},
                        "feed");
  // Its progress line: it publishes and the broker acknowledges.
  CAF_REQUIRE(eventually(
    [&] { return contains(slurp(feed.err_path), "acknowledged"); }, 10s));
  broker->stop();
  feed.signal(SIGTERM);
  // It gave up waiting for acknowledgements that cannot come (it waited
  // out a 60 s timeout instead, and the bound here killed it: 137).
  auto code = feed.wait_for(20s);
  CAF_CHECK_EQUAL(code, 1);
  CAF_CHECK(contains(slurp(feed.out_path), "feed: published"));
}

CAF_TEST(a QoS 0 feed at full speed has written every quote when it exits) {
  start_broker();
  // 14 x 7,440 quotes, 8 MB: the feed writes them faster than the broker
  // delivers them, so at its last publish much still waits for the socket.
  constexpr int repeat = 14;
  constexpr int n = 7'440 * repeat;
  auto sub = spawn("mosquitto_sub",
                   {"-h", "127.0.0.1", "-p", port(), "-t", "quotes", "-q", "0",
                    "-C", std::to_string(n)},
                   "flood-sub");
  // The subscription has to exist before the first quote is published.
  std::this_thread::sleep_for(500ms);
  auto feed = intuition({"feed", "--broker", broker->url(), "--quotes",
                         "data/eustockmarkets.csv", "--qos", "0", "--rate",
                         "max", "--repeat", std::to_string(repeat), "--quiet"},
                        "flood-feed");
  // A feed that stopped its client at once dropped what was not written
  // yet (up to a megabyte here).
  CAF_CHECK_EQUAL(feed.wait_for(60s), 0);
  CAF_CHECK_EQUAL(sub.wait_for(30s), 0);
  auto got = slurp(sub.out_path);
  CAF_CHECK_EQUAL(std::count(got.begin(), got.end(), '\n'), n);
}

CAF_TEST_FIXTURE_SCOPE_END()
