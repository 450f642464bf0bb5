#define CAF_SUITE trading.algorithms
#include "caf/test/unit_test.hpp"

#include "trading/algorithm.hpp"

#include "failure_parts.hpp"

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using namespace intuition::trading;
using nlohmann::json;

using testing::failure_of;
using testing::parts;
using testing::value_of;

namespace {

using strings = std::vector<std::string>;

/// The failure `initialize` returns for `params`, or nothing if it accepts
/// them.
std::optional<failure> init_error(const std::string& name, const json& params) {
  auto algo = make_algorithm(name, "TEST");
  return failure_of(algo->initialize(params));
}

} // namespace

// -- invalid_value --------------------------------------------------------------

CAF_TEST(config errors name the field the value and the expectation) {
  auto err = invalid_value("fast", "40", "an integer less than slow (30)");
  CAF_CHECK(err.kind == failure_kind::invalid_request);
  CAF_CHECK_EQUAL(err.message,
                  "fast: got 40, expected an integer less than slow (30)");
  CAF_CHECK_EQUAL(parts(err).field, "fast");
  CAF_CHECK_EQUAL(parts(err).value, "40");
  CAF_CHECK_EQUAL(parts(err).expected, "an integer less than slow (30)");
}

CAF_TEST(nested config errors prefix the field) {
  auto err
    = invalid_value("fast", "40", "x").in_field("strategies.trend.params");
  CAF_CHECK_EQUAL(parts(err).field, "strategies.trend.params.fast");
  CAF_CHECK_EQUAL(err.message,
                  "strategies.trend.params.fast: got 40, expected x");
}

// -- params helpers -------------------------------------------------------------

CAF_TEST(unknown keys are rejected with the list of allowed keys) {
  auto err = failure_of(params::check_keys(json{{"fast", 3}, {"fsat", 5}},
                                           {"fast", "slow", "channels"}));
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(parts(*err).field, "fsat");
  CAF_CHECK_EQUAL(parts(*err).value, "5");
  CAF_CHECK_EQUAL(parts(*err).expected, "one of: fast, slow, channels");
}

CAF_TEST(null params count as an empty object) {
  CAF_CHECK(!failure_of(params::check_keys(json(nullptr), {"a"})));
  CAF_CHECK(!failure_of(params::check_keys(json::object(), {"a"})));
  CAF_CHECK_EQUAL(value_of(params::get_integer(json(nullptr), "a", 7, 1, 10)),
                  7);
  CAF_CHECK_EQUAL(value_of(params::get_channels(json(nullptr))),
                  strings{"quotes"});
}

CAF_TEST(params that are not an object are rejected) {
  auto err = failure_of(params::check_keys(json::array({1}), {"a"}));
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(parts(*err).field, "params");
  CAF_CHECK_EQUAL(parts(*err).value, "[1]");
  CAF_CHECK_EQUAL(parts(*err).expected, "an object");
}

CAF_TEST(numbers are checked for type and range) {
  json obj{{"threshold", 0.25}, {"name", "high"}, {"big", 1.5}};
  CAF_CHECK_EQUAL(value_of(params::get_number(obj, "threshold", 0.5, 0, 1)),
                  0.25);
  CAF_CHECK_EQUAL(value_of(params::get_number(obj, "absent", 0.5, 0, 1)), 0.5);
  auto wrong_type = failure_of(params::get_number(obj, "name", 0.5, 0, 1));
  CAF_REQUIRE(wrong_type);
  CAF_CHECK_EQUAL(wrong_type->message,
                  "name: got \"high\", expected a number in [0, 1]");
  auto out_of_range = failure_of(params::get_number(obj, "big", 0.5, 0, 1));
  CAF_REQUIRE(out_of_range);
  CAF_CHECK_EQUAL(out_of_range->message,
                  "big: got 1.5, expected a number in [0, 1]");
  auto open = failure_of(params::get_number(
    json{{"t", -1}}, "t", 0, 0, std::numeric_limits<double>::infinity()));
  CAF_REQUIRE(open);
  CAF_CHECK_EQUAL(parts(*open).expected, "a number >= 0");
}

