#define CAF_SUITE e2e.replay
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "support.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using nlohmann::json;

namespace {

using namespace intuition::e2e;

struct fixture : temp_dir {
  std::string dir = path;

  process spawn(std::vector<std::string> args, const std::string& tag) {
    return intuition(std::move(args), tag);
  }
};

/// The bundled data, parsed by the test itself.
struct row {
  int64_t ts;
  std::string symbol;
  double price;
};

std::vector<row> read_rows(const std::string& path) {
  std::vector<row> out;
  std::ifstream in{path};
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line)) {
    std::stringstream ss{line};
    std::string ts, sym, px;
    std::getline(ss, ts, ',');
    std::getline(ss, sym, ',');
    std::getline(ss, px, ',');
    out.push_back({std::stoll(ts), sym, std::stod(px)});
  }
  return out;
}

/// Money in micros from a price with at most two decimals.
int64_t micros(double x) {
  return std::llround(x * 1e6);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(replay_tests, fixture)

CAF_TEST(buy and hold over the bundled data matches a hand computation) {
  auto cfg = write("hold.json", R"({
    "strategies": [{"name": "hold", "algorithm": "buy_and_hold"}],
    "portfolio": {"starting_cash": 1000000,
                  "sizing": {"kind": "fixed_quantity", "quantity": 10},
                  "commission": {"per_share": 0.01, "minimum": 1}},
    "journal": {"path": "hold.journal", "fsync": "interval"}
  })");
  auto report = dir + "/hold-report.json";
  CAF_REQUIRE_EQUAL(
    run({"replay", "--config", cfg, "--quotes",
         src + "/data/eustockmarkets.csv", "--report", report, "--quiet"},
        "hold"),
    0);
  auto r = json::parse(slurp(report));
  // Independent computation: one buy of 10 per symbol at its first price,
  // commission max(10 * 0.01, 1) = 1 each; marked at the last prices.
  auto rows = read_rows(src + "/data/eustockmarkets.csv");
  std::map<std::string, double> first, last;
  for (const auto& x : rows) {
    first.emplace(x.symbol, x.price);
    last[x.symbol] = x.price;
  }
  int64_t cash = micros(1'000'000);
  int64_t value = 0;
  for (const auto& [sym, px] : first) {
    cash -= 10 * micros(px) + micros(1);
    value += 10 * micros(last[sym]);
  }
  CAF_CHECK_EQUAL(r["quotes"].get<uint64_t>(), 7440u);
  CAF_CHECK_EQUAL(r["rows"].get<uint64_t>(), 7440u);
  CAF_CHECK_EQUAL(r["rejected"].get<uint64_t>(), 0u);
  CAF_CHECK_EQUAL(r["signals"].get<uint64_t>(), 4u);
  CAF_CHECK_EQUAL(r["orders"].get<uint64_t>(), 4u);
  CAF_CHECK_EQUAL(micros(r["final_cash"].get<double>()), cash);
  CAF_CHECK_EQUAL(micros(r["equity"].get<double>()), cash + value);
  auto total_return
    = static_cast<double>(cash + value - micros(1'000'000)) / 1e12;
  CAF_CHECK(std::abs(r["total_return"].get<double>() - total_return) < 1e-12);
  for (const auto& [sym, px] : last) {
    CAF_CHECK_EQUAL(r["positions"][sym]["qty"].get<int64_t>(), 10);
    CAF_CHECK_EQUAL(r["positions"][sym]["last"].get<double>(), px);
  }
  CAF_CHECK_EQUAL(r["strategies"]["hold"]["buys"].get<uint64_t>(), 4u);
  // One equity point per timestamp: 1,860 trading days.
  CAF_CHECK_EQUAL(r["equity_curve"].size(), 1860u);
  for (auto key : {"sharpe", "max_drawdown", "strategies"})
    CAF_CHECK(r.contains(key));
  // The journal holds the same four orders.
  auto read = trading::read_journal(dir + "/hold.journal");
  auto& contents = read.value();
  CAF_CHECK_EQUAL(contents.orders.size(), 4u);
  // The human summary names the same figures.
  auto out = slurp(dir + "/hold.out");
  CAF_CHECK(out.find("orders 4") != std::string::npos);
}

