#define CAF_SUITE trading.quote_codec
#include "caf/test/unit_test.hpp"

#include "trading/quote_codec.hpp"

#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace intuition::trading;

namespace {

constexpr int64_t now = 1'000;

/// One quote as `SYMBOL@micros@ts`, so checks print readable values.
std::string show(const quote& x) {
  return x.symbol + "@" + std::to_string(x.price_micros) + "@"
         + std::to_string(x.ts_ms);
}

std::string show(const std::vector<quote>& xs) {
  std::string out;
  for (auto& x : xs) {
    if (!out.empty())
      out += ' ';
    out += show(x);
  }
  return out;
}

/// Decodes a payload and renders the quotes, or `!reason/field` on failure.
std::string decode(std::string_view payload, int64_t now_ms = now) {
  std::vector<quote> out;
  auto res = decode_json_quote(payload, now_ms, out);
  if (!res.ok)
    return "!" + std::string{to_string(res.reason)} + "/"
           + std::string{res.field};
  return show(out);
}

std::string decode_csv(std::string_view row) {
  std::vector<quote> out;
  auto res = decode_csv_row(row, out);
  if (!res.ok)
    return "!" + std::string{to_string(res.reason)} + "/"
           + std::string{res.field};
  return show(out);
}

struct bad_payload {
  std::string payload;
  reject_reason reason;
  std::string_view field;
};

/// Reads a CSV file into rows, dropping the header.
std::vector<std::string> csv_rows(const std::string& path) {
  std::ifstream in{path};
  std::vector<std::string> rows;
  std::string line;
  CAF_REQUIRE(std::getline(in, line));
  CAF_REQUIRE(is_csv_header(line));
  while (std::getline(in, line))
    rows.push_back(line);
  return rows;
}

} // namespace

// -- JSON shapes --------------------------------------------------------------------

CAF_TEST(the sid shape takes string or number prices and an optional ts) {
  CAF_CHECK_EQUAL(decode(R"({"sid":"GOOG","quote":"345"})"),
                  "GOOG@345000000@1000");
  CAF_CHECK_EQUAL(decode(R"({"sid":"goog","quote":3.45,"ts":1700000000000})"),
                  "GOOG@3450000@1700000000000");
  CAF_CHECK_EQUAL(decode(R"({"quote":"0.000001","sid":"x"})"), "X@1@1000");
}

CAF_TEST(the symbol map shape yields one quote per key at the arrival time) {
  CAF_CHECK_EQUAL(decode(R"({"goog": 3.45, "msft": 2})", 77),
                  "GOOG@3450000@77 MSFT@2000000@77");
  CAF_CHECK_EQUAL(decode(R"({"^gdaxi":"16000.5"})"), "^GDAXI@16000500000@1000");
}

CAF_TEST(the canonical shape decodes with and without ts) {
  CAF_CHECK_EQUAL(
    decode(R"({"symbol":"GOOG","price":345.0,"ts":1700000000000})"),
    "GOOG@345000000@1700000000000");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"GOOG","price":345})"),
                  "GOOG@345000000@1000");
  // Unknown members are ignored: publishers add volume, bid, ask, ...
  CAF_CHECK_EQUAL(decode(R"({"symbol":"GOOG","price":"1.5","volume":10})"),
                  "GOOG@1500000@1000");
  // "symbol" decides the shape even next to "sid".
  CAF_CHECK_EQUAL(decode(R"({"sid":"A","symbol":"B","price":1})"),
                  "B@1000000@1000");
}

CAF_TEST(timestamps may be epoch ms numbers or ISO strings) {
  CAF_CHECK_EQUAL(
    decode(R"({"symbol":"X","price":1,"ts":"2023-11-14T22:13:20Z"})"),
    "X@1000000@1700000000000");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","price":1,"ts":"2000-01-01"})"),
                  "X@1000000@946684800000");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","price":1,"ts":"1700000000000"})"),
                  "X@1000000@1700000000000");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","price":1,"ts":1.7e12})"),
                  "X@1000000@1700000000000");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","price":1,"ts":0})"), "X@1000000@0");
}

