#pragma once

// The deterministic actor system the actor suites share, with the helpers
// every suite needs. Include after `caf/test/dsl.hpp` and CAF_SUITE.

#include <cstdint>
#include <utility>

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

} // namespace intuition::actors::testing
