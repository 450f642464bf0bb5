#define CAF_SUITE e2e.limits
#include "caf/test/unit_test.hpp"

#include <string>

#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace intuition;
using namespace intuition::e2e;

namespace {} // namespace

CAF_TEST_FIXTURE_SCOPE(limits_tests, temp_dir)

CAF_TEST(codec max price applies to csv replays) {
  auto quotes = write("q.csv", "ts,symbol,price\n"
                               "1,AAA,10\n"
                               "2,AAA,500\n"
                               "3,BBB,20\n");
  auto cfg = write("c.json", R"({
    "strategies": [{"name": "hold", "algorithm": "buy_and_hold"}],
    "journal": {"path": "c.journal", "fsync": "never"},
    "codec": {"max_price": 100}
  })");
  CAF_REQUIRE_EQUAL(run({"replay", "--config", cfg, "--quotes", quotes,
                         "--report", file("r.json"), "--quiet"},
                        "replay"),
                    0);
  auto report = nlohmann::json::parse(slurp(file("r.json")));
  CAF_CHECK_EQUAL(report["quotes"].get<uint64_t>(), 2u);
  CAF_CHECK_EQUAL(report["rejected"].get<uint64_t>(), 1u);
  CAF_CHECK_EQUAL(report["rejected_by_reason"].value("price_out_of_range", 0u),
                  1u);
  CAF_CHECK(contains(slurp(file("replay.err")), "line 3: rejected "
                                                "(price_out_of_range"));
}

CAF_TEST_FIXTURE_SCOPE_END()