CAF_TEST(sma crossover signals equal a naive recomputation) {
  auto cfg = write("sma.json", R"({
    "strategies": [{"name": "trend", "algorithm": "sma_crossover",
                    "params": {"fast": 5, "slow": 20}}],
    "portfolio": {"starting_cash": 10000000,
                  "sizing": {"kind": "fixed_quantity", "quantity": 1}},
    "journal": {"path": "sma.journal", "fsync": "never"}
  })");
  auto report = dir + "/sma-report.json";
  CAF_REQUIRE_EQUAL(
    run({"replay", "--config", cfg, "--quotes",
         src + "/data/eustockmarkets.csv", "--report", report, "--quiet"},
        "sma"),
    0);
  auto r = json::parse(slurp(report));
  // Naive per-symbol SMAs, recomputed from scratch at every quote; a sell
  // fills only while one unit is held (no shorting).
  auto rows = read_rows(src + "/data/eustockmarkets.csv");
  std::map<std::string, std::vector<double>> series;
  std::map<std::string, int> prev_sign, held;
  uint64_t signals = 0, buys = 0, sells = 0;
  auto mean_last = [](const std::vector<double>& v, size_t n) {
    double s = 0;
    for (size_t i = v.size() - n; i < v.size(); ++i)
      s += v[i];
    return s / static_cast<double>(n);
  };
  for (const auto& x : rows) {
    auto& v = series[x.symbol];
    v.push_back(x.price);
    if (v.size() < 20)
      continue;
    auto diff = mean_last(v, 5) - mean_last(v, 20);
    int sign = diff > 1e-9 ? 1 : (diff < -1e-9 ? -1 : 0);
    if (v.size() > 20) {
      auto prev = prev_sign[x.symbol];
      if (prev <= 0 && sign > 0) {
        ++signals;
        ++buys;
        ++held[x.symbol];
      } else if (prev >= 0 && sign < 0) {
        ++signals;
        if (held[x.symbol] > 0) {
          ++sells;
          --held[x.symbol];
        }
      }
    }
    prev_sign[x.symbol] = sign;
  }
  CAF_CHECK_EQUAL(r["signals"].get<uint64_t>(), signals);
  CAF_CHECK_EQUAL(r["strategies"]["trend"]["buys"].get<uint64_t>(), buys);
  CAF_CHECK_EQUAL(r["strategies"]["trend"]["sells"].get<uint64_t>(), sells);
  CAF_CHECK_EQUAL(r["orders"].get<uint64_t>(), buys + sells);
  CAF_CHECK_EQUAL(r["refusals"]["short_selling_disabled"].get<uint64_t>(),
                  signals - buys - sells);
}

CAF_TEST(
  a replay killed mid run resumes from its journal without repeating ids) {
  auto cfg = write("kill.json", R"({
    "strategies": [{"name": "coin", "algorithm": "random",
                    "params": {"threshold": 0.7, "seed": 7}}],
    "portfolio": {"starting_cash": 1000000000,
                  "sizing": {"kind": "fixed_quantity", "quantity": 1}},
    "journal": {"path": "kill.journal", "fsync": "always"},
    "replay": {"batch_size": 64}
  })");
  auto journal = dir + "/kill.journal";
  auto p = spawn({"replay", "--config", cfg, "--quotes",
                  src + "/data/eustockmarkets.csv", "--repeat", "1000"},
                 "kill1");
  // Wait (bounded) until orders are being journaled, then kill hard.
  struct stat st {};
  for (int i = 0; i < 600; ++i) {
    if (::stat(journal.c_str(), &st) == 0 && st.st_size > 20'000)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CAF_REQUIRE(st.st_size > 20'000);
  ::kill(p.pid, SIGKILL);
  CAF_CHECK_EQUAL(p.wait(), 128 + SIGKILL);
  auto before = trading::read_journal(journal, false).value();
  CAF_REQUIRE(!before.orders.empty());
  // Restart on the same journal.
  auto report = dir + "/kill-report.json";
  CAF_REQUIRE_EQUAL(
    run({"replay", "--config", cfg, "--quotes",
         src + "/data/eustockmarkets.csv", "--report", report, "--quiet"},
        "kill2"),
    0);
  auto r = json::parse(slurp(report));
  auto after = trading::read_journal(journal, false).value();
  CAF_CHECK(!after.torn_tail);
  CAF_CHECK_EQUAL(r["journal"]["restored_orders"].get<uint64_t>(),
                  before.orders.size());
  CAF_CHECK_EQUAL(after.orders.size(),
                  before.orders.size() + r["orders"].get<uint64_t>());
  // Ids never repeat and the restart continued numbering.
  std::set<uint64_t> ids;
  for (const auto& x : after.orders)
    CAF_CHECK(ids.insert(x.id).second);
  CAF_CHECK_EQUAL(after.orders[before.orders.size()].id,
                  before.orders.back().id + 1);
  // Cash and positions equal what the journal says.
  int64_t cash = 1'000'000'000 * trading::micros_per_unit;
  std::map<std::string, int64_t> pos;
  for (const auto& x : after.orders) {
    cash += trading::cash_delta_micros(x);
    pos[x.symbol] += x.direction == trading::side::buy ? x.qty : -x.qty;
  }
  CAF_CHECK_EQUAL(micros(r["final_cash"].get<double>()), cash);
  for (const auto& [sym, qty] : pos)
    CAF_CHECK_EQUAL(r["positions"][sym]["qty"].get<int64_t>(), qty);
}

