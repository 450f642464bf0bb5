#define CAF_SUITE trading.result
#include "caf/test/unit_test.hpp"

#include "trading/result.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace intuition::trading;

namespace {

/// Halves even numbers; odd ones are an invalid request.
result<int> half(int x) {
  if (x % 2 != 0)
    return invalid_value("x", std::to_string(x), "an even number");
  return x / 2;
}

/// Succeeds for true, fails for false.
status check(bool ok) {
  if (!ok)
    return operation_failed("the check failed");
  return {};
}

} // namespace

// -- result<T> ------------------------------------------------------------------

CAF_TEST(a result holds its value) {
  auto x = half(8);
  CAF_REQUIRE(x);
  CAF_CHECK_EQUAL(x.value(), 4);
  CAF_CHECK_EQUAL(*x, 4);
  *x = 5;
  CAF_CHECK_EQUAL(x.value(), 5);
  result<std::string> text{std::string{"abc"}};
  CAF_CHECK_EQUAL(text->size(), 3u);
  CAF_CHECK_EQUAL(std::move(text).value(), "abc");
}

CAF_TEST(a result holds its failure) {
  auto x = half(7);
  CAF_REQUIRE(!x);
  CAF_CHECK(x.error().kind == failure_kind::invalid_request);
  CAF_CHECK_EQUAL(x.error().message, "x: got 7, expected an even number");
  auto moved = std::move(x).error();
  CAF_CHECK_EQUAL(moved.message, "x: got 7, expected an even number");
}

CAF_TEST(a result holds values that can only be moved) {
  result<std::unique_ptr<int>> x{std::make_unique<int>(42)};
  CAF_REQUIRE(x);
  auto owned = std::move(x).value();
  CAF_REQUIRE(owned != nullptr);
  CAF_CHECK_EQUAL(*owned, 42);
}

// -- status ---------------------------------------------------------------------

CAF_TEST(a status is success or its failure) {
  status done;
  CAF_CHECK(done);
  CAF_CHECK(check(true));
  auto failed = check(false);
  CAF_REQUIRE(!failed);
  CAF_CHECK(failed.error().kind == failure_kind::operation_failed);
  CAF_CHECK_EQUAL(failed.error().message, "the check failed");
  failed = check(true);
  CAF_CHECK(failed);
}

// -- failure --------------------------------------------------------------------

CAF_TEST(within puts the context in front and keeps the kind) {
  auto x = invalid_request("bad").within("--flag");
  CAF_CHECK(x.kind == failure_kind::invalid_request);
  CAF_CHECK_EQUAL(x.message, "--flag: bad");
  auto y = operation_failed("disk full").within("journal").within("run");
  CAF_CHECK(y.kind == failure_kind::operation_failed);
  CAF_CHECK_EQUAL(y.message, "run: journal: disk full");
}

CAF_TEST(in_field nests the field of an invalid value) {
  auto x = invalid_value("fast", "40", "x").in_field("strategies[0].params");
  CAF_CHECK(x.kind == failure_kind::invalid_request);
  CAF_CHECK_EQUAL(x.message, "strategies[0].params.fast: got 40, expected x");
}

CAF_TEST(the kind decides the exit code) {
  CAF_CHECK_EQUAL(exit_code(invalid_request("x")), 2);
  CAF_CHECK_EQUAL(exit_code(invalid_value("f", "v", "e")), 2);
  CAF_CHECK_EQUAL(exit_code(invalid_setting("f", "why")), 2);
  CAF_CHECK_EQUAL(exit_code(operation_failed("x")), 1);
  CAF_CHECK_EQUAL(exit_code(file_failure("read", "/x", ENOENT)), 1);
  CAF_CHECK_EQUAL(exit_code(file_content_failure("journal", "/x", 0, "m")), 1);
  CAF_CHECK_EQUAL(exit_code(failure{}), 1);
}

// -- the messages ---------------------------------------------------------------

CAF_TEST(invalid_value names the field the value and the expectation) {
  auto x = invalid_value("portfolio.starting_cash", "-5", "an amount > 0");
  CAF_CHECK(x.kind == failure_kind::invalid_request);
  CAF_CHECK_EQUAL(x.message,
                  "portfolio.starting_cash: got -5, expected an amount > 0");
}

CAF_TEST(invalid_setting names the setting and why) {
  auto x = invalid_setting("--caf-config", "cannot read a.conf");
  CAF_CHECK(x.kind == failure_kind::invalid_request);
  CAF_CHECK_EQUAL(x.message, "--caf-config: cannot read a.conf");
}

CAF_TEST(invalid_request keeps the words of the caller) {
  auto x = invalid_request("not valid JSON: [json.exception.parse_error]");
  CAF_CHECK(x.kind == failure_kind::invalid_request);
  CAF_CHECK_EQUAL(x.message, "not valid JSON: [json.exception.parse_error]");
}

CAF_TEST(file_failure names the action the path and the system reason) {
  auto x = file_failure("read", "/no/such/file", ENOENT);
  CAF_CHECK(x.kind == failure_kind::operation_failed);
  CAF_CHECK_EQUAL(x.message, "cannot read /no/such/file: "
                               + std::string{std::strerror(ENOENT)});
}

CAF_TEST(operation_failed keeps the words of the caller) {
  auto x = operation_failed("cluster: no node answered");
  CAF_CHECK(x.kind == failure_kind::operation_failed);
  CAF_CHECK_EQUAL(x.message, "cluster: no node answered");
}

CAF_TEST(file_content_failure names the file and the line when there is one) {
  auto at_line = file_content_failure("journal", "j.jsonl", 3, "bad checksum");
  CAF_CHECK(at_line.kind == failure_kind::operation_failed);
  CAF_CHECK_EQUAL(at_line.message, "journal j.jsonl line 3: bad checksum");
  auto whole = file_content_failure("warm-up history", "h", 0, "cannot read");
  CAF_CHECK_EQUAL(whole.message, "warm-up history h: cannot read");
}
