#include "actors/node_agent.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/algorithm.hpp"

namespace intuition::actors {

namespace {

using self_ptr = node_agent_actor::stateful_pointer<node_agent_state>;

/// Notes a coordinator's router the first time it places something here,
/// and watches it so that its leaving is noticed (and logged) too.
void note_owner(self_ptr self, const caf::strong_actor_ptr& owner) {
  auto& peers = self->state.peers;
  if (!owner || peers.count(owner->address()) > 0)
    return;
  peers.emplace(owner->address(), owner->node());
  self->monitor(owner);
  aout(self) << "node " << node_label() << ": coordinator "
             << to_string(owner->node()) << " connected" << std::endl;
}

/// A coordinator's router is gone: its instances here answer to nobody.
void owner_down(self_ptr self, const caf::down_msg& dm) {
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
  st.orphans_stopped += stopped;
  aout(self) << "node " << node_label() << ": coordinator " << to_string(node)
             << " left";
  if (dm.reason)
    aout(self) << " (" << self->system().render(dm.reason) << ")";
  if (stopped > 0)
    aout(self) << "; stopped the " << stopped
               << " algorithm instance(s) it had placed here";
  aout(self) << std::endl;
}

std::vector<inspection_target> local_targets(self_ptr self,
                                             const std::string& pattern) {
  auto& st = self->state;
  std::vector<inspection_target> out;
  for (const auto& t : st.cfg.singletons)
    if (trading::instance_matches(pattern, t.name))
      out.push_back(t);
  std::vector<inspection_target> hosted;
  for (const auto& [addr, inst] : st.hosted) {
    auto name = algorithm_instance_name(inst.spec);
    if (trading::instance_matches(pattern, name))
      hosted.push_back({std::move(name), inst.handle});
  }
  std::sort(hosted.begin(), hosted.end(),
            [](const auto& x, const auto& y) { return x.name < y.name; });
  out.insert(out.end(), hosted.begin(), hosted.end());
  return out;
}

} // namespace

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
    owner_down(self, dm);
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [addr, inst] : self->state.hosted)
      self->send_exit(inst.handle, msg.reason);
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
      -> caf::typed_response_promise<std::vector<trading::metric_sample>> {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      auto promise
        = self->make_response_promise<std::vector<trading::metric_sample>>();
      auto own = st.cfg.fixed_samples;
      if (st.cfg.role == "node") {
        own.push_back(trading::gauge_sample(
          "intuition_algorithm_actors", static_cast<double>(st.hosted.size()),
          {{"node", node_label()}}));
        own.push_back(trading::counter_sample(
          "intuition_node_placements_total", static_cast<double>(st.placed)));
      }
      gather_states(self, st.cfg.singletons,
                    [promise, own](std::vector<actor_state> xs) mutable {
                      for (auto& x : xs)
                        own.insert(own.end(), x.metrics.begin(), x.metrics.end());
                      promise.deliver(std::move(own));
                    });
      return promise;
    },
    [self](place_atom, algorithm_spec& spec) -> algorithm_actor {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      const auto& sender = self->current_sender();
      note_owner(self, sender);
      auto owner = sender ? sender->address() : caf::actor_addr{};
      auto handle = self->system().spawn(algorithm, spec);
      self->monitor(handle);
      st.hosted.emplace(handle.address(),
                        hosted_instance{std::move(spec), handle, owner});
      ++st.placed;
      return handle;
    },
    [self](get_state_atom) -> actor_state {
      auto& st = self->state;
      auto timer = st.probe.time(self);
      nlohmann::json peers = nlohmann::json::array();
      for (const auto& [addr, node] : st.peers)
        peers.push_back(to_string(node));
      nlohmann::json summary{{"role", st.cfg.role},
                             {"hosted", st.hosted.size()},
                             {"peers", peers}};
      auto out = make_actor_state("node_agent",
                                  node_agent_state::name,
                                  {{"placed", static_cast<int64_t>(st.placed)},
                                   {"orphans_stopped",
                                    static_cast<int64_t>(st.orphans_stopped)}},
                                  summary.dump());
      st.probe.stamp(out, self->mailbox().size());
      return out;
    },
  };
}

} // namespace intuition::actors
