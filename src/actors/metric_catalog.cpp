#include "actors/metric_catalog.hpp"

#include "actors/algorithm.hpp"
#include "actors/mqtt_ingress.hpp"
#include "actors/node_agent.hpp"
#include "actors/order_log.hpp"
#include "actors/order_publisher.hpp"
#include "actors/portfolio.hpp"
#include "actors/quote_router.hpp"
#include "actors/shard_desk.hpp"
#include "actors/telemetry.hpp"

namespace intuition::actors {

std::vector<metric_info> metric_catalog() {
  auto out = caf_metrics();
  auto add = [&out](const std::vector<metric_info>& xs) {
    out.insert(out.end(), xs.begin(), xs.end());
  };
  // One entry per `actor_kind`.
  add(quote_router_telemetry().metrics());
  add(algorithm_telemetry().metrics());
  add(portfolio_telemetry().metrics());
  add(order_log_telemetry().metrics());
  add(order_publisher_telemetry().metrics());
  add(mqtt_ingress_telemetry().metrics());
  add(node_agent_telemetry().metrics());
  add(shard_desk_telemetry().metrics());
  return out;
}

} // namespace intuition::actors
