// The `intuition` command line.

#include <charconv>
#include <optional>
#include <cstring>
#include <iostream>
#include <malloc.h>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/config.hpp"
#include "runtime/inspect.hpp"
#include "runtime/live.hpp"
#include "runtime/journal_recovery.hpp"
#include "runtime/replay.hpp"
#include "runtime/node_command.hpp"

namespace {

using namespace intuition::runtime;

constexpr const char* version = "0.1.0";

const char* main_help = R"(intuition - an actor-model trading runtime

usage: intuition <command> [options]
       intuition --help | --version

commands:
  run       trade live on quotes from an MQTT broker (an embedded one by
            default) until SIGINT/SIGTERM (see: intuition run --help)
  replay    stream a CSV of historical quotes through the trading actors
            and print a summary (see: intuition replay --help)
  feed      publish a CSV of quotes to an MQTT broker (see: intuition feed
            --help)
  node      host algorithm actors for a coordinator (see: intuition node
            --help)
  inspect   print the live state of a running process's actors (see:
            intuition inspect --help)

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
  --accept-journal-loss
                     start although the journal holds fewer orders than
                     were acknowledged or published (it was cut short or
                     replaced): the missing orders stay lost, order ids
                     still never repeat
  --listen [HOST:]PORT|off
                     publish the actors for intuition inspect and cluster
                     nodes (default: listen of the config, else off; port 0
                     picks a free one). Beyond loopback it needs TLS (an
                     [openssl] section; see README "Security")
  --insecure         allow --listen beyond loopback without TLS (warns)
  --metrics-port N   serve Prometheus metrics on http://127.0.0.1:N/metrics
                     (metrics.bind of the config changes the address)
  --join HOST:PORT   place algorithm actors on this worker node too
                     (intuition node); repeatable, adds to cluster.nodes
  --caf-config FILE  CAF settings file (INI syntax)
  --quiet            no progress lines
  --help             this text

exit status: 0 on success, 1 on a runtime or journal error, 2 on a bad
command line or configuration.
)";

const char* run_help = R"(usage: intuition run --config FILE [options]

Connects to an MQTT broker, subscribes to the channels the configured
algorithms ask for (default "quotes"), and trades every accepted quote
through the router, the algorithm actors and the portfolio; a quote reaches
only the strategies whose channels match the topic it came on. Says "ready"
(and /ready on the metrics port answers 200) once the broker acknowledged
the subscriptions: what is published before is not delivered. Orders go to the
journal first, then to MQTT topic orders/<strategy> (QoS 1); signals to
signals/<strategy>/<symbol>. Prints a progress line once a second. SIGINT or
SIGTERM stops taking quotes, drains what is in flight, flushes the journal,
waits (up to 10 s) for the broker to confirm the orders, disconnects and
prints the same summary as replay.

Accepted payloads: {"sid":"GOOG","quote":"345"}, {"goog": 3.45},
{"symbol":"GOOG","price":345.0,"ts":1700000000000}.

options:
  --config FILE         deployment configuration; required
  --broker URL          mqtt://HOST:PORT, mqtts://HOST:PORT, or "embedded"
                        (default: mqtt.broker of the config, itself
                        "embedded": a private mosquitto on a free 127.0.0.1
                        port whose URL is printed)
  --username U          broker user name
  --password-file F     file whose first line is the password (needs
                        --username; warned about when group or others can
                        read it)
  --tls-ca FILE         CA certificates (PEM) to verify the broker with
  --tls-cert FILE       client certificate (PEM) for a broker that requires
                        one (needs --tls-key and --tls-ca)
  --tls-key FILE        private key (PEM) of --tls-cert
  --mqtt-retry-refused  keep retrying when the broker refuses the connection
                        (bad user name or password, not authorised) or the
                        TLS handshake fails on a certificate, instead of
                        stopping with exit status 1
  --client-id ID        base of the MQTT client ids: ID-in subscribes with a
                        persistent session, so quotes sent during a short
                        disconnect arrive after reconnecting; ID-out
                        publishes orders, ID-sig signals
  --journal PATH        order journal (default: journal.path of the config)
  --accept-journal-loss start although the journal holds fewer orders than
                        were acknowledged or published (it was cut short or
                        replaced): the missing orders stay lost, order ids
                        still never repeat
  --report FILE         also write the summary as JSON
  --demo CSV            publish this CSV into the broker at 2,000 quotes/s
                        once ready (the live demo)
  --exit-when-idle S    stop by itself once no quote arrived for S seconds,
                        counted from readiness (after the demo feed, if any,
                        finished)
  --listen [HOST:]PORT|off
                        publish the actors for intuition inspect and cluster
                        nodes (default: listen of the config, else
                        127.0.0.1:4242; port 0 picks a free one). Beyond
                        loopback it needs TLS (an [openssl] section; see
                        README "Security")
  --insecure            allow --listen beyond loopback without TLS (warns)
  --metrics-port N      serve Prometheus metrics on
                        http://127.0.0.1:N/metrics (0 picks a free port)
  --join HOST:PORT      place algorithm actors on this worker node too
                        (intuition node); repeatable, adds to cluster.nodes
  --caf-config FILE     CAF settings file (INI syntax)
  --quiet               no progress lines
  --help                this text

