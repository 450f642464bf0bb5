#define CAF_SUITE trading.shard_map
#include "caf/test/unit_test.hpp"

#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "trading/shard_map.hpp"

using namespace intuition::trading;

namespace {

std::vector<std::string> universe(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back("SYM" + std::to_string(i));
  return out;
}

std::string write_file(const std::string& name, const std::string& text) {
  auto path = "/tmp/intuition-shard-map-" + name;
  std::ofstream{path} << text;
  return path;
}

} // namespace

CAF_TEST(shards are the same on every machine) {
  // Pinned: every node must find a symbol in the same shard, whatever its
  // compiler, standard library or byte order.
  CAF_CHECK_EQUAL(shard_of("AAPL", 64), 40u);
  CAF_CHECK_EQUAL(shard_of("MSFT", 64), 26u);
  CAF_CHECK_EQUAL(shard_of("SYM0", 7), 0u);
}

CAF_TEST(every symbol lands in exactly one shard and shards spread evenly) {
  shard_map m{universe(6400), 64};
  CAF_CHECK_EQUAL(m.shards(), 64u);
  size_t total = 0;
  std::set<std::string> seen;
  for (uint32_t s = 0; s < m.shards(); ++s) {
    // 100 expected per shard; a good hash stays well inside 50..150.
    CAF_CHECK_GREATER(m.symbols(s).size(), 50u);
    CAF_CHECK_LESS(m.symbols(s).size(), 150u);
    for (const auto& sym : m.symbols(s)) {
      CAF_CHECK_EQUAL(shard_of(sym, 64), s);
      seen.insert(sym);
    }
    total += m.symbols(s).size();
  }
  CAF_CHECK_EQUAL(total, 6400u);
  CAF_CHECK_EQUAL(seen.size(), 6400u);
  CAF_CHECK(m.contains("SYM17"));
  CAF_CHECK(!m.contains("SYM6400"));
}

CAF_TEST(topics and client ids follow the documented layout) {
  CAF_CHECK_EQUAL(symbol_topic("quotes", "AAPL"), "quotes/AAPL");
  CAF_CHECK_EQUAL(shard_client_id("prod", 7), "prod-shard-7");
  CAF_CHECK(check_cluster_name("cluster.name", "prod_eu-1"));
  auto bad = check_cluster_name("cluster.name", "prod/eu");
  CAF_REQUIRE(!bad);
  CAF_CHECK_EQUAL(bad.error().message,
                  "cluster.name: got \"prod/eu\", expected 1 to 64 characters "
                  "of [A-Za-z0-9_-] (part of the shards' MQTT client ids)");
  CAF_CHECK(!check_cluster_name("cluster.name", ""));
}

CAF_TEST(a universe is upper cased and refuses duplicates and bad symbols) {
  auto ok = check_universe("cluster.universe", {"aapl", "MSFT"});
  CAF_REQUIRE(ok);
  CAF_CHECK_EQUAL(*ok, (std::vector<std::string>{"AAPL", "MSFT"}));
  auto twice = check_universe("cluster.universe", {"AAPL", "aapl"});
  CAF_REQUIRE(!twice);
  CAF_CHECK_EQUAL(twice.error().message,
                  "cluster.universe: got \"aapl\", expected each symbol once "
                  "(it is listed twice)");
  auto bad = check_universe("cluster.universe", {"A+B"});
  CAF_REQUIRE(!bad);
  CAF_CHECK_EQUAL(bad.error().kind, failure_kind::invalid_request);
  CAF_CHECK(!check_universe("cluster.universe", {}));
}

CAF_TEST(a universe file has one symbol a line with comments and blanks) {
  auto path = write_file("good", "# the universe\nAAPL\n\n  msft \r\nSAP.DE\n");
  auto ok = read_universe_file(path);
  CAF_REQUIRE(ok);
  CAF_CHECK_EQUAL(*ok, (std::vector<std::string>{"AAPL", "MSFT", "SAP.DE"}));
  auto bad_path = write_file("bad", "AAPL\nA B C\n");
  auto bad = read_universe_file(bad_path);
  CAF_REQUIRE(!bad);
  CAF_CHECK_EQUAL(bad.error().message,
                  bad_path
                    + " line 2: got \"A B C\", expected symbols of 1 to 32 "
                      "characters [A-Za-z0-9._-/:^]");
  auto missing = read_universe_file("/nonexistent/universe.txt");
  CAF_REQUIRE(!missing);
  CAF_CHECK_EQUAL(missing.error().kind, failure_kind::invalid_request);
  std::remove(path.c_str());
  std::remove(bad_path.c_str());
}
