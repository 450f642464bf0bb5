#include "trading/in_flight_orders.hpp"

namespace intuition::trading {

void in_flight_orders::sent(uint64_t seq, int mid) {
  copies_.emplace(std::make_pair(mid, sends_++), copy{seq, connection_});
  ++awaiting_;
}

std::optional<uint64_t> in_flight_orders::acknowledged(int mid) {
  auto i = copies_.lower_bound(std::make_pair(mid, uint64_t{0}));
  if (i == copies_.end() || i->first.first != mid)
    return std::nullopt;
  auto x = i->second;
  copies_.erase(i);
  if (x.connection != connection_)
    return std::nullopt;
  --awaiting_;
  return x.seq;
}

void in_flight_orders::reconnected() noexcept {
  ++connection_;
  awaiting_ = 0;
}

} // namespace intuition::trading
