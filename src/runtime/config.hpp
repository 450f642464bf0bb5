#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/external_strategy.hpp"
#include "trading/journal.hpp"
#include "trading/open_orders.hpp"
#include "trading/portfolio.hpp"
#include "trading/quote_codec.hpp"
#include "trading/quote_filter.hpp"
#include "trading/report.hpp"
#include "trading/result.hpp"

/// Deployment configuration (`configs/*.json`, comments allowed), validated
/// completely before anything starts.
namespace intuition::runtime {

/// One strategy: an algorithm with its parameters over a set of symbols.
struct strategy_config {
  /// Unique name; appears in orders, reports and topics.
  std::string name;
  /// A built-in algorithm (`trading::algorithm_names()`).
  std::string algorithm;
  /// Upper-case symbols; empty means every symbol (`"*"`).
  std::vector<std::string> symbols;
  /// The algorithm's parameters, validated by its `initialize`.
  nlohmann::json params = nlohmann::json::object();
  /// Channels the algorithm asked for.
  std::vector<std::string> channels;
  /// Set for `"algorithm": "external"` (external algorithms): where its
  /// signals arrive and whether its quotes are forwarded. Default: none.
  std::optional<trading::external_params> external;
  /// Added while trading (`intuition control add-strategy`, read back from
  /// the control journal): it takes the quotes of the strategies with its
  /// channels.
  bool added_while_trading = false;
  /// How its signals become orders (`order`); market by default.
  trading::order_spec order;
};

/// The order journal.
struct journal_config {
  /// Empty disables the journal (orders are then only counted).
  std::string path;
  trading::fsync_policy fsync = trading::fsync_policy::always;
  int64_t interval_ms = 10;
  /// Keep the symbols' recent history beside the journal (`PATH.warmup`)
  /// and warm restarted strategies from it.
  bool warmup = true;
};

/// How `replay` feeds history.
struct replay_config {
  /// CSV file `ts,symbol,price`.
  std::string quotes;
  /// 0 means as fast as possible; otherwise a multiple of real time.
  double speed = 0.0;
  uint64_t repeat = 1;
  /// Quotes per router message; 0 sizes batches by the symbol count
  /// (`replay_batch_size`).
  size_t batch_size = 0;
};

/// The MQTT connection of `intuition run`.
struct mqtt_config {
  /// `embedded` (start a private mosquitto on a free 127.0.0.1 port) or a
  /// broker URL such as `mqtt://127.0.0.1:1883`.
  std::string broker = "embedded";
  /// Stable base of the client ids (`ID-in` subscribes, `ID-out` publishes
  /// orders, `ID-sig` signals): the broker keeps the subscriber's session
  /// under it across reconnects.
  std::string client_id = "intuition";
  /// QoS of the quote subscriptions (0 or 1).
  int qos = 1;
  std::string username;
  /// File whose first line is the password; needs `username`.
  std::string password_file;
  /// CA certificates (PEM) for TLS to the broker.
  std::string tls_ca;
  /// Client certificate (PEM) for a broker that requires one; needs
  /// `tls_key` and `tls_ca`. Default: none.
  std::string tls_cert;
  /// Private key (PEM, not encrypted) of `tls_cert`. Default: none.
  std::string tls_key;
  /// Keep retrying a connection refused for a reason retrying does not
  /// change (credentials, authorisation, certificates) instead of stopping.
  /// Default: false.
  bool retry_refused = false;
  /// Prepended to `orders/...` and `signals/...`.
  std::string topic_prefix;
  bool publish_signals = true;
  int keepalive_s = 10;
  int reconnect_max_s = 30;
  /// Orders the publisher holds in memory waiting for the broker's
  /// acknowledgement; later ones wait in the journal. Default: 10000.
  int64_t max_queued_orders = 10000;
};

/// The MQTT edge of `intuition run`: the input log, its bounds and the
/// duplicate filter.
struct ingress_config {
  /// What happens while the runtime is behind: `queue` (lossless, the
  /// backlog waits in the input log) or `conflate` (only the newest waiting
  /// quote per symbol is traded; the others are counted). Default: queue.
  trading::overload_policy overload = trading::overload_policy::queue;
  /// Canonical quotes older than the last one seen for their symbol:
  /// `drop` (counted as stale) or `trade`. Default: trade, which loses
  /// nothing a broker delivers out of order (repeats are still dropped).
  trading::stale_policy stale = trading::stale_policy::trade;
  /// Quotes held in memory between the input log and the journal; the rest
  /// waits on disk. Default: 8192.
  int64_t window_quotes = 8192;
  /// Payload bytes held in memory likewise. Default: 4 MiB.
  int64_t window_bytes = 4 << 20;
  /// Size at which the input log starts a new segment. Default: 64 MiB.
  int64_t segment_bytes = 64 << 20;
  /// The input log's folder; empty means `<journal.path>.input`.
  std::string log_dir;
  /// When the input log reaches the disk: `always` (in the MQTT callback,
  /// once per message), `interval` or `never`. Default: interval.
  trading::fsync_policy fsync = trading::fsync_policy::interval;
  /// Period of `interval` syncs. Default: 10.
  int64_t fsync_interval_ms = 10;
  /// After a read of 16 QoS 0 messages or more (of the live ingress, also
  /// 33 QoS 1 messages, see `mqtt_options::read_pause_qos1`), the next read
  /// waits this many microseconds, so that reads grow under load; 0 never
  /// waits. Default: 1000.
  int64_t read_pause_us = 1000;
};

/// Caps of the quote router: a client inventing symbols must not grow the
/// process without bound.
struct router_config {
  /// Distinct symbols at most; quotes of new symbols past it are refused as
  /// `too_many_symbols`.
  uint64_t max_symbols = 1'000'000;
  /// Algorithm instances (one per strategy and symbol) at most; a new
  /// symbol whose instances would pass it is refused the same way.
  uint64_t max_instances = 4'000'000;
};

/// A TCP address `HOST:PORT`.
struct endpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 0;

