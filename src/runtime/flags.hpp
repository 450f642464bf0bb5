#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "trading/result.hpp"

/// Reading a command's flags into its options struct.
namespace intuition::runtime {

/// Walks the arguments of one command (`intuition COMMAND ARGS`). Each
/// `take_*` call tries the argument under the cursor and returns whether it
/// was that flag; a flag's value comes as `--flag VALUE` or `--flag=VALUE`.
/// The first problem (a missing or invalid value, an unknown option, a
/// required flag not given) is kept, and `next` stops there; `result`
/// returns it as an invalid request naming the flag.
///
/// ```
/// flag_parser flags{argc, argv, 2, "feed"};
/// while (flags.next())
///   flags.take_switch("--quiet", opts.quiet)
///     || flags.take_value("--broker", opts.broker) || flags.unknown();
/// ```
class flag_parser {
public:
  /// Checks a value; an error message saying what was expected, or nothing.
  using validator
    = std::function<std::optional<std::string>(const std::string&)>;

  /// Starts at `argv[first]`; `command` names the help in messages.
  flag_parser(int argc, char** argv, int first, std::string command);

  /// Moves to the next argument; false at the end or after a problem.
  bool next();

  /// The argument under the cursor.
  std::string_view current() const;

  /// Whether the argument is `--help` or `-h`.
  bool help() const;

  /// `name` without a value sets `out`.
  bool take_switch(std::string_view name, bool& out);

  /// `name VALUE` into `out`; `check` may refuse the value.
  bool take_value(std::string_view name, std::string& out,
                  const validator& check = {});

  /// `name VALUE` into `out`; `check` may refuse the value.
  bool take_value(std::string_view name, std::optional<std::string>& out,
                  const validator& check = {});

  /// `name N` with N an integer in [lo, hi].
  bool take_integer(std::string_view name, uint64_t lo, uint64_t hi,
                    uint64_t& out);

  /// Records the argument as an unknown option; returns true.
  bool unknown();

  /// Records that `name` is required (`what` says what it names) when
  /// `given` is false and nothing went wrong before.
  void require(std::string_view name, bool given, std::string_view what = {});

  /// Records a problem of the flag `name` unless one was recorded before.
  void refuse(std::string_view name, std::string_view why);

  /// Records `x` unless a problem was recorded before.
  void fail(trading::failure x);

  /// Success, or the first problem.
  trading::status result() const;

private:
  /// The value of `name` under the cursor, advancing past it; nothing when
  /// the argument is another flag (or `name` lacks its value: recorded).
  std::optional<std::string> value_of(std::string_view name);

  int argc_;
  char** argv_;
  int i_;
  std::string command_;
  std::optional<trading::failure> problem_;
};

} // namespace intuition::runtime
