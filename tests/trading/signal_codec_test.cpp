#define CAF_SUITE trading.signal_codec
#include "caf/test/unit_test.hpp"

#include "trading/external_strategy.hpp"
#include "trading/signal_codec.hpp"

#include <string>

using namespace intuition::trading;

namespace {

/// Decodes a payload and renders the signal as `SYMBOL/side/seq/ts`, or
/// `!reason/field` on failure.
std::string decode(std::string_view payload, size_t max_bytes = 4096) {
  external_signal x;
  auto res = decode_external_signal(payload, x, max_bytes);
  if (!res.ok)
    return "!" + std::string{to_string(res.reason)} + "/"
           + std::string{res.field};
  return x.symbol + "/" + std::string{to_string(x.direction)} + "/"
         + std::to_string(x.quote_seq) + "/" + std::to_string(x.ts_ms);
}

} // namespace

CAF_TEST(a signal names its quote by quote_seq or ts or both) {
  CAF_CHECK_EQUAL(decode(R"({"symbol":"goog","side":"buy","quote_seq":17})"),
                  "GOOG/buy/17/-1");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"DAX","side":"sell","ts":0})"),
                  "DAX/sell/0/0");
  CAF_CHECK_EQUAL(
    decode(R"({"ts":1700000000000,"quote_seq":3,"side":"buy","symbol":"X"})"),
    "X/buy/3/1700000000000");
}

CAF_TEST(a missing field is named) {
  CAF_CHECK_EQUAL(decode(R"({"side":"buy","quote_seq":1})"),
                  "!missing_field/symbol");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","quote_seq":1})"),
                  "!missing_field/side");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":"buy"})"),
                  "!missing_field/quote_seq");
}

CAF_TEST(each field of the wrong kind is refused) {
  CAF_CHECK_EQUAL(decode(R"({"symbol":1,"side":"buy","ts":1})"),
                  "!wrong_type/symbol");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":true,"ts":1})"),
                  "!wrong_type/side");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":"hold","ts":1})"),
                  "!bad_side/side");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":"BUY","ts":1})"),
                  "!bad_side/side");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":"buy","quote_seq":0})"),
                  "!bad_quote_seq/quote_seq");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":"buy","quote_seq":-4})"),
                  "!bad_quote_seq/quote_seq");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":"buy","quote_seq":1.5})"),
                  "!bad_quote_seq/quote_seq");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":"buy","quote_seq":"7"})"),
                  "!bad_quote_seq/quote_seq");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":"buy","ts":-1})"),
                  "!bad_timestamp/ts");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":"buy","ts":"2020-01-01"})"),
                  "!bad_timestamp/ts");
}

CAF_TEST(symbols follow the quote rules) {
  CAF_CHECK_EQUAL(decode(R"({"symbol":"","side":"buy","ts":1})"),
                  "!empty_symbol/symbol");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"A B","side":"buy","ts":1})"),
                  "!bad_symbol/symbol");
  CAF_CHECK_EQUAL(decode(R"({"symbol":")" + std::string(33, 'A')
                         + R"(","side":"buy","ts":1})"),
                  "!symbol_too_long/symbol");
}

CAF_TEST(huge numbers are refused without wrapping) {
  CAF_CHECK_EQUAL(
    decode(R"({"symbol":"X","side":"buy","quote_seq":9223372036854775807})"),
    "X/buy/9223372036854775807/-1");
  CAF_CHECK_EQUAL(
    decode(R"({"symbol":"X","side":"buy","quote_seq":9223372036854775808})"),
    "!bad_quote_seq/quote_seq");
  CAF_CHECK_EQUAL(
    decode(R"({"symbol":"X","side":"buy","ts":18446744073709551616})"),
    "!bad_timestamp/ts");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":"buy","quote_seq":1e400})"),
                  "!bad_quote_seq/quote_seq");
}

CAF_TEST(shapes other than one flat object are refused) {
  CAF_CHECK_EQUAL(decode("not json"), "!not_json/");
  CAF_CHECK_EQUAL(decode("[1,2]"), "!wrong_type/");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":"buy","ts":1,"qty":5})"),
                  "!unknown_field/");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","symbol":"Y","side":"buy","ts":1})"),
                  "!duplicate_key/symbol");
  CAF_CHECK_EQUAL(decode(R"({"symbol":"X","side":"buy","ts":1})", 10),
                  "!payload_too_large/");
}

CAF_TEST(encoded signals and forwarded quotes read back) {
  external_signal x{"GOOG", side::sell, 42, 1000};
  CAF_CHECK_EQUAL(
    encode_external_signal(x),
    R"({"symbol":"GOOG","side":"sell","quote_seq":42,"ts":1000})");
  CAF_CHECK_EQUAL(decode(encode_external_signal(x)), "GOOG/sell/42/1000");
  quote q;
  q.symbol = "DAX";
  q.price_micros = 1'500'000;
  q.ts_ms = 7;
  CAF_CHECK_EQUAL(encode_forwarded_quote(q, 9),
                  R"({"symbol":"DAX","price":1.5,"ts":7,"quote_seq":9})");
}

CAF_TEST(external parameters have defaults and refuse what they lack) {
  auto def = parse_external_params(nlohmann::json::object());
  CAF_REQUIRE(def);
  CAF_CHECK(def->forward_quotes);
  CAF_CHECK(def->signal_topic.empty());
  CAF_CHECK_EQUAL(def->channels, std::vector<std::string>{"quotes"});
  CAF_CHECK_EQUAL(signal_topic_of(*def, "p/", "ext"), "p/signals/in/ext");
  CAF_CHECK_EQUAL(forward_topic_of("p/", "ext"), "p/quotes/out/ext");
  auto set = parse_external_params(nlohmann::json::parse(
    R"({"signal_topic":"algo/out","forward_quotes":false,"channels":["q/+"]})"));
  CAF_REQUIRE(set);
  CAF_CHECK(!set->forward_quotes);
  CAF_CHECK_EQUAL(signal_topic_of(*set, "p/", "ext"), "algo/out");
  CAF_CHECK(!parse_external_params(nlohmann::json::parse(R"({"x":1})")));
  CAF_CHECK(
    !parse_external_params(nlohmann::json::parse(R"({"signal_topic":"a/#"})")));
  CAF_CHECK(
    !parse_external_params(nlohmann::json::parse(R"({"forward_quotes":1})")));
}
