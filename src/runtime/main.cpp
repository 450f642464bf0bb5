// The `intuition` command line.

#include <optional>
#include <charconv>
#include <cstring>
#include <iostream>
#include <malloc.h>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/config.hpp"
#include "runtime/control.hpp"
#include "runtime/feed.hpp"
#include "runtime/flags.hpp"
#include "runtime/inspect.hpp"
#include "runtime/live.hpp"
#include "runtime/journal_recovery.hpp"
#include "runtime/replay.hpp"
#include "runtime/report_html.hpp"
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
  control   halt, resume or flatten trading, add or remove strategies of a
            running process (see: intuition control --help)
  report    write a run's --report JSON as one self-contained HTML file
            (see: intuition report --help)

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
  --http [HOST:]PORT serve the live dashboard and its JSON API
                     (/api/state, /api/orders) on http://HOST:PORT/
                     (127.0.0.1 unless a host is given; 0 picks a free port)
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
  --http [HOST:]PORT    serve the live dashboard and its JSON API
                        (/api/state, /api/orders) on http://HOST:PORT/
                        (127.0.0.1 unless a host is given; 0 picks a free
                        port)
  --join HOST:PORT      place algorithm actors on this worker node too
                        (intuition node); repeatable, adds to cluster.nodes
  --caf-config FILE     CAF settings file (INI syntax)
  --quiet               no progress lines
  --help                this text

exit status: 0 after SIGINT/SIGTERM or --exit-when-idle, 1 on a runtime or
journal error or a connection refused for good (see --mqtt-retry-refused),
2 on a bad command line or configuration.
)";

/// The broker credential flags `feed` and `node` share with `run`.
const char* login_help = R"(  --username U        broker user name
  --password-file F   file whose first line is the password (needs
                      --username)
  --tls-ca FILE       CA certificates (PEM) to verify the broker with
  --tls-cert FILE     client certificate (PEM) for a broker that requires
                      one (needs --tls-key and --tls-ca)
  --tls-key FILE      private key (PEM) of --tls-cert
)";

const std::string feed_help
  = std::string{R"(usage: intuition feed --broker URL --quotes CSV [options]

Publishes the quotes of a CSV file (ts,symbol,price) to an MQTT topic, for
demos, tests and benchmarks, and waits until the broker acknowledged them.

options:
  --broker URL        mqtt://HOST:PORT; required
  --quotes CSV        quotes to publish; required
  --topic T           topic (default quotes)
  --topic-per-symbol  publish each quote to T/SYMBOL (quotes/AAPL), the
                      layout nodes subscribe to with cluster.ingress node
  --format F          canonical ({"symbol","price","ts"}, default), sid
                      ({"sid","quote","ts"}) or symbol-map ({"dax": 1628.75})
  --rate N|max        messages per second (default max)
  --qos 0|1           default 1
  --repeat N          publish the file N times, timestamps shifted (default 1)
)"} + login_help
    + R"(  --quiet             no progress lines
  --help              this text
)";

const std::string node_help
  = std::string{R"(usage: intuition node [options]

A worker node: hosts algorithm actors that a coordinator (intuition run or
replay with cluster.nodes, or --join) places on it, and reports what it
hosts. Logs when a coordinator connects or leaves; the actors a departed
coordinator placed are stopped. Runs until SIGINT/SIGTERM. With
cluster.ingress node it also runs the shards placed on it, each with its
own MQTT session, which logs in with the credential and TLS flags below.

options:
  --bind HOST         address to listen on (default 127.0.0.1; anything
                      else is reachable by others and needs TLS, an
                      [openssl] section: see README "Security")
  --insecure          allow --bind beyond loopback without TLS (warns)
  --port N            port to listen on (default 4243; 0 picks a free one)
  --name NAME         name shown in placement and inspection (default
                      node-PORT)
  --metrics-port N    serve Prometheus metrics on http://127.0.0.1:N/metrics
  --broker URL        with cluster.ingress node: the broker this node's
                      shards connect to (default: the coordinator's)
)"} + login_help
    + R"(  --caf-config FILE   CAF settings file (INI syntax); heartbeat-interval and
                      connection-timeout must not be 0
  --help              this text
)";

const char* report_help
  = R"(usage: intuition report RUN.json --html FILE [--journal PATH]
                        [--max-orders N]

Writes one self-contained HTML file of a run: the summary figures, the
equity curve and its drawdown, monthly and yearly returns, per-strategy P&L,
positions, refusals and the session's orders. Charts and data are inlined:
it works offline, opened from disk.

