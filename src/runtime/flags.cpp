#include "runtime/flags.hpp"

#include <charconv>

namespace intuition::runtime {

flag_parser::flag_parser(int argc, char** argv, int first, std::string command)
    : argc_(argc), argv_(argv), i_(first - 1), command_(std::move(command)) {
  // nop
}

bool flag_parser::next() {
  if (problem_)
    return false;
  return ++i_ < argc_;
}

std::string_view flag_parser::current() const {
  return argv_[i_];
}

bool flag_parser::help() const {
  return current() == "--help" || current() == "-h";
}

bool flag_parser::take_switch(std::string_view name, bool& out) {
  if (current() != name)
    return false;
  out = true;
  return true;
}

std::optional<std::string> flag_parser::value_of(std::string_view name) {
  auto arg = current();
  if (arg.size() > name.size() && arg.substr(0, name.size()) == name
      && arg[name.size()] == '=')
    return std::string{arg.substr(name.size() + 1)};
  if (arg != name)
    return std::nullopt;
  if (i_ + 1 >= argc_) {
    refuse(name, "expected a value");
    return std::string{};
  }
  return std::string{argv_[++i_]};
}

bool flag_parser::take_value(std::string_view name, std::string& out,
                             const validator& check) {
  auto value = value_of(name);
  if (!value)
    return false;
  if (check && !problem_)
    if (auto expected = check(*value))
      refuse(name, "got \"" + *value + "\", expected " + *expected);
  out = std::move(*value);
  return true;
}

bool flag_parser::take_value(std::string_view name,
                             std::optional<std::string>& out,
                             const validator& check) {
  std::string value;
  if (!take_value(name, value, check))
    return false;
  out = std::move(value);
  return true;
}

bool flag_parser::take_integer(std::string_view name, uint64_t lo, uint64_t hi,
                               uint64_t& out) {
  auto value = value_of(name);
  if (!value)
    return false;
  uint64_t n = 0;
  const auto* end = value->data() + value->size();
  auto [ptr, ec] = std::from_chars(value->data(), end, n);
  if (ec != std::errc{} || ptr != end || n < lo || n > hi)
    refuse(name, "got \"" + *value + "\", expected an integer in ["
                   + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  out = n;
  return true;
}

bool flag_parser::unknown() {
  if (!problem_)
    problem_ = trading::invalid_request(
      "unknown option \"" + std::string{current()} + "\" (see intuition "
      + command_ + " --help)");
  return true;
}

void flag_parser::require(std::string_view name, bool given,
                          std::string_view what) {
  if (given)
    return;
  std::string why = "required";
  if (!what.empty())
    why += ", " + std::string{what};
  refuse(name, why + " (see intuition " + command_ + " --help)");
}

void flag_parser::refuse(std::string_view name, std::string_view why) {
  if (!problem_)
    problem_ = trading::invalid_setting(name, why);
}

void flag_parser::fail(trading::failure x) {
  if (!problem_)
    problem_ = std::move(x);
}

trading::status flag_parser::result() const {
  if (problem_)
    return *problem_;
  return {};
}

} // namespace intuition::runtime
