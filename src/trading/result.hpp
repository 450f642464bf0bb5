#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

/// The one error convention of the code base: a function that can fail
/// returns `result<T>` (or `status`, a `result<void>`), holding either its
/// value or a `failure`. Exceptions stay inside the function that catches
/// them (a JSON parser's, the standard library's); they never cross a
/// layer. The messages are built by the functions at the end of this
/// header, so that every one names the field or file, the value and what
/// was expected in the same words.
namespace intuition::trading {

/// What kind of failure it is; decides a command's exit code.
enum class failure_kind : uint8_t {
  /// A configuration field, flag or named input file holds what it may not:
  /// the user has to change what they asked for (exit code 2).
  invalid_request,
  /// A file, the system or a peer failed while doing what was asked
  /// (exit code 1).
  operation_failed,
};

/// A failure as a value: its kind and one message for people.
struct failure {
  failure_kind kind = failure_kind::operation_failed;
  std::string message;

  /// The same failure with `context + ": "` in front of its message.
  failure within(std::string_view context) const;

  /// The same failure with `parent + "."` in front of its message: an
  /// `invalid_value` about a field of the nested object `parent`.
  failure in_field(std::string_view parent) const;
};

/// The exit code of a command that stops on `x`: 2 for an invalid request,
/// 1 for a failed operation.
int exit_code(const failure& x) noexcept;

/// A value of type `T`, or the failure that prevented it.
template <class T>
class [[nodiscard]] result {
public:
  static_assert(!std::is_same_v<T, failure>, "result<failure> is ambiguous");

  result(T value) : data_(std::in_place_index<0>, std::move(value)) {
    // nop
  }

  result(failure err) : data_(std::in_place_index<1>, std::move(err)) {
    // nop
  }

  /// Whether it holds a value.
  explicit operator bool() const noexcept {
    return data_.index() == 0;
  }

  /// The value; only when it holds one.
  T& value() & {
    return std::get<0>(data_);
  }

  const T& value() const& {
    return std::get<0>(data_);
  }

  T&& value() && {
    return std::get<0>(std::move(data_));
  }

  T* operator->() {
    return &value();
  }

  const T* operator->() const {
    return &value();
  }

  T& operator*() & {
    return value();
  }

  const T& operator*() const& {
    return value();
  }

  /// The failure; only when it holds no value.
  const failure& error() const& {
    return std::get<1>(data_);
  }

  failure&& error() && {
    return std::get<1>(std::move(data_));
  }

private:
  std::variant<T, failure> data_;
};

/// Success, or the failure that prevented it.
template <>
class [[nodiscard]] result<void> {
public:
  result() = default;

  result(failure err) : err_(std::move(err)) {
    // nop
  }

  /// Whether it succeeded.
  explicit operator bool() const noexcept {
    return !err_.has_value();
  }

  /// The failure; only when it failed.
  const failure& error() const& {
    return *err_;
  }

  failure&& error() && {
    return std::move(*err_);
  }

private:
  std::optional<failure> err_;
};

/// Success, or the failure that prevented it.
using status = result<void>;

// -- the messages --------------------------------------------------------------

/// `FIELD: got VALUE, expected EXPECTED` (an invalid request).
failure invalid_value(std::string_view field, std::string_view value,
                      std::string_view expected);

/// `FIELD: WHY` (an invalid request), for a setting or flag that cannot be
/// used as given (missing, or in conflict with another).
failure invalid_setting(std::string_view field, std::string_view why);

/// A request that cannot be served, in the caller's own words (an invalid
/// request).
failure invalid_request(std::string message);

/// `cannot ACTION PATH: strerror(errnum)` (a failed operation).
failure file_failure(std::string_view action, std::string_view path,
                     int errnum);

/// A failed operation in the caller's own words.
failure operation_failed(std::string message);

/// `WHAT PATH line LINE: MESSAGE`, without ` line LINE` when `line` is 0 (a
/// failed operation), for a file the program keeps (a journal, a warm-up
/// history) that cannot be read, written or trusted.
failure file_content_failure(std::string_view what, std::string_view path,
                             uint64_t line, std::string_view message);

} // namespace intuition::trading
