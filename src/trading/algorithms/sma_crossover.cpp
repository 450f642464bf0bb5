#include "trading/algorithms/sma_crossover.hpp"

namespace intuition::trading {

sma_crossover::sma_crossover()
    : fast_n_(default_fast), slow_n_(default_slow), channels_{"quotes"},
      fast_(default_fast), slow_(default_slow) {
  // nop
}

result<std::vector<std::string>>
sma_crossover::initialize(const nlohmann::json& params) {
  // Read everything before touching members, so a bad parameter leaves the
  // instance as it was.
  if (auto ok = params::check_keys(params, {"fast", "slow", "channels"}); !ok)
    return ok.error();
  auto fast = params::get_integer(params, "fast", default_fast, 1,
                                  params::max_window_length);
  if (!fast)
    return fast.error();
  auto slow = params::get_integer(params, "slow", default_slow, 2,
                                  params::max_window_length);
  if (!slow)
    return slow.error();
  if (*fast >= *slow)
    return invalid_value("fast", std::to_string(*fast),
                         "an integer less than slow (" + std::to_string(*slow)
                           + ")");
  auto channels = params::get_channels(params);
  if (!channels)
    return channels.error();
  fast_n_ = static_cast<size_t>(*fast);
  slow_n_ = static_cast<size_t>(*slow);
  channels_ = std::move(*channels);
  fast_ = sma{fast_n_};
  slow_ = sma{slow_n_};
  quotes_ = 0;
  prev_sign_.reset();
  last_signal_.reset();
  return channels_;
}

std::optional<int> sma_crossover::diff_sign() const {
  if (!fast_.value() || !slow_.value())
    return std::nullopt;
  // fast_sum / fast_n vs. slow_sum / slow_n, cross-multiplied to stay exact.
  auto lhs = fast_.window().sum() * static_cast<int128_t>(slow_n_);
  auto rhs = slow_.window().sum() * static_cast<int128_t>(fast_n_);
  return lhs > rhs ? 1 : (lhs < rhs ? -1 : 0);
}

std::optional<signal_decision> sma_crossover::on_quote(const quote& q) {
  ++quotes_;
  fast_.push(q.price_micros);
  slow_.push(q.price_micros);
  auto sign = diff_sign();
  if (!sign)
    return std::nullopt;
  auto prev = prev_sign_;
  prev_sign_ = sign;
  if (!prev)
    return std::nullopt;
  if (*prev <= 0 && *sign > 0)
    last_signal_ = side::buy;
  else if (*prev >= 0 && *sign < 0)
    last_signal_ = side::sell;
  else
    return std::nullopt;
  return signal_decision{*last_signal_, 1.0};
}

nlohmann::json sma_crossover::state() const {
  auto fast = fast_.value();
  auto slow = slow_.value();
  std::optional<double> diff;
  if (fast && slow)
    diff = *fast - *slow;
  return {
    {"algorithm", name},
    {"quotes_seen", quotes_},
    {"indicators",
     {{"fast_sma", json_or_null(fast)},
      {"slow_sma", json_or_null(slow)},
      {"diff", json_or_null(diff)}}},
    {"last_signal", json_or_null(last_signal_)},
    {"params", {{"fast", fast_n_}, {"slow", slow_n_}, {"channels", channels_}}},
  };
}

size_t sma_crossover::warmup() const noexcept {
  return slow_n_;
}

} // namespace intuition::trading
