#include "actors/node_agent.hpp"

#include <algorithm>
#include <set>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/algorithm.hpp"

namespace intuition::actors {

namespace {

using self_ptr = node_agent_actor::stateful_pointer<node_agent_state>;

/// Whether any watched actor runs on `node`.
bool knows_node(const node_agent_state& st, const caf::node_id& node) {
  return std::any_of(st.peers.begin(), st.peers.end(),
                     [&](const auto& kv) { return kv.second == node; });
}

/// Watches `peer`, a coordinator's connector (which introduces itself with
/// a state query) or router (which places instances), so that the
/// coordinator's leaving is noticed; logs the coordinator's arrival.
void note_peer(self_ptr self, const caf::strong_actor_ptr& peer) {
  auto& st = self->state;
  if (!peer || st.peers.count(peer->address()) > 0)
    return;
  auto first = !knows_node(st, peer->node());
  st.peers.emplace(peer->address(), peer->node());
  self->monitor(peer);
  if (first)
    aout(self) << "node " << node_label() << ": coordinator "
               << to_string(peer->node()) << " connected" << std::endl;
}

/// A watched actor is gone: the instances it placed answer to nobody.
void peer_down(self_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto i = st.peers.find(dm.source);
  if (i == st.peers.end())
    return;
  auto node = i->second;
  st.peers.erase(i);
  size_t stopped = 0;
  for (auto& [addr, inst] : st.hosted)
    if (inst.owner == dm.source) {
      self->send_exit(inst.handle, caf::exit_reason::user_shutdown);
      ++stopped;
    }
  for (auto& [shard, hosted] : st.shards)
    if (hosted.owner == dm.source) {
      // Its desk is gone: the shard's next owner takes the session over.
      self->send_exit(hosted.worker, caf::exit_reason::user_shutdown);
      ++stopped;
    }
  st.orphans_stopped += stopped;
  if (stopped > 0)
    aout(self) << "node " << node_label() << ": stopped the " << stopped
               << " algorithm instance(s) and shard(s) coordinator "
               << to_string(node) << " had placed here" << std::endl;
  if (knows_node(st, node))
    return;
  aout(self) << "node " << node_label() << ": coordinator " << to_string(node)
             << " left";
  if (dm.reason)
    aout(self) << " (" << self->system().render(dm.reason) << ")";
  aout(self) << std::endl;
}

std::vector<inspection_target> local_targets(self_ptr self,
                                             const std::string& pattern) {
  auto& st = self->state;
  std::vector<inspection_target> out;
  for (const auto& t : st.cfg.singletons)
    if (actors::instance_matches(pattern, t.name))
      out.push_back(t);
  std::vector<inspection_target> hosted;
  for (const auto& [addr, inst] : st.hosted) {
    auto name = algorithm_instance_name(inst.spec);
    if (actors::instance_matches(pattern, name))
      hosted.push_back({std::move(name), inst.handle});
  }
  for (const auto& [shard, x] : st.shards) {
    auto name = "shard/" + std::to_string(shard);
    if (actors::instance_matches(pattern, name))
      hosted.push_back({std::move(name), x.worker});
  }
  std::sort(hosted.begin(), hosted.end(),
            [](const auto& x, const auto& y) { return x.name < y.name; });
  out.insert(out.end(), hosted.begin(), hosted.end());
  return out;
}

/// One series labelled with this node, read from the node's shard counters;
/// none on a process that runs no shards.
std::function<std::vector<series>(const node_agent_state&)>
shard_figure(std::function<uint64_t(const shard_gate_counters&)> read) {
  return [read](const node_agent_state& st) {
    std::vector<series> out;
    if (st.cfg.make_shard_source)
      out.push_back({{node_label()}, read(*st.shard_quotes)});
    return out;
  };
}

} // namespace

const telemetry<node_agent_state>& node_agent_telemetry() {
  using field = telemetry_field<node_agent_state>;
  using state = node_agent_state;
  // The exporter asks the agent for `metrics`; its state reply carries none.
  static const telemetry<state> table{
    {
      field::family(
        algorithm_actors_metric(),
        [](const state& st) {
          return std::vector<series>{{{node_label()}, st.hosted.size()}};
        }),
      field::count("placed", &state::placed)
        .counter("intuition_node_placements_total",
                 "Algorithm actors this node spawned for a coordinator."),
      field::count("orphans_stopped", &state::orphans_stopped),
      field::count("control_requests", &state::control_requests),
      field::count("shards_started", &state::shards_started),
      field::count("shards_revoked", &state::shards_revoked),
      field::count("shards_drained", &state::shards_drained),
      // Node-local ingress: exported only by a node that runs shards.
      field::count(
        "shard_quotes_received",
        [](const state& st) { return st.shard_quotes->received.load(); }),
      field::count(
        "shard_quotes_confirmed",
        [](const state& st) { return st.shard_quotes->confirmed.load(); }),
      field::count(
        "shard_quotes_unconfirmed",
        [](const state& st) { return st.shard_quotes->unconfirmed.load(); }),
      field::family({"intuition_node_shard_quotes_received_total",
                     metric_type::counter,
                     "Quotes this node took from its shards' sessions (its "
                     "ingress).",
                     {"node"}},
                    shard_figure([](const shard_gate_counters& c) {
                      return c.received.load();
                    })),
      field::family({"intuition_node_shard_quotes_confirmed_total",
                     metric_type::counter,
                     "Quotes acknowledged to the broker: once the coordinator "
                     "confirmed them when they raised a signal, once the "
                     "node's instances took them otherwise.",
                     {"node"}},
                    shard_figure([](const shard_gate_counters& c) {
                      return c.confirmed.load();
                    })),
      field::family({"intuition_node_shard_quotes_unconfirmed_total",
                     metric_type::counter,
                     "Quotes left unacknowledged (refused, timed out, shard "
                     "stopped): the broker delivers them again.",
                     {"node"}},
                    shard_figure([](const shard_gate_counters& c) {
                      return c.unconfirmed.load();
                    })),
      field::family({"intuition_node_shard_quotes_in_flight",
                     metric_type::gauge,
                     "Quotes taken from the broker and not yet "
                     "acknowledged: what a SIGKILL now would leave to "
                     "redelivery.",
                     {"node"}},
                    shard_figure([](const shard_gate_counters& c) {
                      auto settled = c.confirmed.load() + c.unconfirmed.load();
                      auto received = c.received.load();
                      return received > settled ? received - settled : 0;
                    })),
      field::family({"intuition_node_shard_quotes_unsent",
                     metric_type::gauge,
                     "Quotes acknowledged (they raised no signal) and not "
                     "sent to the coordinator yet: the marks and warm-up "
                     "history a SIGKILL now would lose (no signal is among "
                     "them).",
                     {"node"}},
                    shard_figure([](const shard_gate_counters& c) {
                      return c.unsent.load();
                    })),
      field::family({"intuition_node_shard_quotes_unsent_dropped_total",
                     metric_type::counter,
                     "Quotes acknowledged and never sent to the coordinator "
                     "because their shard stopped on this node (moved or "
                     "given up).",
                     {"node"}},
                    shard_figure([](const shard_gate_counters& c) {
                      return c.unsent_dropped.load();
                    })),
      field::family({"intuition_node_shards",
                     metric_type::gauge,
                     "Shards this node runs (node-local ingress).",
                     {"node"}},
                    [](const state& st) {
                      std::vector<series> out;
                      if (st.cfg.make_shard_source)
                        out.push_back({{node_label()}, st.shards.size()});
                      return out;
                    }),
    },
    samples_in_state::no};
  return table;
}

node_agent_actor::behavior_type
node_agent(node_agent_actor::stateful_pointer<node_agent_state> self,
           node_agent_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.probe.count_rejected(self);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto timer = self->state.probe.time(self);
    auto& st = self->state;
    if (st.hosted.erase(dm.source) > 0)
      return;
    for (auto i = st.shards.begin(); i != st.shards.end(); ++i)
      if (i->second.worker.address() == dm.source) {
        st.shards.erase(i);
        return;
      }
    peer_down(self, dm);
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [addr, inst] : self->state.hosted)
      self->send_exit(inst.handle, msg.reason);
    for (auto& [shard, x] : self->state.shards)
      self->send_exit(x.worker, msg.reason);
    self->quit(msg.reason);
  });
  return {
    [self](list_atom, const std::string& pattern)
      -> caf::typed_response_promise<std::vector<actor_state>> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto promise = self->make_response_promise<std::vector<actor_state>>();
      auto targets = local_targets(self, pattern);
      if (!st.cfg.router) {
        gather_states(self, std::move(targets), promise);
        return promise;
      }
      // The router lists the instances it placed, wherever they run.
      self->request(st.cfg.router, state_timeout * 2, list_atom_v, pattern)
        .then(
          [self, targets, promise](std::vector<actor_state>& algos) mutable {
            gather_states(self, std::move(targets),
                          [promise, algos = std::move(algos)](
                            std::vector<actor_state> xs) mutable {
                            xs.insert(xs.end(), algos.begin(), algos.end());
                            promise.deliver(std::move(xs));
                          });
          },
          [self, targets, promise](caf::error&) mutable {
            gather_states(self, std::move(targets), promise);
          });
      return promise;
    },
    [self](metrics_atom)
      -> caf::typed_response_promise<std::vector<actors::metric_sample>> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto promise
        = self->make_response_promise<std::vector<actors::metric_sample>>();
      auto own = st.cfg.fixed_samples;
      if (st.cfg.role == "node") {
        auto mine = node_agent_telemetry().samples(st);
        own.insert(own.end(), mine.begin(), mine.end());
      }
      gather_states(self, st.cfg.singletons,
                    [promise, own](std::vector<actor_state> xs) mutable {
                      for (auto& x : xs)
                        own.insert(own.end(), x.metrics.begin(),
                                   x.metrics.end());
                      promise.deliver(std::move(own));
                    });
      return promise;
    },
    [self](place_atom, algorithm_spec& spec) -> algorithm_actor {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      const auto& sender = self->current_sender();
      note_peer(self, sender);
      auto owner = sender ? sender->address() : caf::actor_addr{};
      auto handle = self->system().spawn(algorithm, spec);
      self->monitor(handle);
      st.hosted.emplace(handle.address(),
                        hosted_instance{std::move(spec), handle, owner});
      ++st.placed;
      return handle;
    },
    [self](shard_assignment& a) -> caf::result<shard_worker_actor> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      if (!st.cfg.make_shard_source)
        return caf::make_error(caf::sec::runtime_error,
                               "this process runs no shards");
      const auto& sender = self->current_sender();
      note_peer(self, sender);
      auto owner = sender ? sender->address() : caf::actor_addr{};
      auto shard = a.shard;
      auto epoch = a.epoch;
      if (auto i = st.shards.find(shard); i != st.shards.end()) {
        // An older incarnation still here (its desk moved it and back).
        self->send_exit(i->second.worker, caf::exit_reason::user_shutdown);
        st.shards.erase(i);
      }
      auto worker = self->system().spawn(
        shard_worker, std::move(a), st.cfg.make_shard_source, st.shard_quotes);
      self->monitor(worker);
      st.shards[shard] = hosted_shard{epoch, worker, owner};
      ++st.shards_started;
      return worker;
    },
    [self](drain_atom, uint32_t shard,
           uint64_t epoch) -> caf::result<uint64_t> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto i = st.shards.find(shard);
      if (i == st.shards.end() || i->second.epoch != epoch)
        return caf::make_error(caf::sec::runtime_error,
                               "shard " + std::to_string(shard) + " epoch "
                                 + std::to_string(epoch)
                                 + " does not run here");
      ++st.shards_drained;
      return self->delegate(i->second.worker, drain_atom_v);
    },
    [self](revoke_atom, uint32_t shard, uint64_t epoch) {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto i = st.shards.find(shard);
      if (i == st.shards.end() || i->second.epoch > epoch)
        return;
      self->send_exit(i->second.worker, caf::exit_reason::user_shutdown);
      st.shards.erase(i);
      ++st.shards_revoked;
    },
    [self](control_request& req) -> caf::typed_response_promise<control_reply> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto promise = self->make_response_promise<control_reply>();
      if (!st.cfg.router) {
        promise.deliver(control_reply{
          false, true,
          "this process trades nothing (a worker node): control its "
          "coordinator"});
        return promise;
      }
      ++st.control_requests;
      self->request(st.cfg.router, std::chrono::seconds{60}, std::move(req))
        .then(
          [promise](control_reply& reply) mutable {
            promise.deliver(std::move(reply));
          },
          [self, promise](caf::error& err) mutable {
            promise.deliver(control_reply{
              false, false, "quote router: " + self->system().render(err)});
          });
      return promise;
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      // A coordinator's connector introduces itself this way.
      const auto& sender = self->current_sender();
      if (sender && sender->node() != self->node())
        note_peer(self, sender);
      std::set<std::string> nodes;
      for (const auto& [addr, node] : st.peers)
        nodes.insert(to_string(node));
      nlohmann::json peers = nodes;
      nlohmann::json summary{
        {"role", st.cfg.role}, {"hosted", st.hosted.size()}, {"peers", peers}};
      nlohmann::json shards = nlohmann::json::array();
      for (const auto& [shard, x] : st.shards)
        shards.push_back({{"shard", shard}, {"epoch", x.epoch}});
      summary["shards"] = shards;
      return node_agent_telemetry().reply(self, summary.dump());
    },
  };
}

} // namespace intuition::actors
