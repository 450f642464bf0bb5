#define CAF_SUITE trading.risk_file
#include "caf/test/unit_test.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "trading/risk_file.hpp"

using namespace intuition::trading;

namespace {

struct fixture {
  std::string path
    = (std::filesystem::temp_directory_path()
       / ("intuition-riskfile-" + std::to_string(::getpid()) + ".risk"))
        .string();

  fixture() {
    std::remove(path.c_str());
  }

  ~fixture() {
    std::remove(path.c_str());
    std::remove((path + ".tmp").c_str());
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(risk_file_tests, fixture)

CAF_TEST(watermarks are saved and read back) {
  CAF_CHECK_EQUAL(risk_file_path("var/orders.journal"),
                  "var/orders.journal.risk");
  auto none = read_risk_file(path);
  CAF_REQUIRE(none);
  CAF_CHECK(!*none);
  risk_marks x{123'456'789, 19'700, -5};
  CAF_REQUIRE(write_risk_file(path, x));
  auto back = read_risk_file(path);
  CAF_REQUIRE(back && *back);
  CAF_CHECK(**back == x);
  // Saved again over the old ones; none removes the file.
  x.peak_micros = 200'000'000;
  CAF_REQUIRE(write_risk_file(path, x));
  CAF_CHECK_EQUAL((*read_risk_file(path))->peak_micros, 200'000'000);
  CAF_REQUIRE(write_risk_file(path, std::nullopt));
  CAF_CHECK(!std::filesystem::exists(path));
  CAF_CHECK(!*read_risk_file(path));
}

CAF_TEST(a damaged file is refused with its name) {
  for (const char* text : {"", "{\"peak\": 1, \"day\": 2}",
                           "{\"peak\": 1.5, \"day\": 2, \"day_open\": 3}",
                           "[1, 2, 3]", "{\"peak\": 1, \"day\": 2, \"day_o",
                           "{\"peak\": 9223372036854775808, \"day\": 2, "
                           "\"day_open\": 3}"}) {
    std::ofstream{path, std::ios::trunc} << text;
    auto read = read_risk_file(path);
    CAF_REQUIRE(!read);
    CAF_CHECK_NOT_EQUAL(read.error().message.find(path), std::string::npos);
    CAF_CHECK_NOT_EQUAL(read.error().message.find("move the file away"),
                        std::string::npos);
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