CAF_TEST(integers are checked for type and range) {
  json obj{{"n", 12}, {"frac", 2.5}, {"zero", 0}, {"huge", UINT64_MAX}};
  CAF_CHECK_EQUAL(value_of(params::get_integer(obj, "n", 3, 1, 1000)), 12);
  CAF_CHECK_EQUAL(value_of(params::get_integer(obj, "absent", 3, 1, 1000)), 3);
  auto frac = failure_of(params::get_integer(obj, "frac", 3, 1, 1000));
  CAF_REQUIRE(frac);
  CAF_CHECK_EQUAL(frac->message,
                  "frac: got 2.5, expected an integer in [1, 1000]");
  auto zero = failure_of(params::get_integer(obj, "zero", 3, 1, 1000));
  CAF_REQUIRE(zero);
  CAF_CHECK_EQUAL(parts(*zero).value, "0");
  auto huge = failure_of(
    params::get_integer(obj, "huge", 3, std::numeric_limits<int64_t>::min(),
                        std::numeric_limits<int64_t>::max()));
  CAF_REQUIRE(huge);
  CAF_CHECK_EQUAL(parts(*huge).value, "18446744073709551615");
  CAF_CHECK_EQUAL(parts(*huge).expected, "an integer");
}

CAF_TEST(positive numbers exclude zero) {
  CAF_CHECK_EQUAL(
    value_of(params::get_positive_number(json{{"k", 0.5}}, "k", 2)), 0.5);
  auto err = failure_of(params::get_positive_number(json{{"k", 0}}, "k", 2));
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->message, "k: got 0, expected a number > 0");
}

CAF_TEST(channels must be a non - empty list of non - empty strings) {
  CAF_CHECK_EQUAL(value_of(params::get_channels(json::object())),
                  strings{"quotes"});
  CAF_CHECK_EQUAL(
    value_of(params::get_channels(json{{"channels", {"quotes", "news"}}})),
    (strings{"quotes", "news"}));
  for (auto bad : {json::array(), json::array({"quotes", ""}), json::array({1}),
                   json("quotes")}) {
    auto err = failure_of(params::get_channels(json{{"channels", bad}}));
    CAF_REQUIRE(err);
    CAF_CHECK_EQUAL(parts(*err).field, "channels");
    CAF_CHECK_EQUAL(parts(*err).value, bad.dump());
  }
}

CAF_TEST(channels must be topic filters a broker accepts) {
  CAF_CHECK_EQUAL(value_of(params::get_channels(
                    json{{"channels", {"quotes/+", "$share/g1/ticks", "#"}}})),
                  (strings{"quotes/+", "$share/g1/ticks", "#"}));
  for (auto bad : {json::array({"quotes/#/GOOG"}), json::array({"quotes+"}),
                   json::array({"ok", "$share/g1"})}) {
    auto err = failure_of(params::get_channels(json{{"channels", bad}}));
    CAF_REQUIRE(err);
    CAF_CHECK_EQUAL(parts(*err).field, "channels");
    CAF_CHECK_EQUAL(parts(*err).value, bad.dump());
    CAF_CHECK(parts(*err).expected.find("MQTT topic filters")
              != std::string::npos);
  }
}

// -- registry -------------------------------------------------------------------

CAF_TEST(the registry lists the built - in algorithms sorted) {
  CAF_CHECK_EQUAL(algorithm_names(),
                  (strings{"buy_and_hold", "hurst", "mean_reversion",
                           "momentum", "random", "sma_crossover"}));
  for (const auto& name : algorithm_names())
    CAF_CHECK(make_algorithm(name, "AAPL") != nullptr);
}

CAF_TEST(unknown algorithm names yield nullptr) {
  CAF_CHECK(make_algorithm("nope", "AAPL") == nullptr);
  CAF_CHECK(make_algorithm("", "AAPL") == nullptr);
  CAF_CHECK(make_algorithm("SMA_CROSSOVER", "AAPL") == nullptr);
}

// -- initialize -----------------------------------------------------------------

