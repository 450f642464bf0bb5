#include "runtime/dashboard_model.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "trading/journal.hpp"

namespace intuition::runtime {

// -- the actor map ----------------------------------------------------------------

actor_row to_actor_row(const actors::actor_state& x) {
  actor_row out;
  out.name = x.name;
  out.node = x.node;
  out.mailbox = x.mailbox_size;
  out.processed = x.processed;
  auto summary = nlohmann::json::parse(x.summary_json, nullptr, false);
  if (!summary.is_object())
    return out;
  auto text = [&](const char* key) {
    auto i = summary.find(key);
    return i != summary.end() && i->is_string() ? i->get<std::string>()
                                                : std::string{};
  };
  out.strategy = text("strategy");
  out.symbol = text("symbol");
  if (auto i = summary.find("epoch");
      i != summary.end() && i->is_number_unsigned())
    out.epoch = i->get<uint64_t>();
  return out;
}

nlohmann::json to_json(const actor_row& x) {
  return {{"name", x.name},          {"node", x.node},
          {"strategy", x.strategy},  {"symbol", x.symbol},
          {"epoch", x.epoch},        {"mailbox", x.mailbox},
          {"processed", x.processed}};
}

nlohmann::json summarize_actors(const std::vector<actor_row>& rows,
                                size_t top_n) {
  struct tally {
    uint64_t actors = 0;
    int64_t mailbox = 0;
  };
  std::map<std::string, tally> nodes;
  std::map<std::string, tally> strategies;
  for (const auto& x : rows) {
    auto& n = nodes[x.node];
    ++n.actors;
    n.mailbox += x.mailbox;
    auto& s = strategies[x.strategy];
    ++s.actors;
    s.mailbox += x.mailbox;
  }
  auto as_json = [](const std::map<std::string, tally>& xs) {
    auto out = nlohmann::json::array();
    for (const auto& [name, t] : xs)
      out.push_back(
        {{"name", name}, {"actors", t.actors}, {"mailbox", t.mailbox}});
    return out;
  };
  // The busiest first, without sorting every row.
  std::vector<const actor_row*> top;
  top.reserve(rows.size());
  for (const auto& x : rows)
    top.push_back(&x);
  auto busier = [](const actor_row* x, const actor_row* y) {
    return x->mailbox != y->mailbox ? x->mailbox > y->mailbox
                                    : x->processed > y->processed;
  };
  auto n = std::min(top_n, top.size());
  std::partial_sort(top.begin(), top.begin() + static_cast<ptrdiff_t>(n),
                    top.end(), busier);
  auto busiest = nlohmann::json::array();
  for (size_t i = 0; i < n; ++i)
    busiest.push_back(to_json(*top[i]));
  return {{"total", rows.size()},
          {"by_node", as_json(nodes)},
          {"by_strategy", as_json(strategies)},
          {"busiest", std::move(busiest)}};
}

namespace {

bool contains_folded(std::string_view text, std::string_view lowered_query) {
  if (lowered_query.empty())
    return true;
  auto it
    = std::search(text.begin(), text.end(), lowered_query.begin(),
                  lowered_query.end(), [](char x, char y) {
                    return std::tolower(static_cast<unsigned char>(x)) == y;
                  });
  return it != text.end();
}

} // namespace

nlohmann::json search_actors(const std::vector<actor_row>& rows,
                             std::string_view query, size_t limit) {
  std::string q;
  for (auto c : query)
    q.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  uint64_t matches = 0;
  auto found = nlohmann::json::array();
  for (const auto& x : rows) {
    if (!contains_folded(x.name, q) && !contains_folded(x.node, q)
        && !contains_folded(x.strategy, q) && !contains_folded(x.symbol, q))
      continue;
    ++matches;
    if (found.size() < limit)
      found.push_back(to_json(x));
  }
  return {{"matches", matches}, {"rows", std::move(found)}};
}

// -- figures over time ------------------------------------------------------------

equity_samples::equity_samples(size_t max_points)
    : max_points_(std::max<size_t>(max_points, 2)) {
  points_.reserve(max_points_);
}

void equity_samples::add(int64_t t_ms, double equity) {
  if (points_.size() >= max_points_) {
    // Keep the first, then every second one.
    size_t kept = 0;
    for (size_t i = 0; i < points_.size(); i += 2)
      points_[kept++] = points_[i];
    points_.resize(kept);
  }
  points_.emplace_back(t_ms, equity);
}

nlohmann::json equity_samples::to_json() const {
  auto out = nlohmann::json::array();
  for (const auto& [t, v] : points_)
    out.push_back({t, v});
  return out;
}

double rate_meter::update(int64_t count, int64_t t_ms) {
  double rate = 0.0;
  if (started_ && t_ms > last_ms_ && count >= last_count_)
    rate = static_cast<double>(count - last_count_) * 1000.0
           / static_cast<double>(t_ms - last_ms_);
  started_ = true;
  last_count_ = count;
  last_ms_ = t_ms;
  return rate;
}

// -- orders -------------------------------------------------------------------------

nlohmann::json to_json(const trading::order& x) {
  return nlohmann::json::parse(trading::encode_order_json(x));
}

std::optional<uint64_t> parse_count(std::string_view text) {
  uint64_t n = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc{} || ptr != end)
    return std::nullopt;
  return n;
}

} // namespace intuition::runtime
