#define CAF_SUITE runtime.idle_watch
#include "caf/test/unit_test.hpp"

#include <chrono>

#include "runtime/idle_watch.hpp"

using namespace intuition::runtime;
using namespace std::chrono_literals;

namespace {

const idle_watch::time_point t0{std::chrono::seconds(1000)};

} // namespace

CAF_TEST(a run that never receives a quote expires once ready for the limit) {
  idle_watch idle{2s};
  // Not ready yet: however long it takes, it is not idle.
  CAF_CHECK(!idle.expired(t0 + 60s));
  idle.ready(t0 + 60s);
  CAF_CHECK(!idle.expired(t0 + 62s));
  CAF_CHECK(idle.expired(t0 + 62s + 1ms));
}

CAF_TEST(every quote starts the idle time over) {
  idle_watch idle{2s};
  idle.ready(t0);
  idle.activity(t0 + 1s);
  CAF_CHECK(!idle.expired(t0 + 2500ms));
  idle.activity(t0 + 2500ms);
  CAF_CHECK(!idle.expired(t0 + 4s));
  CAF_CHECK(idle.expired(t0 + 4501ms));
}

CAF_TEST(quotes before readiness and a second readiness change nothing) {
  idle_watch idle{2s};
  idle.activity(t0);
  CAF_CHECK(!idle.expired(t0 + 10s));
  idle.ready(t0 + 10s);
  // A reconnect makes the run ready again; idle time goes on counting.
  idle.ready(t0 + 11s);
  CAF_CHECK(idle.expired(t0 + 12001ms));
}

CAF_TEST(a limit of zero never expires) {
  idle_watch idle{0ms};
  idle.ready(t0);
  CAF_CHECK(!idle.expired(t0 + 24h));
}
