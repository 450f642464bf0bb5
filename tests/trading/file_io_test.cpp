#define CAF_SUITE trading.file_io
#include "caf/test/unit_test.hpp"

#include <cerrno>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "trading/file_io.hpp"

using namespace intuition::trading;

CAF_TEST(a replaced file holds the new contents and no temporary stays) {
  auto dir = std::filesystem::temp_directory_path()
             / ("intuition-fileio-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "x").string();
  int err = 0;
  auto step = replace_step::none;
  for (const char* text : {"first\n", "second, longer\n"}) {
    CAF_REQUIRE(replace_file(path, text, true, err, step));
    std::string back;
    bool missing = true;
    CAF_REQUIRE(read_file(path, back, missing, err));
    CAF_CHECK_EQUAL(back, text);
  }
  CAF_CHECK(!std::filesystem::exists(path + ".tmp"));
  // A folder that does not exist: the temporary cannot be made.
  CAF_CHECK(
    !replace_file((dir / "none" / "x").string(), "y", false, err, step));
  CAF_CHECK(step == replace_step::create);
  CAF_CHECK_EQUAL(err, ENOENT);
  // A folder in the way of the rename: the temporary goes again.
  std::filesystem::create_directories(dir / "taken");
  CAF_CHECK(!replace_file((dir / "taken").string(), "y", false, err, step));
  CAF_CHECK(step == replace_step::rename);
  CAF_CHECK(!std::filesystem::exists((dir / "taken").string() + ".tmp"));
  std::filesystem::remove_all(dir);
}
