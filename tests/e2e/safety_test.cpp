#define CAF_SUITE e2e.safety
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <csignal>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "support.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::e2e;

namespace {

bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos)
    return true;
  CAF_MESSAGE("missing \"" << part << "\" in:\n" << text);
  return false;
}

/// First line of a file, or empty.
std::string first_line(const std::string& path) {
  auto text = slurp(path);
  return text.substr(0, text.find('\n'));
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(safety_tests, temp_dir)

CAF_TEST(a second process on the same journal is refused naming the holder) {
  // Two quotes a minute apart, paced in real time: the first replay holds
  // the journal until it is told to stop.
  auto quotes = write("slow.csv", "ts,symbol,price\n0,AAA,1\n60000,AAA,2\n");
  auto cfg = write("lock.json", R"({
    "strategies": [{"name": "hold", "algorithm": "buy_and_hold"}],
    "journal": {"path": "lock.journal", "fsync": "never"},
    "replay": {"speed": "realtime"}
  })");
  auto journal = file("lock.journal");
  auto first = intuition({"replay", "--config", cfg, "--quotes", quotes,
                          "--quiet"},
                         "first");
  auto pid = std::to_string(first.pid);
  // The holder writes its pid into the lock file once it has the lock.
  CAF_REQUIRE(eventually(
    [&] { return first_line(trading::journal_lock_path(journal)) == pid; },
    std::chrono::seconds(30)));
  auto expected = "journal " + journal + ": in use by process " + pid;
  CAF_CHECK_EQUAL(run({"replay", "--config", cfg, "--quotes", quotes,
                       "--speed", "max", "--quiet"},
                      "second"),
                  1);
  CAF_CHECK(contains(slurp(file("second.err")), expected));
  CAF_CHECK_EQUAL(run({"run", "--config", cfg, "--journal", journal,
                       "--listen", "off", "--quiet"},
                      "third"),
                  1);
  CAF_CHECK(contains(slurp(file("third.err")), expected));
  // The holder was not disturbed: it stops cleanly when asked...
  first.signal(SIGTERM);
  CAF_CHECK_EQUAL(first.wait_for(std::chrono::seconds(60)), 0);
  // ... and once it is gone the journal is free again.
  CAF_CHECK_EQUAL(run({"replay", "--config", cfg, "--quotes", quotes,
                       "--speed", "max", "--quiet"},
                      "after"),
                  0);
  // One writer at a time: the journal reads back clean.
  auto contents = trading::read_journal(journal, false);
  CAF_REQUIRE(std::holds_alternative<trading::journal_contents>(contents));
  const auto& read = std::get<trading::journal_contents>(contents);
  CAF_CHECK(!read.orders.empty());
  CAF_CHECK(!read.torn_tail);
}

CAF_TEST(a journal that cannot be written is named in the error) {
  auto quotes = write("q.csv", "ts,symbol,price\n0,AAA,1\n");
  auto cfg = write("w.json", R"({
    "strategies": [{"name": "hold", "algorithm": "buy_and_hold"}]
  })");
  // A folder where the journal file should be.
  auto folder = file("taken");
  CAF_REQUIRE_EQUAL(::mkdir(folder.c_str(), 0755), 0);
  CAF_CHECK_EQUAL(run({"replay", "--config", cfg, "--quotes", quotes,
                       "--journal", folder, "--quiet"},
                      "dir"),
                  1);
  CAF_CHECK(contains(slurp(file("dir.err")), "journal " + folder + ": "));
  // A read-only journal file (permissions do not bind root).
  if (::geteuid() != 0) {
    auto ro = write("ro.journal", "");
    CAF_REQUIRE_EQUAL(::chmod(ro.c_str(), 0444), 0);
    CAF_CHECK_EQUAL(run({"replay", "--config", cfg, "--quotes", quotes,
                         "--journal", ro, "--quiet"},
                        "ro"),
                    1);
    CAF_CHECK(contains(slurp(file("ro.err")),
                       "journal " + ro + ": cannot open for appending: "
                       "Permission denied"));
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
