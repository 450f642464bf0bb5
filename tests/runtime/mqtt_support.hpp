#pragma once

// What the MQTT client tests share: a private broker, client settings for
// it, and bounded waits. Included by test sources only, after the CAF test
// header.

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/broker.hpp"
#include "runtime/mqtt_client.hpp"

namespace mqtt_support {

using namespace intuition::runtime;
namespace trading = intuition::trading;
using namespace std::chrono_literals;

/// Upper bound for waits that normally take milliseconds; generous because
/// the test machine may be busy, yet below the test runner's 30 s watchdog so
/// a lost message fails a check instead of aborting the run. Nothing asserts
/// on timing.
constexpr auto patience = 10s;

/// Renders a status for CAF_REQUIRE_EQUAL, so failures show it.
inline std::string or_ok(const trading::status& x) {
  return x ? "ok" : x.error().message;
}

/// Renders a publish result: "ok" for a message id, else the failure.
inline std::string or_ok(const trading::result<int>& x) {
  return x ? "ok" : x.error().message;
}

/// Polls `pred` every few milliseconds until it holds or `patience` ends.
template <class Pred>
bool poll_until(Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

inline std::unique_ptr<embedded_broker> start_broker(broker_options opts = {}) {
  auto result = embedded_broker::start(opts);
  if (!result)
    CAF_FAIL("embedded broker failed to start: " << result.error().message);
  return std::move(*result);
}

inline mqtt_options client_options(const embedded_broker& broker,
                                   std::string id, bool clean_session) {
  mqtt_options result;
  auto url = parse_broker_url(broker.url());
  if (!url)
    CAF_FAIL(url.error().message);
  result.broker = *url;
  result.client_id = std::move(id);
  result.clean_session = clean_session;
  result.reconnect_min_s = 1;
  result.reconnect_max_s = 2;
  return result;
}

/// The payloads "<prefix>0" .. "<prefix>(n-1)".
inline std::vector<std::string> numbered(const std::string& prefix, size_t n) {
  std::vector<std::string> result;
  for (size_t i = 0; i < n; ++i)
    result.push_back(prefix + std::to_string(i));
  return result;
}

} // namespace mqtt_support

using namespace mqtt_support;
