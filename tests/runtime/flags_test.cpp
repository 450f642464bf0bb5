#define CAF_SUITE runtime.flags
#include "caf/test/unit_test.hpp"

#include "runtime/flags.hpp"

#include <optional>
#include <string>
#include <vector>

using namespace intuition;
using namespace intuition::runtime;

namespace {

/// `intuition CMD ARGS...` as argc/argv.
struct command_line {
  std::vector<std::string> args;
  std::vector<char*> argv;

  explicit command_line(std::vector<std::string> xs) : args(std::move(xs)) {
    args.insert(args.begin(), {"intuition", "cmd"});
    for (auto& x : args)
      argv.push_back(x.data());
  }

  int argc() const {
    return static_cast<int>(argv.size());
  }
};

struct options {
  bool quiet = false;
  std::string broker;
  std::optional<std::string> journal;
  uint64_t repeat = 1;
};

/// Parses the flags of a small command into `out`.
trading::status parse(std::vector<std::string> args, options& out) {
  command_line cl{std::move(args)};
  auto no_wildcards = [](const std::string& x) -> std::optional<std::string> {
    if (x.find('#') != std::string::npos)
      return "a name without wildcards";
    return std::nullopt;
  };
  flag_parser flags{cl.argc(), cl.argv.data(), 2, "cmd"};
  while (flags.next())
    flags.take_switch("--quiet", out.quiet)
      || flags.take_value("--broker", out.broker, no_wildcards)
      || flags.take_value("--journal", out.journal)
      || flags.take_integer("--repeat", 1, 100, out.repeat) || flags.unknown();
  flags.require("--broker", !out.broker.empty());
  return flags.result();
}

} // namespace

CAF_TEST(flags and values are read in either spelling) {
  options x;
  CAF_REQUIRE(parse(
    {"--quiet", "--broker", "mqtt://h:1", "--journal=j.log", "--repeat=7"}, x));
  CAF_CHECK(x.quiet);
  CAF_CHECK_EQUAL(x.broker, "mqtt://h:1");
  CAF_CHECK_EQUAL(x.journal.value_or(""), "j.log");
  CAF_CHECK_EQUAL(x.repeat, 7u);
}

CAF_TEST(a flag without its value names the flag) {
  options x;
  auto st = parse({"--broker", "b", "--journal"}, x);
  CAF_REQUIRE(!st);
  CAF_CHECK_EQUAL(st.error().message, "--journal: expected a value");
  CAF_CHECK_EQUAL(trading::exit_code(st.error()), 2);
}

CAF_TEST(an integer out of range says what was expected) {
  options x;
  auto st = parse({"--broker", "b", "--repeat", "0"}, x);
  CAF_REQUIRE(!st);
  CAF_CHECK_EQUAL(st.error().message,
                  "--repeat: got \"0\", expected an integer in [1, 100]");
  st = parse({"--broker", "b", "--repeat", "12x"}, x);
  CAF_REQUIRE(!st);
  CAF_CHECK_EQUAL(st.error().message,
                  "--repeat: got \"12x\", expected an integer in [1, 100]");
}

CAF_TEST(a refused value says what was expected) {
  options x;
  auto st = parse({"--broker", "a#b"}, x);
  CAF_REQUIRE(!st);
  CAF_CHECK_EQUAL(st.error().message,
                  "--broker: got \"a#b\", expected a name without wildcards");
}

CAF_TEST(the first problem is kept and parsing stops there) {
  options x;
  auto st = parse({"--nope", "--repeat", "0"}, x);
  CAF_REQUIRE(!st);
  CAF_CHECK_EQUAL(st.error().message,
                  "unknown option \"--nope\" (see intuition cmd --help)");
  CAF_CHECK_EQUAL(x.repeat, 1u);
}

CAF_TEST(a missing required flag points to the help) {
  options x;
  auto st = parse({"--quiet"}, x);
  CAF_REQUIRE(!st);
  CAF_CHECK_EQUAL(st.error().message,
                  "--broker: required (see intuition cmd --help)");
}
