#include "runtime/idle_watch.hpp"

namespace intuition::runtime {

void idle_watch::ready(time_point now) {
  if (!ready_) {
    ready_ = true;
    since_ = now;
  }
}

void idle_watch::activity(time_point now) {
  if (ready_)
    since_ = now;
}

bool idle_watch::expired(time_point now) const {
  return limit_.count() > 0 && ready_ && now - since_ > limit_;
}

} // namespace intuition::runtime
