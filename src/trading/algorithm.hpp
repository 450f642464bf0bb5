#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/types.hpp"

/// The algorithm interface of the original system, kept: `initialize(params)`
/// returns the data channels the algorithm wants, and one call per quote may
/// return a signal.
namespace intuition::trading {

// -- errors ---------------------------------------------------------------------

/// Raised by `initialize` and configuration code for a bad parameter; names
/// the field, the value and what was expected.
class config_error : public std::runtime_error {
public:
  /// Builds the error; `what()` reads "FIELD: got VALUE, expected EXPECTED".
  config_error(std::string field, std::string value, std::string expected);

  /// Name of the offending field, dotted for nested objects.
  const std::string& field() const noexcept {
    return field_;
  }

  /// The offending value as text (usually its JSON rendering).
  const std::string& value() const noexcept {
    return value_;
  }

  /// What the field accepts, e.g. "an integer in [1, 100000]".
  const std::string& expected() const noexcept {
    return expected_;
  }

  /// Prefixes the field with `prefix.` (for nested configuration objects).
  config_error nested(const std::string& prefix) const;

private:
  std::string field_;
  std::string value_;
  std::string expected_;
};

// -- interface ------------------------------------------------------------------

/// Base class of every algorithm. One instance serves one symbol.
class algorithm {
public:
  /// Destroys the instance.
  virtual ~algorithm();

  /// Validates and applies `params` (a JSON object; unknown keys are an
  /// error) and returns the channels to subscribe to (default `["quotes"]`,
  /// overridable with the `channels` parameter). Throws `config_error`.
  virtual std::vector<std::string> initialize(const nlohmann::json& params) = 0;

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

// -- parameters -----------------------------------------------------------------

/// Helpers for reading parameters with clear errors.
namespace params {

/// Throws `config_error` for any key of `obj` not in `allowed`, or if `obj`
/// is neither an object nor null.
void check_keys(const nlohmann::json& obj,
                const std::vector<std::string>& allowed);

/// Longest indicator window an algorithm accepts; bounds memory per instance.
constexpr int64_t max_window_length = 100'000;

/// Reads a number in [lo, hi] (an infinite bound means none); `def` when
/// absent.
double get_number(const nlohmann::json& obj, const std::string& key, double def,
                  double lo, double hi);

/// Reads an integer in [lo, hi]; `def` when absent.
int64_t get_integer(const nlohmann::json& obj, const std::string& key,
                    int64_t def, int64_t lo, int64_t hi);

/// Reads a number strictly greater than zero; `def` when absent.
double get_positive_number(const nlohmann::json& obj, const std::string& key,
                           double def);

/// Reads the optional `channels` list of MQTT topic filters
/// (`check_topic_filter`); `["quotes"]` when absent.
std::vector<std::string> get_channels(const nlohmann::json& obj);

} // namespace params

// -- state helpers --------------------------------------------------------------

/// An indicator value for `state()`: the number, or null while not ready.
nlohmann::json json_or_null(const std::optional<double>& x);

/// The last signal's side for `state()`: "buy", "sell", or null if none yet.
nlohmann::json json_or_null(const std::optional<side>& x);

} // namespace intuition::trading
