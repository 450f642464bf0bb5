#define CAF_SUITE e2e.journal
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/broker.hpp"
#include "support.hpp"
#include "trading/journal.hpp"
#include "actors/publication_mark.hpp"

using namespace intuition;
using namespace intuition::e2e;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// One order per quote: `random` with threshold 0, one unit each.
const char* every_quote_config = R"({
  "strategies": [{"name": "every", "algorithm": "random",
                  "params": {"threshold": 0.0}}],
  "portfolio": {"starting_cash": 1000000000,
                "sizing": {"kind": "fixed_quantity", "quantity": 1}},
  "journal": {"path": "full.journal", "fsync": "always"},
  "replay": {"batch_size": 64},
  "mqtt": {"client_id": "e2e-journal", "publish_signals": false}
})";

/// No file of a limited process grows past this: the journal fills it after
/// about a hundred orders, before any other file does.
constexpr uint64_t disk_bytes = 16'384;

/// The first number `pattern`'s group captures in `text`.
std::optional<uint64_t> number_in(const std::string& text,
                                  const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex{pattern}))
    return std::nullopt;
  return std::stoull(m[1].str());
}

struct fixture : temp_dir {
  std::string journal = file("full.journal");
  std::unique_ptr<runtime::embedded_broker> broker;

  void start_broker() {
    broker = start_test_broker(*this);
  }

  /// The journal's orders, failing the test when it does not read back.
  trading::journal_contents journaled() {
    auto read = trading::read_journal(journal, false);
    if (!read)
      CAF_FAIL(read.error().message);
    return read.value();
  }

  /// Orders the summary in `out` says were durable this run.
  uint64_t durable_in(const std::string& out) {
    auto n = number_in(out, "journal +" + journal
                              + ": ([0-9]+) orders durable this run");
    if (!n)
      CAF_FAIL("no durable count in:\n" << out);
    return *n;
  }

  /// Orders the summary in `out` says were filled this run.
  uint64_t filled_in(const std::string& out) {
    auto n = number_in(out, "signals +[0-9]+, orders ([0-9]+)");
    if (!n)
      CAF_FAIL("no order count in:\n" << out);
    return *n;
  }

  /// Runs `intuition ARGS` to completion; returns its exit code.
  int run_limited(std::vector<std::string> args, const std::string& tag) {
    return spawn(bin, std::move(args), tag, {}, disk_bytes)
      .wait_for(std::chrono::minutes(5));
  }

