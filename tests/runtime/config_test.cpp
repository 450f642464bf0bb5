#define CAF_SUITE runtime.config
#include "caf/test/unit_test.hpp"

#include <string>

#include "runtime/config.hpp"
#include "trading/algorithm.hpp"

using namespace intuition;
using runtime::parse_config;

namespace {

/// The message a bad configuration stops the program with.
std::string error_of(const std::string& text) {
  try {
    parse_config(text, "/cfg");
  } catch (const trading::config_error& ex) {
    return ex.what();
  } catch (const std::exception& ex) {
    return std::string{"other: "} + ex.what();
  }
  return "no error";
}

const char* minimal = R"({"strategies": [{"name": "s", "algorithm": "buy_and_hold"}]})";

} // namespace

CAF_TEST(a minimal configuration takes every documented default) {
  auto cfg = parse_config(minimal, "/cfg");
  CAF_REQUIRE_EQUAL(cfg.strategies.size(), 1u);
  CAF_CHECK(cfg.strategies[0].symbols.empty());
  CAF_CHECK_EQUAL(cfg.strategies[0].channels,
                  std::vector<std::string>{"quotes"});
  CAF_CHECK_EQUAL(cfg.portfolio.starting_cash_micros, 100'000'000'000);
  CAF_CHECK(cfg.portfolio.sizing.kind == trading::sizing_kind::fixed_fraction);
  CAF_CHECK_EQUAL(cfg.portfolio.sizing.fraction, 0.1);
  CAF_CHECK(cfg.journal.fsync == trading::fsync_policy::always);
  CAF_CHECK_EQUAL(cfg.journal.path, "");
  CAF_CHECK_EQUAL(cfg.replay.speed, 0.0);
  CAF_CHECK_EQUAL(cfg.replay.repeat, 1u);
  CAF_CHECK_EQUAL(cfg.codec.max_payload_bytes, 4096u);
}

CAF_TEST(comments are allowed and relative paths follow the config file) {
  auto cfg = parse_config(R"({
    // one strategy
    "strategies": [{"name": "s", "algorithm": "sma_crossover",
                    "symbols": ["dax", "SMI"], "params": {"fast": 2, "slow": 5}}],
    "journal": {"path": "../var/j.journal", "fsync": "interval", "interval_ms": 5},
    "replay": {"quotes": "/abs/q.csv", "speed": "60x"},
    "portfolio": {"starting_cash": "2500.50", "commission": {"bps": 1.5}}
  })", "/cfg");
  CAF_CHECK_EQUAL(cfg.strategies[0].symbols,
                  (std::vector<std::string>{"DAX", "SMI"}));
  CAF_CHECK_EQUAL(cfg.journal.path, "/var/j.journal");
  CAF_CHECK(cfg.journal.fsync == trading::fsync_policy::interval);
  CAF_CHECK_EQUAL(cfg.journal.interval_ms, 5);
  CAF_CHECK_EQUAL(cfg.replay.quotes, "/abs/q.csv");
  CAF_CHECK_EQUAL(cfg.replay.speed, 60.0);
  CAF_CHECK_EQUAL(cfg.portfolio.starting_cash_micros, 2'500'500'000);
  CAF_CHECK_EQUAL(cfg.portfolio.commission.bps, 1.5);
  // equal_weight's symbols default to the union of the strategies' symbols.
  CAF_CHECK_EQUAL(cfg.portfolio.sizing.symbols,
                  (std::vector<std::string>{"DAX", "SMI"}));
}

CAF_TEST(a bad configuration names the field the value and what was expected) {
  CAF_CHECK_EQUAL(error_of(R"({"strategies": [{"name": "s", "algorithm": "magic"}]})"),
                  "strategies[0].algorithm: got \"magic\", expected one of: "
                  "buy_and_hold, mean_reversion, momentum, random, sma_crossover");
  CAF_CHECK_EQUAL(error_of(R"({"strategies": [{"algorithm": "random"}]})"),
                  "strategies[0].name: got nothing, expected a string (required)");
  CAF_CHECK_EQUAL(error_of(R"({"strategies": []})"),
                  "strategies: got [], expected a non-empty list of strategies");
  CAF_CHECK_EQUAL(error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "portfolio": {"starting_cash": -5}})"),
                  "portfolio.starting_cash: got -5, expected an amount > 0");
  CAF_CHECK_EQUAL(error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "portfolio": {"sizing": {"fraction": "half"}}})"),
                  "portfolio.sizing.fraction: got \"half\", expected a number in (0, 1]");
  CAF_CHECK_EQUAL(error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "journal": {"fsync": "sometimes"}})"),
                  "journal.fsync: got \"sometimes\", expected one of: always, interval, never");
  CAF_CHECK_EQUAL(error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                               "replay": {"speed": "fast"}})"),
                  "replay.speed: got \"fast\", expected max, realtime, or a "
                  "positive multiple such as 60x");
  CAF_CHECK_EQUAL(error_of(R"({"strategies": [{"name": "s", "algorithm": "random",
                               "symbols": []}]})"),
                  "strategies[0].symbols: got [], expected \"*\" or a non-empty "
                  "list of symbols");
}

CAF_TEST(unknown keys are rejected at every level) {
  auto top = error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                          "portfolioo": {}})");
  CAF_CHECK(top.rfind("portfolioo: got {}, expected no such key", 0) == 0);
  auto nested = error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                             "portfolio": {"risk": {"max_pos": 3}}})");
  CAF_CHECK(nested.rfind("portfolio.risk.max_pos: got 3, expected no such key", 0)
            == 0);
  auto strat = error_of(R"({"strategies": [{"name": "s", "algorithm": "random",
                                            "param": {}}]})");
  CAF_CHECK(strat.rfind("strategies[0].param: got {}", 0) == 0);
}

CAF_TEST(algorithm parameters are validated when the config loads) {
  auto msg = error_of(R"({"strategies": [{"name": "s", "algorithm": "sma_crossover",
                          "params": {"fast": 30, "slow": 10}}]})");
  CAF_CHECK(msg.rfind("strategies[0].params.fast: got 30", 0) == 0);
  auto unknown = error_of(R"({"strategies": [{"name": "s", "algorithm": "random",
                             "params": {"treshold": 0.3}}]})");
  CAF_CHECK(unknown.rfind("strategies[0].params.treshold:", 0) == 0);
}

CAF_TEST(duplicate strategy names and malformed JSON are refused) {
  CAF_CHECK_EQUAL(error_of(R"({"strategies": [{"name": "s", "algorithm": "random"},
                                              {"name": "s", "algorithm": "random"}]})"),
                  "strategies[1].name: got \"s\", expected a name no other "
                  "strategy uses");
  CAF_CHECK(error_of("{\"strategies\": [").rfind("other: not valid JSON", 0) == 0);
}

CAF_TEST(replay speeds parse as documented) {
  CAF_CHECK_EQUAL(runtime::parse_speed("--speed", "max"), 0.0);
  CAF_CHECK_EQUAL(runtime::parse_speed("--speed", "realtime"), 1.0);
  CAF_CHECK_EQUAL(runtime::parse_speed("--speed", "3600x"), 3600.0);
  CAF_CHECK_EQUAL(runtime::parse_speed("--speed", "0.5x"), 0.5);
}
