#define CAF_SUITE trading.journal_records
#include "caf/test/unit_test.hpp"

#include "trading/journal.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "trading/portfolio.hpp"

using namespace intuition::trading;

namespace {

constexpr int64_t unit = micros_per_unit;

/// A line of a journal as written before resting orders existed, with its
/// checksum.
std::string todays_line(const std::string& fields) {
  char crc[9];
  std::snprintf(crc, sizeof(crc), "%08x", crc32(fields));
  return fields + ",\"crc\":\"" + crc + "\"}";
}

order placed_record() {
  order x;
  x.seq = 3;
  x.id = 7;
  x.ts_ms = 678'334'707'692;
  x.strategy = "sma";
  x.symbol = "DAX";
  x.direction = side::buy;
  x.qty = 10;
  x.price_micros = 1'628'750'000;
  x.kind = record_kind::placed;
  x.ref = 4;
  x.type = order_type::stop_limit;
  x.tif = time_in_force::day;
  x.limit_micros = 1'630'000'000;
  x.stop_micros = 1'629'500'000;
  x.input_pos = 12;
  return x;
}

/// `x` as the record of another step of the same order.
order step(order x, record_kind kind, std::string reason = {}) {
  x.kind = kind;
  x.reason = std::move(reason);
  // Only the `new` record carries these; the others name the order by ref.
  x.type = order_type::market;
  x.tif = time_in_force::gtc;
  x.limit_micros = 0;
  x.stop_micros = 0;
  return x;
}

order decoded(const order& x) {
  auto line = encode_journal_record(x);
  auto back = decode_journal_record(line);
  CAF_REQUIRE(back);
  return *back;
}

} // namespace

CAF_TEST(a market fill is written byte for byte as before) {
  order x;
  x.seq = 1;
  x.id = 1;
  x.ts_ms = 678'334'707'692;
  x.strategy = "sma";
  x.symbol = "DAX";
  x.direction = side::buy;
  x.qty = 10;
  x.price_micros = 1'628'750'000;
  x.commission_micros = unit;
  auto today = todays_line(
    R"({"seq":1,"id":1,"ts":678334707692,"strategy":"sma","symbol":"DAX",)"
    R"("side":"buy","qty":10,"price":1628.75,"commission":1)");
  CAF_CHECK_EQUAL(encode_journal_record(x), today);
  auto back = decode_journal_record(today);
  CAF_REQUIRE(back);
  CAF_CHECK(*back == x);
  CAF_CHECK(back->kind == record_kind::fill);
  CAF_CHECK_EQUAL(back->ref, 0u);
}

CAF_TEST(every record kind round trips) {
  auto placed = placed_record();
  CAF_CHECK(decoded(placed) == placed);
  auto line = encode_journal_record(placed);
  CAF_CHECK_NOT_EQUAL(line.find(R"("kind":"new","type":"stop_limit",)"
                                R"("tif":"day","limit":1630,)"
                                R"("stop":1629.5,"ref":4)"),
                      std::string::npos);
  for (auto kind : {record_kind::triggered, record_kind::expired}) {
    auto x = step(placed, kind);
    CAF_CHECK(decoded(x) == x);
  }
  auto cancelled = step(placed, record_kind::cancelled, "insufficient_cash");
  CAF_CHECK(decoded(cancelled) == cancelled);
  CAF_CHECK_NOT_EQUAL(
    encode_journal_record(cancelled).find(R"("kind":"cancelled","ref":4,)"
                                          R"("reason":"insufficient_cash")"),
    std::string::npos);
  auto filled = step(placed, record_kind::fill);
  filled.commission_micros = unit;
  CAF_CHECK(decoded(filled) == filled);
  auto fill_line = encode_journal_record(filled);
  CAF_CHECK_EQUAL(fill_line.find("\"kind\""), std::string::npos);
  CAF_CHECK_NOT_EQUAL(fill_line.find(R"("ref":4,"in":12)"), std::string::npos);
  // The published JSON carries the same fields.
  CAF_CHECK_NOT_EQUAL(
    encode_order_json(cancelled).find(R"("kind":"cancelled")"),
    std::string::npos);
}

CAF_TEST(malformed order life records are rejected) {
  auto base
    = std::string{R"({"seq":1,"id":1,"ts":1,"strategy":"s","symbol":"DAX",)"
                  R"("side":"buy","qty":1,"price":1,"commission":0)"};
  auto accepted = [&](const std::string& extra) {
    return static_cast<bool>(decode_journal_record(todays_line(base + extra)));
  };
  CAF_CHECK(accepted(""));
  CAF_CHECK(accepted(R"(,"ref":2)"));
  CAF_CHECK(accepted(R"(,"kind":"expired","ref":2)"));
  // A fill never says so; unknown kinds, missing refs and fields fail.
  CAF_CHECK(!accepted(R"(,"kind":"fill")"));
  CAF_CHECK(!accepted(R"(,"kind":"filled","ref":2)"));
  CAF_CHECK(!accepted(R"(,"kind":"expired")"));
  CAF_CHECK(!accepted(R"(,"ref":0)"));
  CAF_CHECK(!accepted(R"(,"kind":"cancelled","ref":2)"));
  CAF_CHECK(!accepted(R"(,"kind":"new","ref":2,"type":"limit","tif":"gtc")"));
  CAF_CHECK(!accepted(R"(,"kind":"new","ref":2,"type":"market","tif":"gtc",)"
                      R"("limit":0,"stop":0)"));
  CAF_CHECK(accepted(R"(,"kind":"new","ref":2,"type":"limit","tif":"gtc",)"
                     R"("limit":1,"stop":0)"));
}

CAF_TEST(a journal of every kind is read back and rebuilds open orders) {
  char tmpl[] = "/tmp/intuition-journal-records-XXXXXX";
  CAF_REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string dir = tmpl;
  auto path = dir + "/orders.jsonl";
  {
    // A journal written in today's format, continued by a run with resting
    // orders.
    std::ofstream out{path, std::ios::binary};
    out << todays_line(
      R"({"seq":1,"id":1,"ts":1,"strategy":"s","symbol":"DAX",)"
      R"("side":"buy","qty":10,"price":100,"commission":0)")
        << '\n';
  }
  auto read = read_journal(path);
  CAF_REQUIRE(read);
  CAF_REQUIRE_EQUAL(read->orders.size(), 1u);
  journal_writer w;
  CAF_REQUIRE(w.open(path, *read));
  auto placed = placed_record();
  placed.type = order_type::limit;
  placed.tif = time_in_force::gtc;
  placed.stop_micros = 0;
  auto other = placed;
  other.ref = 5;
  std::vector<order> batch{placed, other,
                           step(placed, record_kind::cancelled, "halt")};
  CAF_REQUIRE(w.append(batch));
  w.close();
  read = read_journal(path);
  CAF_REQUIRE(read);
  CAF_REQUIRE_EQUAL(read->orders.size(), 4u);
  CAF_CHECK_EQUAL(read->orders[3].seq, 4u);
  CAF_CHECK(read->orders[3].kind == record_kind::cancelled);
  portfolio_config cfg;
  portfolio pf{cfg};
  for (const auto& x : read->orders)
    CAF_CHECK(pf.restore(x));
  CAF_CHECK_EQUAL(pf.positions().holding("s", "DAX").qty, 10);
  CAF_REQUIRE_EQUAL(pf.resting().size(), 1u);
  CAF_CHECK_EQUAL(pf.resting().all().begin()->first, 5u);
  std::filesystem::remove_all(dir);
}
