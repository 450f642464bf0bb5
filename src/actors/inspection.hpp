#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/typed_response_promise.hpp>
#include <nlohmann/json.hpp>

#include "actors/actor_types.hpp"

/// Collecting the state of many actors for one inspection request.
namespace intuition::actors {

/// How long an inspection waits for one actor's state.
constexpr std::chrono::seconds state_timeout{5};

/// An actor to inspect, with the instance name it is listed under.
struct inspection_target {
  std::string name;
  inspectable_actor handle;
};

/// Asks every target for its state and calls `done` once with the answers,
/// in target order. A target that fails or does not answer within
/// `state_timeout` is listed with kind `unreachable` and the error in its
/// summary, so one frozen node does not hide the rest.
template <class Self, class F>
void gather_states(Self* self, std::vector<inspection_target> targets, F done) {
  struct gathering {
    std::vector<actor_state> out;
    size_t left = 0;
    F done;
  };
  auto g = std::make_shared<gathering>(gathering{
    std::vector<actor_state>(targets.size()), targets.size(), std::move(done)});
  if (targets.empty()) {
    g->done(std::move(g->out));
    return;
  }
  for (size_t slot = 0; slot < targets.size(); ++slot) {
    auto finish = [g] {
      if (--g->left == 0)
        g->done(std::move(g->out));
    };
    self->request(targets[slot].handle, state_timeout, get_state_atom_v)
      .then(
        [g, slot, finish](actor_state& x) {
          g->out[slot] = std::move(x);
          finish();
        },
        [self, g, slot, name = targets[slot].name, finish](caf::error& err) {
          auto& x = g->out[slot];
          x.name = name;
          x.kind = "unreachable";
          x.summary_json
            = nlohmann::json{{"error", self->system().render(err)}}.dump();
          finish();
        });
  }
}

/// `gather_states`, answering `promise` with the states.
template <class Self>
void gather_states(
  Self* self, std::vector<inspection_target> targets,
  caf::typed_response_promise<std::vector<actor_state>> promise) {
  gather_states(self, std::move(targets),
                [promise](std::vector<actor_state> xs) mutable {
                  promise.deliver(std::move(xs));
                });
}

} // namespace intuition::actors
