#include "trading/quote_filter.hpp"

namespace intuition::trading {

std::string_view to_string(stale_policy x) noexcept {
  return x == stale_policy::drop ? "drop" : "trade";
}

bool from_string(std::string_view str, stale_policy& x) noexcept {
  if (str == "drop")
    x = stale_policy::drop;
  else if (str == "trade")
    x = stale_policy::trade;
  else
    return false;
  return true;
}

std::string_view to_string(overload_policy x) noexcept {
  return x == overload_policy::queue ? "queue" : "conflate";
}

bool from_string(std::string_view str, overload_policy& x) noexcept {
  if (str == "queue")
    x = overload_policy::queue;
  else if (str == "conflate")
    x = overload_policy::conflate;
  else
    return false;
  return true;
}

filter_verdict quote_filter::check(const quote& q) {
  auto [i, added] = last_ts_.try_emplace(q.symbol, q.ts_ms);
  if (added)
    return filter_verdict::accept;
  if (q.ts_ms == i->second)
    return filter_verdict::duplicate;
  if (q.ts_ms < i->second && policy_ == stale_policy::drop)
    return filter_verdict::stale;
  i->second = q.ts_ms;
  return filter_verdict::accept;
}

} // namespace intuition::trading
