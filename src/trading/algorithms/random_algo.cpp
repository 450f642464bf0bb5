#include "trading/algorithms/random_algo.hpp"

#include <limits>
#include <utility>

namespace intuition::trading {

random_algo::random_algo(std::string symbol)
    : symbol_(std::move(symbol)), channels_{"quotes"} {
  reseed();
}

result<std::vector<std::string>>
random_algo::initialize(const nlohmann::json& params) {
  // Read everything before touching members, so a bad parameter leaves the
  // instance as it was.
  if (auto ok = params::check_keys(params, {"threshold", "seed", "channels"});
      !ok)
    return ok.error();
  auto threshold
    = params::get_number(params, "threshold", default_threshold, 0.0, 1.0);
  if (!threshold)
    return threshold.error();
  auto seed = params::get_integer(params, "seed", default_seed,
                                  std::numeric_limits<int64_t>::min(),
                                  std::numeric_limits<int64_t>::max());
  if (!seed)
    return seed.error();
  auto channels = params::get_channels(params);
  if (!channels)
    return channels.error();
  threshold_ = *threshold;
  seed_ = *seed;
  channels_ = std::move(*channels);
  quotes_ = 0;
  last_draw_.reset();
  last_signal_.reset();
  reseed();
  return channels_;
}

std::optional<signal_decision> random_algo::on_quote(const quote&) {
  ++quotes_;
  // 53 random bits scaled into [0, 1): every value is an exact double.
  auto draw = static_cast<double>(next() >> 11) * 0x1.0p-53;
  last_draw_ = draw;
  if (draw <= threshold_)
    return std::nullopt;
  last_signal_ = side::buy;
  return signal_decision{side::buy, draw};
}

nlohmann::json random_algo::state() const {
  return {
    {"algorithm", name},
    {"symbol", symbol_},
    {"quotes_seen", quotes_},
    {"indicators", {{"last_draw", json_or_null(last_draw_)}}},
    {"last_signal", json_or_null(last_signal_)},
    {"params",
     {{"threshold", threshold_}, {"seed", seed_}, {"channels", channels_}}},
  };
}

size_t random_algo::warmup() const noexcept {
  return 0;
}

uint64_t random_algo::fnv1a64(std::string_view str) noexcept {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : str) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

uint64_t random_algo::next() noexcept {
  state_ += 0x9e3779b97f4a7c15ULL;
  auto z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void random_algo::reseed() noexcept {
  state_ = static_cast<uint64_t>(seed_) ^ fnv1a64(symbol_);
}

} // namespace intuition::trading
