// The `intuition` command line.

#include <charconv>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/config.hpp"
#include "runtime/replay.hpp"

namespace {

using namespace intuition::runtime;

constexpr const char* version = "0.1.0";

const char* main_help = R"(intuition - an actor-model trading runtime

usage: intuition <command> [options]
       intuition --help | --version

commands:
  replay    stream a CSV of historical quotes through the trading actors
            and print a summary (see: intuition replay --help)

Every command takes --help. CAF settings (scheduler threads, middleman) are
read from caf-application.conf in the working directory, or the folder above
the executable, or the file given with --caf-config.
)";

const char* replay_help = R"(usage: intuition replay --config FILE [options]

Streams the quotes of a CSV file (ts,symbol,price) through the same actors
that live trading uses - router, one algorithm actor per strategy and symbol,
portfolio, order journal - prints progress once a second and a summary at
the end.

options:
  --config FILE      deployment configuration (JSON, comments allowed);
                     required
  --quotes CSV       quotes to replay; default: replay.quotes of the config
  --speed S          max (as fast as possible, default), realtime, or a
                     multiple of real time such as 3600x
  --repeat N         replay the file N times back to back, timestamps shifted
                     so time keeps moving forward (default 1)
  --report FILE      also write the summary and the equity curve as JSON
  --journal PATH     order journal; default: journal.path of the config. An
                     existing journal is verified and continued: cash and
                     positions are rebuilt from it and order ids go on
  --caf-config FILE  CAF settings file (INI syntax)
  --quiet            no progress lines
  --help             this text

exit status: 0 on success, 1 on a runtime or journal error, 2 on a bad
command line or configuration.
)";

/// Reads the value of flag `argv[i]`, advancing `i`; supports --flag=value.
bool take_value(int argc, char** argv, int& i, std::string_view flag,
                std::string& out, std::string& err) {
  std::string_view arg{argv[i]};
  if (arg.size() > flag.size() && arg.substr(0, flag.size()) == flag
      && arg[flag.size()] == '=') {
    out = std::string{arg.substr(flag.size() + 1)};
    return true;
  }
  if (arg != flag)
    return false;
  if (i + 1 >= argc) {
    err = std::string{flag} + ": expected a value";
    return true;
  }
  out = argv[++i];
  return true;
}

int replay_command(int argc, char** argv) {
  replay_options opts;
  std::string err;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg{argv[i]};
    std::string value;
    if (arg == "--help" || arg == "-h") {
      std::cout << replay_help;
      return 0;
    }
    if (arg == "--quiet") {
      opts.quiet = true;
    } else if (take_value(argc, argv, i, "--config", value, err)) {
      opts.config_path = value;
    } else if (take_value(argc, argv, i, "--quotes", value, err)) {
      opts.quotes = value;
    } else if (take_value(argc, argv, i, "--speed", value, err)) {
      try {
        parse_speed("--speed", value);
      } catch (const std::exception& ex) {
        err = ex.what();
      }
      opts.speed = value;
    } else if (take_value(argc, argv, i, "--repeat", value, err)) {
      uint64_t n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (err.empty()
          && (ec != std::errc{} || ptr != value.data() + value.size() || n < 1
              || n > 1'000'000))
        err = "--repeat: got \"" + value
              + "\", expected an integer in [1, 1000000]";
      opts.repeat = n;
    } else if (take_value(argc, argv, i, "--report", value, err)) {
      opts.report_path = value;
    } else if (take_value(argc, argv, i, "--journal", value, err)) {
      opts.journal = value;
    } else if (take_value(argc, argv, i, "--caf-config", value, err)) {
      opts.caf_config = value;
    } else {
      err = "unknown option \"" + std::string{arg}
            + "\" (see intuition replay --help)";
    }
    if (!err.empty())
      break;
  }
  if (err.empty() && opts.config_path.empty())
    err = "--config: required (see intuition replay --help)";
  if (!err.empty()) {
    std::cerr << "intuition replay: " << err << "\n";
    return 2;
  }
  return run_replay(opts, argv[0]);
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << main_help;
    return 2;
  }
  std::string_view cmd{argv[1]};
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::cout << main_help;
    return 0;
  }
  if (cmd == "--version") {
    std::cout << "intuition " << version << "\n";
    return 0;
  }
  if (cmd == "replay")
    return replay_command(argc, argv);
  std::cerr << "intuition: unknown command \"" << cmd
            << "\" (commands: replay; see intuition --help)\n";
  return 2;
}
