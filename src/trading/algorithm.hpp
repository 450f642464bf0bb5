#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/result.hpp"
#include "trading/types.hpp"

/// The algorithm interface of the original system, kept: `initialize(params)`
/// returns the data channels the algorithm wants, and one call per quote may
/// return a signal.
namespace intuition::trading {

// -- interface ------------------------------------------------------------------

/// Base class of every algorithm. One instance serves one symbol.
class algorithm {
public:
  /// Destroys the instance.
  virtual ~algorithm();

  /// Validates and applies `params` (a JSON object; unknown keys are an
  /// error) and returns the channels to subscribe to (default `["quotes"]`,
  /// overridable with the `channels` parameter), or an `invalid_value`
  /// failure naming the parameter; the instance is then left as it was.
  virtual result<std::vector<std::string>>
  initialize(const nlohmann::json& params) = 0;

  /// Consumes one quote of this instance's symbol, in time order.
  virtual std::optional<signal_decision> on_quote(const quote& q) = 0;

  /// Indicator values and internal state for inspection, as a JSON object.
  virtual nlohmann::json state() const = 0;

  /// Number of past quotes needed before signals are meaningful (the longest
  /// window); used to re-warm a re-placed instance.
  virtual size_t warmup() const noexcept = 0;

  /// Tells a new instance its strategy's net position in its symbol as
  /// restored from the journal (called once, before any quote, only when it
  /// is not zero). A strategy that keeps a position (`buy_and_hold`) uses
  /// it not to act twice after a restart; the others ignore it.
  virtual void restore_position(quantity net);
};

// -- registry -------------------------------------------------------------------

/// Names of the built-in algorithms, in a stable order.
const std::vector<std::string>& algorithm_names();

/// Creates a built-in algorithm by name, or nullptr if the name is unknown.
/// `symbol` seeds per-symbol randomness (the `random` algorithm).
std::unique_ptr<algorithm> make_algorithm(const std::string& name,
                                          const std::string& symbol);

/// Parses `params_json` and hands it to `algo.initialize`: the channels, or
/// the failure (an invalid request; for text that is no JSON, the parser's
/// message).
result<std::vector<std::string>>
initialize_from_text(algorithm& algo, const std::string& params_json);

// -- parameters -----------------------------------------------------------------

/// Helpers for reading parameters with clear errors: each fails with an
/// `invalid_value` naming the key, the value and what the key accepts.
namespace params {

/// Fails for any key of `obj` not in `allowed`, or if `obj` is neither an
/// object nor null.
status check_keys(const nlohmann::json& obj,
                  const std::vector<std::string>& allowed);

/// Longest indicator window an algorithm accepts; bounds memory per instance.
constexpr int64_t max_window_length = 100'000;

/// Reads a number in [lo, hi] (an infinite bound means none); `def` when
/// absent.
result<double> get_number(const nlohmann::json& obj, const std::string& key,
                          double def, double lo, double hi);

/// Reads an integer in [lo, hi]; `def` when absent.
result<int64_t> get_integer(const nlohmann::json& obj, const std::string& key,
                            int64_t def, int64_t lo, int64_t hi);

/// Reads a number strictly greater than zero; `def` when absent.
result<double> get_positive_number(const nlohmann::json& obj,
                                   const std::string& key, double def);

/// Reads the optional `channels` list of MQTT topic filters
/// (`check_topic_filter`); `["quotes"]` when absent.
result<std::vector<std::string>> get_channels(const nlohmann::json& obj);

} // namespace params

// -- state helpers --------------------------------------------------------------

/// An indicator value for `state()`: the number, or null while not ready.
nlohmann::json json_or_null(const std::optional<double>& x);

/// The last signal's side for `state()`: "buy", "sell", or null if none yet.
nlohmann::json json_or_null(const std::optional<side>& x);

} // namespace intuition::trading
