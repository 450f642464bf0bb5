#include "trading/algorithms/mean_reversion.hpp"

#include "trading/decimal.hpp"

namespace intuition::trading {

mean_reversion::mean_reversion()
    : window_(default_window), k_(default_k), channels_{"quotes"},
      bands_(default_window, default_k) {
  // nop
}

result<std::vector<std::string>>
mean_reversion::initialize(const nlohmann::json& params) {
  // Read everything before touching members, so a bad parameter leaves the
  // instance as it was.
  if (auto ok = params::check_keys(params, {"window", "k", "channels"}); !ok)
    return ok.error();
  auto window = params::get_integer(params, "window", default_window, 2,
                                    params::max_window_length);
  if (!window)
    return window.error();
  auto k = params::get_positive_number(params, "k", default_k);
  if (!k)
    return k.error();
  auto channels = params::get_channels(params);
  if (!channels)
    return channels.error();
  window_ = static_cast<size_t>(*window);
  k_ = *k;
  channels_ = std::move(*channels);
  bands_ = bollinger_bands{window_, k_};
  regime_ = regime::inside;
  quotes_ = 0;
  last_signal_.reset();
  return channels_;
}

std::optional<signal_decision> mean_reversion::on_quote(const quote& q) {
  ++quotes_;
  bands_.push(q.price_micros);
  if (!bands_.ready())
    return std::nullopt;
  auto price = micros_to_double(q.price_micros);
  auto before = regime_;
  if (price < bands_.lower())
    regime_ = regime::below;
  else if (price > bands_.upper())
    regime_ = regime::above;
  else
    regime_ = regime::inside;
  if (regime_ == before || regime_ == regime::inside)
    return std::nullopt;
  last_signal_ = regime_ == regime::below ? side::buy : side::sell;
  return signal_decision{*last_signal_, 1.0};
}

nlohmann::json mean_reversion::state() const {
  std::optional<double> middle;
  std::optional<double> upper;
  std::optional<double> lower;
  std::optional<double> stddev;
  if (bands_.ready()) {
    middle = bands_.middle();
    upper = bands_.upper();
    lower = bands_.lower();
    stddev = bands_.stddev();
  }
  return {
    {"algorithm", name},
    {"quotes_seen", quotes_},
    {"indicators",
     {{"middle", json_or_null(middle)},
      {"upper", json_or_null(upper)},
      {"lower", json_or_null(lower)},
      {"stddev", json_or_null(stddev)},
      {"regime", to_string(regime_)}}},
    {"last_signal", json_or_null(last_signal_)},
    {"params", {{"window", window_}, {"k", k_}, {"channels", channels_}}},
  };
}

size_t mean_reversion::warmup() const noexcept {
  return window_;
}

const char* mean_reversion::to_string(regime x) noexcept {
  switch (x) {
    case regime::below:
      return "below";
    case regime::above:
      return "above";
    default:
      return "inside";
  }
}

} // namespace intuition::trading
