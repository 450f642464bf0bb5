#define CAF_SUITE trading.quote_filter
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <fstream>
#include <random>
#include <unordered_set>

#include "trading/quote_filter.hpp"

#include "quote_at.hpp"

using namespace intuition::trading;

namespace {

/// The process's resident bytes, as the kernel counts them.
size_t resident_bytes() {
  std::ifstream in{"/proc/self/statm"};
  size_t total = 0;
  size_t resident = 0;
  in >> total >> resident;
  return resident * 4096;
}

} // namespace

CAF_TEST(recent keys forget the oldest beyond their capacity) {
  recent_keys keys{3};
  for (uint64_t k : {10, 20, 30})
    keys.add(k);
  CAF_CHECK(keys.contains(10) && keys.contains(20) && keys.contains(30));
  keys.add(20); // present: no change
  CAF_CHECK_EQUAL(keys.size(), 3u);
  keys.add(40);
  CAF_CHECK(!keys.contains(10));
  CAF_CHECK(keys.contains(20) && keys.contains(30) && keys.contains(40));
  keys.add(0); // 0 is a key like any other
  CAF_CHECK(keys.contains(0));
  CAF_CHECK(!keys.contains(20));
  keys.clear();
  CAF_CHECK(!keys.contains(30));
  CAF_CHECK_EQUAL(keys.size(), 0u);
  keys.add(50);
  CAF_CHECK(keys.contains(50) && !keys.contains(40));
}

CAF_TEST(the first key touches a few pages of the tables and not all) {
  // Zeroing the ingress's 6 MB at the first quote held that quote, and
  // the first few hundred behind it, for 24 ms.
  recent_keys keys{quote_filter::recent_capacity};
  CAF_REQUIRE_GREATER(keys.table_bytes(), 6'000'000u);
  auto before = resident_bytes();
  keys.add(12345);
  auto grown = resident_bytes() - std::min(before, resident_bytes());
  CAF_CHECK_LESS(grown, keys.table_bytes() / 8);
  CAF_CHECK(keys.contains(12345));
  // Used, it keeps working across the whole table.
  for (uint64_t k = 1; k <= quote_filter::recent_capacity + 10; ++k)
    keys.add(k * 7919);
  CAF_CHECK(!keys.contains(7919));
  CAF_CHECK(keys.contains((quote_filter::recent_capacity + 10) * 7919));
  CAF_CHECK_EQUAL(keys.size(), quote_filter::recent_capacity);
}

CAF_TEST(recent keys agree with a set and a queue over a million operations) {
  // Few distinct keys in a small table: long probe runs, many evictions,
  // and deletions in the middle of runs that wrap around the table's end.
  constexpr size_t capacity = 500;
  recent_keys keys{capacity};
  std::unordered_set<uint64_t> model;
  std::deque<uint64_t> order;
  std::mt19937_64 rng{42};
  // From 1: key 0 is stored as 1 (fingerprints make that alias moot).
  std::uniform_int_distribution<uint64_t> pick{1, 3 * capacity};
  size_t mismatches = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    auto k = pick(rng);
    if ((keys.contains(k)) != (model.count(k) > 0))
      ++mismatches;
    keys.add(k);
    if (model.insert(k).second) {
      order.push_back(k);
      if (order.size() > capacity) {
        model.erase(order.front());
        order.pop_front();
      }
    }
  }
  CAF_CHECK_EQUAL(mismatches, 0u);
  CAF_CHECK_EQUAL(keys.size(), model.size());
  for (auto k : model)
    CAF_CHECK(keys.contains(k));
}

CAF_TEST(the filter drops repeats and stale quotes and trades the rest) {
  quote_filter filter;
  CAF_CHECK(filter.check(quote_at("DAX", 100)) == filter_verdict::accept);
  CAF_CHECK(filter.check(quote_at("DAX", 100)) == filter_verdict::duplicate);
  CAF_CHECK(filter.check(quote_at("DAX", 200)) == filter_verdict::accept);
  CAF_CHECK(filter.check(quote_at("DAX", 150)) == filter_verdict::stale);
  // A redelivery of an older accepted quote is a duplicate, not stale.
  CAF_CHECK(filter.check(quote_at("DAX", 100)) == filter_verdict::duplicate);
  CAF_CHECK(filter.check(quote_at("CAC", 150)) == filter_verdict::accept);
  quote_filter lenient{stale_policy::trade};
  CAF_CHECK(lenient.check(quote_at("DAX", 200)) == filter_verdict::accept);
  CAF_CHECK(lenient.check(quote_at("DAX", 150)) == filter_verdict::accept);
  CAF_CHECK(lenient.check(quote_at("DAX", 150)) == filter_verdict::duplicate);
}
