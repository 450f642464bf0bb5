#define CAF_SUITE trading.channels
#include "caf/test/unit_test.hpp"

#include <string>
#include <vector>

#include "trading/channels.hpp"

using namespace intuition::trading;

namespace {

using strings = std::vector<std::string>;

} // namespace

// -- matching -------------------------------------------------------------------

CAF_TEST(a filter without wildcards matches only the same topic) {
  CAF_CHECK(topic_matches("quotes", "quotes"));
  CAF_CHECK(!topic_matches("quotes", "quotes/GOOG"));
  CAF_CHECK(!topic_matches("quotes", "Quotes"));
  CAF_CHECK(!topic_matches("quotes/GOOG", "quotes"));
  CAF_CHECK(!topic_matches("quotes", ""));
}

CAF_TEST(plus matches exactly one whole level) {
  CAF_CHECK(topic_matches("quotes/+", "quotes/GOOG"));
  CAF_CHECK(!topic_matches("quotes/+", "quotes"));
  CAF_CHECK(!topic_matches("quotes/+", "quotes/GOOG/bid"));
  CAF_CHECK(!topic_matches("quotes/+", "ticks"));
  CAF_CHECK(topic_matches("+/+", "/finance"));
  CAF_CHECK(topic_matches("/+", "/finance"));
  CAF_CHECK(!topic_matches("+", "/finance"));
  // An empty level is a level.
  CAF_CHECK(topic_matches("quotes/+/bid", "quotes//bid"));
}

CAF_TEST(hash matches the parent level and everything below) {
  CAF_CHECK(topic_matches("#", "quotes"));
  CAF_CHECK(topic_matches("#", "quotes/GOOG/bid"));
  CAF_CHECK(topic_matches("quotes/#", "quotes"));
  CAF_CHECK(topic_matches("quotes/#", "quotes/GOOG"));
  CAF_CHECK(topic_matches("quotes/#", "quotes/GOOG/bid"));
  CAF_CHECK(!topic_matches("quotes/#", "ticks/GOOG"));
  CAF_CHECK(topic_matches("quotes/+/#", "quotes/GOOG"));
  CAF_CHECK(!topic_matches("quotes/+/#", "quotes"));
}

CAF_TEST(
  dollar topics are matched only by filters that name their first level) {
  CAF_CHECK(!topic_matches("#", "$SYS/broker/uptime"));
  CAF_CHECK(!topic_matches("+/broker/uptime", "$SYS/broker/uptime"));
  CAF_CHECK(topic_matches("$SYS/#", "$SYS/broker/uptime"));
  CAF_CHECK(topic_matches("$SYS/+/uptime", "$SYS/broker/uptime"));
  // Only the first level is special.
  CAF_CHECK(topic_matches("quotes/+", "quotes/$X"));
}

CAF_TEST(a shared subscription matches as its filter part) {
  auto part = [](std::string_view filter) {
    return std::string{match_part(filter)};
  };
  CAF_CHECK_EQUAL(part("$share/g1/ticks"), "ticks");
  CAF_CHECK_EQUAL(part("$share/g1/quotes/#"), "quotes/#");
  CAF_CHECK_EQUAL(part("quotes/+"), "quotes/+");
  CAF_CHECK(topic_matches("$share/g1/ticks", "ticks"));
  CAF_CHECK(!topic_matches("$share/g1/ticks", "quotes/GOOG"));
  CAF_CHECK(topic_matches("$share/g1/quotes/+", "quotes/GOOG"));
  // The group is not part of the topic.
  CAF_CHECK(!topic_matches("$share/g1/ticks", "g1/ticks"));
  CAF_CHECK(!topic_matches("$share/g1/ticks", "$share/g1/ticks"));
  // The dollar rule applies to the filter part.
  CAF_CHECK(!topic_matches("$share/g1/#", "$SYS/x"));
}

// -- validation -----------------------------------------------------------------

