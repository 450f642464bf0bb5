#include "runtime/node_command.hpp"

#include <chrono>
#include <iostream>
#include <thread>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/telemetry.hpp"
#include "runtime/control_plane.hpp"
#include "runtime/mqtt_setup.hpp"
#include "runtime/shard_ingress.hpp"
#include "runtime/system_config.hpp"
#include "runtime/stop_signals.hpp"

namespace intuition::runtime {

int run_node(const node_options& opts, const char* argv0) {
  system_config caf_cfg;
  if (auto ok = caf_cfg.read_settings(opts.caf_config, argv0, true); !ok) {
    std::cerr << "intuition node: " << ok.error().message << "\n";
    return trading::exit_code(ok.error());
  }
  listen_config listen;
  listen.specified = listen.enabled = true;
  listen.at = {opts.bind, opts.port};
  listen.insecure = opts.insecure;
  metrics_config metrics;
  metrics.enabled = opts.metrics_port.has_value();
  metrics.port = opts.metrics_port.value_or(0);
  metrics.bind = opts.metrics_bind;
  // Before the actor system: a bad flag or an unreadable password file
  // stops the node at once, not its first shard.
  auto session = shared_mqtt_options(opts.mqtt, "node");
  if (!session) {
    std::cerr << "intuition node: " << session.error().message << "\n";
    return 2;
  }
  caf::actor_system sys{caf_cfg};
  actors::node_agent_config agent_cfg;
  agent_cfg.role = "node";
  shard_ingress_options shard_opts;
  shard_opts.broker = opts.broker;
  shard_opts.session = std::move(*session);
  agent_cfg.make_shard_source = shard_ingress(shard_opts);
  auto started = start_control(sys, listen, metrics, agent_cfg, caf_cfg.tls());
  if (!started) {
    std::cerr << "intuition node: " << started.error().message << "\n";
    return 2;
  }
  auto control = std::move(*started);
  auto name = opts.name.empty() ? "node-" + std::to_string(control.listen_port)
                                : opts.name;
  actors::set_node_label(name);
  std::cerr
    << ("intuition node " + name + ": ready on "
        + endpoint{opts.bind, control.listen_port}.to_string() + " (heartbeat "
        + std::to_string(caf_cfg.heartbeat_interval().count() / 1'000'000)
        + " ms, peer timeout "
        + std::to_string(caf_cfg.connection_timeout().count() / 1'000'000)
        + " ms); Ctrl-C stops\n");
  install_stop_handlers();
  while (!stop_requested)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::cerr << "intuition node " << name << ": stopping\n";
  stop_control(sys, control);
  restore_default_handlers();
  return 0;
}

} // namespace intuition::runtime