options:
  RUN.json           the report `intuition run` or `replay` wrote with
                     --report; required
  --html FILE        the HTML file to write; required
  --journal PATH     read the orders from here instead of the journal the
                     report names (when it moved)
  --max-orders N     show at most the last N orders of the session
                     (default 5000)
)";

const char* inspect_help
  = R"(usage: intuition inspect --node HOST:PORT [ACTOR] [--json]

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

const char* control_help
  = R"(usage: intuition control --node HOST:PORT COMMAND [ARGS]

Steers a running coordinator (intuition run, or replay with --listen) over
the same control plane as inspect. Every change is journaled beside the
order journal (JOURNAL.control) before it is acknowledged, so that a
restarted process comes back in the same state.

commands:
  halt                    take no new order (signals refused as halted)
  reduce-only             only orders that shrink a strategy's position
  resume                  trade normally again (also after a risk halt)
  flatten [--strategy S]  close every position (or S's) at the next quote
                          of each symbol
  add-strategy FILE.json  add a strategy (one object as in "strategies" of
                          the config, validated the same way); its actors
                          start at the next quote of each symbol, warmed up
                          from recent history
  remove-strategy NAME [--flatten]
                          stop the strategy's actors on every node; its
                          positions stay, or with --flatten are closed

options:
  --node HOST:PORT    the process's --listen address; required
  --caf-config FILE   CAF settings file (INI syntax)
  --help              this text

exit status: 0 done (the change is printed), 1 the process cannot be
reached or could not apply it, 2 a bad request (unknown strategy, invalid
strategy file, bad command line).
)";

/// Prints a command's failure and returns its exit code.
int fail(std::string_view command, const intuition::trading::failure& x) {
  std::cerr << "intuition " << command << ": " << x.message << "\n";
  return intuition::trading::exit_code(x);
}

/// Takes --insecure, --listen, --metrics-port or --join into `out`.
bool take_node_flag(flag_parser& flags, node_flags& out) {
  std::string value;
  uint64_t port = 0;
  if (flags.take_switch("--insecure", out.insecure))
    return true;
  if (flags.take_value("--listen", value)) {
    if (auto listen = parse_listen("--listen", value))
      out.listen = std::move(*listen);
    else
      flags.fail(std::move(listen).error());
    return true;
  }
  if (flags.take_integer("--metrics-port", 0, 65535, port)) {
    out.metrics_port = static_cast<uint16_t>(port);
    return true;
  }
  if (flags.take_value("--join", value)) {
    out.join.push_back(value);
    return true;
  }
  return false;
}

/// Takes --http [HOST:]PORT into `out`.
bool take_http_flag(flag_parser& flags, std::optional<endpoint>& out) {
  std::string value;
  if (!flags.take_value("--http", value))
    return false;
  if (auto at = parse_endpoint("--http", value, true))
    out = std::move(*at);
  else
    flags.fail(std::move(at).error());
  return true;
}

/// Takes a flag `run` and `replay` share into `out`.
bool take_session_flag(flag_parser& flags, session_options& out) {
  return flags.take_switch("--quiet", out.quiet)
         || flags.take_switch(accept_journal_loss_flag, out.accept_journal_loss)
         || flags.take_value("--config", out.config_path)
         || flags.take_value("--journal", out.journal)
         || flags.take_value("--report", out.report_path)
         || flags.take_value("--caf-config", out.caf_config)
         || take_http_flag(flags, out.http) || take_node_flag(flags, out.node);
}

/// A port number flag into `out`.
bool take_port(flag_parser& flags, std::string_view name, uint16_t& out) {
  uint64_t n = 0;
  if (!flags.take_integer(name, 0, 65535, n))
    return false;
  out = static_cast<uint16_t>(n);
  return true;
}

bool take_port(flag_parser& flags, std::string_view name,
               std::optional<uint16_t>& out) {
  uint16_t port = 0;
  if (!take_port(flags, name, port))
    return false;
  out = port;
  return true;
}

/// The broker credential flags of `run`, for `node` and `feed`.
bool take_credential_flag(flag_parser& flags, mqtt_config& cfg) {
  return flags.take_value("--username", cfg.username)
         || flags.take_value("--password-file", cfg.password_file)
         || flags.take_value("--tls-ca", cfg.tls_ca)
         || flags.take_value("--tls-cert", cfg.tls_cert)
         || flags.take_value("--tls-key", cfg.tls_key);
}