CAF_TEST(symbols are upper cased) {
  CAF_CHECK_EQUAL(decode(R"({"symbol":"brk.b","price":1})"),
                  "BRK.B@1000000@1000");
  CAF_CHECK_EQUAL(decode(R"({"sid":"eur/usd","quote":1})"),
                  "EUR/USD@1000000@1000");
  CAF_CHECK_EQUAL(decode(R"({"btc-usd:x_1":1})"), "BTC-USD:X_1@1000000@1000");
  std::string symbol = "MiXeD";
  auto reason = reject_reason::not_json;
  CAF_CHECK(normalize_symbol(symbol, reason));
  CAF_CHECK_EQUAL(symbol, "MIXED");
}

CAF_TEST(string and number prices decode to the same exact micros) {
  CAF_CHECK_EQUAL(decode(R"({"X":"0.1"})"), decode(R"({"X":0.1})"));
  CAF_CHECK_EQUAL(decode(R"({"X":"1628.75"})"), decode(R"({"X":1628.75})"));
  // The number's text is read, not the double: 1.0000005 is just below
  // 1.0000005 as a double, but exactly half a micro above 1 as written.
  CAF_CHECK_EQUAL(decode(R"({"X":1.0000005})"), "X@1000001@1000");
  CAF_CHECK_EQUAL(decode(R"({"X":"1.0000005"})"), "X@1000001@1000");
  // Exponent forms go through the double.
  CAF_CHECK_EQUAL(decode(R"({"X":3.45e2})"), "X@345000000@1000");
}

