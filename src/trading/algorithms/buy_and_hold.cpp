#include "trading/algorithms/buy_and_hold.hpp"

namespace intuition::trading {

buy_and_hold::buy_and_hold() : channels_{"quotes"} {
  // nop
}

result<std::vector<std::string>>
buy_and_hold::initialize(const nlohmann::json& params) {
  if (auto ok = params::check_keys(params, {"channels"}); !ok)
    return ok.error();
  auto channels = params::get_channels(params);
  if (!channels)
    return channels.error();
  channels_ = std::move(*channels);
  quotes_ = 0;
  last_signal_.reset();
  holding_ = false;
  return channels_;
}

std::optional<signal_decision> buy_and_hold::on_quote(const quote&) {
  if (quotes_++ > 0 || holding_)
    return std::nullopt;
  last_signal_ = side::buy;
  return signal_decision{side::buy, 1.0};
}

nlohmann::json buy_and_hold::state() const {
  return {
    {"algorithm", name},
    {"quotes_seen", quotes_},
    {"indicators",
     {{"bought", last_signal_.has_value()}, {"holding_restored", holding_}}},
    {"last_signal", json_or_null(last_signal_)},
    {"params", {{"channels", channels_}}},
  };
}

size_t buy_and_hold::warmup() const noexcept {
  return 0;
}

void buy_and_hold::restore_position(quantity net) {
  holding_ = net > 0;
}

} // namespace intuition::trading
