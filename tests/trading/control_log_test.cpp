#define CAF_SUITE trading.control_log
#include "caf/test/unit_test.hpp"

#include "trading/control_log.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

using namespace intuition::trading;

namespace {

struct fixture {
  std::string path;

  fixture() {
    path = (std::filesystem::temp_directory_path()
            / ("intuition-control-" + std::to_string(::getpid()) + ".control"))
             .string();
    std::remove(path.c_str());
  }

  ~fixture() {
    std::remove(path.c_str());
  }

  std::string contents() const {
    std::ifstream in{path};
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

  void write(const std::string& text) const {
    std::ofstream out{path, std::ios::trunc};
    out << text;
  }

  control_record mode(mode_kind kind, std::string reason, bool risk = false) {
    control_record x;
    x.kind = "mode";
    x.mode = kind;
    x.reason = std::move(reason);
    x.risk = risk;
    return x;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(control_log_tests, fixture)

CAF_TEST(records round trip through a line) {
  control_record x;
  x.seq = 3;
  x.kind = "add_strategy";
  x.strategy = "fast";
  x.definition = R"({"name":"fast","algorithm":"momentum"})";
  auto line = encode_control_record(x);
  auto back = decode_control_record(line);
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(*back, x);
  auto m = mode(mode_kind::halted, "max_drawdown: x", true);
  m.seq = 4;
  auto mback = decode_control_record(encode_control_record(m));
  CAF_REQUIRE(mback);
  CAF_CHECK_EQUAL(*mback, m);
}

CAF_TEST(a flipped byte fails the checksum) {
  auto line = encode_control_record(mode(mode_kind::halted, "operator"));
  line[line.find("halted")] = 'H';
  auto back = decode_control_record(line);
  CAF_REQUIRE(!back);
  CAF_CHECK_EQUAL(back.error().message, "bad checksum");
}

CAF_TEST(appended records are read back in order and fold into a state) {
  {
    control_contents c;
    auto log = control_log::open(path, c);
    CAF_REQUIRE(log);
    CAF_CHECK(c.records.empty());
    auto halt = mode(mode_kind::halted, "operator");
    CAF_REQUIRE((*log)->append(halt));
    CAF_CHECK_EQUAL(halt.seq, 1u);
    control_record add;
    add.kind = "add_strategy";
    add.strategy = "fast";
    add.definition = R"({"name":"fast","algorithm":"momentum"})";
    CAF_REQUIRE((*log)->append(add));
    control_record rm;
    rm.kind = "remove_strategy";
    rm.strategy = "trend";
    rm.flatten = true;
    CAF_REQUIRE((*log)->append(rm));
  }
  auto read = read_control_log(path);
  CAF_REQUIRE(read);
  CAF_CHECK_EQUAL(read->records.size(), 3u);
  CAF_CHECK_EQUAL(read->next_seq, 4u);
  const auto& st = read->state;
  CAF_CHECK_EQUAL(st.mode, mode_kind::halted);
  CAF_CHECK_EQUAL(st.reason, "operator");
  CAF_REQUIRE_EQUAL(st.strategies.size(), 2u);
  CAF_CHECK_EQUAL(st.strategies[0].first, "fast");
  CAF_CHECK(st.strategies[0].second.has_value());
  CAF_CHECK_EQUAL(st.strategies[1].first, "trend");
  CAF_CHECK(!st.strategies[1].second.has_value());
  CAF_CHECK_EQUAL(st.flatten.count("trend"), 1u);
}

CAF_TEST(a later record of the same strategy wins) {
  control_state st;
  control_record add;
  add.kind = "add_strategy";
  add.strategy = "x";
  add.definition = "{}";
  control_record rm;
  rm.kind = "remove_strategy";
  rm.strategy = "x";
  st.apply(add);
  st.apply(rm);
  CAF_REQUIRE_EQUAL(st.strategies.size(), 1u);
  CAF_CHECK(!st.strategies[0].second);
  control_record flat;
  flat.kind = "flatten";
  st.apply(flat);
  control_record done;
  done.kind = "flattened";
  st.apply(done);
  CAF_CHECK(st.flatten.empty());
}

CAF_TEST(a torn last line is cut and appending goes on after it) {
  auto good = encode_control_record([&] {
    auto x = mode(mode_kind::halted, "operator");
    x.seq = 1;
    return x;
  }());
  write(good + "\n" + good.substr(0, 20));
  control_contents c;
  auto log = control_log::open(path, c);
  CAF_REQUIRE(log);
  CAF_CHECK_EQUAL(c.records.size(), 1u);
  CAF_CHECK_EQUAL(c.cut_lines, 1u);
  auto resume = mode(mode_kind::normal, "");
  CAF_REQUIRE((*log)->append(resume));
  CAF_CHECK_EQUAL(resume.seq, 2u);
  auto read = read_control_log(path);
  CAF_REQUIRE(read);
  CAF_CHECK_EQUAL(read->records.size(), 2u);
  CAF_CHECK_EQUAL(read->cut_lines, 0u);
  CAF_CHECK_EQUAL(read->state.mode, mode_kind::normal);
}

CAF_TEST(a bad line before a good one is refused naming the line) {
  auto one = mode(mode_kind::halted, "operator");
  one.seq = 1;
  auto two = mode(mode_kind::normal, "");
  two.seq = 2;
  auto bad = encode_control_record(one);
  bad[bad.find("operator")] = 'O';
  write(bad + "\n" + encode_control_record(two) + "\n");
  auto read = read_control_log(path);
  CAF_REQUIRE(!read);
  CAF_CHECK_EQUAL(read.error().message,
                  "control journal " + path + " line 1: bad checksum");
  control_contents c;
  CAF_CHECK(!control_log::open(path, c));
}

CAF_TEST(a sequence gap is refused) {
  auto one = mode(mode_kind::halted, "operator");
  one.seq = 1;
  auto three = mode(mode_kind::normal, "");
  three.seq = 3;
  write(encode_control_record(one) + "\n" + encode_control_record(three)
        + "\n");
  auto read = read_control_log(path);
  CAF_REQUIRE(!read);
  CAF_CHECK_EQUAL(read.error().message, "control journal " + path
                                          + " line 2: expected seq 2, found 3");
}

CAF_TEST_FIXTURE_SCOPE_END()
