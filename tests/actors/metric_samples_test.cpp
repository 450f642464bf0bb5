#define CAF_SUITE actors.metric_samples
#include "caf/test/unit_test.hpp"

#include "actors/metric_samples.hpp"

#include <cstdint>
#include <string>
#include <vector>

using namespace intuition::actors;

namespace {

const std::vector<double> bounds{1.0, 2.0, 5.0};

} // namespace

CAF_TEST(a value on a bound falls into the bucket of that bound) {
  CAF_CHECK_EQUAL(bucket_index(bounds, 1.0), 0u);
  CAF_CHECK_EQUAL(bucket_index(bounds, 2.0), 1u);
  CAF_CHECK_EQUAL(bucket_index(bounds, 5.0), 2u);
}

CAF_TEST(a value below a bound falls into the first bucket that holds it) {
  CAF_CHECK_EQUAL(bucket_index(bounds, -3.0), 0u);
  CAF_CHECK_EQUAL(bucket_index(bounds, 0.0), 0u);
  CAF_CHECK_EQUAL(bucket_index(bounds, 0.999), 0u);
  CAF_CHECK_EQUAL(bucket_index(bounds, 1.001), 1u);
  CAF_CHECK_EQUAL(bucket_index(bounds, 4.999), 2u);
}

CAF_TEST(a value above every bound falls into the overflow bucket) {
  CAF_CHECK_EQUAL(bucket_index(bounds, 5.001), 3u);
  CAF_CHECK_EQUAL(bucket_index(bounds, 1e9), 3u);
  CAF_CHECK_EQUAL(bucket_index({}, 0.0), 0u);
}

CAF_TEST(the default buckets are the ones of CAF) {
  CAF_CHECK_EQUAL(
    caf_default_buckets(),
    (std::vector<double>{1e-5, 1e-4, 5e-4, 1e-3, 1e-2, 1e-1, 0.5, 1.0, 5.0}));
  // 1 ms sits on a bound; 2 ms is the first value of the 10 ms bucket.
  CAF_CHECK_EQUAL(bucket_index(caf_default_buckets(), 1e-3), 3u);
  CAF_CHECK_EQUAL(bucket_index(caf_default_buckets(), 2e-3), 4u);
  CAF_CHECK_EQUAL(bucket_index(caf_default_buckets(), 6.0), 9u);
}

CAF_TEST(a histogram counts per bucket and sums the observations) {
  bucket_histogram h{bounds};
  CAF_CHECK_EQUAL(h.count(), 0u);
  CAF_CHECK_EQUAL(h.sum(), 0.0);
  for (auto x : {0.5, 1.0, 1.5, 2.0, 3.0, 7.0, 8.0})
    h.observe(x);
  CAF_CHECK_EQUAL(h.count(), 7u);
  CAF_CHECK_EQUAL(h.sum(), 23.0);
  auto s = h.sample("latency_seconds", {{"name", "portfolio"}});
  CAF_CHECK_EQUAL(s.name, "latency_seconds");
  CAF_CHECK(s.type == metric_type::histogram);
  CAF_CHECK_EQUAL(s.labels, (metric_labels{{"name", "portfolio"}}));
  CAF_CHECK_EQUAL(s.value, 23.0);
  CAF_CHECK_EQUAL(s.bounds, bounds);
  // Per bucket, not cumulative: (..1] (1..2] (2..5] (5..)
  CAF_CHECK_EQUAL(s.counts, (std::vector<uint64_t>{2, 2, 1, 2}));
}

CAF_TEST(an empty histogram has one zero count per bucket plus overflow) {
  bucket_histogram h;
  auto s = h.sample("empty");
  CAF_CHECK_EQUAL(s.bounds, caf_default_buckets());
  CAF_CHECK_EQUAL(s.counts, std::vector<uint64_t>(10, 0));
  CAF_CHECK_EQUAL(s.value, 0.0);
  CAF_CHECK(s.labels.empty());
}

CAF_TEST(counter and gauge samples carry name value and labels) {
  auto c = counter_sample("intuition_orders_total", 40,
                          {{"strategy", "every"}, {"side", "buy"}});
  CAF_CHECK_EQUAL(c.name, "intuition_orders_total");
  CAF_CHECK(c.type == metric_type::counter);
  CAF_CHECK_EQUAL(c.value, 40.0);
  CAF_CHECK_EQUAL(c.labels,
                  (metric_labels{{"strategy", "every"}, {"side", "buy"}}));
  CAF_CHECK(c.bounds.empty());
  CAF_CHECK(c.counts.empty());
  auto g = gauge_sample("intuition_cash", -2.5);
  CAF_CHECK(g.type == metric_type::gauge);
  CAF_CHECK_EQUAL(g.value, -2.5);
  CAF_CHECK(g.labels.empty());
}

CAF_TEST(instance patterns match whole segments with wildcards and prefixes) {
  struct row {
    const char* pattern;
    const char* name;
    bool matches;
  };
  const row table[] = {
    {"portfolio", "portfolio", true},
    {"portfolio", "portfolios", false},
    {"portfolio", "order_log", false},
    {"algorithm/sma/GOOG", "algorithm/sma/GOOG", true},
    {"algorithm/sma/GOOG", "algorithm/sma/MSFT", false},
    {"algorithm/*/GOOG", "algorithm/sma/GOOG", true},
    {"algorithm/*/GOOG", "algorithm/trend/GOOG", true},
    {"algorithm/*/GOOG", "algorithm/sma/MSFT", false},
    {"algorithm", "algorithm/sma/GOOG", true},
    {"algorithm/sma", "algorithm/sma/GOOG", true},
    {"algorithm/sma", "algorithm/smart/GOOG", false},
    {"algo", "algorithm/sma/GOOG", false},
    {"algorithm", "portfolio", false},
    {"", "portfolio", true},
    {"", "algorithm/sma/GOOG", true},
    {"algorithm/sma/GOOG/extra", "algorithm/sma/GOOG", false},
    {"portfolio/x", "portfolio", false},
    {"*", "portfolio", true},
    {"*", "algorithm/sma/GOOG", true},
    {"*/*/*/*", "algorithm/sma/GOOG", false},
  };
  for (const auto& x : table) {
    CAF_MESSAGE("pattern \"" << x.pattern << "\" vs \"" << x.name << "\"");
    CAF_CHECK_EQUAL(instance_matches(x.pattern, x.name), x.matches);
  }
}
