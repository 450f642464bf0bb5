#include "runtime/ack_relay.hpp"

namespace intuition::runtime {

std::vector<int32_t> ack_relay::add(const std::vector<int>& ids, bool quiet) {
  std::lock_guard<std::mutex> guard{mtx_};
  ids_.insert(ids_.end(), ids.begin(), ids.end());
  if (ids_.empty() || (!quiet && ids_.size() < batch_))
    return {};
  std::vector<int32_t> out;
  out.swap(ids_);
  return out;
}

std::vector<int32_t> ack_relay::take() {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<int32_t> out;
  out.swap(ids_);
  return out;
}

size_t ack_relay::waiting() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return ids_.size();
}

} // namespace intuition::runtime