CAF_TEST(a bad configuration stops the program naming the field) {
  auto cfg = write("bad.json", R"({
    "strategies": [{"name": "x", "algorithm": "sma_crossover",
                    "params": {"fast": 50, "slow": 10}}]
  })");
  CAF_CHECK_EQUAL(run({"replay", "--config", cfg}, "bad"), 2);
  auto err = slurp(dir + "/bad.err");
  CAF_CHECK(err.find("strategies[0].params.fast") != std::string::npos);
  CAF_CHECK_EQUAL(run({"replay", "--config", cfg, "--speed", "warp"}, "flag"),
                  2);
  CAF_CHECK(slurp(dir + "/flag.err").find("--speed") != std::string::npos);
  CAF_CHECK_EQUAL(run({"replay", "--bogus"}, "bogus"), 2);
  CAF_CHECK(slurp(dir + "/bogus.err").find("unknown option \"--bogus\"")
            != std::string::npos);
}

CAF_TEST(
  a corrupt journal record in the middle stops start up naming the line) {
  auto cfg = write("c.json", R"({
    "strategies": [{"name": "hold", "algorithm": "buy_and_hold"}],
    "portfolio": {"sizing": {"kind": "fixed_quantity", "quantity": 1}},
    "journal": {"path": "c.journal", "fsync": "never"}
  })");
  CAF_REQUIRE_EQUAL(run({"replay", "--config", cfg, "--quotes",
                         src + "/data/eustockmarkets.csv", "--quiet"},
                        "c1"),
                    0);
  auto text = slurp(dir + "/c.journal");
  auto second = text.find('\n') + 1;
  auto pos = text.find("\"qty\":1", second);
  CAF_REQUIRE(pos != std::string::npos);
  text[pos + 6] = '7';
  write("c.journal", text);
  CAF_CHECK_EQUAL(run({"replay", "--config", cfg, "--quotes",
                       src + "/data/eustockmarkets.csv", "--quiet"},
                      "c2"),
                  1);
  auto err = slurp(dir + "/c2.err");
  CAF_CHECK(err.find("line 2") != std::string::npos);
  // The journal was left as it was for inspection.
  CAF_CHECK_EQUAL(slurp(dir + "/c.journal"), text);
}

CAF_TEST(help explains every command and flag) {
  CAF_CHECK_EQUAL(run({"--help"}, "help"), 0);
  CAF_CHECK(slurp(dir + "/help.out").find("replay") != std::string::npos);
  CAF_CHECK_EQUAL(run({"replay", "--help"}, "rhelp"), 0);
  auto text = slurp(dir + "/rhelp.out");
  for (auto flag :
       {"--config", "--quotes", "--speed", "--repeat", "--report", "--journal"})
    CAF_CHECK(text.find(flag) != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