CAF_TEST(malformed payloads are rejected with reason and field) {
  std::vector<bad_payload> table{
    // not_json
    {"", reject_reason::not_json, ""},
    {"{", reject_reason::not_json, ""},
    {R"({"sid":"GOOG","quote":345)", reject_reason::not_json, ""},
    {R"({"sid":"GOOG",})", reject_reason::not_json, ""},
    {R"({"a":1} x)", reject_reason::not_json, ""},
    {R"({'sid':'GOOG'})", reject_reason::not_json, ""},
    {"{\"sid\":\"GO\xFFOG\",\"quote\":1}", reject_reason::not_json, ""},
    // wrong_type
    {"[1,2]", reject_reason::wrong_type, ""},
    {"345", reject_reason::wrong_type, ""},
    {R"("GOOG")", reject_reason::wrong_type, ""},
    {"null", reject_reason::wrong_type, ""},
    {R"({"sid":"GOOG","quote":true})", reject_reason::wrong_type, "quote"},
    {R"({"sid":"GOOG","quote":null})", reject_reason::wrong_type, "quote"},
    {R"({"symbol":"GOOG","price":[345]})", reject_reason::wrong_type, "price"},
    {R"({"symbol":"GOOG","price":{"v":1}})", reject_reason::wrong_type,
     "price"},
    {R"({"symbol":42,"price":1})", reject_reason::wrong_type, "symbol"},
    {R"({"sid":["GOOG"],"quote":1})", reject_reason::wrong_type, "sid"},
    {R"({"goog":true})", reject_reason::wrong_type, "price"},
    {R"({"symbol":"X","price":1,"ts":true})", reject_reason::wrong_type, "ts"},
    // missing_field
    {R"({"sid":"GOOG"})", reject_reason::missing_field, "quote"},
    {R"({"symbol":"GOOG"})", reject_reason::missing_field, "price"},
    {R"({"price":345})", reject_reason::missing_field, "symbol"},
    {R"({"quote":"345"})", reject_reason::missing_field, "sid"},
    {R"({"ts":1700000000000})", reject_reason::missing_field, "symbol"},
    {R"({"goog":1,"ts":5})", reject_reason::missing_field, "symbol"},
    {"{}", reject_reason::missing_field, "symbol"},
    // not_finite
    {R"({"sid":"GOOG","quote":"NaN"})", reject_reason::not_finite, "quote"},
    {R"({"symbol":"GOOG","price":"inf"})", reject_reason::not_finite, "price"},
    {R"({"symbol":"GOOG","price":"-Infinity"})", reject_reason::not_finite,
     "price"},
    {R"({"symbol":"GOOG","price":1e999})", reject_reason::not_finite, "price"},
    {R"({"sid":"GOOG","quote":-1e400})", reject_reason::not_finite, "quote"},
    {R"({"goog":"nan"})", reject_reason::not_finite, "price"},
    // non_positive_price
    {R"({"symbol":"GOOG","price":0})", reject_reason::non_positive_price,
     "price"},
    {R"({"symbol":"GOOG","price":-3.5})", reject_reason::non_positive_price,
     "price"},
    {R"({"symbol":"GOOG","price":-7})", reject_reason::non_positive_price,
     "price"},
    {R"({"sid":"GOOG","quote":"-1"})", reject_reason::non_positive_price,
     "quote"},
    {R"({"symbol":"GOOG","price":"0.0000001"})",
     reject_reason::non_positive_price, "price"},
    {R"({"symbol":"GOOG","price":1e-9})", reject_reason::non_positive_price,
     "price"},
    // empty_symbol
    {R"({"symbol":"","price":1})", reject_reason::empty_symbol, "symbol"},
    {R"({"sid":"","quote":1})", reject_reason::empty_symbol, "sid"},
    {R"({"":1})", reject_reason::empty_symbol, "symbol"},
    // symbol_too_long (33 characters)
    {R"({"symbol":"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456","price":1})",
     reject_reason::symbol_too_long, "symbol"},
    {R"({"abcdefghijklmnopqrstuvwxyz0123456":1})",
     reject_reason::symbol_too_long, "symbol"},
    // bad_symbol
    {R"({"symbol":"GO OG","price":1})", reject_reason::bad_symbol, "symbol"},
    {R"({"sid":"GOOG$","quote":1})", reject_reason::bad_symbol, "sid"},
    {"{\"g\xC3\xB6\xC3\xB6"
     "d\":1}",
     reject_reason::bad_symbol, "symbol"},
    {R"({"symbol":"A\nB","price":1})", reject_reason::bad_symbol, "symbol"},
    // bad_timestamp
    {R"({"symbol":"X","price":1,"ts":-5})", reject_reason::bad_timestamp, "ts"},
    {R"({"symbol":"X","price":1,"ts":1.5})", reject_reason::bad_timestamp,
     "ts"},
    {R"({"symbol":"X","price":1,"ts":"yesterday"})",
     reject_reason::bad_timestamp, "ts"},
    {R"({"symbol":"X","price":1,"ts":"1969-12-31"})",
     reject_reason::bad_timestamp, "ts"},
    {R"({"symbol":"X","price":1,"ts":"2023-02-29"})",
     reject_reason::bad_timestamp, "ts"},
    {R"({"symbol":"X","price":1,"ts":"2023-01-01T25:00:00Z"})",
     reject_reason::bad_timestamp, "ts"},
    {R"({"symbol":"X","price":1,"ts":1e999})", reject_reason::bad_timestamp,
     "ts"},
    {R"({"symbol":"X","price":1,"ts":99999999999999999999})",
     reject_reason::bad_timestamp, "ts"},
    // bad_price
    {R"({"symbol":"GOOG","price":"3,45"})", reject_reason::bad_price, "price"},
    {R"({"symbol":"GOOG","price":"abc"})", reject_reason::bad_price, "price"},
    {R"({"symbol":"GOOG","price":"1e3"})", reject_reason::bad_price, "price"},
    {R"({"symbol":"GOOG","price":""})", reject_reason::bad_price, "price"},
    {R"({"symbol":"GOOG","price":99999999999999})",
     reject_reason::price_out_of_range, "price"},
    {R"({"symbol":"GOOG","price":1e300})", reject_reason::bad_price, "price"},
    {R"({"goog":3.45,"msft":"x"})", reject_reason::bad_price, "price"},
    // payload_too_large
    {R"({"symbol":"X","price":1,"pad":")" + std::string(4096, 'x') + R"("})",
     reject_reason::payload_too_large, ""},
    // price_out_of_range: INT64_MAX micros, and just above the default bound
    {R"({"goog": 9223372036854.775807})", reject_reason::price_out_of_range,
     "price"},
    {R"({"sid":"GOOG","quote":"1000000000.000001"})",
     reject_reason::price_out_of_range, "quote"},
    // duplicate_key
    {R"({"X":1,"X":1})", reject_reason::duplicate_key, "symbol"},
    {R"({"sid":"GOOG","sid":"MSFT","quote":"1"})", reject_reason::duplicate_key,
     "sid"},
    {R"({"symbol":"A","price":1,"price":2})", reject_reason::duplicate_key,
     "price"},
    {R"({"goog":1,"GOOG":2})", reject_reason::duplicate_key, "symbol"},
  };
  CAF_CHECK_GREATER_OR_EQUAL(table.size(), 30u);
  std::set<reject_reason> covered;
  for (auto& c : table) {
    covered.insert(c.reason);
    auto expected
      = "!" + std::string{to_string(c.reason)} + "/" + std::string{c.field};
    // The payload is part of both sides so a failure names its row.
    CAF_CHECK_EQUAL(c.payload.substr(0, 80) + " -> " + decode(c.payload),
                    c.payload.substr(0, 80) + " -> " + expected);
  }
  CAF_CHECK_EQUAL(covered.size(), reject_reason_count);
}