exit status: 0 after SIGINT/SIGTERM or --exit-when-idle, 1 on a runtime or
journal error or a connection refused for good (see --mqtt-retry-refused),
2 on a bad command line or configuration.
)";

const char* feed_help = R"(usage: intuition feed --broker URL --quotes CSV [options]

Publishes the quotes of a CSV file (ts,symbol,price) to an MQTT topic, for
demos, tests and benchmarks, and waits until the broker acknowledged them.

options:
  --broker URL        mqtt://HOST:PORT; required
  --quotes CSV        quotes to publish; required
  --topic T           topic (default quotes)
  --format F          canonical ({"symbol","price","ts"}, default), sid
                      ({"sid","quote","ts"}) or symbol-map ({"dax": 1628.75})
  --rate N|max        messages per second (default max)
  --qos 0|1           default 1
  --repeat N          publish the file N times, timestamps shifted (default 1)
  --quiet             no progress lines
  --help              this text
)";

const char* node_help = R"(usage: intuition node [options]

A worker node: hosts algorithm actors that a coordinator (intuition run or
replay with cluster.nodes, or --join) places on it, and reports what it
hosts. Logs when a coordinator connects or leaves; the actors a departed
coordinator placed are stopped. Runs until SIGINT/SIGTERM.

options:
  --bind HOST         address to listen on (default 127.0.0.1; anything
                      else is reachable by others and needs TLS, an
                      [openssl] section: see README "Security")
  --insecure          allow --bind beyond loopback without TLS (warns)
  --port N            port to listen on (default 4243; 0 picks a free one)
  --name NAME         name shown in placement and inspection (default
                      node-PORT)
  --metrics-port N    serve Prometheus metrics on http://127.0.0.1:N/metrics
  --caf-config FILE   CAF settings file (INI syntax); heartbeat-interval and
                      connection-timeout must not be 0
  --help              this text
)";

const char* inspect_help = R"(usage: intuition inspect --node HOST:PORT [ACTOR] [--json]

Connects over CAF to a running coordinator (intuition run, or replay with
--listen) or worker node (intuition node) and prints the live state of its
actors: kind, where it runs, mailbox size, messages processed, counters and
its own summary (portfolio: cash, positions, P&L; algorithm: indicator
values, last signal; router: symbols and placement; ingress: connection and
rates).

