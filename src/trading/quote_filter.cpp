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

uint64_t quote_filter::key(const std::string& symbol, int64_t ts_ms) noexcept {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : symbol) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= static_cast<uint64_t>(ts_ms) + 0x9e3779b97f4a7c15ull + (h << 6)
       + (h >> 2);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 29;
  return h;
}

void quote_filter::add_recent(uint64_t k) {
  if (!recent_.insert(k).second)
    return;
  order_.push_back(k);
  if (order_.size() > recent_capacity) {
    recent_.erase(order_.front());
    order_.pop_front();
  }
}

filter_verdict quote_filter::check(const quote& q) {
  auto k = key(q.symbol, q.ts_ms);
  if (recent_.count(k) > 0)
    return filter_verdict::duplicate;
  auto [i, added] = last_ts_.try_emplace(q.symbol, q.ts_ms);
  if (!added) {
    if (q.ts_ms == i->second)
      return filter_verdict::duplicate;
    if (q.ts_ms < i->second && policy_ == stale_policy::drop)
      return filter_verdict::stale;
    i->second = std::max(i->second, q.ts_ms);
  }
  add_recent(k);
  return filter_verdict::accept;
}

void quote_filter::remember(const std::string& symbol, int64_t ts_ms) {
  auto [i, added] = last_ts_.try_emplace(symbol, ts_ms);
  if (!added)
    i->second = std::max(i->second, ts_ms);
  add_recent(key(symbol, ts_ms));
}

} // namespace intuition::trading