int node_command(int argc, char** argv) {
  node_options opts;
  auto node_name = [](const std::string& x) -> std::optional<std::string> {
    if (x.empty() || x.size() > 64
        || x.find_first_of(" /\t\n") != std::string::npos)
      return "1 to 64 characters without spaces or '/'";
    return std::nullopt;
  };
  auto address = [](const std::string& x) -> std::optional<std::string> {
    if (x.empty())
      return "an IP address";
    return std::nullopt;
  };
  auto broker_flag = [](const std::string& x) -> std::optional<std::string> {
    if (!parse_broker_url(x))
      return "mqtt://HOST:PORT";
    return std::nullopt;
  };
  flag_parser flags{argc, argv, 2, "node"};
  while (flags.next()) {
    if (flags.help()) {
      std::cout << node_help;
      return 0;
    }
    flags.take_switch("--insecure", opts.insecure)
      || flags.take_value("--bind", opts.bind, address)
      || take_port(flags, "--port", opts.port)
      || flags.take_value("--name", opts.name, node_name)
      || take_port(flags, "--metrics-port", opts.metrics_port)
      || flags.take_value("--broker", opts.broker, broker_flag)
      || take_credential_flag(flags, opts.mqtt)
      || flags.take_value("--caf-config", opts.caf_config) || flags.unknown();
  }
  if (auto st = flags.result(); !st)
    return fail("node", st.error());
  return run_node(opts, argv[0]);
}

int inspect_command(int argc, char** argv) {
  inspect_options opts;
  flag_parser flags{argc, argv, 2, "inspect"};
  while (flags.next()) {
    if (flags.help()) {
      std::cout << inspect_help;
      return 0;
    }
    auto arg = flags.current();
    if (!arg.empty() && arg[0] != '-' && opts.actor.empty()) {
      opts.actor = std::string{arg};
      continue;
    }
    flags.take_switch("--json", opts.json)
      || flags.take_value("--node", opts.node)
      || flags.take_value("--caf-config", opts.caf_config) || flags.unknown();
  }
  flags.require("--node", !opts.node.empty(),
                "the HOST:PORT the process listens on");
  if (auto st = flags.result(); !st)
    return fail("inspect", st.error());
  return run_inspect(opts, argv[0]);
}

int report_command(int argc, char** argv) {
  report_options opts;
  uint64_t max_orders = opts.max_orders;
  flag_parser flags{argc, argv, 2, "report"};
  while (flags.next()) {
    if (flags.help()) {
      std::cout << report_help;
      return 0;
    }
    auto arg = flags.current();
    if (!arg.empty() && arg[0] != '-' && opts.run_json.empty()) {
      opts.run_json = std::string{arg};
      continue;
    }
    flags.take_value("--html", opts.html)
      || flags.take_value("--journal", opts.journal)
      || flags.take_integer("--max-orders", 1, 1'000'000, max_orders)
      || flags.unknown();
  }
  flags.require("RUN.json", !opts.run_json.empty(),
                "the run report to render (written by --report)");
  flags.require("--html", !opts.html.empty());
  if (auto st = flags.result(); !st)
    return fail("report", st.error());
  opts.max_orders = static_cast<size_t>(max_orders);
  return run_report_command(opts);
}

int control_command(int argc, char** argv) {
  control_options opts;
  flag_parser flags{argc, argv, 2, "control"};
  std::vector<std::string> words;
  while (flags.next()) {
    if (flags.help()) {
      std::cout << control_help;
      return 0;
    }
    auto arg = flags.current();
    if (!arg.empty() && arg[0] != '-') {
      words.emplace_back(arg);
      continue;
    }
    flags.take_switch("--flatten", opts.flatten)
      || flags.take_value("--strategy", opts.strategy)
      || flags.take_value("--node", opts.node)
      || flags.take_value("--caf-config", opts.caf_config) || flags.unknown();
  }
  flags.require("--node", !opts.node.empty(),
                "the HOST:PORT the process listens on");
  if (words.empty())
    flags.refuse("COMMAND", "missing (halt, reduce-only, resume, flatten, "
                            "add-strategy FILE, remove-strategy NAME)");
  else
    opts.command = words[0];
  if (words.size() > 2)
    flags.refuse(words[2], "unexpected argument");
  if (words.size() == 2) {
    if (opts.command == "add-strategy")
      opts.file = words[1];
    else if (opts.command == "remove-strategy" && opts.strategy.empty())
      opts.strategy = words[1];
    else
      flags.refuse(words[1], "unexpected argument");
  }
  if (auto st = flags.result(); !st)
    return fail("control", st.error());
  return run_control(opts, argv[0]);
}