  /// `HOST:PORT` (IPv6 hosts in brackets).
  std::string to_string() const;

  /// Whether `host` is a loopback address (or `localhost`).
  bool loopback() const;
};

/// Parses `[HOST:]PORT` (a bare port means 127.0.0.1; IPv6 as
/// `[::1]:PORT`); port 0 only with `allow_zero`. Fails with an
/// `invalid_value` naming `field`.
trading::result<endpoint> parse_endpoint(const std::string& field,
                                         const std::string& text,
                                         bool allow_zero = false);

/// Where a process publishes its node agent for `inspect` and the cluster.
struct listen_config {
  /// Whether the configuration (or the command line) said anything; if
  /// not, the command decides (`run` listens on 127.0.0.1:4242, `replay`
  /// does not).
  bool specified = false;
  bool enabled = false;
  endpoint at{"127.0.0.1", 4242};
  /// `--insecure`: listen beyond loopback without TLS anyway (warned
  /// about). Otherwise that is refused: BASP authenticates no one and
  /// trusts a frame's length before any handshake.
  bool insecure = false;
  /// Whether a taken port may be swapped for a free one (printed): only
  /// for the default address, which another process on the machine may
  /// already hold; an address the operator chose is kept or refused.
  bool any_port_if_taken = false;
};

/// Parses `--listen`/`listen`: `off`, or `[HOST:]PORT`. Fails with an
/// `invalid_value` naming `field`.
trading::result<listen_config> parse_listen(const std::string& field,
                                            const std::string& text);

/// The Prometheus endpoint (`/metrics`).
struct metrics_config {
  bool enabled = false;
  std::string bind = "127.0.0.1";
  /// 0 picks a free port (printed at start).
  uint16_t port = 0;
};