CAF_TEST(the size limit applies before parsing) {
  std::vector<quote> out;
  codec_limits limits;
  limits.max_payload_bytes = 16;
  std::string_view ok = R"({"X":1})";
  std::string_view big = R"({"symbol":"X","price":1})";
  CAF_CHECK(decode_json_quote(ok, now, out, limits).ok);
  auto res = decode_json_quote(big, now, out, limits);
  CAF_CHECK(!res.ok);
  CAF_CHECK_EQUAL(std::string{to_string(res.reason)}, "payload_too_large");
  // Even garbage is reported as too large, not as bad JSON: nothing is parsed.
  res = decode_json_quote(std::string(17, '{'), now, out, limits);
  CAF_CHECK_EQUAL(std::string{to_string(res.reason)}, "payload_too_large");
  CAF_CHECK_EQUAL(out.size(), 1u);
}

CAF_TEST(a failed decode leaves out unchanged) {
  std::vector<quote> out;
  CAF_REQUIRE(decode_json_quote(R"({"A":1})", now, out).ok);
  auto before = show(out);
  for (auto payload :
       {R"({"b":2,"c":3,"d":0})", R"({"b":2,"c d":3})",
        R"({"sid":"B","quote":"x"})", R"({"symbol":"B","price":1,"ts":-1})",
        R"({"b":2,"c":[3]})", "nope"}) {
    auto res = decode_json_quote(payload, now, out);
    CAF_CHECK(!res.ok);
    CAF_CHECK_EQUAL(show(out), before);
  }
  // And a good one appends behind what was there.
  CAF_CHECK(decode_json_quote(R"({"b":2,"c":3})", now, out).ok);
  CAF_CHECK_EQUAL(show(out), "A@1000000@1000 B@2000000@1000 C@3000000@1000");
}

CAF_TEST(the canonical encoding decodes to the same quote) {
  quote x;
  x.symbol = "DAX";
  x.price_micros = 1'628'750'000;
  x.ts_ms = 678'334'707'692;
  auto text = encode_canonical(x);
  CAF_CHECK_EQUAL(text,
                  R"({"symbol":"DAX","price":1628.75,"ts":678334707692})");
  CAF_CHECK_EQUAL(decode(text), show(x));
  x.price_micros = 345'000'000;
  CAF_CHECK_EQUAL(encode_canonical(x),
                  R"({"symbol":"DAX","price":345,"ts":678334707692})");
}

CAF_TEST(every reject reason has its snake case name) {
  std::vector<std::string> names;
  for (size_t i = 0; i < reject_reason_count; ++i)
    names.emplace_back(to_string(static_cast<reject_reason>(i)));
  CAF_CHECK_EQUAL(names,
                  (std::vector<std::string>{
                    "not_json", "wrong_type", "missing_field", "not_finite",
                    "non_positive_price", "empty_symbol", "symbol_too_long",
                    "bad_symbol", "payload_too_large", "bad_timestamp",
                    "bad_price", "price_out_of_range", "duplicate_key"}));
}

// -- limits -------------------------------------------------------------------------

CAF_TEST(prices up to max_price are accepted and above it rejected) {
  // The default bound itself is a price; a micro more is not.
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","price":1000000000})"),
                  "X@1000000000000000@1000");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","price":"1000000000.000001"})"),
                  "!price_out_of_range/price");
  CAF_CHECK_EQUAL(decode(R"({"X":1e10})"), "!price_out_of_range/price");
  CAF_CHECK_EQUAL(decode_csv("1,AAA,1"), "AAA@1000000@1");
  CAF_CHECK_EQUAL(decode_csv("2,AAA,9000000000000"),
                  "!price_out_of_range/price");
  CAF_CHECK_EQUAL(decode_csv("2,AAA,9223372036854.775807"),
                  "!price_out_of_range/price");
  // A configured bound applies to JSON and CSV alike.
  codec_limits limits;
  limits.max_price_micros = 100 * micros_per_unit;
  std::vector<quote> out;
  CAF_CHECK(decode_json_quote(R"({"X":100})", now, out, limits).ok);
  auto res = decode_json_quote(R"({"X":100.000001})", now, out, limits);
  CAF_CHECK(!res.ok);
  CAF_CHECK(res.reason == reject_reason::price_out_of_range);
  CAF_CHECK(decode_csv_row("1,X,100", out, limits).ok);
  res = decode_csv_row("1,X,101", out, limits);
  CAF_CHECK(!res.ok);
  CAF_CHECK(res.reason == reject_reason::price_out_of_range);
  CAF_CHECK_EQUAL(out.size(), 2u);
}

