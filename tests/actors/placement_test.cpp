#define CAF_SUITE actors.placement
#include "caf/test/unit_test.hpp"

#include <map>
#include <string>
#include <vector>

#include "actors/quote_router.hpp"

using namespace intuition::actors;

namespace {

std::vector<std::string> keys(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back("sma/SYM" + std::to_string(i));
  return out;
}

std::vector<size_t> placement(const std::vector<std::string>& names,
                              const std::vector<bool>& alive,
                              const std::vector<std::string>& ks) {
  std::vector<size_t> out;
  for (const auto& k : ks)
    out.push_back(rendezvous_pick(names, alive, k));
  return out;
}

} // namespace

CAF_TEST(weights are the same on every machine) {
  // Pinned values: every node must compute the same placement, whatever its
  // compiler, standard library or byte order.
  CAF_CHECK_EQUAL(rendezvous_weight("alpha", "sma/GOOG"),
                  7061453592648645497ull);
  CAF_CHECK_EQUAL(rendezvous_weight("beta", "sma/GOOG"),
                  7814192535107181026ull);
  CAF_CHECK_EQUAL(rendezvous_weight("alpha", "sma/MSFT"),
                  4758988820193972061ull);
  CAF_CHECK_EQUAL(rendezvous_weight("coordinator", "trend/DAX"),
                  5734630184429923376ull);
  std::vector<std::string> names{"coordinator", "alpha", "beta"};
  std::vector<bool> alive{true, true, true};
  CAF_CHECK_EQUAL(placement(names, alive, keys(4)),
                  (std::vector<size_t>{1, 1, 2, 0}));
}

CAF_TEST(weights depend only on member and key) {
  CAF_CHECK_NOT_EQUAL(rendezvous_weight("alpha", "sma/GOOG"),
                      rendezvous_weight("beta", "sma/GOOG"));
  CAF_CHECK_NOT_EQUAL(rendezvous_weight("alpha", "sma/GOOG"),
                      rendezvous_weight("alpha", "sma/MSFT"));
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  CAF_CHECK_NOT_EQUAL(rendezvous_weight("ab", "c"),
                      rendezvous_weight("a", "bc"));
}

CAF_TEST(keys spread evenly over the members) {
  std::vector<std::string> names{"coordinator", "alpha", "beta"};
  std::vector<bool> alive{true, true, true};
  std::map<size_t, size_t> count;
  for (auto m : placement(names, alive, keys(3000)))
    ++count[m];
  CAF_REQUIRE_EQUAL(count.size(), 3u);
  for (const auto& [m, n] : count) {
    CAF_CHECK_GREATER(n, 850u);
    CAF_CHECK_LESS(n, 1150u);
  }
}

CAF_TEST(a lost member moves only its own keys) {
  std::vector<std::string> names{"coordinator", "alpha", "beta"};
  auto ks = keys(1000);
  auto before = placement(names, {true, true, true}, ks);
  auto after = placement(names, {true, false, true}, ks);
  size_t moved = 0;
  for (size_t i = 0; i < ks.size(); ++i) {
    if (before[i] == 1) {
      CAF_CHECK_NOT_EQUAL(after[i], 1u);
      ++moved;
    } else {
      CAF_CHECK_EQUAL(after[i], before[i]);
    }
  }
  CAF_CHECK_GREATER(moved, 0u);
}

CAF_TEST(a new member takes only keys it now wins) {
  std::vector<std::string> names{"coordinator", "alpha", "beta"};
  auto ks = keys(1000);
  auto before = placement(names, {true, true, false}, ks);
  auto after = placement(names, {true, true, true}, ks);
  size_t moved = 0;
  for (size_t i = 0; i < ks.size(); ++i)
    if (after[i] != before[i]) {
      CAF_CHECK_EQUAL(after[i], 2u);
      ++moved;
    }
  // About a third of the keys; none at all would mean the member was ignored.
  CAF_CHECK_GREATER(moved, 250u);
  CAF_CHECK_LESS(moved, 420u);
}

CAF_TEST(nothing alive places nowhere) {
  CAF_CHECK_EQUAL(rendezvous_pick({"alpha"}, {false}, "sma/GOOG"), no_member);
  CAF_CHECK_EQUAL(rendezvous_pick({}, {}, "sma/GOOG"), no_member);
}
