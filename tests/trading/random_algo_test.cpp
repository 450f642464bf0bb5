#define CAF_SUITE trading.random
#include "caf/test/unit_test.hpp"

#include "trading/algorithms/random_algo.hpp"

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using namespace intuition::trading;
using nlohmann::json;

namespace {

/// Feeds `n` quotes and returns each decision's strength (nothing: no signal).
std::vector<std::optional<double>> draws(algorithm& algo, size_t n) {
  std::vector<std::optional<double>> result;
  for (size_t i = 0; i < n; ++i) {
    quote q{"AAPL", 150'000'000, 0, i + 1};
    auto d = algo.on_quote(q);
    if (d) {
      CAF_CHECK(d->direction == side::buy);
      result.emplace_back(d->strength);
    } else {
      result.emplace_back(std::nullopt);
    }
  }
  return result;
}

size_t count_buys(const std::vector<std::optional<double>>& xs) {
  size_t n = 0;
  for (const auto& x : xs)
    if (x)
      ++n;
  return n;
}

random_algo make(const std::string& symbol, const json& params) {
  random_algo algo{symbol};
  CAF_REQUIRE(algo.initialize(params));
  return algo;
}

} // namespace

CAF_TEST(the generator is splitmix64 seeded with seed xor fnv1a of the symbol) {
  // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (published test vector).
  CAF_CHECK_EQUAL(random_algo::fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  CAF_CHECK_EQUAL(random_algo::fnv1a64(""), 0xcbf29ce484222325ULL);
  // Seeding with the hash itself (as int64) zeroes the splitmix64 state,
  // whose published first outputs are 0xe220a8397b1dcdaf and
  // 0x6e789e6aa1b965f4: draws (x >> 11) * 2^-53 = 0.8833108082136426 and
  // 0.43152799704850997.
  auto algo
    = make("a", json{{"seed", -5808556873153909620LL}, {"threshold", 0.5}});
  auto xs = draws(algo, 2);
  CAF_REQUIRE(xs[0]);
  CAF_CHECK_EQUAL(*xs[0], 0.8833108082136426);
  CAF_CHECK(!xs[1]);
  auto st = algo.state();
  CAF_CHECK_EQUAL(st["indicators"]["last_draw"], 0.43152799704850997);
  CAF_CHECK_EQUAL(st["last_signal"], "buy");
}

CAF_TEST(the same seed and symbol repeat the same decisions) {
  auto a = make("AAPL", json{{"seed", 7}});
  auto b = make("AAPL", json{{"seed", 7}});
  auto xs = draws(a, 1000);
  CAF_CHECK(xs == draws(b, 1000));
  // Re-initializing restarts the sequence.
  CAF_REQUIRE(a.initialize(json{{"seed", 7}}));
  CAF_CHECK(xs == draws(a, 1000));
}

CAF_TEST(different symbols or seeds draw different sequences) {
  auto aapl = make("AAPL", json::object());
  auto msft = make("MSFT", json::object());
  auto other_seed = make("AAPL", json{{"seed", 43}});
  auto xs = draws(aapl, 100);
  CAF_CHECK(xs != draws(msft, 100));
  CAF_CHECK(xs != draws(other_seed, 100));
}

CAF_TEST(the default seed is 42) {
  auto a = make("AAPL", json::object());
  auto b = make("AAPL", json{{"seed", 42}});
  CAF_CHECK(draws(a, 100) == draws(b, 100));
  auto st = a.state();
  CAF_CHECK_EQUAL(st["params"]["seed"], 42);
  CAF_CHECK_EQUAL(st["params"]["threshold"], 0.5);
}

CAF_TEST(threshold one never buys and threshold zero always buys) {
  auto never = make("AAPL", json{{"threshold", 1.0}});
  CAF_CHECK_EQUAL(count_buys(draws(never, 10'000)), 0u);
  auto always = make("AAPL", json{{"threshold", 0.0}});
  CAF_CHECK_GREATER_OR_EQUAL(count_buys(draws(always, 10'000)), 9'999u);
}

CAF_TEST(threshold one half buys about half the time) {
  auto algo = make("AAPL", json{{"threshold", 0.5}});
  auto xs = draws(algo, 10'000);
  auto buys = count_buys(xs);
  CAF_CHECK_GREATER_OR_EQUAL(buys, 4'500u);
  CAF_CHECK_LESS_OR_EQUAL(buys, 5'500u);
  // Every buy's strength is its draw, above the threshold.
  for (const auto& x : xs)
    if (x)
      CAF_CHECK(*x > 0.5 && *x < 1.0);
  CAF_CHECK_EQUAL(algo.warmup(), 0u);
}
