#include "trading/algorithms/hurst.hpp"

#include <algorithm>
#include <cmath>

#include "trading/decimal.hpp"

namespace intuition::trading {

// -- estimate -------------------------------------------------------------------

namespace {

/// Smallest chunk: below eight values R/S is dominated by its small-sample
/// bias.
constexpr size_t min_chunk = 8;

/// R/S of one chunk, or nothing when its values do not vary.
std::optional<double> rescaled_range(const double* xs, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i)
    sum += xs[i];
  auto mean = sum / static_cast<double>(n);
  double acc = 0;
  double lo = 0;
  double hi = 0;
  double squares = 0;
  for (size_t i = 0; i < n; ++i) {
    auto dev = xs[i] - mean;
    acc += dev;
    lo = std::min(lo, acc);
    hi = std::max(hi, acc);
    squares += dev * dev;
  }
  auto stddev = std::sqrt(squares / static_cast<double>(n));
  // The mean of a constant chunk can be an ulp off its values, which would
  // read as a perfect trend: a spread that small relative to the values is
  // no spread at all.
  if (!(stddev > 1e-12 * std::fabs(mean)))
    return std::nullopt;
  return (hi - lo) / stddev;
}

} // namespace

std::optional<double> hurst_exponent(const double* xs, size_t n) {
  double sx = 0;
  double sy = 0;
  double sxx = 0;
  double sxy = 0;
  size_t points = 0;
  for (size_t size = min_chunk; size <= n; size *= 2) {
    auto chunks = n / size;
    // Align the chunks to the newest value; the oldest remainder is dropped.
    auto first = xs + (n - chunks * size);
    double total = 0;
    size_t counted = 0;
    for (size_t c = 0; c < chunks; ++c) {
      if (auto rs = rescaled_range(first + c * size, size)) {
        total += *rs;
        ++counted;
      }
    }
    if (counted == 0 || !(total > 0))
      continue;
    auto x = std::log(static_cast<double>(size));
    auto y = std::log(total / static_cast<double>(counted));
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    ++points;
  }
  if (points < 2)
    return std::nullopt;
  auto m = static_cast<double>(points);
  auto denom = m * sxx - sx * sx;
  return (m * sxy - sx * sy) / denom;
}

// -- algorithm ------------------------------------------------------------------

namespace {

/// Reads a number strictly inside (0, 1); `def` when absent.
result<double> get_unit_open(const nlohmann::json& obj, const std::string& key,
                             double def) {
  if (!obj.is_object())
    return def;
  auto i = obj.find(key);
  if (i == obj.end())
    return def;
  if (i->is_number()) {
    auto x = i->get<double>();
    if (std::isfinite(x) && x > 0 && x < 1)
      return x;
  }
  return invalid_value(key, i->dump(), "a number in (0, 1)");
}

} // namespace

hurst::hurst()
    : window_(default_window), trend_above_(default_trend_above),
      revert_below_(default_revert_below), channels_{"quotes"},
      prices_(default_window + 1), returns_(default_window) {
  // nop
}

result<std::vector<std::string>>
hurst::initialize(const nlohmann::json& params) {
  // Read everything before touching members, so a bad parameter leaves the
  // instance as it was.
  if (auto ok = params::check_keys(
        params, {"window", "trend_above", "revert_below", "channels"});
      !ok)
    return ok.error();
  auto window = params::get_integer(params, "window", default_window,
                                    min_window, params::max_window_length);
  if (!window)
    return window.error();
  auto trend_above = get_unit_open(params, "trend_above", default_trend_above);
  if (!trend_above)
    return trend_above.error();
  auto revert_below
    = get_unit_open(params, "revert_below", default_revert_below);
  if (!revert_below)
    return revert_below.error();
  if (!(*trend_above > *revert_below))
    return invalid_value("trend_above", nlohmann::json(*trend_above).dump(),
                         "a number greater than revert_below ("
                           + nlohmann::json(*revert_below).dump() + ")");
  auto channels = params::get_channels(params);
  if (!channels)
    return channels.error();
  window_ = static_cast<size_t>(*window);
  trend_above_ = *trend_above;
  revert_below_ = *revert_below;
  channels_ = std::move(*channels);
  prices_ = price_window{window_ + 1};
  returns_.assign(window_, 0.0);
  next_ = 0;
  returns_seen_ = 0;
  scratch_.clear();
  exponent_.reset();
  regime_ = regime::neutral;
  quotes_ = 0;
  last_signal_.reset();
  return channels_;
}

std::optional<signal_decision> hurst::on_quote(const quote& q) {
  ++quotes_;
  if (prices_.size() > 0) {
    auto prev = prices_.back(0);
    // The codec only lets positive prices through; a zero return keeps a
    // stray non-positive one from poisoning the window with NaN.
    auto r = prev > 0 && q.price_micros > 0 ? std::log(
               static_cast<double>(q.price_micros) / static_cast<double>(prev))
                                            : 0.0;
    returns_[next_] = r;
    next_ = (next_ + 1) % window_;
    ++returns_seen_;
  }
  prices_.push(q.price_micros);
  if (returns_seen_ < window_)
    return std::nullopt;
  scratch_.assign(returns_.begin() + static_cast<ptrdiff_t>(next_),
                  returns_.end());
  scratch_.insert(scratch_.end(), returns_.begin(),
                  returns_.begin() + static_cast<ptrdiff_t>(next_));
  exponent_ = hurst_exponent(scratch_.data(), scratch_.size());
  auto before = regime_;
  auto above_mean = micros_to_double(q.price_micros) > mean();
  if (exponent_ && *exponent_ > trend_above_ && above_mean)
    regime_ = regime::trend;
  else if (exponent_ && *exponent_ < revert_below_ && above_mean)
    regime_ = regime::revert;
  else
    regime_ = regime::neutral;
  if (regime_ == before || regime_ == regime::neutral)
    return std::nullopt;
  last_signal_ = regime_ == regime::trend ? side::buy : side::sell;
  return signal_decision{*last_signal_, 1.0};
}

nlohmann::json hurst::state() const {
  std::optional<double> mean_units;
  if (returns_seen_ >= window_)
    mean_units = mean();
  return {
    {"algorithm", name},
    {"quotes_seen", quotes_},
    {"indicators",
     {{"exponent", json_or_null(exponent_)},
      {"mean", json_or_null(mean_units)},
      {"regime", to_string(regime_)}}},
    {"last_signal", json_or_null(last_signal_)},
    {"params",
     {{"window", window_},
      {"trend_above", trend_above_},
      {"revert_below", revert_below_},
      {"channels", channels_}}},
  };
}

size_t hurst::warmup() const noexcept {
  return window_ + 1;
}

double hurst::mean() const noexcept {
  auto n = static_cast<int128_t>(prices_.size());
  // Whole micros first (exact), then the remainder, so the mean of large
  // prices keeps its digits.
  auto whole = prices_.sum() / n;
  auto rest = prices_.sum() % n;
  return (static_cast<double>(whole)
          + static_cast<double>(rest) / static_cast<double>(n))
         / static_cast<double>(micros_per_unit);
}

const char* hurst::to_string(regime x) noexcept {
  switch (x) {
    case regime::trend:
      return "trend";
    case regime::revert:
      return "revert";
    default:
      return "neutral";
  }
}

} // namespace intuition::trading
