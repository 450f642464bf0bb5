#define CAF_SUITE runtime.shard_config
#include "caf/test/unit_test.hpp"

#include <cstdio>
#include <fstream>

#include "config_support.hpp"

using namespace intuition;

namespace {

std::string with_cluster(const std::string& cluster) {
  return R"({"strategies": [{"name": "s", "algorithm": "buy_and_hold"}],
             "cluster": )"
         + cluster + "}";
}

} // namespace

CAF_TEST(node ingress fields take their documented defaults) {
  auto cfg = config_of(with_cluster("{}"));
  CAF_CHECK_EQUAL(cfg.cluster.ingress, "coordinator");
  CAF_CHECK(!cfg.cluster.node_ingress());
  CAF_CHECK_EQUAL(cfg.cluster.name, "intuition");
  CAF_CHECK(cfg.cluster.universe.empty());
  CAF_CHECK_EQUAL(cfg.cluster.shards, 64u);
  CAF_CHECK_EQUAL(cfg.cluster.max_moves, 4u);
  CAF_CHECK_EQUAL(cfg.cluster.mark_interval_ms, 200u);
  CAF_CHECK_EQUAL(cfg.cluster.marks, "every");
}

CAF_TEST(a universe is a list or a file relative to the configuration) {
  auto cfg = config_of(with_cluster(R"({"ingress": "node", "name": "eu",
    "nodes": ["127.0.0.1:4243"], "universe": ["aapl", "MSFT"],
    "shards": 8, "max_moves": 2, "mark_interval_ms": 50,
    "marks": "latest"})"));
  CAF_CHECK(cfg.cluster.node_ingress());
  CAF_CHECK_EQUAL(cfg.cluster.name, "eu");
  CAF_CHECK_EQUAL(cfg.cluster.universe,
                  (std::vector<std::string>{"AAPL", "MSFT"}));
  CAF_CHECK_EQUAL(cfg.cluster.shards, 8u);
  CAF_CHECK_EQUAL(cfg.cluster.max_moves, 2u);
  CAF_CHECK_EQUAL(cfg.cluster.mark_interval_ms, 50u);
  CAF_CHECK_EQUAL(cfg.cluster.marks, "latest");
  std::ofstream{"/tmp/intuition-shard-config-universe.txt"} << "SAP\nBMW\n";
  auto text
    = with_cluster(R"({"universe": "intuition-shard-config-universe.txt"})");
  auto from_file = runtime::parse_config(text, "/tmp");
  CAF_REQUIRE(from_file);
  CAF_CHECK_EQUAL(from_file->cluster.universe,
                  (std::vector<std::string>{"SAP", "BMW"}));
  std::remove("/tmp/intuition-shard-config-universe.txt");
}

CAF_TEST(bad node ingress fields are named with what they accept) {
  CAF_CHECK_EQUAL(error_of(with_cluster(R"({"ingress": "broker"})")),
                  "cluster.ingress: got \"broker\", expected \"coordinator\" "
                  "or \"node\"");
  CAF_CHECK_EQUAL(error_of(with_cluster(R"({"shards": 0})")),
                  "cluster.shards: got 0, expected an integer in [1, 4096]");
  CAF_CHECK_EQUAL(error_of(with_cluster(R"({"mark_interval_ms": 0})")),
                  "cluster.mark_interval_ms: got 0, expected milliseconds in "
                  "[1, 60000]");
  CAF_CHECK_EQUAL(error_of(with_cluster(R"({"marks": "all"})")),
                  "cluster.marks: got \"all\", expected \"every\" or "
                  "\"latest\"");
  CAF_CHECK_EQUAL(error_of(with_cluster(R"({"universe": 7})")),
                  "cluster.universe: got 7, expected a list of symbols or "
                  "the path of a file with one symbol a line");
  CAF_CHECK_EQUAL(error_of(with_cluster(R"({"universe": ["A", "a"]})")),
                  "cluster.universe: got \"a\", expected each symbol once (it "
                  "is listed twice)");
  CAF_CHECK_EQUAL(error_of(with_cluster(R"({"ingress": "node",
    "nodes": ["127.0.0.1:4243"]})")),
                  "cluster.universe: required with cluster.ingress \"node\": "
                  "the symbols the shards subscribe to");
  CAF_CHECK_EQUAL(error_of(with_cluster(R"({"name": "a b"})")),
                  "cluster.name: got \"a b\", expected 1 to 64 characters of "
                  "[A-Za-z0-9_-] (part of the shards' MQTT client ids)");
}

CAF_TEST(node ingress needs nodes) {
  auto cfg
    = config_of(with_cluster(R"({"ingress": "node", "universe": ["AAPL"]})"));
  auto checked = runtime::check_cluster(cfg.cluster);
  CAF_REQUIRE(!checked);
  CAF_CHECK_EQUAL(checked.error().message,
                  "cluster.ingress: got \"node\", expected \"coordinator\" "
                  "unless cluster.nodes (or --join) names at least one node "
                  "(shards need owners)");
}
