#define CAF_SUITE runtime.ack_relay
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/ack_relay.hpp"

using namespace intuition::runtime;

CAF_TEST(acknowledgements wait until the burst is complete or many wait) {
  ack_relay relay{4};
  // A read in the middle of a burst: nothing for the publisher yet.
  CAF_CHECK(relay.add({1, 2}, false).empty());
  CAF_CHECK_EQUAL(relay.waiting(), 2u);
  // The read that completes it hands over every waiting id, in order.
  CAF_CHECK_EQUAL(relay.add({3}, true), (std::vector<int32_t>{1, 2, 3}));
  CAF_CHECK_EQUAL(relay.waiting(), 0u);
  // With `batch` waiting they go even while more are in flight.
  CAF_CHECK(relay.add({4, 5, 6}, false).empty());
  CAF_CHECK_EQUAL(relay.add({7}, false), (std::vector<int32_t>{4, 5, 6, 7}));
  // A read without acknowledgements hands over nothing.
  CAF_CHECK(relay.add({}, true).empty());
}

CAF_TEST(the publisher takes what waits whenever it runs) {
  ack_relay relay{64};
  CAF_CHECK(relay.add({10, 11}, false).empty());
  CAF_CHECK_EQUAL(relay.take(), (std::vector<int32_t>{10, 11}));
  CAF_CHECK(relay.take().empty());
  // Taken ids are not handed over again.
  CAF_CHECK_EQUAL(relay.add({12}, true), (std::vector<int32_t>{12}));
}

CAF_TEST(ids added on one thread and taken on another arrive once each) {
  constexpr int32_t n = 100'000;
  ack_relay relay{16};
  std::mutex mtx;
  std::vector<int32_t> got;
  std::atomic<bool> done{false};
  std::thread publisher{[&] {
    while (!done.load()) {
      auto ids = relay.take();
      std::lock_guard<std::mutex> guard{mtx};
      got.insert(got.end(), ids.begin(), ids.end());
    }
  }};
  for (int32_t i = 0; i < n; i += 3) {
    std::vector<int> read;
    for (int32_t k = i; k < std::min(i + 3, n); ++k)
      read.push_back(k);
    auto ids = relay.add(read, i % 7 == 0);
    std::lock_guard<std::mutex> guard{mtx};
    got.insert(got.end(), ids.begin(), ids.end());
  }
  done = true;
  publisher.join();
  auto rest = relay.take();
  got.insert(got.end(), rest.begin(), rest.end());
  std::sort(got.begin(), got.end());
  CAF_REQUIRE_EQUAL(got.size(), static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i)
    if (got[static_cast<size_t>(i)] != i)
      CAF_FAIL("id " << i << " missing or repeated");
}