/// Worker nodes that host algorithm actors.
struct cluster_config {
  /// Nodes to connect to (`intuition node` processes).
  std::vector<endpoint> nodes;
  /// Whether the coordinator also hosts algorithm actors itself.
  bool local = true;
  /// Where quotes enter: `coordinator` (its router takes the configured
  /// topics, `quotes` by default; the only mode of replay) or `node` (the
  /// owner of each shard subscribes to its symbols' topics `quotes/SYMBOL`
  /// itself). Default: coordinator.
  std::string ingress = "coordinator";
  /// Names the cluster's shard sessions (`NAME-shard-N` client ids).
  /// Default: intuition.
  std::string name = "intuition";
  /// The symbols node-local ingress trades (a list, or a file with one
  /// symbol a line); required with `ingress` `node`.
  std::vector<std::string> universe;
  /// Shards the universe is spread over. Default: 64.
  uint32_t shards = 64;
  /// Shards moving to a member that joined at the same time. Default: 4.
  uint32_t max_moves = 4;
  /// How often a node sends the coordinator the quotes that raised no
  /// signal (acknowledged already), for the portfolio's marks and the
  /// warm-up history: what a node's crash can keep from them. Default: 200.
  uint32_t mark_interval_ms = 200;
  /// Which of those quotes a node sends: `every` one (the portfolio marks
  /// and the warm-up history see each quote once) or the `latest` of each
  /// symbol per batch (the others are counted, not sent: the coordinator
  /// works per signal and per symbol, not per quote). Default: every.
  std::string marks = "every";

  /// Whether nodes take quotes from the broker themselves.
  bool node_ingress() const noexcept {
    return ingress == "node";
  }
};

/// Fails with an `invalid_value` when the coordinator may not host
/// algorithm actors and no node is named (checked after `--join`).
trading::status check_cluster(const cluster_config& cfg);

/// The command-line settings `run` and `replay` share: where to listen,
/// where to serve metrics, which nodes to join.
struct node_flags {
  /// Overrides `listen`.
  std::optional<listen_config> listen;
  /// Overrides `metrics.port` (and enables metrics).
  std::optional<uint16_t> metrics_port;
  /// Worker nodes to join, in addition to `cluster.nodes`.
  std::vector<std::string> join;
  /// `--insecure`: allow listening beyond loopback without TLS.
  bool insecure = false;
};

/// The flags `run` and `replay` share; each overrides the configuration.
struct session_options {
  std::string config_path;
  std::optional<std::string> journal;
  std::optional<std::string> report_path;
  std::string caf_config;
  /// --listen, --metrics-port, --join.
  node_flags node;
  /// --http: where the dashboard is served; none: not served.
  std::optional<endpoint> http;
  bool quiet = false;
  /// Start on a journal shorter than what was acknowledged or published.
  bool accept_journal_loss = false;
};

struct app_config;

/// Fails with an `invalid_value`, naming the flags and fields, for MQTT
/// credentials that cannot work together: a password file without a user
/// name, a client certificate without its key or the other way round, or a
/// client certificate without a CA file. Checked once flags are applied.
trading::status check_mqtt_credentials(const mqtt_config& cfg);

/// Applies `flags` over `cfg` and checks the cluster (`check_cluster`).
/// Fails with an `invalid_value` naming the flag or field.
trading::status apply_node_flags(const node_flags& flags, app_config& cfg);

/// Everything a deployment says.
struct app_config {
  std::string source_path;
  std::vector<strategy_config> strategies;
  trading::portfolio_config portfolio;
  journal_config journal;
  replay_config replay;
  trading::report_config report;
  trading::codec_limits codec;
  router_config router;
  mqtt_config mqtt;
  ingress_config ingress;
  listen_config listen;
  metrics_config metrics;
  cluster_config cluster;
};

/// Parses a replay speed: `max`, `realtime` (1) or `Nx` (N > 0). Fails with
/// an `invalid_value` naming `field`.
trading::result<double> parse_speed(const std::string& field,
                                    const std::string& text);

/// Loads and validates a configuration file. Relative paths inside are
/// resolved against the file's folder. Every failure is an invalid request:
/// an `invalid_value` naming the first bad field (dotted path), "cannot read
/// PATH" for a file that cannot be opened, or "not valid JSON: ..." for one
/// that does not parse.
trading::result<app_config> load_config(const std::string& path);

/// Validates one strategy given as JSON text (a file of `intuition control
/// add-strategy`) as `load_config` validates an entry of `strategies`, with
/// the same messages (fields named without the `strategies[N].` prefix).
trading::result<strategy_config> parse_strategy(const std::string& text);

/// Reads and validates a strategy file (`parse_strategy`); failures name
/// the file.
trading::result<strategy_config> load_strategy(const std::string& path);

/// Validates a configuration given as JSON text (for tests), as
/// `load_config`; `base_dir` resolves relative paths.
trading::result<app_config> parse_config(const std::string& text,
                                         const std::string& base_dir);

} // namespace intuition::runtime