CAF_TEST(filters a broker refuses are named with what is wrong) {
  for (auto good : {"quotes", "quotes/+", "quotes/#", "#", "+/+/x", "/",
                    "$SYS/#", "$share/g1/ticks", "$share/g1/#"}) {
    auto ok = check_topic_filter(good);
    CAF_CHECK(ok);
    if (!ok)
      CAF_MESSAGE(good << ": " << ok.error().message);
  }
  auto why = [](std::string_view filter) {
    auto ok = check_topic_filter(filter);
    if (ok)
      return std::string{};
    CAF_CHECK(ok.error().kind == failure_kind::invalid_request);
    return ok.error().message;
  };
  CAF_CHECK_EQUAL(why(""), "an empty topic filter");
  CAF_CHECK_EQUAL(why("quotes/#/x"), "'#' before the last level");
  CAF_CHECK_EQUAL(why("quotes#"),
                  "'quotes#': '+' and '#' must be whole levels");
  CAF_CHECK_EQUAL(why("quotes/a+"), "'a+': '+' and '#' must be whole levels");
  CAF_CHECK_EQUAL(why("$share/g1"),
                  "a shared subscription without GROUP/FILTER after $share/");
  CAF_CHECK_EQUAL(why("$share//ticks"),
                  "a shared subscription without GROUP/FILTER after $share/");
  CAF_CHECK_EQUAL(why("$share/g1/"), "a shared subscription without a filter");
  CAF_CHECK_EQUAL(why("$share/g+/ticks"),
                  "'+' or '#' in a shared subscription's group");
  CAF_CHECK_EQUAL(why(std::string_view{"a\0b", 3}), "a NUL character");
}

// -- channel table --------------------------------------------------------------

CAF_TEST(a topic resolves to the set of strategies whose channels match it) {
  channel_table table{{{"a", {"quotes/+"}},
                       {"b", {"$share/g1/ticks"}},
                       {"c", {"quotes/GOOG", "ticks"}}}};
  auto goog = table.resolve("quotes/GOOG");
  auto msft = table.resolve("quotes/MSFT");
  auto ticks = table.resolve("ticks");
  auto other = table.resolve("news");
  CAF_CHECK_EQUAL(table.strategies_of(goog), (std::vector<uint32_t>{0, 2}));
  CAF_CHECK_EQUAL(table.strategies_of(msft), (std::vector<uint32_t>{0}));
  CAF_CHECK_EQUAL(table.strategies_of(ticks), (std::vector<uint32_t>{1, 2}));
  CAF_CHECK(table.strategies_of(other).empty());
  CAF_CHECK_NOT_EQUAL(other, 0u);
  // Ids are compact and distinct per set, not per topic.
  CAF_CHECK_EQUAL(table.resolve("quotes/IBM"), msft);
  CAF_CHECK_EQUAL(table.resolve("quotes/GOOG"), goog);
  CAF_CHECK_EQUAL(table.set_count(), 4u);
  CAF_CHECK_EQUAL(table.cached_topics(), 5u);
  // The receiver learns each set once, by strategy name.
  auto sets = table.take_new();
  CAF_REQUIRE_EQUAL(sets.size(), 4u);
  CAF_CHECK_EQUAL(sets[0].id, goog);
  CAF_CHECK_EQUAL(sets[0].strategies, (strings{"a", "c"}));
  CAF_CHECK_EQUAL(sets[2].id, ticks);
  CAF_CHECK_EQUAL(sets[2].strategies, (strings{"b", "c"}));
  CAF_CHECK(sets[3].strategies.empty());
  CAF_CHECK(table.take_new().empty());
  table.resolve("quotes/GOOG/bid");
  sets = table.take_new();
  CAF_CHECK(sets.empty()); // no strategy matches it: the empty set again
}

CAF_TEST(a table without strategies resolves every topic to zero) {
  channel_table table;
  CAF_CHECK(!table.active());
  CAF_CHECK_EQUAL(table.resolve("quotes"), 0u);
  CAF_CHECK(table.take_new().empty());
}

CAF_TEST(the topic cache is bounded and answers the same after starting over) {
  channel_table table{{{"a", {"quotes/+"}}}, 4};
  auto id = table.resolve("quotes/S0");
  for (int i = 1; i < 100; ++i)
    CAF_CHECK_EQUAL(table.resolve("quotes/S" + std::to_string(i)), id);
  CAF_CHECK(table.cached_topics() <= 4u);
  CAF_CHECK_EQUAL(table.set_count(), 1u);
}
