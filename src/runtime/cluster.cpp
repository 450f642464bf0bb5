#include "runtime/cluster.hpp"

#include <iostream>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/telemetry_table.hpp"
#include "runtime/control_plane.hpp"

namespace intuition::runtime {

namespace {

using self_ptr
  = actors::cluster_connector_actor::stateful_pointer<cluster_connector_state>;

/// What a connector reports: its counters (it has no probe and no samples).
const actors::telemetry<cluster_connector_state>& connector_telemetry() {
  using field = actors::telemetry_field<cluster_connector_state>;
  static const actors::telemetry<cluster_connector_state> table{
    {field::count("joined", &cluster_connector_state::joined)},
    actors::samples_in_state::no};
  return table;
}

/// Reports a failed attempt (once per outage) and tries again later.
void join_failed(self_ptr self, const std::string& address,
                 const std::string& why) {
  auto& st = self->state;
  auto& link = st.links[address];
  if (link.failed_attempts++ == 0)
    aout(self) << "cluster: cannot reach node " << address << ": " << why
               << "; trying again every " << st.retry.count() << " ms"
               << std::endl;
  self->delayed_send(self, st.retry, actors::join_atom_v, address);
}

void try_join(self_ptr self, const std::string& address) {
  auto& st = self->state;
  auto& link = st.links[address];
  if (link.connected)
    return;
  auto at = parse_endpoint("cluster.nodes", address);
  if (!at) {
    aout(self) << "cluster: " << at.error().message << std::endl;
    return;
  }
  // Blocks this (detached) actor's thread; the middleman's connection
  // timeout bounds the wait for a node that accepts but never answers.
  auto agent = connect_agent(self->system(), *at, st.tls);
  if (!agent) {
    join_failed(self, address, agent.error().message);
    return;
  }
  // The node learns of this coordinator from this query (the connector
  // lives as long as the coordinator), and answers with its name. Awaited:
  // an `await` after the join waits for it.
  auto handle = *agent;
  self->request(handle, std::chrono::seconds{5}, actors::get_state_atom_v)
    .await(
      [self, address, handle](actors::actor_state& x) {
        auto& st = self->state;
        auto& link = st.links[address];
        link.agent = handle;
        link.name = x.node.empty() ? address : x.node;
        link.connected = true;
        link.failed_attempts = 0;
        ++link.joins;
        ++st.joined;
        self->monitor(link.agent);
        aout(self) << "cluster: joined node " << link.name << " at " << address
                   << std::endl;
        actors::cluster_member member{link.name, address,
                                      caf::actor_cast<caf::actor>(handle)};
        if (st.desk)
          self->send(st.desk, std::move(member));
        else
          self->send(st.router, std::move(member));
      },
      [self, address](caf::error& err) {
        join_failed(self, address, self->system().render(err));
      });
}

} // namespace

actors::cluster_connector_actor::behavior_type cluster_connector(
  actors::cluster_connector_actor::stateful_pointer<cluster_connector_state>
    self,
  actors::quote_router_actor router, std::chrono::milliseconds retry, bool tls,
  actors::shard_desk_actor desk) {
  self->state.router = std::move(router);
  self->state.desk = std::move(desk);
  self->state.retry = retry;
  self->state.tls = tls;
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto& [address, link] : st.links)
      if (link.connected && link.agent.address() == dm.source) {
        link.connected = false;
        link.agent = actors::node_agent_actor{};
        --st.joined;
        aout(self) << "cluster: lost node " << link.name << " at " << address
                   << " (" << self->system().render(dm.reason)
                   << "); reconnecting every " << st.retry.count() << " ms"
                   << std::endl;
        self->delayed_send(self, st.retry, actors::join_atom_v, address);
        return;
      }
  });
  return {
    [self](actors::join_atom, const std::string& address) {
      try_join(self, address);
    },
    [self](actors::await_atom) -> uint64_t { return self->state.joined; },
    [self](actors::get_state_atom) -> actors::actor_state {
      nlohmann::json nodes = nlohmann::json::object();
      for (const auto& [address, link] : self->state.links)
        nodes[address] = {{"name", link.name},
                          {"connected", link.connected},
                          {"failed_attempts", link.failed_attempts},
                          {"joins", link.joins}};
      auto out = connector_telemetry().state(
        self->state, cluster_connector_state::name,
        nlohmann::json{{"nodes", nodes}}.dump());
      out.node = actors::node_label();
      return out;
    },
  };
}

trading::result<actors::cluster_connector_actor>
join_cluster(caf::actor_system& sys, const cluster_config& cfg,
             const actors::quote_router_actor& router, bool tls,
             const actors::shard_desk_actor& desk) {
  auto connector = sys.spawn<caf::detached>(
    cluster_connector, router, std::chrono::milliseconds{2000}, tls, desk);
  for (const auto& node : cfg.nodes)
    caf::anon_send(connector, actors::join_atom_v, node.to_string());
  uint64_t joined = 0;
  {
    caf::scoped_actor self{sys};
    self->request(connector, caf::infinite, actors::await_atom_v)
      .receive([&](uint64_t n) { joined = n; }, [&](caf::error&) {});
  }
  std::cerr << "cluster: " << joined << " of " << cfg.nodes.size()
            << " node(s) joined"
            << (cfg.local ? "; the coordinator hosts algorithm actors too" : "")
            << "\n";
  if (joined == 0 && !cfg.local) {
    caf::anon_send_exit(connector, caf::exit_reason::user_shutdown);
    return trading::operation_failed("cluster: no node answered and "
                                     "cluster.local is false: nowhere to run "
                                     "algorithm actors");
  }
  return connector;
}

} // namespace intuition::runtime
