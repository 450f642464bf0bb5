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
#include <sys/stat.h>

#include "runtime/broker.hpp"
#include "support.hpp"
#include "trading/journal.hpp"

using namespace intuition;
using namespace intuition::e2e;
using namespace std::chrono_literals;

namespace {

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

/// A deployment trading every quote, its journal beside it, with `mqtt` as
/// its mqtt section.
std::string write_run_config(const temp_dir& dir, const std::string& name,
                             const std::string& mqtt) {
  return dir.write(name, R"({
    "strategies": [{"name": "every", "algorithm": "random",
                    "params": {"threshold": 0.0}}],
    "portfolio": {"sizing": {"kind": "fixed_quantity", "quantity": 1}},
    "journal": {"path": ")" + name
                           + R"(.journal", "fsync": "never"},
    "mqtt": )" + mqtt + "}");
}

/// A file holding `text`, with permissions `mode`.
std::string write_secret(const temp_dir& dir, const std::string& name,
                         const std::string& text, mode_t mode) {
  auto path = dir.write(name, text);
  ::chmod(path.c_str(), mode);
  return path;
}

std::unique_ptr<runtime::embedded_broker>
start_broker(const runtime::broker_options& opts) {
  auto started = runtime::embedded_broker::start(opts);
  if (!started)
    CAF_FAIL("broker: " << started.error().message);
  return std::move(*started);
}

/// A broker whose only user is alice, password "secret".
std::unique_ptr<runtime::embedded_broker>
start_password_broker(const temp_dir& dir) {
  auto passwd = dir.file("broker.passwd");
  auto cmd = "mosquitto_passwd -c -b " + passwd + " alice secret";
  CAF_REQUIRE_EQUAL(std::system(cmd.c_str()), 0);
  runtime::broker_options opts;
  opts.password_file = passwd;
  return start_broker(opts);
}

/// Whether the child is still running (neither exited nor reaped).
bool running(const process& p) {
  int status = 0;
  return ::waitpid(p.pid, &status, WNOHANG) == 0;
}

size_t journaled_orders(const std::string& path) {
  auto read = trading::read_journal(path, false);
  auto* c = read ? &*read : nullptr;
  return c ? c->orders.size() : 0;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(security_tests, temp_dir)

CAF_TEST(listening beyond loopback without tls is refused unless insecure) {
  auto conf = write("caf.conf", fast_caf_settings);
  // Refused before anything is bound.
  auto node = intuition(
    {"node", "--bind", "0.0.0.0", "--port", "0", "--caf-config", conf}, "node");
  CAF_CHECK_EQUAL(node.wait_for(30s), 2);
  CAF_CHECK(contains(slurp(node.err_path), "cannot listen on 0.0.0.0:0 without "
                                           "TLS"));
  CAF_CHECK(contains(slurp(node.err_path), "--insecure"));
  auto quotes = write("q.csv", "ts,symbol,price\n1,AAA,10\n");
  auto cfg = write("c.json", R"({
    "strategies": [{"name": "hold", "algorithm": "buy_and_hold"}],
    "journal": {"path": "c.journal", "fsync": "never"}
  })");
  CAF_CHECK_EQUAL(
    run({"replay", "--config", cfg, "--quotes", quotes, "--listen", "0.0.0.0:0",
         "--caf-config", conf, "--quiet"},
        "replay"),
    2);
  CAF_CHECK(contains(slurp(file("replay.err")), "cannot listen on 0.0.0.0:0 "
                                                "without TLS"));
  // Loopback needs nothing.
  CAF_CHECK_EQUAL(
    run({"replay", "--config", cfg, "--quotes", quotes, "--listen",
         "127.0.0.1:0", "--caf-config", conf, "--quiet"},
        "loopback"),
    0);
  // The flag is known to every listening command.
  for (auto cmd : {"node", "run", "replay"}) {
    CAF_CHECK_EQUAL(run({cmd, "--help"}, std::string{"help-"} + cmd), 0);
    CAF_CHECK(
      contains(slurp(file(std::string{"help-"} + cmd + ".out")), "--insecure"));
  }
}