int run_command(int argc, char** argv) {
  run_options opts;
  uint64_t idle_s = 0;
  flag_parser flags{argc, argv, 2, "run"};
  while (flags.next()) {
    if (flags.help()) {
      std::cout << run_help;
      return 0;
    }
    take_session_flag(flags, opts) || flags.take_value("--broker", opts.broker)
      || flags.take_value("--username", opts.username)
      || flags.take_value("--password-file", opts.password_file)
      || flags.take_value("--tls-ca", opts.tls_ca)
      || flags.take_value("--tls-cert", opts.tls_cert)
      || flags.take_value("--tls-key", opts.tls_key)
      || flags.take_switch("--mqtt-retry-refused", opts.retry_refused)
      || flags.take_value("--client-id", opts.client_id)
      || flags.take_value("--demo", opts.demo_quotes)
      || flags.take_integer("--exit-when-idle", 1, 86'400, idle_s)
      || flags.unknown();
  }
  opts.idle_exit_s = static_cast<double>(idle_s);
  flags.require("--config", !opts.config_path.empty());
  if (auto st = flags.result(); !st)
    return fail("run", st.error());
  return run_live(opts, argv[0]);
}

int feed_command(int argc, char** argv) {
  feed_options opts;
  auto topic = [](const std::string& x) -> std::optional<std::string> {
    if (x.empty() || x.find_first_of("#+") != std::string::npos)
      return "a topic name without wildcards";
    return std::nullopt;
  };
  auto format = [](const std::string& x) -> std::optional<std::string> {
    if (x != "canonical" && x != "sid" && x != "symbol-map")
      return "canonical, sid or symbol-map";
    return std::nullopt;
  };
  // Messages per second, or `max`.
  auto per_second = [](const std::string& x) -> std::optional<std::string> {
    uint64_t n = 0;
    const auto* end = x.data() + x.size();
    auto [ptr, ec] = std::from_chars(x.data(), end, n);
    if (x != "max"
        && (ec != std::errc{} || ptr != end || n < 1 || n > 10'000'000))
      return "an integer in [1, 10000000]";
    return std::nullopt;
  };
  std::string rate = "max";
  uint64_t qos = 1;
  flag_parser flags{argc, argv, 2, "feed"};
  while (flags.next()) {
    if (flags.help()) {
      std::cout << feed_help;
      return 0;
    }
    flags.take_switch("--quiet", opts.quiet)
      || flags.take_switch("--topic-per-symbol", opts.topic_per_symbol)
      || flags.take_value("--broker", opts.broker)
      || flags.take_value("--quotes", opts.quotes)
      || flags.take_value("--topic", opts.topic, topic)
      || flags.take_value("--format", opts.format, format)
      || flags.take_value("--rate", rate, per_second)
      || flags.take_integer("--qos", 0, 1, qos)
      || flags.take_integer("--repeat", 1, 1'000'000, opts.repeat)
      || take_credential_flag(flags, opts.mqtt) || flags.unknown();
  }
  opts.rate = rate == "max" ? 0.0 : std::stod(rate);
  opts.qos = static_cast<int>(qos);
  flags.require("--broker", !opts.broker.empty());
  flags.require("--quotes", !opts.quotes.empty());
  if (auto st = flags.result(); !st)
    return fail("feed", st.error());
  return run_feed(opts);
}

int replay_command(int argc, char** argv) {
  replay_options opts;
  uint64_t repeat = 0;
  flag_parser flags{argc, argv, 2, "replay"};
  while (flags.next()) {
    if (flags.help()) {
      std::cout << replay_help;
      return 0;
    }
    if (flags.take_value("--speed", opts.speed)) {
      if (auto speed = parse_speed("--speed", *opts.speed); !speed)
        flags.fail(std::move(speed).error());
      continue;
    }
    if (flags.take_integer("--repeat", 1, 1'000'000, repeat)) {
      opts.repeat = repeat;
      continue;
    }
    take_session_flag(flags, opts) || flags.take_value("--quotes", opts.quotes)
      || flags.unknown();
  }
  flags.require("--config", !opts.config_path.empty());
  if (auto st = flags.result(); !st)
    return fail("replay", st.error());
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
  if (cmd == "report")
    return report_command(argc, argv);
  if (cmd == "control")
    return control_command(argc, argv);
  std::cerr << "intuition: unknown command \"" << cmd
            << "\" (commands: run, replay, feed, node, inspect, control, "
               "report; see "
               "intuition --help)\n";
  return 2;
}
