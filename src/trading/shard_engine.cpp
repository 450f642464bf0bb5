#include "trading/shard_engine.hpp"

#include <algorithm>

namespace intuition::trading {

result<shard_engine> shard_engine::make(const std::vector<shard_instance>& xs) {
  shard_engine out;
  for (const auto& x : xs) {
    auto algo = make_algorithm(x.algorithm, x.symbol);
    if (!algo)
      return invalid_value(x.strategy + "/" + x.symbol + " algorithm",
                           "\"" + x.algorithm + "\"", "a built-in algorithm");
    if (auto ok = initialize_from_text(*algo, x.params_json); !ok)
      return std::move(ok).error().within(x.strategy + "/" + x.symbol);
    if (x.restored_position != 0)
      algo->restore_position(x.restored_position);
    out.by_symbol_[x.symbol].push_back({x.strategy, std::move(algo)});
    ++out.instances_;
  }
  return out;
}

void shard_engine::warm_up(const std::vector<quote>& history) {
  // The history is remembered too, so the window grows with it.
  filter_ = quote_filter{stale_policy::trade,
                         std::min(quote_filter::recent_capacity,
                                  shard_recent_window + history.size())};
  for (const auto& q : history) {
    auto i = by_symbol_.find(q.symbol);
    if (i == by_symbol_.end())
      continue;
    filter_.remember(q.symbol, q.ts_ms);
    for (auto& r : i->second)
      r.algo->on_quote(q);
  }
}

shard_output shard_engine::on_quotes(std::vector<quote> quotes) {
  shard_output out;
  out.quotes.reserve(quotes.size());
  for (auto& q : quotes) {
    auto i = by_symbol_.find(q.symbol);
    if (i == by_symbol_.end()) {
      ++out.foreign;
      continue;
    }
    if (filter_.check(q) != filter_verdict::accept) {
      ++out.duplicates;
      continue;
    }
    auto index = static_cast<uint64_t>(out.quotes.size());
    for (auto& r : i->second)
      if (auto d = r.algo->on_quote(q))
        out.signals.push_back({r.strategy, q.symbol, d->direction, d->strength,
                               q.price_micros, q.ts_ms, index});
    out.quotes.push_back(std::move(q));
  }
  return out;
}

} // namespace intuition::trading
