#include "trading/algorithms/momentum.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace intuition::trading {

momentum::momentum()
    : lookback_(default_lookback),
      threshold_(default_threshold), channels_{"quotes"},
      roc_(default_lookback) {
  // nop
}

result<std::vector<std::string>>
momentum::initialize(const nlohmann::json& params) {
  // Read everything before touching members, so a bad parameter leaves the
  // instance as it was.
  if (auto ok
      = params::check_keys(params, {"lookback", "threshold", "channels"});
      !ok)
    return ok.error();
  auto lookback = params::get_integer(params, "lookback", default_lookback, 1,
                                      params::max_window_length);
  if (!lookback)
    return lookback.error();
  auto threshold
    = params::get_number(params, "threshold", default_threshold, 0.0,
                         std::numeric_limits<double>::infinity());
  if (!threshold)
    return threshold.error();
  auto channels = params::get_channels(params);
  if (!channels)
    return channels.error();
  lookback_ = static_cast<size_t>(*lookback);
  threshold_ = *threshold;
  channels_ = std::move(*channels);
  roc_ = rate_of_change{lookback_};
  regime_ = regime::flat;
  quotes_ = 0;
  last_signal_.reset();
  return channels_;
}

std::optional<signal_decision> momentum::on_quote(const quote& q) {
  ++quotes_;
  roc_.push(q.price_micros);
  auto roc = roc_.value();
  if (!roc)
    return std::nullopt;
  auto before = regime_;
  if (*roc > threshold_)
    regime_ = regime::up;
  else if (*roc < -threshold_)
    regime_ = regime::down;
  else
    regime_ = regime::flat;
  if (regime_ == before || regime_ == regime::flat)
    return std::nullopt;
  last_signal_ = regime_ == regime::up ? side::buy : side::sell;
  return signal_decision{*last_signal_, std::min(1.0, std::fabs(*roc))};
}

nlohmann::json momentum::state() const {
  return {
    {"algorithm", name},
    {"quotes_seen", quotes_},
    {"indicators",
     {{"roc", json_or_null(roc_.value())}, {"regime", to_string(regime_)}}},
    {"last_signal", json_or_null(last_signal_)},
    {"params",
     {{"lookback", lookback_},
      {"threshold", threshold_},
      {"channels", channels_}}},
  };
}

size_t momentum::warmup() const noexcept {
  return lookback_ + 1;
}

const char* momentum::to_string(regime x) noexcept {
  switch (x) {
    case regime::up:
      return "up";
    case regime::down:
      return "down";
    default:
      return "flat";
  }
}

} // namespace intuition::trading