  /// Ids of the journal, checked to increase strictly.
  void check_ids_increase(const std::vector<trading::order>& orders) {
    for (size_t i = 1; i < orders.size(); ++i)
      if (orders[i].id <= orders[i - 1].id)
        CAF_FAIL("id " << orders[i].id << " at seq " << orders[i].seq
                       << " does not increase");
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(journal_tests, fixture)

CAF_TEST(
  a replay whose journal cannot grow halts at once and counts what is durable) {
  auto cfg = write("full.json", every_quote_config);
  auto quotes = src + "/data/eustockmarkets.csv";
  // Paced (42 market days a second, 70 s for the file): the portfolio
  // cannot run ahead of the journal, so the halt comes long before the end.
  CAF_CHECK_EQUAL(run_limited({"replay", "--config", cfg, "--quotes", quotes,
                               "--speed", "3600000x", "--quiet"},
                              "full"),
                  1);
  auto out = slurp(file("full.out"));
  auto err = slurp(file("full.err"));
  CAF_CHECK(contains(err, "intuition replay: halted: journal: journal "
                            + journal + ": write failed: File too large"));
  CAF_CHECK(contains(out, "order_log: halted: journal"));
  CAF_CHECK(contains(out, "replay halted: "));
  // The summary's durable count is what the journal holds, and trading
  // stopped there instead of filling an order for each of the 7,440 quotes.
  auto contents = journaled();
  auto durable = durable_in(out);
  auto filled = filled_in(out);
  CAF_MESSAGE(filled << " orders filled, " << durable << " durable");
  CAF_CHECK_GREATER(durable, 0u);
  CAF_CHECK_EQUAL(contents.orders.size(), durable);
  CAF_CHECK(!contents.torn_tail);
  CAF_CHECK_GREATER_OR_EQUAL(filled, durable);
  CAF_CHECK_LESS(filled, 7'440u / 2);
  // With room on the disk again, the next start continues the journal.
  CAF_CHECK_EQUAL(
    run({"replay", "--config", cfg, "--quotes", quotes, "--quiet"}, "again"),
    0);
  auto after = journaled();
  CAF_CHECK_EQUAL(after.orders.size(), durable + 7'440);
  check_ids_increase(after.orders);
}

CAF_TEST(
  a live run whose journal cannot grow halts trading and says so everywhere) {
  start_broker();
  auto cfg = write("live.json", every_quote_config);
  auto p = spawn(bin,
                 {"run", "--config", cfg, "--broker", broker->url(), "--listen",
                  "0", "--metrics-port", "0"},
                 "run", {}, disk_bytes);
  CAF_REQUIRE(eventually(
    [&] {
      return slurp(p.out_path).find("mqtt_ingress: connected")
             != std::string::npos;
    },
    30s));
  // 150 quotes: the journal (about 140 bytes an order) fills up after
  // about 115 orders, while the input log (about 90 bytes a message) still
  // has room for all of them.
  std::string csv = "ts,symbol,price\n";
  for (int i = 0; i < 150; ++i)
    csv += std::to_string(1'600'000'000'000 + i) + ",DAX,"
           + std::to_string(100 + i % 7) + ".5\n";
  auto feed = spawn(bin,
                    {"feed", "--broker", broker->url(), "--quotes",
                     write("quotes.csv", csv), "--qos", "1", "--rate", "500",
                     "--quiet"},
                    "feed");
  CAF_REQUIRE_EQUAL(feed.wait_for(60s), 0);
  // The log and the progress line say it.
  auto halted_line = "intuition run: halted: journal: journal " + journal
                     + ": write failed: File too large";
  CAF_REQUIRE(eventually(
    [&] { return slurp(p.err_path).find(halted_line) != std::string::npos; },
    30s));
  CAF_CHECK(eventually(
    [&] {
      return std::regex_search(
        slurp(p.err_path),
        std::regex{"run: [^\n]*connected, halted: journal\n"});
    },
    10s));
  CAF_CHECK(contains(slurp(p.out_path), "order_log: halted: journal"));
  auto err = slurp(p.err_path);
  auto inspect_port = number_in(err, "peers on 127\\.0\\.0\\.1:([0-9]+)");
  auto metrics_port = number_in(err, "http://127\\.0\\.0\\.1:([0-9]+)/metrics");
  CAF_REQUIRE(inspect_port && metrics_port);
  // inspect shows it, as text and as JSON.
  auto node = "127.0.0.1:" + std::to_string(*inspect_port);
  auto text = spawn(bin, {"inspect", "--node", node, "order_log"}, "inspect");
  CAF_CHECK_EQUAL(text.wait_for(60s), 0);
  CAF_CHECK(contains(slurp(text.out_path), "    halted: journal\n"));
  auto as_json = spawn(bin, {"inspect", "--node", node, "--json", "portfolio"},
                       "inspect-json");
  CAF_CHECK_EQUAL(as_json.wait_for(60s), 0);
  auto states = json::parse(slurp(as_json.out_path), nullptr, false);
  CAF_REQUIRE(states.is_array() && states.size() == 1);
  CAF_CHECK(states[0]["summary"]["halted"] == "journal");
  // So does /metrics.
  auto curl
    = spawn("curl",
            {"-s", "-S", "--max-time", "20",
             "http://127.0.0.1:" + std::to_string(*metrics_port) + "/metrics"},
            "curl");
  CAF_REQUIRE_EQUAL(curl.wait_for(30s), 0);
  CAF_CHECK_EQUAL(
    series_value(slurp(curl.out_path), "intuition_halted{reason=\"journal\"}"),
    1.0);
  // Stopped, it exits with an error and a summary that counts right.
  p.signal(SIGINT);
  CAF_CHECK_EQUAL(p.wait_for(60s), 1);
  auto out = slurp(p.out_path);
  CAF_CHECK(contains(out, "run halted: "));
  auto durable = durable_in(out);
  auto contents = journaled();
  CAF_CHECK_GREATER(durable, 0u);
  CAF_CHECK_LESS(durable, 150u);
  CAF_CHECK_EQUAL(contents.orders.size(), durable);
  CAF_CHECK(!contents.torn_tail);
  // Nothing beyond the durable orders was published.
  auto mark
    = actors::read_publication_mark(actors::publication_mark_path(journal));
  CAF_REQUIRE(mark);
  CAF_CHECK_LESS_OR_EQUAL(*mark, durable);
}

CAF_TEST(
  a journal cut short is refused then accepted on request without reusing ids) {
  auto cfg = write("cut.json", R"({
    "strategies": [{"name": "coin", "algorithm": "random",
                    "params": {"threshold": 0.7, "seed": 7}}],
    "portfolio": {"starting_cash": 1000000000,
                  "sizing": {"kind": "fixed_quantity", "quantity": 1}},
    "journal": {"path": "full.journal", "fsync": "never"}
  })");
  auto quotes = src + "/data/eustockmarkets.csv";
  std::vector<std::string> args{"replay",   "--config", cfg,
                                "--quotes", quotes,     "--quiet"};
  CAF_REQUIRE_EQUAL(run(args, "first"), 0);
  auto whole = journaled();
  auto n = whole.orders.size();
  CAF_REQUIRE_GREATER(n, 100u);
  auto last_id = whole.orders.back().id;
  // Half its lines lost, and the broker had confirmed them all.
  auto bytes = slurp(journal);
  size_t cut = 0;
  for (size_t i = 0; i < n / 2; ++i)
    cut = bytes.find('\n', cut) + 1;
  write("full.journal", bytes.substr(0, cut));
  write("full.journal.published", std::to_string(n) + "\n");
  auto kept = n / 2;
  // Refused, naming the files and the way on; the journal is untouched.
  CAF_CHECK_EQUAL(run(args, "refused"), 1);
  auto refused = slurp(file("refused.err"));
  CAF_CHECK(contains(
    refused,
    "intuition replay: journal " + journal + ": holds " + std::to_string(kept)
      + " orders, but its end record " + journal + ".end says orders up to seq "
      + std::to_string(n) + " (order id " + std::to_string(last_id)
      + ") were acknowledged and its publication "
        "mark "
      + journal + ".published says orders up to seq " + std::to_string(n)
      + " were published: " + std::to_string(n - kept)
      + " acknowledged orders are missing"));
  CAF_CHECK(contains(refused, "or start with --accept-journal-loss"));
  CAF_CHECK_EQUAL(slurp(journal), bytes.substr(0, cut));
  // Accepted on request: the loss is reported, ids go on above the last.
  args.push_back("--accept-journal-loss");
  CAF_CHECK_EQUAL(run(args, "accepted"), 0);
  auto accepted = slurp(file("accepted.err"));
  CAF_CHECK(
    contains(accepted, "going on without them (--accept-journal-loss)"));
  CAF_CHECK(contains(accepted,
                     "order ids continue from " + std::to_string(last_id + 1)));
  auto after = journaled();
  CAF_REQUIRE_GREATER(after.orders.size(), kept);
  for (size_t i = 0; i < kept; ++i)
    CAF_CHECK_EQUAL(after.orders[i].id, whole.orders[i].id);
  CAF_CHECK_EQUAL(after.orders[kept].seq, kept + 1);
  CAF_CHECK_GREATER(after.orders[kept].id, last_id);
  check_ids_increase(after.orders);
  // The publication mark now matches the journal it describes.
  auto mark
    = actors::read_publication_mark(actors::publication_mark_path(journal));
  CAF_REQUIRE(mark);
  CAF_CHECK_EQUAL(*mark, kept);
  // And the next start needs no flag.
  args.pop_back();
  CAF_CHECK_EQUAL(run(args, "next"), 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