CAF_TEST(every algorithm subscribes to quotes unless told otherwise) {
  for (const auto& name : algorithm_names()) {
    CAF_MESSAGE("algorithm " << name);
    auto algo = make_algorithm(name, "AAPL");
    CAF_CHECK_EQUAL(value_of(algo->initialize(json(nullptr))),
                    strings{"quotes"});
    CAF_CHECK_EQUAL(value_of(algo->initialize(json::object())),
                    strings{"quotes"});
    CAF_CHECK_EQUAL(
      value_of(algo->initialize(json{{"channels", {"ticks", "bars"}}})),
      (strings{"ticks", "bars"}));
    auto st = algo->state();
    CAF_CHECK_EQUAL(st["params"]["channels"], json::array({"ticks", "bars"}));
    CAF_CHECK_EQUAL(st["algorithm"], name);
  }
}

CAF_TEST(every algorithm rejects unknown parameters) {
  for (const auto& name : algorithm_names()) {
    CAF_MESSAGE("algorithm " << name);
    auto err = init_error(name, json{{"bogus", true}});
    CAF_REQUIRE(err);
    CAF_CHECK_EQUAL(parts(*err).field, "bogus");
    CAF_CHECK_EQUAL(parts(*err).value, "true");
  }
  auto err = init_error("sma_crossover", json{{"fsat", 5}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->message,
                  "fsat: got 5, expected one of: fast, slow, channels");
}

CAF_TEST(parameters of the wrong type are rejected) {
  auto err = init_error("momentum", json{{"lookback", "20"}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->message,
                  "lookback: got \"20\", expected an integer in [1, 100000]");
  err = init_error("random", json{{"threshold", true}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->message,
                  "threshold: got true, expected a number in [0, 1]");
}

CAF_TEST(parameters out of range are rejected) {
  auto err = init_error("sma_crossover", json{{"fast", 30}, {"slow", 30}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->message,
                  "fast: got 30, expected an integer less than slow (30)");
  err = init_error("sma_crossover", json{{"fast", 40}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(parts(*err).field, "fast");
  CAF_CHECK_EQUAL(parts(*err).expected, "an integer less than slow (30)");
  err = init_error("sma_crossover", json{{"slow", 0}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(parts(*err).field, "slow");
  err = init_error("momentum", json{{"threshold", -0.1}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->message, "threshold: got -0.1, expected a number >= 0");
  err = init_error("mean_reversion", json{{"k", 0}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(parts(*err).field, "k");
  err = init_error("mean_reversion", json{{"window", 1}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->message,
                  "window: got 1, expected an integer in [2, 100000]");
  err = init_error("random", json{{"threshold", 1.5}});
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(parts(*err).field, "threshold");
}

CAF_TEST(a rejected initialize keeps the previous parameters) {
  auto algo = make_algorithm("sma_crossover", "AAPL");
  CAF_REQUIRE(algo->initialize(json{{"fast", 3}, {"slow", 5}}));
  CAF_CHECK_EQUAL(algo->warmup(), 5u);
  auto bad = json{{"fast", 9}, {"slow", 8}};
  CAF_CHECK(failure_of(algo->initialize(bad)));
  CAF_CHECK_EQUAL(algo->warmup(), 5u);
  auto st = algo->state();
  CAF_CHECK_EQUAL(st["params"]["fast"], 3);
}

CAF_TEST(warmup is the longest window of the defaults) {
  auto warmup = [](const std::string& name) {
    auto algo = make_algorithm(name, "AAPL");
    CAF_REQUIRE(algo->initialize(json::object()));
    return algo->warmup();
  };
  CAF_CHECK_EQUAL(warmup("sma_crossover"), 30u);
  CAF_CHECK_EQUAL(warmup("momentum"), 21u);
  CAF_CHECK_EQUAL(warmup("mean_reversion"), 20u);
  CAF_CHECK_EQUAL(warmup("hurst"), 257u);
  CAF_CHECK_EQUAL(warmup("random"), 0u);
  CAF_CHECK_EQUAL(warmup("buy_and_hold"), 0u);
}