ACTOR filters by instance name, segments separated by '/', '*' matching
any segment, a prefix matching everything below it: portfolio,
algorithm/sma/GOOG, algorithm/*/GOOG, algorithm.

options:
  --node HOST:PORT    the process's --listen address; required
  --json              a JSON array instead of the table
  --caf-config FILE   CAF settings file (INI syntax)
  --help              this text

exit status: 0 on success, 1 if the node cannot be reached or no actor
matches ACTOR, 2 on a bad command line.
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

/// Parses an integer flag value in [lo, hi] into `out`, or sets `err`.
void parse_integer(std::string_view flag, const std::string& value, uint64_t lo,
                   uint64_t hi, uint64_t& out, std::string& err) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc{} || ptr != value.data() + value.size() || n < lo
      || n > hi)
    err = std::string{flag} + ": got \"" + value + "\", expected an integer in ["
          + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  out = n;
}

/// Takes --listen, --metrics-port or --join at `argv[i]` into `out`;
/// returns whether it was one of them (`err` names a bad value).
bool take_node_flag(int argc, char** argv, int& i, node_flags& out,
                    std::string& err) {
  std::string value;
  if (std::string_view{argv[i]} == "--insecure") {
    out.insecure = true;
    return true;
  }
  if (take_value(argc, argv, i, "--listen", value, err)) {
    if (auto listen = parse_listen("--listen", value))
      out.listen = *listen;
    else
      err = listen.error().message;
    return true;
  }
  if (take_value(argc, argv, i, "--metrics-port", value, err)) {
    uint64_t n = 0;
    parse_integer("--metrics-port", value, 0, 65535, n, err);
    out.metrics_port = static_cast<uint16_t>(n);
    return true;
  }
  if (take_value(argc, argv, i, "--join", value, err)) {
    out.join.push_back(value);
    return true;
  }
  return false;
}

int node_command(int argc, char** argv) {
  node_options opts;
  std::string err;
  for (int i = 2; i < argc && err.empty(); ++i) {
    std::string_view arg{argv[i]};
    std::string value;
    if (arg == "--help" || arg == "-h") {
      std::cout << node_help;
      return 0;
    }
    if (arg == "--insecure") {
      opts.insecure = true;
    } else if (take_value(argc, argv, i, "--bind", value, err)) {
      if (value.empty())
        err = "--bind: got \"\", expected an IP address";
      opts.bind = value;
    } else if (take_value(argc, argv, i, "--port", value, err)) {
      uint64_t n = 0;
      parse_integer("--port", value, 0, 65535, n, err);
      opts.port = static_cast<uint16_t>(n);
    } else if (take_value(argc, argv, i, "--name", value, err)) {
      if (value.empty() || value.size() > 64
          || value.find_first_of(" /\t\n") != std::string::npos)
        err = "--name: got \"" + value
              + "\", expected 1 to 64 characters without spaces or '/'";
      opts.name = value;
    } else if (take_value(argc, argv, i, "--metrics-port", value, err)) {
      uint64_t n = 0;
      parse_integer("--metrics-port", value, 0, 65535, n, err);
      opts.metrics_port = static_cast<uint16_t>(n);
    } else if (take_value(argc, argv, i, "--caf-config", value, err)) {
      opts.caf_config = value;
    } else if (err.empty()) {
      err = "unknown option \"" + std::string{arg}
            + "\" (see intuition node --help)";
    }
  }
  if (!err.empty()) {
    std::cerr << "intuition node: " << err << "\n";
    return 2;
  }
  return run_node(opts, argv[0]);
}

int inspect_command(int argc, char** argv) {
  inspect_options opts;
  std::string err;
  for (int i = 2; i < argc && err.empty(); ++i) {
    std::string_view arg{argv[i]};
    std::string value;
    if (arg == "--help" || arg == "-h") {
      std::cout << inspect_help;
      return 0;
    }
    if (arg == "--json") {
      opts.json = true;
    } else if (take_value(argc, argv, i, "--node", value, err)) {
      opts.node = value;
    } else if (take_value(argc, argv, i, "--caf-config", value, err)) {
      opts.caf_config = value;
    } else if (err.empty() && !arg.empty() && arg[0] != '-'
               && opts.actor.empty()) {
      opts.actor = std::string{arg};
    } else if (err.empty()) {
      err = "unknown option \"" + std::string{arg}
            + "\" (see intuition inspect --help)";
    }
  }
  if (err.empty() && opts.node.empty())
    err = "--node: required, the HOST:PORT the process listens on (see "
          "intuition inspect --help)";
  if (!err.empty()) {
    std::cerr << "intuition inspect: " << err << "\n";
    return 2;
  }
  return run_inspect(opts, argv[0]);
}

int run_command(int argc, char** argv) {
  run_options opts;
  std::string err;
  for (int i = 2; i < argc && err.empty(); ++i) {
    std::string_view arg{argv[i]};
    std::string value;
    if (arg == "--help" || arg == "-h") {
      std::cout << run_help;
      return 0;
    }
    if (arg == "--quiet") {
      opts.quiet = true;
    } else if (arg == accept_journal_loss_flag) {
      opts.accept_journal_loss = true;
    } else if (take_value(argc, argv, i, "--config", value, err)) {
      opts.config_path = value;
    } else if (take_value(argc, argv, i, "--broker", value, err)) {
      opts.broker = value;
    } else if (take_value(argc, argv, i, "--username", value, err)) {
      opts.username = value;
    } else if (take_value(argc, argv, i, "--password-file", value, err)) {
      opts.password_file = value;
    } else if (take_value(argc, argv, i, "--tls-ca", value, err)) {
      opts.tls_ca = value;
    } else if (take_value(argc, argv, i, "--tls-cert", value, err)) {
      opts.tls_cert = value;
    } else if (take_value(argc, argv, i, "--tls-key", value, err)) {
      opts.tls_key = value;
    } else if (arg == "--mqtt-retry-refused") {
      opts.retry_refused = true;
    } else if (take_value(argc, argv, i, "--client-id", value, err)) {
      opts.client_id = value;
    } else if (take_value(argc, argv, i, "--journal", value, err)) {
      opts.journal = value;
    } else if (take_value(argc, argv, i, "--report", value, err)) {
      opts.report_path = value;
    } else if (take_value(argc, argv, i, "--demo", value, err)) {
      opts.demo_quotes = value;
    } else if (take_value(argc, argv, i, "--exit-when-idle", value, err)) {
      uint64_t s = 0;
      parse_integer("--exit-when-idle", value, 1, 86'400, s, err);
      opts.idle_exit_s = static_cast<double>(s);
    } else if (take_value(argc, argv, i, "--caf-config", value, err)) {
      opts.caf_config = value;
    } else if (take_node_flag(argc, argv, i, opts.node, err)) {
      // nop
    } else {
      err = "unknown option \"" + std::string{arg}
            + "\" (see intuition run --help)";
    }
  }
  if (err.empty() && opts.config_path.empty())
    err = "--config: required (see intuition run --help)";
  if (!err.empty()) {
    std::cerr << "intuition run: " << err << "\n";
    return 2;
  }
  return run_live(opts, argv[0]);
}

int feed_command(int argc, char** argv) {
  feed_options opts;
  std::string err;
  for (int i = 2; i < argc && err.empty(); ++i) {
    std::string_view arg{argv[i]};
    std::string value;
    if (arg == "--help" || arg == "-h") {
      std::cout << feed_help;
      return 0;
    }
    if (arg == "--quiet") {
      opts.quiet = true;
    } else if (take_value(argc, argv, i, "--broker", value, err)) {
      opts.broker = value;
    } else if (take_value(argc, argv, i, "--quotes", value, err)) {
      opts.quotes = value;
    } else if (take_value(argc, argv, i, "--topic", value, err)) {
      if (value.empty() || value.find_first_of("#+") != std::string::npos)
        err = "--topic: got \"" + value
              + "\", expected a topic name without wildcards";
      opts.topic = value;
    } else if (take_value(argc, argv, i, "--format", value, err)) {
      if (value != "canonical" && value != "sid" && value != "symbol-map")
        err = "--format: got \"" + value
              + "\", expected canonical, sid or symbol-map";
      opts.format = value;
    } else if (take_value(argc, argv, i, "--rate", value, err)) {
      uint64_t n = 0;
      if (value != "max")
        parse_integer("--rate", value, 1, 10'000'000, n, err);
      opts.rate = static_cast<double>(n);
    } else if (take_value(argc, argv, i, "--qos", value, err)) {
      uint64_t n = 0;
      parse_integer("--qos", value, 0, 1, n, err);
      opts.qos = static_cast<int>(n);
    } else if (take_value(argc, argv, i, "--repeat", value, err)) {
      parse_integer("--repeat", value, 1, 1'000'000, opts.repeat, err);
    } else {
      err = "unknown option \"" + std::string{arg}
            + "\" (see intuition feed --help)";
    }
  }
  if (err.empty() && opts.broker.empty())
    err = "--broker: required (see intuition feed --help)";
  if (err.empty() && opts.quotes.empty())
    err = "--quotes: required (see intuition feed --help)";
  if (!err.empty()) {
    std::cerr << "intuition feed: " << err << "\n";
    return 2;
  }
  return run_feed(opts);
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
    } else if (arg == accept_journal_loss_flag) {
      opts.accept_journal_loss = true;
    } else if (take_value(argc, argv, i, "--config", value, err)) {
      opts.config_path = value;
    } else if (take_value(argc, argv, i, "--quotes", value, err)) {
      opts.quotes = value;
    } else if (take_value(argc, argv, i, "--speed", value, err)) {
      if (auto speed = parse_speed("--speed", value); !speed)
        err = speed.error().message;
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
    } else if (take_node_flag(argc, argv, i, opts.node, err)) {
      // nop
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
  // Batches of quotes are megabytes each. With glibc's defaults each one is
  // a fresh mmap (or a trimmed heap top) whose pages fault in again, which
  // cost more system time than the trading itself; keep freed memory for
  // the next batch instead.
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
  ::mallopt(M_TOP_PAD, 16 << 20);
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
  if (cmd == "run")
    return run_command(argc, argv);
  if (cmd == "feed")
    return feed_command(argc, argv);
  if (cmd == "node")
    return node_command(argc, argv);
  if (cmd == "inspect")
    return inspect_command(argc, argv);
  std::cerr << "intuition: unknown command \"" << cmd
            << "\" (commands: run, replay, feed, node, inspect; see "
               "intuition --help)\n";
  return 2;
}
