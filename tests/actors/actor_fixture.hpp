#pragma once

// The deterministic actor system the actor suites share, with the helpers
// every suite needs. Include after `caf/test/dsl.hpp` and CAF_SUITE.

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "actors/actor_types.hpp"
#include "actors/messages.hpp"

namespace intuition::actors::testing {

/// Registers Intuition's message types with the test system.
struct test_config : caf::actor_system_config {
  test_config() {
    register_messages(*this);
  }
};

/// CAF's test coordinator plus state queries and reply pickup.
struct actor_fixture : test_coordinator_fixture<test_config> {
  /// Asks `whom` for its state. A plain send: the reply comes back as an
  /// ordinary message, which `receive` picks up once the coordinator ran
  /// everything (a blocking request would wait for a scheduler that never
  /// runs).
  template <class Handle>
  actor_state state_of(const Handle& whom) {
    actor_state result;
    self->send(whom, get_state_atom_v);
    run();
    self->receive([&](actor_state& x) { result = std::move(x); },
                  [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return result;
  }

  /// Takes a count (such as the answer to a `drain`) from the test's mailbox.
  uint64_t drained() {
    uint64_t result = 0;
    self->receive([&](uint64_t x) { result = x; },
                  [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return result;
  }
};

/// An order log that keeps every batch it is sent in `seen`, confirms every
/// position at once and syncs nothing: for portfolio tests that look at
/// what would be journaled.
inline order_log_actor::behavior_type
stand_in_log(order_log_actor::pointer,
             std::shared_ptr<std::vector<order_batch>> seen) {
  return {
    [seen](order_batch& batch) { seen->push_back(batch); },
    [](flush_atom) { return uint64_t{0}; },
    [](tick_atom) {
      // nop
    },
    [](processed_atom, uint64_t pos) { return pos; },
    [](get_state_atom) {
      return make_actor_state("order_log", "order_log", {}, "{}");
    },
  };
}

} // namespace intuition::actors::testing
