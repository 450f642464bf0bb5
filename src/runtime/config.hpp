#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/journal.hpp"
#include "trading/portfolio.hpp"
#include "trading/quote_codec.hpp"
#include "trading/report.hpp"

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
};

/// The order journal.
struct journal_config {
  /// Empty disables the journal (orders are then only counted).
  std::string path;
  trading::fsync_policy fsync = trading::fsync_policy::always;
  int64_t interval_ms = 10;
};

/// How `replay` feeds history.
struct replay_config {
  /// CSV file `ts,symbol,price`.
  std::string quotes;
  /// 0 means as fast as possible; otherwise a multiple of real time.
  double speed = 0.0;
  uint64_t repeat = 1;
  /// Quotes per router message.
  size_t batch_size = 1024;
};

/// The MQTT connection of `intuition run`.
struct mqtt_config {
  /// `embedded` (start a private mosquitto on a free 127.0.0.1 port) or a
  /// broker URL such as `mqtt://127.0.0.1:1883`.
  std::string broker = "embedded";
  /// Stable base of the client ids (`ID-in`, `ID-out`): the broker keeps the
  /// subscriber's session under it across reconnects.
  std::string client_id = "intuition";
  /// QoS of the quote subscriptions (0 or 1).
  int qos = 1;
  std::string username;
  /// File whose first line is the password.
  std::string password_file;
  /// CA certificates (PEM) for TLS to the broker.
  std::string tls_ca;
  /// Prepended to `orders/...` and `signals/...`.
  std::string topic_prefix;
  bool publish_signals = true;
  int keepalive_s = 10;
  int reconnect_max_s = 30;
};

/// Everything a deployment says.
struct app_config {
  std::string source_path;
  std::vector<strategy_config> strategies;
  trading::portfolio_config portfolio;
  journal_config journal;
  replay_config replay;
  trading::report_config report;
  trading::codec_limits codec;
  mqtt_config mqtt;
};

/// Parses a replay speed: `max`, `realtime` (1) or `Nx` (N > 0). Throws
/// `trading::config_error` naming `field`.
double parse_speed(const std::string& field, const std::string& text);

/// Loads and validates a configuration file. Relative paths inside are
/// resolved against the file's folder. Throws `trading::config_error` naming
/// the field (dotted path), or `std::runtime_error` for unreadable or
/// malformed files.
app_config load_config(const std::string& path);

/// Validates a configuration given as JSON text (for tests); `base_dir`
/// resolves relative paths.
app_config parse_config(const std::string& text, const std::string& base_dir);

} // namespace intuition::runtime
