#include "trading/external_strategy.hpp"

#include "trading/algorithm.hpp"
#include "trading/channels.hpp"

namespace intuition::trading {

result<external_params> parse_external_params(const nlohmann::json& params) {
  if (auto ok = params::check_keys(
        params, {"signal_topic", "forward_quotes", "channels"});
      !ok)
    return std::move(ok).error();
  external_params out;
  auto channels = params::get_channels(params);
  if (!channels)
    return std::move(channels).error();
  out.channels = std::move(*channels);
  if (!params.is_object())
    return out;
  if (auto i = params.find("forward_quotes"); i != params.end()) {
    if (!i->is_boolean())
      return invalid_value("forward_quotes", i->dump(), "true or false");
    out.forward_quotes = i->get<bool>();
  }
  if (auto i = params.find("signal_topic"); i != params.end()) {
    const char* expected
      = "an MQTT topic name (not empty, no '+' or '#', not starting with $)";
    if (!i->is_string())
      return invalid_value("signal_topic", i->dump(), expected);
    const auto& topic = i->get_ref<const std::string&>();
    if (topic.empty() || topic.find_first_of("+#") != std::string::npos
        || topic.front() == '$' || !check_topic_filter(topic))
      return invalid_value("signal_topic", i->dump(), expected);
    out.signal_topic = topic;
  }
  return out;
}

std::string signal_topic_of(const external_params& x, std::string_view prefix,
                            std::string_view strategy) {
  if (!x.signal_topic.empty())
    return x.signal_topic;
  return std::string{prefix} + "signals/in/" + std::string{strategy};
}

std::string forward_topic_of(std::string_view prefix,
                             std::string_view strategy) {
  return std::string{prefix} + "quotes/out/" + std::string{strategy};
}

} // namespace intuition::trading
