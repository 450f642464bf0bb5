#define CAF_SUITE e2e.security
#include "caf/test/unit_test.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <regex>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace intuition;
using namespace intuition::e2e;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos)
    return true;
  CAF_MESSAGE("missing \"" << part << "\" in:\n" << text);
  return false;
}

const char* caf_settings = R"([scheduler]
max-threads=2
[middleman]
heartbeat-interval=100ms
connection-timeout=1s
app-identifiers=["intuition"]
)";

/// A BASP header as CAF 0.17 reads it before any handshake: operation 2
/// (direct message) announcing a payload of 0xFFFFFFF0 bytes, padded to
/// 72 bytes. A plain BASP port allocates the announced length at once.
std::string forged_basp_header() {
  std::string bytes(72, '\0');
  bytes[0] = 2;
  bytes[4] = bytes[5] = bytes[6] = static_cast<char>(0xFF);
  bytes[7] = static_cast<char>(0xF0);
  return bytes;
}

/// Resident memory of `pid` in kB, from /proc; 0 if unreadable.
uint64_t rss_kb(pid_t pid) {
  auto status = slurp("/proc/" + std::to_string(pid) + "/status");
  std::smatch m;
  std::regex re{"VmRSS:\\s+([0-9]+) kB"};
  if (!std::regex_search(status, m, re))
    return 0;
  return std::stoull(m[1].str());
}

/// Sends `bytes` to 127.0.0.1:`port` and waits (at most 10 s) for the peer
/// to close the connection; returns whether it did.
bool send_and_wait_for_close(uint16_t port, const std::string& bytes) {
  auto fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool closed = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0
      && ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL)
           == static_cast<ssize_t>(bytes.size())) {
    char buf[512];
    // Bounded: at most 500 reads or 10 s without data.
    for (int i = 0; i < 500 && !closed; ++i) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 10'000) <= 0)
        break;
      auto n = ::recv(fd, buf, sizeof(buf), 0);
      closed = n <= 0;
    }
  }
  ::close(fd);
  return closed;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(security_tests, temp_dir)

CAF_TEST(listening beyond loopback without tls is refused unless insecure) {
  auto conf = write("caf.conf", caf_settings);
  // Refused before anything is bound.
  auto node = intuition({"node", "--bind", "0.0.0.0", "--port", "0",
                         "--caf-config", conf},
                        "node");
  CAF_CHECK_EQUAL(node.wait_for(30s), 2);
  CAF_CHECK(contains(slurp(node.err_path), "cannot listen on 0.0.0.0:0 without "
                                           "TLS"));
  CAF_CHECK(contains(slurp(node.err_path), "--insecure"));
  auto quotes = write("q.csv", "ts,symbol,price\n1,AAA,10\n");
  auto cfg = write("c.json", R"({
    "strategies": [{"name": "hold", "algorithm": "buy_and_hold"}],
    "journal": {"path": "c.journal", "fsync": "never"}
  })");
  CAF_CHECK_EQUAL(run({"replay", "--config", cfg, "--quotes", quotes,
                       "--listen", "0.0.0.0:0", "--caf-config", conf,
                       "--quiet"},
                      "replay"),
                  2);
  CAF_CHECK(contains(slurp(file("replay.err")), "cannot listen on 0.0.0.0:0 "
                                                "without TLS"));
  // Loopback needs nothing.
  CAF_CHECK_EQUAL(run({"replay", "--config", cfg, "--quotes", quotes,
                       "--listen", "127.0.0.1:0", "--caf-config", conf,
                       "--quiet"},
                      "loopback"),
                  0);
  // The flag is known to every listening command.
  for (auto cmd : {"node", "run", "replay"}) {
    CAF_CHECK_EQUAL(run({cmd, "--help"}, std::string{"help-"} + cmd), 0);
    CAF_CHECK(contains(slurp(file(std::string{"help-"} + cmd + ".out")),
                       "--insecure"));
  }
}

CAF_TEST(a forged basp header sent to a tls port is refused at the handshake) {
  CAF_REQUIRE(make_test_certificates(path));
  auto tls_conf = write("tls.conf", std::string{caf_settings}
                                      + test_openssl_section(path));
  auto node = intuition({"node", "--port", "0", "--name", "secure",
                         "--caf-config", tls_conf},
                        "secure");
  std::smatch m;
  std::string err;
  std::regex re{"ready on 127\\.0\\.0\\.1:([0-9]+) "};
  CAF_REQUIRE(eventually(
    [&] {
      err = slurp(node.err_path);
      return std::regex_search(err, m, re);
    },
    30s));
  auto port = static_cast<uint16_t>(std::stoul(m[1].str()));
  auto before_kb = rss_kb(node.pid);
  CAF_REQUIRE(before_kb > 0);
  // The 72 bytes are not a TLS ClientHello: the handshake fails and the
  // node closes the connection without reading a length from them.
  CAF_CHECK(send_and_wait_for_close(port, forged_basp_header()));
  // It keeps serving: a peer with a certificate of the CA inspects it.
  auto inspect = intuition({"inspect", "--node", "127.0.0.1:" + m[1].str(),
                            "--json", "--caf-config", tls_conf},
                           "inspect");
  CAF_CHECK_EQUAL(inspect.wait_for(60s), 0);
  // The node hosts no actors yet: an empty list, as JSON.
  auto listed = nlohmann::json::parse(slurp(inspect.out_path), nullptr, false);
  CAF_CHECK(listed.is_array());
  // Its memory stayed small (a plain port would have grown by gigabytes).
  auto after_kb = rss_kb(node.pid);
  CAF_MESSAGE("node RSS " << before_kb << " kB before, " << after_kb
                          << " kB after the forged header");
  CAF_CHECK_LESS(after_kb, 256u * 1024u);
  node.signal(SIGINT);
  CAF_CHECK_EQUAL(node.wait_for(10s), 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
