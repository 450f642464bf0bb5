#include "runtime/control_plane.hpp"

#include <iostream>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

namespace intuition::runtime {

trading::result<control_plane> start_control(caf::actor_system& sys,
                                             const listen_config& listen,
                                             const metrics_config& metrics,
                                             actors::node_agent_config agent,
                                             bool tls, readiness_check ready) {
  control_plane cp;
  cp.agent = sys.spawn(actors::node_agent, std::move(agent));
  auto fail = [&](trading::failure why) -> trading::result<control_plane> {
    caf::anon_send_exit(cp.agent, caf::exit_reason::user_shutdown);
    return why;
  };
  if (listen.enabled && !tls && !listen.at.loopback() && !listen.insecure)
    return fail(trading::invalid_request(
      "cannot listen on " + listen.at.to_string()
      + " without TLS: it is beyond loopback, and node-to-node "
        "traffic (CAF's BASP) authenticates no one and trusts a "
        "frame's length before any handshake, so anyone who "
        "reaches the port can place actors or exhaust memory. "
        "Configure an [openssl] section (see README, \"Security\"), "
        "listen on 127.0.0.1, or pass --insecure to accept the risk"));
  if (listen.enabled) {
    auto publish = [&](uint16_t at_port) {
      return tls ? caf::openssl::publish(cp.agent, at_port,
                                         listen.at.host.c_str(), false)
                 : sys.middleman().publish(cp.agent, at_port,
                                           listen.at.host.c_str(), false);
    };
    auto port = publish(listen.at.port);
    if (!port && listen.any_port_if_taken) {
      std::cerr << "cannot listen on " << listen.at.to_string() << " ("
                << sys.render(port.error())
                << "); listening on a free port instead\n";
      port = publish(0);
    }
    if (!port)
      return fail(trading::invalid_setting(
        "--listen", "cannot listen on " + listen.at.to_string() + ": "
                      + sys.render(port.error())
                      + " (choose another with --listen [HOST:]PORT, or "
                        "--listen off)"));
    cp.listen_port = *port;
    endpoint actual{listen.at.host, *port};
    std::cerr << "listening for inspect and cluster peers on "
              << actual.to_string() << (tls ? " (TLS)" : "") << "\n";
    if (tls)
      std::cerr << "TLS: peers must present a certificate signed by the "
                   "configured CA; any such certificate is accepted, whichever "
                   "node it names\n";
    else if (!listen.at.loopback())
      std::cerr << "warning: --insecure: listening on " << listen.at.to_string()
                << " beyond loopback without TLS; node-to-node traffic is "
                   "unauthenticated: anyone who reaches this port can inspect "
                   "and place actors, and a forged frame header can exhaust "
                   "memory (see README, \"Security\")\n";
  }
  if (metrics.enabled) {
    auto started = metrics_server::start(sys, cp.agent, metrics.bind,
                                         metrics.port, std::move(ready));
    if (!started) {
      if (cp.listen_port != 0)
        sys.middleman().unpublish(cp.agent, cp.listen_port);
      return fail(started.error());
    }
    cp.metrics = std::move(*started);
    endpoint actual{metrics.bind, cp.metrics->port()};
    std::cerr << "serving metrics on http://" << actual.to_string()
              << "/metrics (readiness: /ready)\n";
    if (!actual.loopback())
      std::cerr << "warning: metrics are served beyond loopback, without "
                   "authentication\n";
  }
  return cp;
}

trading::result<actors::node_agent_actor>
connect_agent(caf::actor_system& sys, const endpoint& at, bool tls) {
  auto agent = tls ? caf::openssl::remote_actor<actors::node_agent_actor>(
                 sys, at.host, at.port)
                   : sys.middleman().remote_actor<actors::node_agent_actor>(
                     at.host, at.port);
  if (!agent)
    return trading::operation_failed(sys.render(agent.error()));
  return *agent;
}

void stop_control(caf::actor_system& sys, control_plane& cp) {
  cp.metrics.reset();
  if (!cp.agent)
    return;
  if (cp.listen_port != 0)
    sys.middleman().unpublish(cp.agent, cp.listen_port);
  caf::anon_send_exit(cp.agent, caf::exit_reason::user_shutdown);
  cp.agent = actors::node_agent_actor{};
}

} // namespace intuition::runtime
