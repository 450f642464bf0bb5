#define CAF_SUITE trading.fuzz_corpus
#include "caf/test/unit_test.hpp"

#include "fuzz/checks.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

/// Every file of a corpus folder, sorted, as (name, bytes).
std::vector<std::pair<std::string, std::string>>
corpus(const std::string& name) {
  std::vector<std::pair<std::string, std::string>> out;
  auto dir = fs::path{INTUITION_SOURCE_DIR} / "fuzz" / "corpus" / name;
  for (const auto& entry : fs::directory_iterator{dir}) {
    std::ifstream in{entry.path(), std::ios::binary};
    out.emplace_back(entry.path().filename().string(),
                     std::string{std::istreambuf_iterator<char>{in},
                                 std::istreambuf_iterator<char>{}});
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

CAF_TEST(the quote codec corpus keeps every property) {
  auto inputs = corpus("quote_codec");
  CAF_CHECK_GREATER_OR_EQUAL(inputs.size(), 30u);
  for (const auto& [name, bytes] : inputs) {
    auto ok = intuition::fuzz::check_quote_codec(bytes);
    CAF_CHECK_EQUAL(name + ": " + (ok ? "ok" : ok.error().message),
                    name + ": ok");
  }
}

CAF_TEST(the config corpus keeps every property) {
  auto inputs = corpus("config");
  CAF_CHECK_GREATER_OR_EQUAL(inputs.size(), 10u);
  for (const auto& [name, bytes] : inputs) {
    auto ok = intuition::fuzz::check_config(bytes);
    CAF_CHECK_EQUAL(name + ": " + (ok ? "ok" : ok.error().message),
                    name + ": ok");
  }
}

CAF_TEST(the signal codec corpus keeps every property) {
  auto inputs = corpus("signal_codec");
  CAF_CHECK_GREATER_OR_EQUAL(inputs.size(), 8u);
  for (const auto& [name, bytes] : inputs) {
    auto ok = intuition::fuzz::check_signal_codec(bytes);
    CAF_CHECK_EQUAL(name + ": " + (ok ? "ok" : ok.error().message),
                    name + ": ok");
  }
}
