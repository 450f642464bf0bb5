#define CAF_SUITE trading.in_flight_orders
#include "caf/test/unit_test.hpp"

#include "trading/in_flight_orders.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <utility>

using namespace intuition::trading;

namespace {

/// libmosquitto's packet ids: 1..65535, then 1 again.
struct id_source {
  int last = 0;

  int next() {
    last = last == 65535 ? 1 : last + 1;
    return last;
  }
};

/// "none" or the seq an acknowledgement confirmed.
std::string shown(std::optional<uint64_t> x) {
  return x ? std::to_string(*x) : "none";
}

} // namespace

CAF_TEST(an acknowledgement confirms the order its id was sent with) {
  in_flight_orders book;
  book.sent(1, 11);
  book.sent(2, 12);
  book.sent(3, 13);
  CAF_CHECK_EQUAL(book.awaiting(), 3u);
  CAF_CHECK_EQUAL(shown(book.acknowledged(12)), "2");
  CAF_CHECK_EQUAL(shown(book.acknowledged(11)), "1");
  // An id no copy holds (a second PUBACK, a stray id) confirms nothing.
  CAF_CHECK_EQUAL(shown(book.acknowledged(12)), "none");
  CAF_CHECK_EQUAL(shown(book.acknowledged(42)), "none");
  CAF_CHECK_EQUAL(book.awaiting(), 1u);
  CAF_CHECK_EQUAL(shown(book.acknowledged(13)), "3");
  CAF_CHECK_EQUAL(book.awaiting(), 0u);
  CAF_CHECK_EQUAL(book.size(), 0u);
}

CAF_TEST(an id in use twice confirms its oldest copy first) {
  in_flight_orders book;
  // After a wrap, id 7 is handed out again while the first copy waits.
  book.sent(100, 7);
  book.sent(101, 8);
  book.sent(165'635, 7);
  CAF_CHECK_EQUAL(book.size(), 3u);
  CAF_CHECK_EQUAL(shown(book.acknowledged(7)), "100");
  CAF_CHECK_EQUAL(shown(book.acknowledged(7)), "165635");
  CAF_CHECK_EQUAL(shown(book.acknowledged(7)), "none");
  CAF_CHECK_EQUAL(shown(book.acknowledged(8)), "101");
  CAF_CHECK_EQUAL(book.size(), 0u);
}

CAF_TEST(200000 orders with wrapping ids are each confirmed exactly once) {
  // More than three times round the ids, with 70,000 copies out at once:
  // every id is held twice for most of the run. The broker acknowledges in
  // publish order, as MQTT requires for QoS 1 on one connection.
  constexpr uint64_t n = 200'000;
  constexpr size_t out_at_once = 70'000;
  in_flight_orders book;
  id_source ids;
  std::deque<int> wire;
  std::set<uint64_t> unconfirmed;
  uint64_t confirmed = 0;
  uint64_t wrong = 0;
  uint64_t next_expected = 1;
  auto ack_oldest = [&] {
    auto seq = book.acknowledged(wire.front());
    wire.pop_front();
    if (!seq || *seq != next_expected || unconfirmed.erase(*seq) != 1)
      ++wrong;
    else
      ++confirmed;
    ++next_expected;
  };
  for (uint64_t seq = 1; seq <= n; ++seq) {
    auto mid = ids.next();
    book.sent(seq, mid);
    wire.push_back(mid);
    unconfirmed.insert(seq);
    if (wire.size() > out_at_once)
      ack_oldest();
  }
  CAF_CHECK_EQUAL(book.awaiting(), out_at_once);
  while (!wire.empty())
    ack_oldest();
  CAF_CHECK_EQUAL(wrong, 0u);
  CAF_CHECK_EQUAL(confirmed, n);
  CAF_CHECK(unconfirmed.empty());
  CAF_CHECK_EQUAL(book.size(), 0u);
  CAF_CHECK_EQUAL(book.awaiting(), 0u);
}

CAF_TEST(copies sent before a reconnect take their ack but confirm nothing) {
  in_flight_orders book;
  book.sent(1, 1);
  book.sent(2, 2);
  book.reconnected();
  CAF_CHECK_EQUAL(book.awaiting(), 0u);
  CAF_CHECK_EQUAL(book.size(), 2u);
  // Both orders are sent again; the ids go on from where they were.
  book.sent(1, 3);
  book.sent(2, 4);
  CAF_CHECK_EQUAL(book.awaiting(), 2u);
  // libmosquitto resends its own copies first; their acks retire them.
  CAF_CHECK_EQUAL(shown(book.acknowledged(1)), "none");
  CAF_CHECK_EQUAL(shown(book.acknowledged(2)), "none");
  CAF_CHECK_EQUAL(book.awaiting(), 2u);
  CAF_CHECK_EQUAL(shown(book.acknowledged(3)), "1");
  CAF_CHECK_EQUAL(shown(book.acknowledged(4)), "2");
  CAF_CHECK_EQUAL(book.size(), 0u);
}

CAF_TEST(an old copy holding a reused id is retired before the new one) {
  // An old connection's copy still holds id 9 when the ids come round to it
  // on the new connection: its ack must not be taken for the new copy's.
  in_flight_orders book;
  book.sent(5, 9);
  book.reconnected();
  book.sent(5, 65'534);
  book.sent(6, 65'535);
  book.sent(7, 9);
  CAF_CHECK_EQUAL(shown(book.acknowledged(9)), "none");
  CAF_CHECK_EQUAL(shown(book.acknowledged(65'534)), "5");
  CAF_CHECK_EQUAL(shown(book.acknowledged(65'535)), "6");
  CAF_CHECK_EQUAL(shown(book.acknowledged(9)), "7");
  CAF_CHECK_EQUAL(book.awaiting(), 0u);
}
