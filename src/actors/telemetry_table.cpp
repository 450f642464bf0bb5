#include "actors/telemetry_table.hpp"

namespace intuition::actors {

const metric_info& mqtt_connected_metric() {
  static const metric_info x{"intuition_mqtt_connected",
                             metric_type::gauge,
                             "1 while the MQTT client is connected.",
                             {"client"}};
  return x;
}

const metric_info& mqtt_reconnects_metric() {
  static const metric_info x{"intuition_mqtt_reconnects_total",
                             metric_type::counter,
                             "MQTT connections after the first.",
                             {"client"}};
  return x;
}

const metric_info& algorithm_actors_metric() {
  static const metric_info x{"intuition_algorithm_actors",
                             metric_type::gauge,
                             "Algorithm actors, by the node hosting them.",
                             {"node"}};
  return x;
}

} // namespace intuition::actors
