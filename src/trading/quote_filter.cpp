#include "trading/quote_filter.hpp"

#include <algorithm>

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

bool quote_filter::recent::contains(int64_t x) const noexcept {
  return std::find(ts.begin(), ts.end(), x) != ts.end();
}

void quote_filter::recent::add(int64_t x) {
  if (ts.size() < recent_window) {
    ts.push_back(x);
    return;
  }
  ts[next] = x;
  next = (next + 1) % ts.size();
}

filter_verdict quote_filter::check(const quote& q) {
  auto& seen = recent_[q.symbol];
  if (seen.contains(q.ts_ms))
    return filter_verdict::duplicate;
  auto [i, added] = last_ts_.try_emplace(q.symbol, q.ts_ms);
  if (!added) {
    if (q.ts_ms == i->second)
      return filter_verdict::duplicate;
    if (q.ts_ms < i->second && policy_ == stale_policy::drop)
      return filter_verdict::stale;
    i->second = std::max(i->second, q.ts_ms);
  }
  seen.add(q.ts_ms);
  return filter_verdict::accept;
}

void quote_filter::remember(const std::string& symbol, int64_t ts_ms) {
  auto [i, added] = last_ts_.try_emplace(symbol, ts_ms);
  if (!added)
    i->second = std::max(i->second, ts_ms);
  recent_[symbol].add(ts_ms);
}

} // namespace intuition::trading
