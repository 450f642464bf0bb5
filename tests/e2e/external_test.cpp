#define CAF_SUITE e2e.external
#include "caf/test/unit_test.hpp"

#include <memory>
#include <set>
#include <string>
#include <utility>
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

/// One external strategy, every decision of which is an order of one unit.
const char* external_config = R"({
  "strategies": [{"name": "ext", "algorithm": "external", "symbols": "*"}],
  "portfolio": {"starting_cash": 1000000000,
                "sizing": {"kind": "fixed_quantity", "quantity": 1}},
  "journal": {"path": "external.journal", "fsync": "always"},
  "mqtt": {"client_id": "e2e-external"}
})";

struct fixture : temp_dir {
  std::unique_ptr<runtime::embedded_broker> broker = start_test_broker(*this);
  std::string journal = file("external.journal");

  std::vector<trading::order> journaled() {
    auto read = trading::read_journal(journal, false);
    if (auto* c = read ? &*read : nullptr)
      return c->orders;
    return {};
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(external_tests, fixture)

CAF_TEST(the signals of an external python strategy become journaled orders) {
  constexpr int quotes = 20;
  auto cfg = write("external.json", external_config);
  auto run
    = intuition({"run", "--config", cfg, "--broker", broker->url(), "--report",
                 file("run.json"), "--listen", "0", "--quiet"},
                "run");
  CAF_REQUIRE(wait_ready(run));
  // The original RandomAlgo with threshold 0: a buy for every quote.
  // Debian's interpreter, the one python3-paho-mqtt installs for (a python3
  // earlier on PATH, such as a version manager's, may lack it).
  auto algo = spawn("/usr/bin/python3",
                    {"examples/random_algo.py", "--broker", broker->url(),
                     "--strategy", "ext", "--threshold", "0", "--count",
                     std::to_string(quotes), "--exit-after", "60"},
                    "algo");
  CAF_REQUIRE(eventually(
    [&] { return slurp(algo.err_path).find("ready") != std::string::npos; },
    30s));
  std::vector<std::string> lines;
  std::set<int64_t> stamps;
  for (int i = 1; i <= quotes; ++i) {
    auto ts = 1'700'000'000'000 + i;
    stamps.insert(ts);
    // A symbol per quote: the last quote of a signal's symbol, its price,
    // is then the quote it answers, however late the signal comes.
    lines.push_back(R"({"symbol":"S)" + std::to_string(i) + R"(","price":)"
                    + std::to_string(100 + i) + R"(,"ts":)" + std::to_string(ts)
                    + "}");
  }
  CAF_REQUIRE_EQUAL(publish(broker->port(), "quotes", lines, "feed"), 0);
  CAF_REQUIRE(eventually(
    [&] { return journaled().size() >= static_cast<size_t>(quotes); }, 60s));
  CAF_CHECK_EQUAL(algo.wait_for(30s), 0);
  // A malformed signal is refused and counted; the stream goes on.
  CAF_REQUIRE_EQUAL(publish(broker->port(), "signals/in/ext",
                            {R"({"symbol":"S1","side":"hold","ts":1})"}, "bad"),
                    0);
  CAF_REQUIRE(eventually(
    [&] {
      return slurp(run.out_path).find("signal bad_side") != std::string::npos;
    },
    30s));
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  auto orders = journaled();
  CAF_REQUIRE_EQUAL(orders.size(), static_cast<size_t>(quotes));
  // One order per quote, none twice: each at its quote's price and time.
  std::set<int64_t> seen;
  for (const auto& x : orders) {
    CAF_CHECK_EQUAL(x.strategy, "ext");
    CAF_CHECK_EQUAL(x.direction, trading::side::buy);
    CAF_CHECK_EQUAL(x.qty, 1);
    CAF_CHECK(seen.insert(x.ts_ms).second);
    auto i = x.ts_ms - 1'700'000'000'000;
    CAF_CHECK_EQUAL(x.price_micros, (100 + i) * trading::micros_per_unit);
    CAF_CHECK_EQUAL(x.symbol, "S" + std::to_string(i));
  }
  CAF_CHECK(seen == stamps);
  auto report = json::parse(slurp(file("run.json")));
  CAF_CHECK_EQUAL(report["orders"].get<uint64_t>(),
                  static_cast<uint64_t>(quotes));
  // Quotes traded are the quotes fed: a signal's carrier is no quote.
  CAF_CHECK_EQUAL(report["quotes"].get<uint64_t>(),
                  static_cast<uint64_t>(quotes));
  const auto& in = report["mqtt_in"];
  CAF_CHECK_EQUAL(in["external_signals"].get<int64_t>(), quotes);
  CAF_CHECK_EQUAL(in["external_signals_rejected"].get<int64_t>(), 1);
  CAF_CHECK_EQUAL(in["forwarded_quotes"].get<int64_t>(), quotes);
}

CAF_TEST_FIXTURE_SCOPE_END()