CAF_TEST(a forged basp header sent to a tls port is refused at the handshake) {
  CAF_REQUIRE(make_test_certificates(path));
  auto tls_conf = write("tls.conf", std::string{fast_caf_settings}
                                      + test_openssl_section(path));
  auto node = intuition(
    {"node", "--port", "0", "--name", "secure", "--caf-config", tls_conf},
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

CAF_TEST(a refused login stops the run with the reason on stderr) {
  auto broker = start_password_broker(*this);
  auto cfg = write_run_config(*this, "refused.json",
                              R"({"client_id": "e2e-refused"})");
  auto wrong = write_secret(*this, "wrong.pw", "not-the-password\n", 0600);
  auto empty = write_secret(*this, "empty.pw", "", 0600);
  struct login {
    std::string tag;
    std::vector<std::string> flags;
  };
  std::vector<login> logins{
    {"wrong", {"--username", "alice", "--password-file", wrong}},
    {"empty", {"--username", "alice", "--password-file", empty}},
    {"anonymous", {}},
  };
  for (const auto& x : logins) {
    CAF_MESSAGE("login: " << x.tag);
    std::vector<std::string> args{"run",         "--config", cfg, "--broker",
                                  broker->url(), "--listen", "0", "--quiet"};
    args.insert(args.end(), x.flags.begin(), x.flags.end());
    auto run = intuition(args, x.tag);
    // Bounded, and far beyond the first CONNACK: a run that keeps retrying
    // is killed here and fails the check with status 137.
    CAF_CHECK_EQUAL(run.wait_for(60s), 1);
    auto err = slurp(run.err_path);
    CAF_CHECK(contains(err, "refused client 'e2e-refused-"));
    CAF_CHECK(contains(err, "not authorised"));
    CAF_CHECK(contains(err, "--username and --password-file"));
    CAF_CHECK(contains(err, "stopping (--mqtt-retry-refused keeps retrying)"));
  }
  CAF_CHECK(contains(slurp(file("empty.err")), "is empty"));
}

CAF_TEST(with mqtt retry refused a refused run keeps retrying until stopped) {
  auto broker = start_password_broker(*this);
  auto cfg
    = write_run_config(*this, "retry.json", R"({"client_id": "e2e-retry"})");
  auto wrong = write_secret(*this, "wrong.pw", "not-the-password\n", 0600);
  auto run = intuition({"run", "--config", cfg, "--broker", broker->url(),
                        "--listen", "0", "--quiet", "--username", "alice",
                        "--password-file", wrong, "--mqtt-retry-refused"},
                       "retry");
  CAF_REQUIRE(eventually(
    [&] {
      return slurp(run.err_path)
               .find("retrying with backoff (--mqtt-retry-refused)")
             != std::string::npos;
    },
    30s));
  CAF_CHECK(running(run));
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  CAF_CHECK(contains(slurp(run.err_path), "not authorised"));
}

CAF_TEST(a password file needs a user name and is kept from group and others) {
  auto pw = write_secret(*this, "alice.pw", "secret\n", 0640);
  // Refused before any connection: no broker needed.
  auto flag_cfg = write_run_config(*this, "flag.json", "{}");
  auto no_user
    = intuition({"run", "--config", flag_cfg, "--broker", "mqtt://127.0.0.1:1",
                 "--listen", "0", "--password-file", pw},
                "no-user");
  CAF_CHECK_EQUAL(no_user.wait_for(30s), 2);
  auto err = slurp(no_user.err_path);
  CAF_CHECK(contains(err, "--password-file (mqtt.password_file)"));
  CAF_CHECK(contains(err, "expected --username (mqtt.username) as well"));
  auto field_cfg
    = write_run_config(*this, "field.json", R"({"password_file": "alice.pw"})");
  auto no_user_field = intuition({"run", "--config", field_cfg, "--broker",
                                  "mqtt://127.0.0.1:1", "--listen", "0"},
                                 "no-user-field");
  CAF_CHECK_EQUAL(no_user_field.wait_for(30s), 2);
  CAF_CHECK(contains(slurp(no_user_field.err_path), "mqtt.password_file"));
  // Readable by the group: warned about, and the login works.
  auto broker = start_password_broker(*this);
  auto cfg
    = write_run_config(*this, "shared.json", R"({"client_id": "e2e-shared"})");
  auto login = [&](const std::string& tag) {
    auto run = intuition({"run", "--config", cfg, "--broker", broker->url(),
                          "--listen", "0", "--quiet", "--username", "alice",
                          "--password-file", pw},
                         tag);
    CAF_CHECK(eventually(
      [&] {
        return slurp(run.out_path).find("mqtt_ingress: connected")
               != std::string::npos;
      },
      30s));
    run.signal(SIGINT);
    CAF_CHECK_EQUAL(run.wait_for(30s), 0);
    return slurp(run.err_path);
  };
  auto shared = login("group-readable");
  CAF_CHECK(contains(shared, "warning: the password file " + pw
                               + " (--password-file) is readable by group "
                                 "(mode 0640)"));
  CAF_CHECK(contains(shared, "chmod 600 " + pw));
  ::chmod(pw.c_str(), 0600);
  auto own = login("owner-only");
  CAF_CHECK_EQUAL(own.find("warning"), std::string::npos);
}

CAF_TEST(a broker requiring client certificates trades only with one) {
  CAF_REQUIRE(make_test_certificates(path));
  CAF_REQUIRE(make_broker_certificate(path));
  runtime::broker_options opts;
  opts.tls_cert_file = file("broker.pem");
  opts.tls_key_file = file("broker.key");
  opts.tls_ca_file = file("ca.pem");
  opts.require_certificate = true;
  auto broker = start_broker(opts);
  CAF_REQUIRE_EQUAL(broker->url().rfind("mqtts://", 0), 0u);
  auto bare
    = write_run_config(*this, "bare.json", R"({"client_id": "e2e-tls"})");
  // Without a certificate: the broker ends the handshake, the run stops.
  auto without
    = intuition({"run", "--config", bare, "--broker", broker->url(), "--listen",
                 "0", "--quiet", "--tls-ca", file("ca.pem")},
                "without");
  CAF_CHECK_EQUAL(without.wait_for(60s), 1);
  auto err = slurp(without.err_path);
  CAF_CHECK(contains(err, "TLS handshake of client 'e2e-tls-"));
  CAF_CHECK(contains(err, "certificate required"));
  CAF_CHECK(contains(err, "--tls-ca, --tls-cert and --tls-key"));
  // With a CA that did not sign the broker's certificate: refused as well.
  CAF_REQUIRE_EQUAL(std::system(("cd " + path
                                 + " && openssl req -x509 -newkey rsa:2048"
                                   " -nodes -keyout other-ca.key -out"
                                   " other-ca.pem -days 1 -subj /CN=other"
                                   " 2>/dev/null")
                                  .c_str()),
                    0);
  auto stranger
    = intuition({"run", "--config", bare, "--broker", broker->url(), "--listen",
                 "0", "--quiet", "--tls-ca", file("other-ca.pem"), "--tls-cert",
                 file("node.pem"), "--tls-key", file("node.key")},
                "stranger");
  CAF_CHECK_EQUAL(stranger.wait_for(60s), 1);
  CAF_CHECK(contains(slurp(stranger.err_path), "certificate verify failed"));
  // With a certificate of the CA, named in the config file: it trades.
  auto cfg = write_run_config(*this, "tls.json", R"({"client_id": "e2e-tls",
    "broker": ")" + broker->url() + R"(", "tls_ca": "ca.pem",
    "tls_cert": "node.pem", "tls_key": "node.key"})");
  auto run = intuition({"run", "--config", cfg, "--listen", "0", "--quiet",
                        "--report", file("tls-report.json")},
                       "with");
  CAF_REQUIRE(eventually(
    [&] {
      return slurp(run.out_path).find("mqtt_ingress: connected")
             != std::string::npos;
    },
    30s));
  auto pub = spawn("mosquitto_pub",
                   {"-h", "127.0.0.1", "-p", std::to_string(broker->port()),
                    "--cafile", file("ca.pem"), "--cert", file("node.pem"),
                    "--key", file("node.key"), "-t", "quotes", "-q", "1", "-m",
                    R"({"goog": 3.45})"},
                   "pub");
  CAF_REQUIRE_EQUAL(pub.wait_for(30s), 0);
  CAF_CHECK(eventually(
    [&] { return journaled_orders(file("tls.json.journal")) >= 1; }, 30s));
  run.signal(SIGINT);
  CAF_CHECK_EQUAL(run.wait_for(30s), 0);
  auto report = nlohmann::json::parse(slurp(file("tls-report.json")));
  CAF_CHECK_EQUAL(report["orders"].get<uint64_t>(), 1u);
  CAF_CHECK_EQUAL(report["mqtt_out"]["confirmed"].get<uint64_t>(), 1u);
  CAF_CHECK_EQUAL(report["unconfirmed_orders"].get<uint64_t>(), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
