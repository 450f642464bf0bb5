#define CAF_SUITE trading.warmup_file
#include "caf/test/unit_test.hpp"

#include "trading/warmup_file.hpp"

#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>

using namespace intuition::trading;

namespace {

struct fixture {
  std::string dir;

  fixture() {
    char tmpl[] = "/tmp/intuition-warmup-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }

  ~fixture() {
    std::string cmd = "rm -rf " + dir;
    CAF_CHECK_EQUAL(std::system(cmd.c_str()), 0);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(warmup_file_tests, fixture)

CAF_TEST(history written is read back oldest first with seq zero) {
  auto path = warmup_file_path(dir + "/j.journal");
  CAF_CHECK_EQUAL(path, dir + "/j.journal.warmup");
  // Nothing kept yet: an empty history, not an error.
  auto none = read_warmup_file(path);
  CAF_REQUIRE(none);
  CAF_CHECK(none->empty());
  std::vector<symbol_history> h{
    {"DAX", {{1'628'750'000, 1, 7, 0}, {1'613'630'000, 2, 8, 0}}},
    {"SMI", {{1'678'100'000, 1, 9, 0}}},
    {"EMPTY", {}}};
  CAF_REQUIRE(write_warmup_file(path, h));
  auto read = read_warmup_file(path);
  CAF_REQUIRE(read);
  const auto& got = *read;
  CAF_REQUIRE_EQUAL(got.size(), 2u);
  CAF_CHECK_EQUAL(got[0].symbol, "DAX");
  CAF_REQUIRE_EQUAL(got[0].ticks.size(), 2u);
  CAF_CHECK_EQUAL(got[0].ticks[1].price_micros, 1'613'630'000);
  CAF_CHECK_EQUAL(got[0].ticks[1].ts_ms, 2);
  CAF_CHECK_EQUAL(got[0].ticks[1].seq, 0u);
  CAF_CHECK_EQUAL(got[1].symbol, "SMI");
  // The temporary file is gone after the rename.
  CAF_CHECK_NOT_EQUAL(::access((path + ".tmp").c_str(), F_OK), 0);
}

CAF_TEST(a damaged history is refused naming the file and line) {
  auto path = dir + "/bad.warmup";
  std::ofstream{path} << "intuition-warmup 1\nDAX 2 1 100 2\n";
  auto read = read_warmup_file(path);
  CAF_REQUIRE(!read);
  CAF_CHECK_EQUAL(read.error().message,
                  "warm-up history " + path
                    + " line 2: expected 2 pairs of timestamp and price (> 0)");
  std::ofstream{path} << "something else\n";
  read = read_warmup_file(path);
  CAF_REQUIRE(!read);
  CAF_CHECK_EQUAL(read.error().message,
                  "warm-up history " + path
                    + " line 1: expected \"intuition-warmup 1\"");
}

CAF_TEST(
  the writer writes on its own thread and keeps only the newest waiting) {
  std::mutex mtx;
  std::condition_variable cv;
  bool release = false;
  bool writing = false;
  std::vector<std::string> firsts;
  std::thread::id writer;
  warmup_writer w{dir + "/h.warmup", [&](const std::string&,
                                         const std::vector<symbol_history>& h) {
                    std::unique_lock<std::mutex> guard{mtx};
                    writer = std::this_thread::get_id();
                    firsts.push_back(h.front().symbol);
                    writing = true;
                    cv.notify_all();
                    cv.wait(guard, [&] { return release; });
                    return status{};
                  }};
  auto one = [](std::string symbol) {
    return std::vector<symbol_history>{{std::move(symbol), {{1, 100, 0}}}};
  };
  w.submit(one("A"));
  {
    // A is being written (and held there): B and C wait, C replaces B.
    std::unique_lock<std::mutex> guard{mtx};
    cv.wait(guard, [&] { return writing; });
  }
  w.submit(one("B"));
  w.submit(one("C"));
  {
    std::lock_guard<std::mutex> guard{mtx};
    release = true;
  }
  cv.notify_all();
  w.flush();
  CAF_CHECK_EQUAL(firsts, (std::vector<std::string>{"A", "C"}));
  CAF_CHECK_EQUAL(w.written(), 2u);
  CAF_CHECK_EQUAL(w.replaced(), 1u);
  CAF_CHECK_NOT_EQUAL(writer, std::this_thread::get_id());
  CAF_CHECK(!w.take_failure());
}

CAF_TEST(the writer reports a failed write once) {
  warmup_writer w{dir + "/missing/h.warmup"};
  w.submit({{"DAX", {{1, 100, 0}}}});
  w.flush();
  CAF_CHECK_EQUAL(w.failures(), 1u);
  auto err = w.take_failure();
  CAF_REQUIRE(err.has_value());
  CAF_CHECK_NOT_EQUAL(err->message.find(dir + "/missing/h.warmup"),
                      std::string::npos);
  CAF_CHECK(!w.take_failure());
}

CAF_TEST(a writer destroyed with a snapshot waiting writes it first) {
  auto path = dir + "/h.warmup";
  {
    warmup_writer w{path};
    w.submit({{"DAX", {{1, 100, 0}}}});
  }
  auto back = read_warmup_file(path);
  CAF_REQUIRE(back);
  CAF_REQUIRE_EQUAL(back->size(), 1u);
  CAF_CHECK_EQUAL(back->front().symbol, "DAX");
}

CAF_TEST_FIXTURE_SCOPE_END()
