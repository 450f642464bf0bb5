#define CAF_SUITE e2e.resume
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "support.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::e2e;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// The orders of `strategy` in the journal at `path`.
size_t orders_of(const std::string& path, const std::string& strategy) {
  auto read = trading::read_journal(path, false);
  auto* c = read ? &*read : nullptr;
  if (!c)
    return 0;
  size_t n = 0;
  for (const auto& x : c->orders)
    n += x.strategy == strategy ? 1 : 0;
  return n;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(resume_tests, temp_dir)

CAF_TEST(replaying a file in two halves writes the journal of one go) {
  // The bundled data in two halves, split between two days (four symbols a
  // day), and the demo deployment with its four strategies.
  auto all = slurp(src + "/data/eustockmarkets.csv");
  size_t cut = 0;
  for (int lines = 0; lines < 1 + 3720; ++lines)
    cut = all.find('\n', cut) + 1;
  auto first = write("first.csv", all.substr(0, cut));
  auto second = write("second.csv", "ts,symbol,price\n" + all.substr(cut));
  auto demo = src + "/configs/demo.json";
  CAF_REQUIRE_EQUAL(
    run({"replay", "--config", demo, "--journal", file("one.journal"),
         "--report", file("one.json"), "--quiet"},
        "one"),
    0);
  CAF_REQUIRE_EQUAL(run({"replay", "--config", demo, "--quotes", first,
                         "--journal", file("two.journal"), "--quiet"},
                        "half1"),
                    0);
  // A clean stop saved the symbols' recent history beside the journal.
  CAF_CHECK_EQUAL(::access(file("two.journal.warmup").c_str(), R_OK), 0);
  CAF_REQUIRE_EQUAL(
    run({"replay", "--config", demo, "--quotes", second, "--journal",
         file("two.journal"), "--report", file("two.json"), "--quiet"},
        "half2"),
    0);
  auto one = slurp(file("one.journal"));
  auto two = slurp(file("two.journal"));
  CAF_CHECK(!one.empty());
  CAF_CHECK_EQUAL(one.size(), two.size());
  CAF_CHECK(one == two);
  CAF_CHECK_EQUAL(orders_of(file("two.journal"), "hold"), 1u);
  // The return since inception is the one-go run's; the session's own is
  // shown beside it.
  auto r1 = json::parse(slurp(file("one.json")));
  auto r2 = json::parse(slurp(file("two.json")));
  CAF_CHECK_EQUAL(r1["total_return"].get<double>(),
                  r2["total_return"].get<double>());
  CAF_CHECK(r2.contains("session_return"));
  CAF_CHECK_NOT_EQUAL(r2["session_return"].get<double>(),
                      r2["total_return"].get<double>());
  auto printed = slurp(file("half2.out"));
  CAF_CHECK(printed.find("since inception") != std::string::npos);
  CAF_CHECK(printed.find("session return") != std::string::npos);
}

CAF_TEST(a drawdown limit trips in the second half as in one go) {
  // 50 bought at 100 of 10,000: equity peaks at 15,000 (200) in the first
  // half and falls 20 % by 140 in the second. Measured from the second
  // half's own first quote (190, 14,500) it would fall only 17 %.
  auto quotes = [](std::initializer_list<int> prices, int64_t t0) {
    std::string csv = "ts,symbol,price\n";
    for (auto p : prices)
      csv += std::to_string(t0++ * 60'000) + ",AAA," + std::to_string(p) + "\n";
    return csv;
  };
  auto first = quotes({100, 150, 200}, 28'000'000);
  auto second = quotes({190, 170, 150, 140, 130}, 28'000'003);
  auto whole = write("whole.csv", first + second.substr(second.find('\n') + 1));
  auto cfg = write("dd.json", R"({
    "strategies": [{"name": "hold", "algorithm": "buy_and_hold"}],
    "portfolio": {"starting_cash": 10000,
                  "sizing": {"kind": "fixed_quantity", "quantity": 50},
                  "risk": {"max_drawdown": 0.2}},
    "journal": {"path": "dd.journal", "fsync": "never"}
  })");
  CAF_REQUIRE_EQUAL(run({"replay", "--config", cfg, "--quotes", whole,
                         "--journal", file("one.journal"), "--quiet"},
                        "dd-one"),
                    0);
  CAF_REQUIRE_EQUAL(
    run({"replay", "--config", cfg, "--quotes", write("first.csv", first),
         "--journal", file("two.journal"), "--quiet"},
        "dd-half1"),
    0);
  // The clean stop saved the peak beside the journal.
  CAF_CHECK(contains(slurp(file("two.journal.risk")), "\"peak\":15000000000"));
  CAF_REQUIRE_EQUAL(
    run({"replay", "--config", cfg, "--quotes", write("second.csv", second),
         "--journal", file("two.journal"), "--quiet"},
        "dd-half2"),
    0);
  auto one = slurp(file("one.journal.control"));
  CAF_CHECK(contains(one, "max_drawdown: equity 12000 is 3000 below the peak "
                          "15000"));
  CAF_CHECK_EQUAL(slurp(file("two.journal.control")), one);
  CAF_CHECK_EQUAL(slurp(file("two.journal")), slurp(file("one.journal")));
}

CAF_TEST(after a sigkill buy and hold does not buy a second time) {
  // One quote a second in real time: the first one buys, then the process
  // is killed before a clean stop could save anything.
  std::string csv = "ts,symbol,price\n";
  for (int i = 0; i < 120; ++i)
    csv += std::to_string(1'700'000'000'000 + i * 1000) + ",AAA,"
           + std::to_string(100 + i) + "\n";
  auto quotes = write("q.csv", csv);
  auto cfg = write("hold.json", R"({
    "strategies": [{"name": "hold", "algorithm": "buy_and_hold"}],
    "journal": {"path": "hold.journal", "fsync": "always"}
  })");
  auto journal = file("hold.journal");
  auto p = intuition({"replay", "--config", cfg, "--quotes", quotes, "--speed",
                      "realtime", "--quiet"},
                     "killed");
  CAF_REQUIRE(eventually([&] { return orders_of(journal, "hold") == 1; }, 60s));
  p.signal(SIGKILL);
  CAF_CHECK_EQUAL(p.wait(), 128 + SIGKILL);
  // Whatever history a periodic save left, the restored position alone
  // keeps the strategy from acting twice.
  std::remove((journal + ".warmup").c_str());
  CAF_REQUIRE_EQUAL(run({"replay", "--config", cfg, "--quotes", quotes,
                         "--report", file("r.json"), "--quiet"},
                        "restarted"),
                    0);
  CAF_CHECK_EQUAL(orders_of(journal, "hold"), 1u);
  auto r = json::parse(slurp(file("r.json")));
  CAF_CHECK_EQUAL(r["orders"].get<uint64_t>(), 0u);
  CAF_CHECK_EQUAL(r["signals"].get<uint64_t>(), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