CAF_TEST(a repeated key rejects the whole payload) {
  // Counted once, never twice; never the last value silently.
  CAF_CHECK_EQUAL(decode(R"({"X":1,"X":1})"), "!duplicate_key/symbol");
  CAF_CHECK_EQUAL(decode(R"({"sid":"GOOG","sid":"MSFT","quote":"1"})"),
                  "!duplicate_key/sid");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"A","price":1,"ts":1,"ts":2})"),
                  "!duplicate_key/ts");
  // Many members take the sorting path.
  std::string many = "{";
  for (int i = 0; i < 40; ++i)
    many += "\"S" + std::to_string(i) + "\":1,";
  CAF_CHECK_EQUAL(decode(many + "\"S7\":2}"), "!duplicate_key/symbol");
  CAF_CHECK_EQUAL(decode(many + "\"S40\":2}").substr(0, 6), "S0@100");
  // Keys that differ only inside nested values are not top-level repeats.
  CAF_CHECK_EQUAL(decode(R"({"symbol":"A","price":1,"meta":{"price":2}})"),
                  "A@1000000@1000");
}

// -- timestamps ---------------------------------------------------------------------

CAF_TEST(parse_timestamp_ms reads epoch ms and ISO dates) {
  auto ts = [](std::string_view text) {
    int64_t x = -1;
    return parse_timestamp_ms(text, x) ? x : int64_t{-1};
  };
  CAF_CHECK_EQUAL(ts("0"), 0);
  CAF_CHECK_EQUAL(ts("678334707692"), 678'334'707'692);
  CAF_CHECK_EQUAL(ts("1970-01-01"), 0);
  CAF_CHECK_EQUAL(ts("2000-01-01"), 946'684'800'000);
  CAF_CHECK_EQUAL(ts("2000-02-29"), 951'782'400'000);
  CAF_CHECK_EQUAL(ts("2023-11-14T22:13:20"), 1'700'000'000'000);
  CAF_CHECK_EQUAL(ts("2023-11-14T22:13:20Z"), 1'700'000'000'000);
  CAF_CHECK_EQUAL(ts("2023-11-14T22:13:20.123Z"), 1'700'000'000'123);
  CAF_CHECK_EQUAL(ts("2023-11-14T22:13:20.5"), 1'700'000'000'500);
  CAF_CHECK_EQUAL(ts("2023-11-14T22:13:20.123999Z"), 1'700'000'000'123);
  CAF_CHECK_EQUAL(ts("2024-12-31T23:59:59Z"), 1'735'689'599'000);
  for (auto bad : {"",
                   "-1",
                   "+5",
                   "1.5",
                   "12a",
                   "99999999999999999999",
                   "1969-12-31",
                   "2100-02-29",
                   "2000-13-01",
                   "2000-00-10",
                   "2000-01-32",
                   "2000-1-01",
                   "2000/01/01",
                   "2000-01-01T",
                   "2000-01-01T10:00",
                   "2000-01-01T24:00:00",
                   "2000-01-01T10:60:00",
                   "2000-01-01T10:00:60",
                   "2000-01-01 10:00:00",
                   "2000-01-01T10:00:00.",
                   "2000-01-01T10:00:00+01:00",
                   "2000-01-01T10:00:00ZZ",
                   "2000-01-01T10:00:00.1234567890"}) {
    CAF_MESSAGE("timestamp: " << bad);
    CAF_CHECK_EQUAL(ts(bad), -1);
  }
}

// -- CSV ----------------------------------------------------------------------------

CAF_TEST(csv rows decode with epoch or ISO timestamps) {
  CAF_CHECK_EQUAL(decode_csv("678334707692,DAX,1628.75"),
                  "DAX@1628750000@678334707692");
  CAF_CHECK_EQUAL(decode_csv("2000-01-01,aapl,25.94\r"),
                  "AAPL@25940000@946684800000");
  CAF_CHECK_EQUAL(decode_csv("2023-11-14T22:13:20Z,X,1"),
                  "X@1000000@1700000000000");
  CAF_CHECK_EQUAL(decode_csv("2023-11-14T22:13:20.123Z,X,0.000001"),
                  "X@1@1700000000123");
}

CAF_TEST(bad csv rows are rejected with reason and field) {
  std::vector<std::pair<std::string, std::string>> table{
    {"", "!missing_field/symbol"},
    {"1", "!missing_field/symbol"},
    {"1,GOOG", "!missing_field/price"},
    {"1,GOOG,2,3", "!wrong_type/"},
    {"x,GOOG,1", "!bad_timestamp/ts"},
    {"-1,GOOG,1", "!bad_timestamp/ts"},
    {",GOOG,1", "!bad_timestamp/ts"},
    {"2000-13-01,GOOG,1", "!bad_timestamp/ts"},
    {"1,,1", "!empty_symbol/symbol"},
    {"1,GO OG,1", "!bad_symbol/symbol"},
    {"1,ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456,1", "!symbol_too_long/symbol"},
    {"1,GOOG,abc", "!bad_price/price"},
    {"1,GOOG,", "!bad_price/price"},
    {"1,GOOG,1 ", "!bad_price/price"},
    {"1,GOOG,0", "!non_positive_price/price"},
    {"1,GOOG,-2.5", "!non_positive_price/price"},
    {"1,GOOG,NaN", "!not_finite/price"},
    {"1,GOOG,inf\r", "!not_finite/price"},
  };
  std::vector<quote> out;
  for (auto& [row, expected] : table) {
    CAF_CHECK_EQUAL(row + " -> " + decode_csv(row), row + " -> " + expected);
    CAF_CHECK(!decode_csv_row(row, out).ok);
  }
  CAF_CHECK(out.empty());
}

CAF_TEST(the csv header is recognized case insensitively) {
  CAF_CHECK(is_csv_header("ts,symbol,price"));
  CAF_CHECK(is_csv_header("TS,Symbol,PRICE\r"));
  CAF_CHECK(is_csv_header("\xEF\xBB\xBFts,symbol,price"));
  CAF_CHECK(!is_csv_header("ts,symbol"));
  CAF_CHECK(!is_csv_header("ts,symbol,price,"));
  CAF_CHECK(!is_csv_header("678334707692,DAX,1628.75"));
}

// -- data files ---------------------------------------------------------------------

CAF_TEST(every row of eustockmarkets decodes in time order) {
  auto rows
    = csv_rows(std::string(INTUITION_SOURCE_DIR) + "/data/eustockmarkets.csv");
  CAF_REQUIRE_EQUAL(rows.size(), 7440u);
  std::vector<quote> out;
  out.reserve(rows.size());
  size_t rejected = 0;
  for (auto& row : rows)
    if (!decode_csv_row(row, out).ok)
      ++rejected;
  CAF_CHECK_EQUAL(rejected, 0u);
  CAF_REQUIRE_EQUAL(out.size(), 7440u);
  CAF_CHECK_EQUAL(show(out[0]), "DAX@1628750000@678334707692");
  CAF_CHECK_EQUAL(show(out[1]), "SMI@1678100000@678334707692");
  CAF_CHECK_EQUAL(show(out.back()), "FTSE@5455000000@903989907692");
  size_t out_of_order = 0;
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].ts_ms < out[i - 1].ts_ms)
      ++out_of_order;
  CAF_CHECK_EQUAL(out_of_order, 0u);
}

CAF_TEST(every row of vega_stocks_monthly decodes with ISO dates) {
  auto rows = csv_rows(std::string(INTUITION_SOURCE_DIR)
                       + "/data/vega_stocks_monthly.csv");
  CAF_REQUIRE_EQUAL(rows.size(), 560u);
  std::vector<quote> out;
  size_t rejected = 0;
  for (auto& row : rows)
    if (!decode_csv_row(row, out).ok)
      ++rejected;
  CAF_CHECK_EQUAL(rejected, 0u);
  CAF_REQUIRE_EQUAL(out.size(), 560u);
  CAF_CHECK_EQUAL(show(out[0]), "AAPL@25940000@946684800000");
  CAF_CHECK_EQUAL(show(out[1]), "AMZN@64560000@946684800000");
}
