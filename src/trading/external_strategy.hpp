#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "trading/result.hpp"

/// Strategies of kind `external`: the decisions come from another process
/// over MQTT (signals in on `signals/in/<strategy>`, quotes out on
/// `quotes/out/<strategy>`), the runtime sizes, checks, journals and
/// publishes them like any built-in's.
namespace intuition::trading {

/// The `algorithm` of a strategy whose signals come from outside.
constexpr std::string_view external_algorithm = "external";

/// The channel id of a *carrier*: the quote an external signal travels
/// with to the portfolio, a copy of its symbol's last quote (price and ts)
/// at the signal's input position. The router numbers it like a quote but
/// routes it to no algorithm, and the portfolio does not count it.
constexpr uint32_t signal_carrier_channel
  = std::numeric_limits<uint32_t>::max();

/// The parameters of an external strategy.
struct external_params {
  /// Topic its signals arrive on; empty: `signals/in/<strategy>` after
  /// `mqtt.topic_prefix`.
  std::string signal_topic;
  /// Whether the runtime republishes the quotes of `channels` to
  /// `quotes/out/<strategy>` (after the prefix). Default: true.
  bool forward_quotes = true;
  /// The quote channels it takes (default `["quotes"]`): forwarded, and
  /// what the runtime subscribes to for it.
  std::vector<std::string> channels;
};

/// Reads `params` (`signal_topic`, `forward_quotes`, `channels`; any other
/// key is an error) like an algorithm's `initialize`: an `invalid_value`
/// naming the parameter on failure.
result<external_params> parse_external_params(const nlohmann::json& params);

/// `PREFIX signals/in/STRATEGY`, or `signal_topic` when it was given.
std::string signal_topic_of(const external_params& x, std::string_view prefix,
                            std::string_view strategy);

/// `PREFIX quotes/out/STRATEGY`.
std::string forward_topic_of(std::string_view prefix,
                             std::string_view strategy);

} // namespace intuition::trading
