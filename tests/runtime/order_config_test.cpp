#define CAF_SUITE runtime.order_config
#include "caf/test/unit_test.hpp"

#include <string>

#include "runtime/config.hpp"

#include "config_support.hpp"

using namespace intuition;
using runtime::parse_config;

namespace {

/// A configuration whose strategy has `order`.
std::string with_order(const std::string& order) {
  return R"({"strategies": [{"name": "s", "algorithm": "random", "order": )"
         + order + "}]}";
}

/// A configuration with `sizing`.
std::string with_sizing(const std::string& sizing) {
  return R"({"strategies": [{"name": "s", "algorithm": "random"}],
             "portfolio": {"sizing": )"
         + sizing + "}}";
}

} // namespace

CAF_TEST(strategies trade at market unless their order says otherwise) {
  auto cfg
    = config_of(R"({"strategies": [{"name": "s", "algorithm": "random"}]})");
  CAF_CHECK(cfg.strategies[0].order.type == trading::order_type::market);
  CAF_CHECK(cfg.portfolio.order_specs.empty());
  CAF_CHECK_EQUAL(cfg.portfolio.max_open_orders, 1000u);
  cfg = config_of(with_order(
    R"({"type": "stop_limit", "offset_bps": -30, "stop_offset_bps": 20,
        "time_in_force": "day"})"));
  CAF_REQUIRE_EQUAL(cfg.portfolio.order_specs.count("s"), 1u);
  const auto& spec = cfg.portfolio.order_specs.at("s");
  CAF_CHECK(spec.type == trading::order_type::stop_limit);
  CAF_CHECK_EQUAL(spec.offset_bps, -30.0);
  CAF_CHECK_EQUAL(spec.stop_offset_bps, 20.0);
  CAF_CHECK(spec.tif == trading::time_in_force::day);
}

CAF_TEST(a bad order names the field and what was expected) {
  CAF_CHECK_EQUAL(error_of(with_order(R"({"type": "iceberg"})")),
                  "strategies[0].order.type: got \"iceberg\", expected one "
                  "of: market, limit, stop, stop_limit");
  CAF_CHECK_EQUAL(
    error_of(with_order(R"({"type": "limit", "time_in_force": "fok"})")),
    "strategies[0].order.time_in_force: got \"fok\", expected one of: gtc, "
    "day, ioc");
  CAF_CHECK_EQUAL(
    error_of(with_order(R"({"type": "limit", "offset_bps": 10000})")),
    "strategies[0].order.offset_bps: got 10000, expected a number of basis "
    "points in [-9999, 9999]");
  CAF_CHECK_EQUAL(
    error_of(with_order(R"({"type": "stop", "stop_offset_bps": -1})")),
    "strategies[0].order.stop_offset_bps: got -1, expected a number of "
    "basis points in [0, 9999]");
  CAF_CHECK_EQUAL(
    error_of(with_order(R"({"type": "limit", "stop_offset_bps": 5})")),
    "strategies[0].order.stop_offset_bps: got 5, expected no "
    "stop_offset_bps for type limit (only stop and stop_limit have one)");
  CAF_CHECK_EQUAL(
    error_of(with_order(R"({"type": "market", "time_in_force": "ioc"})")),
    "strategies[0].order.time_in_force: got \"ioc\", expected no "
    "time_in_force for a market order");
  CAF_CHECK_EQUAL(error_of(with_order(R"({"type": "limit", "tif": "day"})"))
                    .rfind("strategies[0].order.tif: got \"day\", expected no "
                           "such key",
                           0),
                  0u);
  CAF_CHECK_EQUAL(
    error_of(R"({"strategies": [{"name": "s", "algorithm": "random"}],
                 "portfolio": {"max_open_orders": 0}})"),
    "portfolio.max_open_orders: got 0, expected an integer in [1, 1000000]");
}

CAF_TEST(kelly and volatility target read their fields) {
  auto cfg = config_of(with_sizing(
    R"({"kind": "kelly", "lookback_trades": 30, "fraction": 0.5,
        "max_fraction": 0.2})"));
  const auto& k = cfg.portfolio.sizing;
  CAF_CHECK(k.kind == trading::sizing_kind::kelly);
  CAF_CHECK_EQUAL(k.lookback_trades, 30u);
  CAF_CHECK_EQUAL(k.fraction, 0.5);
  CAF_CHECK_EQUAL(k.max_fraction, 0.2);
  cfg = config_of(with_sizing(
    R"({"kind": "volatility_target", "target": 0.02, "lambda": 0.97,
        "min_observations": 5, "quotes_per_day": 390})"));
  const auto& v = cfg.portfolio.sizing;
  CAF_CHECK(v.kind == trading::sizing_kind::volatility_target);
  CAF_CHECK_EQUAL(v.target, 0.02);
  CAF_CHECK_EQUAL(v.lambda, 0.97);
  CAF_CHECK_EQUAL(v.min_observations, 5u);
  CAF_CHECK_EQUAL(v.quotes_per_day, 390.0);
  CAF_CHECK_EQUAL(error_of(with_sizing(R"({"kind": "optimal_f"})")),
                  "portfolio.sizing.kind: got \"optimal_f\", expected one of: "
                  "random_fraction, fixed_fraction, fixed_quantity, "
                  "equal_weight, kelly, volatility_target");
  CAF_CHECK_EQUAL(error_of(with_sizing(R"({"lambda": 1})")),
                  "portfolio.sizing.lambda: got 1, expected a number in [0, "
                  "1)");
  CAF_CHECK_EQUAL(error_of(with_sizing(R"({"lookback_trades": 0})")),
                  "portfolio.sizing.lookback_trades: got 0, expected an "
                  "integer in [1, 100000]");
  CAF_CHECK_EQUAL(error_of(with_sizing(R"({"target": 0})")),
                  "portfolio.sizing.target: got 0, expected a number in (0, "
                  "1]");
}
