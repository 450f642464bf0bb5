#include "trading/channels.hpp"

#include <algorithm>

namespace intuition::trading {

namespace {

constexpr std::string_view share_prefix = "$share/";

/// The levels of a topic or filter (`a//b` has an empty middle level).
std::vector<std::string_view> levels_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    auto slash = text.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(text.substr(start));
      return out;
    }
    out.push_back(text.substr(start, slash - start));
    start = slash + 1;
  }
}

} // namespace

// -- topic filters --------------------------------------------------------------

std::string_view match_part(std::string_view filter) noexcept {
  if (filter.substr(0, share_prefix.size()) != share_prefix)
    return filter;
  auto rest = filter.substr(share_prefix.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos)
    return filter; // not a valid shared subscription: matched as written
  return rest.substr(slash + 1);
}

bool topic_matches(std::string_view filter, std::string_view topic) noexcept {
  filter = match_part(filter);
  if (filter.empty() || topic.empty())
    return false;
  // `$SYS/...` and other `$` topics are for filters that name them.
  if (topic.front() == '$' && (filter.front() == '+' || filter.front() == '#'))
    return false;
  auto want = levels_of(filter);
  auto have = levels_of(topic);
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] == "#")
      return true;
    if (i >= have.size())
      return false;
    if (want[i] != "+" && want[i] != have[i])
      return false;
  }
  return want.size() == have.size();
}

status check_topic_filter(std::string_view filter) {
  if (filter.empty())
    return invalid_request("an empty topic filter");
  if (filter.size() > 65'535)
    return invalid_request("a topic filter of " + std::to_string(filter.size())
                           + " bytes (at most 65535)");
  if (filter.find('\0') != std::string_view::npos)
    return invalid_request("a NUL character");
  auto part = filter;
  if (filter.substr(0, share_prefix.size()) == share_prefix) {
    auto rest = filter.substr(share_prefix.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0)
      return invalid_request("a shared subscription without GROUP/FILTER "
                             "after $share/");
    if (rest.substr(0, slash).find_first_of("+#") != std::string_view::npos)
      return invalid_request("'+' or '#' in a shared subscription's group");
    part = rest.substr(slash + 1);
    if (part.empty())
      return invalid_request("a shared subscription without a filter");
  }
  auto levels = levels_of(part);
  for (size_t i = 0; i < levels.size(); ++i) {
    auto level = levels[i];
    if (level.find_first_of("+#") == std::string_view::npos)
      continue;
    if (level.size() > 1)
      return invalid_request("'" + std::string{level}
                             + "': '+' and '#' must be whole levels");
    if (level == "#" && i + 1 != levels.size())
      return invalid_request("'#' before the last level");
  }
  return {};
}

// -- which strategies a topic reaches ---------------------------------------------

bool operator==(const channel_set& x, const channel_set& y) noexcept {
  return x.id == y.id && x.strategies == y.strategies;
}

channel_table::channel_table(std::vector<strategy_channels> strategies,
                             size_t max_cached_topics)
    : strategies_(std::move(strategies)),
      max_cached_topics_(std::max<size_t>(max_cached_topics, 1)) {
  // nop
}

uint32_t channel_table::resolve(const std::string& topic) {
  if (strategies_.empty())
    return 0;
  if (auto found = topics_.find(topic); found != topics_.end())
    return found->second;
  std::vector<uint32_t> reached;
  for (uint32_t k = 0; k < strategies_.size(); ++k) {
    const auto& filters = strategies_[k].filters;
    if (std::any_of(filters.begin(), filters.end(),
                    [&](const auto& f) { return topic_matches(f, topic); }))
      reached.push_back(k);
  }
  auto [pos, added] = ids_.try_emplace(reached, 0);
  if (added) {
    sets_.push_back(std::move(reached));
    pos->second = static_cast<uint32_t>(sets_.size());
  }
  if (topics_.size() >= max_cached_topics_)
    topics_.clear();
  topics_.emplace(topic, pos->second);
  return pos->second;
}

std::vector<channel_set> channel_table::take_new() {
  std::vector<channel_set> out;
  for (; announced_ < sets_.size(); ++announced_) {
    channel_set set;
    set.id = static_cast<uint32_t>(announced_ + 1);
    for (auto k : sets_[announced_])
      set.strategies.push_back(strategies_[k].strategy);
    out.push_back(std::move(set));
  }
  return out;
}

const std::vector<uint32_t>& channel_table::strategies_of(uint32_t id) const {
  static const std::vector<uint32_t> none;
  if (id == 0 || id > sets_.size())
    return none;
  return sets_[id - 1];
}

} // namespace intuition::trading
