#define CAF_SUITE runtime.dashboard_model
#include "caf/test/unit_test.hpp"

#include <string>
#include <vector>

#include "runtime/dashboard_model.hpp"

using namespace intuition;
using runtime::actor_row;

namespace {

actor_row row(std::string name, std::string node, std::string strategy,
              int64_t mailbox, int64_t processed = 0) {
  actor_row x;
  x.name = std::move(name);
  x.node = std::move(node);
  x.strategy = std::move(strategy);
  x.symbol = x.name.substr(x.name.rfind('/') + 1);
  x.mailbox = mailbox;
  x.processed = processed;
  return x;
}

} // namespace

CAF_TEST(an algorithm state becomes a row with strategy symbol and epoch) {
  actors::actor_state st;
  st.name = "algorithm/trend/DAX";
  st.node = "n1";
  st.mailbox_size = 3;
  st.processed = 40;
  st.summary_json = R"({"strategy":"trend","symbol":"DAX","epoch":2})";
  auto x = runtime::to_actor_row(st);
  CAF_CHECK_EQUAL(x.strategy, "trend");
  CAF_CHECK_EQUAL(x.symbol, "DAX");
  CAF_CHECK_EQUAL(x.epoch, 2u);
  CAF_CHECK_EQUAL(x.node, "n1");
  CAF_CHECK_EQUAL(x.mailbox, 3);
  st.summary_json = "not json";
  CAF_CHECK_EQUAL(runtime::to_actor_row(st).strategy, "");
}

CAF_TEST(the summary of 100000 actors counts per node and strategy and lists the
           busiest few) {
  std::vector<actor_row> rows;
  for (int i = 0; i < 100'000; ++i)
    rows.push_back(
      row("algorithm/s" + std::to_string(i % 4) + "/SYM" + std::to_string(i),
          i % 2 == 0 ? "coordinator" : "n1", "s" + std::to_string(i % 4),
          i == 777 ? 50 : i % 3));
  auto summary = runtime::summarize_actors(rows, 5);
  CAF_CHECK_EQUAL(summary["total"], 100'000);
  CAF_REQUIRE_EQUAL(summary["by_node"].size(), 2u);
  CAF_CHECK_EQUAL(summary["by_node"][0]["name"], "coordinator");
  CAF_CHECK_EQUAL(summary["by_node"][0]["actors"], 50'000);
  CAF_REQUIRE_EQUAL(summary["by_strategy"].size(), 4u);
  CAF_CHECK_EQUAL(summary["by_strategy"][3]["actors"], 25'000);
  CAF_REQUIRE_EQUAL(summary["busiest"].size(), 5u);
  CAF_CHECK_EQUAL(summary["busiest"][0]["name"], "algorithm/s1/SYM777");
  CAF_CHECK_EQUAL(summary["busiest"][0]["mailbox"], 50);
  CAF_CHECK_EQUAL(summary["busiest"][1]["mailbox"], 2);
  // What goes to the page each second stays small.
  CAF_CHECK_LESS(summary.dump().size(), 4096u);
}

CAF_TEST(search matches name node strategy and symbol ignoring case and counts
           every match) {
  std::vector<actor_row> rows{
    row("algorithm/trend/DAX", "coordinator", "trend", 0),
    row("algorithm/trend/SMI", "n1", "trend", 0),
    row("algorithm/revert/DAX", "n1", "revert", 0)};
  auto found = runtime::search_actors(rows, "dax", 1);
  CAF_CHECK_EQUAL(found["matches"], 2);
  CAF_REQUIRE_EQUAL(found["rows"].size(), 1u);
  CAF_CHECK_EQUAL(found["rows"][0]["name"], "algorithm/trend/DAX");
  auto matches = [&](std::string_view query) {
    return runtime::search_actors(rows, query, 10)["matches"].get<uint64_t>();
  };
  CAF_CHECK_EQUAL(matches("N1"), 2u);
  CAF_CHECK_EQUAL(matches(""), 3u);
  CAF_CHECK_EQUAL(matches("ftse"), 0u);
}

CAF_TEST(the sampled equity curve stays bounded and keeps first and last) {
  runtime::equity_samples curve{8};
  for (int i = 0; i < 1000; ++i)
    curve.add(i * 1000, 100.0 + i);
  CAF_CHECK_LESS_OR_EQUAL(curve.points().size(), 8u);
  CAF_CHECK_EQUAL(curve.points().front().first, 0);
  CAF_CHECK_EQUAL(curve.points().back().first, 999'000);
  CAF_CHECK_EQUAL(curve.points().back().second, 1099.0);
}

CAF_TEST(a rate is per second since the last update and never negative) {
  runtime::rate_meter r;
  CAF_CHECK_EQUAL(r.update(100, 1000), 0.0);
  CAF_CHECK_EQUAL(r.update(600, 3000), 250.0);
  CAF_CHECK_EQUAL(r.update(10, 4000), 0.0);
  CAF_CHECK_EQUAL(r.update(10, 4000), 0.0);
}

CAF_TEST(counts parse as plain decimals only) {
  CAF_CHECK_EQUAL(runtime::parse_count("42"), 42u);
  CAF_CHECK_EQUAL(runtime::parse_count("0"), 0u);
  CAF_CHECK(!runtime::parse_count(""));
  CAF_CHECK(!runtime::parse_count("-1"));
  CAF_CHECK(!runtime::parse_count("12abc"));
  CAF_CHECK(!runtime::parse_count("99999999999999999999999"));
}
