#include "trading/algorithm.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "trading/algorithms/buy_and_hold.hpp"
#include "trading/algorithms/hurst.hpp"
#include "trading/algorithms/mean_reversion.hpp"
#include "trading/algorithms/momentum.hpp"
#include "trading/algorithms/random_algo.hpp"
#include "trading/algorithms/sma_crossover.hpp"
#include "trading/channels.hpp"

namespace intuition::trading {

// -- interface ------------------------------------------------------------------

algorithm::~algorithm() {
  // nop
}

void algorithm::restore_position(quantity) {
  // nop
}

// -- registry -------------------------------------------------------------------

const std::vector<std::string>& algorithm_names() {
  static const std::vector<std::string> names{
    buy_and_hold::name, hurst::name,       mean_reversion::name,
    momentum::name,     random_algo::name, sma_crossover::name,
  };
  return names;
}

std::unique_ptr<algorithm> make_algorithm(const std::string& name,
                                          const std::string& symbol) {
  if (name == buy_and_hold::name)
    return std::make_unique<buy_and_hold>();
  if (name == hurst::name)
    return std::make_unique<hurst>();
  if (name == mean_reversion::name)
    return std::make_unique<mean_reversion>();
  if (name == momentum::name)
    return std::make_unique<momentum>();
  if (name == random_algo::name)
    return std::make_unique<random_algo>(symbol);
  if (name == sma_crossover::name)
    return std::make_unique<sma_crossover>();
  return nullptr;
}

result<std::vector<std::string>>
initialize_from_text(algorithm& algo, const std::string& params_json) {
  nlohmann::json params;
  try {
    params = nlohmann::json::parse(params_json);
  } catch (const nlohmann::json::exception& ex) {
    return invalid_request(ex.what());
  }
  return algo.initialize(params);
}

// -- parameters -----------------------------------------------------------------

namespace {

/// Renders a bound without a trailing ".0" for whole numbers, so messages
/// read "[1, 1000]" rather than "[1.0, 1000.0]".
std::string format_bound(double x) {
  if (std::trunc(x) == x && std::fabs(x) < 1e15)
    return std::to_string(static_cast<int64_t>(x));
  return nlohmann::json(x).dump();
}

std::string describe_range(const char* what, const std::string& lo,
                           const std::string& hi, bool has_lo, bool has_hi) {
  std::string result = what;
  if (has_lo && has_hi)
    result += " in [" + lo + ", " + hi + "]";
  else if (has_lo)
    result += " >= " + lo;
  else if (has_hi)
    result += " <= " + hi;
  return result;
}

std::string number_range(double lo, double hi) {
  return describe_range("a number", format_bound(lo), format_bound(hi),
                        std::isfinite(lo), std::isfinite(hi));
}

std::string integer_range(int64_t lo, int64_t hi) {
  return describe_range("an integer", std::to_string(lo), std::to_string(hi),
                        lo != std::numeric_limits<int64_t>::min(),
                        hi != std::numeric_limits<int64_t>::max());
}

/// The value under `key`, or nullptr when `obj` is null or lacks the key.
const nlohmann::json* find_key(const nlohmann::json& obj,
                               const std::string& key) {
  if (!obj.is_object())
    return nullptr;
  auto i = obj.find(key);
  return i == obj.end() ? nullptr : &*i;
}

} // namespace

namespace params {

status check_keys(const nlohmann::json& obj,
                  const std::vector<std::string>& allowed) {
  // Null stands for "no parameters": a missing `params` block in a config.
  if (obj.is_null())
    return {};
  if (!obj.is_object())
    return invalid_value("params", obj.dump(), "an object");
  for (const auto& [key, value] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end())
      continue;
    std::string expected = "one of: ";
    for (size_t i = 0; i < allowed.size(); ++i) {
      if (i > 0)
        expected += ", ";
      expected += allowed[i];
    }
    return invalid_value(key, value.dump(), expected);
  }
  return {};
}

result<double> get_number(const nlohmann::json& obj, const std::string& key,
                          double def, double lo, double hi) {
  auto ptr = find_key(obj, key);
  if (ptr == nullptr)
    return def;
  if (ptr->is_number()) {
    auto x = ptr->get<double>();
    if (std::isfinite(x) && x >= lo && x <= hi)
      return x;
  }
  return invalid_value(key, ptr->dump(), number_range(lo, hi));
}

result<int64_t> get_integer(const nlohmann::json& obj, const std::string& key,
                            int64_t def, int64_t lo, int64_t hi) {
  auto ptr = find_key(obj, key);
  if (ptr == nullptr)
    return def;
  // Unsigned values above INT64_MAX are out of every accepted range.
  if (ptr->is_number_unsigned()) {
    auto x = ptr->get<uint64_t>();
    if (hi >= 0 && x <= static_cast<uint64_t>(hi)
        && static_cast<int64_t>(x) >= lo)
      return static_cast<int64_t>(x);
  } else if (ptr->is_number_integer()) {
    auto x = ptr->get<int64_t>();
    if (x >= lo && x <= hi)
      return x;
  }
  return invalid_value(key, ptr->dump(), integer_range(lo, hi));
}

result<double> get_positive_number(const nlohmann::json& obj,
                                   const std::string& key, double def) {
  auto ptr = find_key(obj, key);
  if (ptr == nullptr)
    return def;
  if (ptr->is_number()) {
    auto x = ptr->get<double>();
    if (std::isfinite(x) && x > 0)
      return x;
  }
  return invalid_value(key, ptr->dump(), "a number > 0");
}

result<std::vector<std::string>> get_channels(const nlohmann::json& obj) {
  auto ptr = find_key(obj, "channels");
  if (ptr == nullptr)
    return std::vector<std::string>{"quotes"};
  const char* expected = "a non-empty list of non-empty strings";
  if (!ptr->is_array() || ptr->empty())
    return invalid_value("channels", ptr->dump(), expected);
  std::vector<std::string> out;
  for (const auto& x : *ptr) {
    if (!x.is_string() || x.get_ref<const std::string&>().empty())
      return invalid_value("channels", ptr->dump(), expected);
    // Subscribed as written: a filter the broker would refuse must not
    // leave the run waiting for an acknowledgement that never comes.
    if (auto ok = check_topic_filter(x.get_ref<const std::string&>()); !ok)
      return invalid_value("channels", ptr->dump(),
                           "MQTT topic filters ('+' and '#' whole levels, '#' "
                           "last; $share/GROUP/FILTER), not "
                             + ok.error().message);
    out.push_back(x.get<std::string>());
  }
  return out;
}

} // namespace params

// -- state helpers --------------------------------------------------------------

nlohmann::json json_or_null(const std::optional<double>& x) {
  return x ? nlohmann::json(*x) : nlohmann::json(nullptr);
}

nlohmann::json json_or_null(const std::optional<side>& x) {
  return x ? nlohmann::json(std::string{to_string(*x)})
           : nlohmann::json(nullptr);
}

} // namespace intuition::trading
