#include "trading/shard_outbox.hpp"

#include <iterator>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace intuition::trading {

shard_outbox::shard_outbox(outbox_limits limits) : limits_(limits) {
  if (limits_.flush_quotes == 0)
    limits_.flush_quotes = 1;
  if (limits_.max_unsent < limits_.flush_quotes)
    limits_.max_unsent = limits_.flush_quotes;
}

outbox_verdict shard_outbox::add(shard_output out, uint64_t ticket) {
  auto base = quotes_.size();
  for (auto& s : out.signals) {
    s.quote_seq += base;
    signals_.push_back(std::move(s));
  }
  quotes_.insert(quotes_.end(), std::make_move_iterator(out.quotes.begin()),
                 std::make_move_iterator(out.quotes.end()));
  outbox_verdict v;
  auto signalled = !out.signals.empty();
  v.settle = !signalled && quotes_.size() < limits_.max_unsent;
  if (!v.settle)
    tickets_.push_back(ticket);
  v.flush = due();
  return v;
}

bool shard_outbox::due() const noexcept {
  return !sending_
         && (!tickets_.empty() || quotes_.size() >= limits_.flush_quotes);
}

outbox_batch shard_outbox::take() {
  outbox_batch out;
  out.quotes = std::move(quotes_);
  out.signals = std::move(signals_);
  out.tickets = std::move(tickets_);
  quotes_.clear();
  signals_.clear();
  tickets_.clear();
  sending_ = !out.quotes.empty();
  if (limits_.conflate)
    conflate(out);
  return out;
}

std::vector<bool> signalled_quotes(const std::vector<signal>& signals,
                                   size_t n) {
  std::vector<bool> out(n, false);
  for (const auto& s : signals)
    if (s.quote_seq < n)
      out[s.quote_seq] = true;
  return out;
}

void shard_outbox::conflate(outbox_batch& out) {
  auto n = out.quotes.size();
  auto keep = signalled_quotes(out.signals, n);
  // From the newest back: the first quote met of a symbol is its newest.
  std::unordered_set<std::string_view> seen;
  for (size_t i = n; i-- > 0;)
    if (seen.insert(out.quotes[i].symbol).second)
      keep[i] = true;
  std::vector<uint64_t> index_of(n, 0);
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!keep[i])
      continue;
    index_of[i] = kept;
    if (kept != i)
      out.quotes[kept] = std::move(out.quotes[i]);
    ++kept;
  }
  out.quotes.resize(kept);
  for (auto& s : out.signals)
    if (s.quote_seq < n)
      s.quote_seq = index_of[s.quote_seq];
  out.conflated = n - kept;
}

void shard_outbox::done() noexcept {
  sending_ = false;
}

size_t shard_outbox::discard() noexcept {
  auto n = quotes_.size();
  quotes_.clear();
  signals_.clear();
  tickets_.clear();
  return n;
}

} // namespace intuition::trading
