#include "trading/shard_map.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <unordered_set>

#include "trading/quote_codec.hpp"

namespace intuition::trading {

uint32_t shard_of(const std::string& symbol, uint32_t shards) noexcept {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : symbol) {
    h ^= c;
    h *= 1099511628211ull;
  }
  // FNV alone spreads similar names (SYM1, SYM2, ...) poorly over a small
  // modulus: finish like splitmix64.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return shards == 0 ? 0 : static_cast<uint32_t>(h % shards);
}

std::string symbol_topic(const std::string& base, const std::string& symbol) {
  return base + "/" + symbol;
}

std::string shard_client_id(const std::string& cluster, uint32_t shard) {
  return cluster + "-shard-" + std::to_string(shard);
}

status check_cluster_name(const std::string& field, const std::string& name) {
  auto ok = !name.empty() && name.size() <= 64;
  for (char c : name)
    ok = ok
         && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
             || (c >= '0' && c <= '9') || c == '_' || c == '-');
  if (!ok)
    return invalid_value(field, "\"" + name + "\"",
                         "1 to 64 characters of [A-Za-z0-9_-] (part of the "
                         "shards' MQTT client ids)");
  return {};
}

result<std::vector<std::string>>
check_universe(const std::string& field, std::vector<std::string> symbols) {
  if (symbols.empty())
    return invalid_value(field, "no symbol", "at least one symbol");
  std::unordered_set<std::string> seen;
  for (auto& sym : symbols) {
    auto given = sym;
    reject_reason why;
    if (!normalize_symbol(sym, why))
      return invalid_value(field, "\"" + given + "\"",
                           "symbols of 1 to 32 characters [A-Za-z0-9._-/:^]");
    if (!seen.insert(sym).second)
      return invalid_value(field, "\"" + given + "\"",
                           "each symbol once (it is listed twice)");
  }
  return symbols;
}

result<std::vector<std::string>> read_universe_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return invalid_request("cannot read universe file " + path + ": "
                           + std::strerror(errno));
  std::vector<std::string> out;
  std::string line;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    while (
      !line.empty()
      && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#')
      continue;
    auto sym = line.substr(start);
    auto one = check_universe(path + " line " + std::to_string(n), {sym});
    if (!one)
      return std::move(one).error();
    out.push_back(std::move(one->front()));
  }
  return check_universe(path, std::move(out));
}

shard_map::shard_map(std::vector<std::string> universe, uint32_t shards)
    : universe_(std::move(universe)) {
  by_shard_.resize(shards);
  for (const auto& sym : universe_)
    by_shard_[shard_of(sym, shards)].push_back(sym);
}

bool shard_map::contains(const std::string& symbol) const {
  if (by_shard_.empty())
    return false;
  const auto& mine = by_shard_[shard_of(symbol, shards())];
  for (const auto& x : mine)
    if (x == symbol)
      return true;
  return false;
}

} // namespace intuition::trading
