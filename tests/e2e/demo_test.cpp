#define CAF_SUITE e2e.demo

// The quick start's first command: `run` with the demo deployment on the
// embedded defaults, on a machine where another process already holds the
// default inspection port.

#include "caf/test/unit_test.hpp"

#include "support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <regex>

using namespace intuition::e2e;
using namespace std::chrono_literals;

namespace {

/// Holds 127.0.0.1:`port` for its lifetime, as another `intuition` would;
/// when somebody else holds it already, it stays taken all the same.
struct port_holder {
  int fd = -1;

  explicit port_holder(uint16_t port) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
        || ::listen(fd, 1) != 0) {
      ::close(fd);
      fd = -1;
    }
  }

  ~port_holder() {
    if (fd >= 0)
      ::close(fd);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(demo_tests, temp_dir)

CAF_TEST(the demo trades on a free port when the default one is taken) {
  port_holder taken{4242};
  auto journal = file("demo.journal");
  auto demo = intuition({"run", "--config", "configs/demo.json", "--demo",
                         "data/eustockmarkets.csv", "--exit-when-idle", "2",
                         "--journal", journal, "--quiet"},
                        "demo");
  CAF_REQUIRE_EQUAL(demo.wait_for(3min), 0);
  auto err = slurp(demo.err_path);
  CAF_MESSAGE("stderr:\n" << err);
  std::smatch m;
  CAF_REQUIRE(std::regex_search(
    err, m,
    std::regex{
      "listening for inspect and cluster peers on 127\\.0\\.0\\.1:([0-9]+)"}));
  CAF_CHECK_NOT_EQUAL(m[1].str(), "4242");
  CAF_CHECK_NOT_EQUAL(err.find("cannot listen on 127.0.0.1:4242"),
                      std::string::npos);
  // It went on trading the whole data set.
  CAF_CHECK_GREATER(slurp(journal).size(), 0u);
}

CAF_TEST(an inspection address the operator chose is not swapped) {
  port_holder taken{4242};
  auto run = intuition({"run", "--config", "configs/demo.json", "--demo",
                        "data/eustockmarkets.csv", "--exit-when-idle", "2",
                        "--journal", file("chosen.journal"), "--listen",
                        "127.0.0.1:4242", "--quiet"},
                       "chosen");
  CAF_CHECK_EQUAL(run.wait_for(1min), 2);
  CAF_CHECK_NOT_EQUAL(slurp(run.err_path)
                        .find("--listen: cannot listen on "
                              "127.0.0.1:4242"),
                      std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
