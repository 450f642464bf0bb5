#pragma once

// Shared by the suites that check parameter failures: the parts of an
// `invalid_value` message, and the failure a result holds.

#include <optional>
#include <string>

#include "caf/test/unit_test.hpp"

#include "trading/result.hpp"

namespace intuition::trading::testing {

/// The parts of "FIELD: got VALUE, expected EXPECTED".
struct value_parts {
  std::string field;
  std::string value;
  std::string expected;
};

/// Splits an `invalid_value` message into its parts (empty when it has
/// another shape).
inline value_parts parts(const failure& x) {
  const auto& msg = x.message;
  auto got = msg.find(": got ");
  auto exp = msg.rfind(", expected ");
  if (got == std::string::npos || exp == std::string::npos || exp < got)
    return {};
  return {msg.substr(0, got), msg.substr(got + 6, exp - got - 6),
          msg.substr(exp + 11)};
}

/// The failure `x` holds, checked to be an invalid request; nothing when it
/// holds a value.
template <class T>
std::optional<failure> failure_of(const result<T>& x) {
  if (x)
    return std::nullopt;
  CAF_CHECK(x.error().kind == failure_kind::invalid_request);
  return x.error();
}

/// The value `x` holds; the test stops when it holds a failure.
template <class T>
T value_of(result<T> x) {
  if (!x)
    CAF_FAIL("unexpected failure: " << x.error().message);
  return std::move(x).value();
}

} // namespace intuition::trading::testing
