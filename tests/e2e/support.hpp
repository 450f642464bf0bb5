#pragma once

// Helpers of the end-to-end suites: temporary folders, files, and the
// `intuition` binary (or a stock MQTT client) run as real processes.

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <list>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include "caf/test/unit_test.hpp"

#include "../http_get.hpp"
#include "runtime/broker.hpp"

namespace intuition::e2e {

using test::http_get;

inline const std::string bin = INTUITION_BINARY;
inline const std::string src = INTUITION_SOURCE_DIR;

inline std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// A child process with stdout and stderr in files.
struct process {
  pid_t pid = -1;
  std::string out_path;
  std::string err_path;

  /// Waits for the exit; returns the exit code, or 128 + signal.
  int wait() {
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  /// Waits at most `timeout`; kills the child hard when it is still running.
  int wait_for(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    return wait();
  }

  void signal(int sig) {
    if (pid > 0)
      ::kill(pid, sig);
  }
};

/// A temporary folder, removed with everything in it.
struct temp_dir {
  std::string path;

  temp_dir() {
    char tmpl[] = "/tmp/intuition-e2e-XXXXXX";
    path = ::mkdtemp(tmpl);
  }

  ~temp_dir() {
    std::string cmd = "rm -rf " + path;
    if (std::system(cmd.c_str()) != 0)
      std::fprintf(stderr, "could not remove %s\n", path.c_str());
  }

  std::string write(const std::string& name, const std::string& text) const {
    auto p = path + "/" + name;
    std::ofstream{p} << text;
    return p;
  }

  std::string file(const std::string& name) const {
    return path + "/" + name;
  }

  /// Starts `program` (a path, or a name looked up on PATH) with `args` in
  /// the source folder; `stdin_path` feeds its standard input when given.
  /// With `max_file_bytes`, no file the child writes may grow past that
  /// (RLIMIT_FSIZE, SIGXFSZ ignored): such a write fails as on a full disk.
  process spawn(const std::string& program, std::vector<std::string> args,
                const std::string& tag, const std::string& stdin_path = {},
                uint64_t max_file_bytes = 0) const {
    process p;
    p.out_path = file(tag + ".out");
    p.err_path = file(tag + ".err");
    p.pid = ::fork();
    if (p.pid == 0) {
      auto out = ::open(p.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      auto err = ::open(p.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      auto in = ::open(stdin_path.empty() ? "/dev/null" : stdin_path.c_str(),
                       O_RDONLY);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      if (max_file_bytes > 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{};
        ::getrlimit(RLIMIT_FSIZE, &limit);
        limit.rlim_cur = static_cast<rlim_t>(max_file_bytes);
        ::setrlimit(RLIMIT_FSIZE, &limit);
      }
      if (::chdir(src.c_str()) != 0)
        ::_exit(126);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(program.c_str()));
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp(program.c_str(), argv.data());
      ::_exit(127);
    }
    return p;
  }

  /// Starts the `intuition` binary.
  process intuition(std::vector<std::string> args,
                    const std::string& tag) const {
    return spawn(bin, std::move(args), tag);
  }

  /// Runs the `intuition` binary to completion; returns its exit code.
  int run(std::vector<std::string> args, const std::string& tag) const {
    return intuition(std::move(args), tag).wait_for(std::chrono::minutes(5));
  }

  /// Publishes every line of `lines` as one QoS 1 message to `topic` on the
  /// broker at 127.0.0.1:`port` with `mosquitto_pub`; returns its exit code.
  int publish(uint16_t port, const std::string& topic,
              const std::vector<std::string>& lines,
              const std::string& tag) const {
    std::string text;
    for (const auto& l : lines)
      text += l + "\n";
    auto input = write(tag + ".in", text);
    return spawn("mosquitto_pub",
                 {"-h", "127.0.0.1", "-p", std::to_string(port), "-t", topic,
                  "-q", "1", "-l"},
                 tag, input)
      .wait_for(std::chrono::seconds(60));
  }
};

/// Polls `pred` every 20 ms until it holds or `timeout` passed.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

/// How often `text` holds `needle`.
inline size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto i = text.find(needle); i != std::string::npos;
       i = text.find(needle, i + 1))
    ++n;
  return n;
}

/// What `intuition run` prints once the broker acknowledged its
/// subscriptions (and again after each reconnect): publishing before that
/// loses the messages.
inline const std::string ready_line = "intuition run: ready";

/// Waits until the `run` process `p` said it is ready for the `times`-th
/// time (bounded by `timeout`).
inline bool wait_ready(const process& p,
                       std::chrono::milliseconds timeout
                       = std::chrono::seconds(30),
                       size_t times = 1) {
  return eventually(
    [&] { return occurrences(slurp(p.err_path), ready_line) >= times; },
    timeout);
}

/// A loopback port nothing listens on right now (bound, then released).
inline uint16_t unused_port() {
  auto fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  uint16_t port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0
      && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

/// Makes a private CA (`dir/ca.pem`) and one certificate it signed
/// (`dir/node.pem`, `dir/node.key`) with openssl; true on success.
inline bool make_test_certificates(const std::string& dir) {
  auto sh = "cd " + dir
            + " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key"
              " -out ca.pem -days 1 -subj /CN=intuition-test-ca 2>/dev/null"
              " && openssl req -newkey rsa:2048 -nodes -keyout node.key"
              " -out node.csr -subj /CN=node 2>/dev/null"
              " && openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key"
              " -CAcreateserial -out node.pem -days 1 2>/dev/null";
  return std::system(sh.c_str()) == 0;
}

/// Adds to `make_test_certificates(dir)` a server certificate for
/// 127.0.0.1 (`dir/broker.pem`, `dir/broker.key`) signed by the same CA, as
/// an MQTT client checks it; true on success.
inline bool make_broker_certificate(const std::string& dir) {
  auto sh = "cd " + dir
            + " && printf 'subjectAltName=IP:127.0.0.1\\n' > broker.ext"
              " && openssl req -newkey rsa:2048 -nodes -keyout broker.key"
              " -out broker.csr -subj /CN=127.0.0.1 2>/dev/null"
              " && openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key"
              " -CAcreateserial -out broker.pem -days 1 -extfile broker.ext"
              " 2>/dev/null";
  return std::system(sh.c_str()) == 0;
}

/// The CAF `[openssl]` section for the certificates of
/// `make_test_certificates(dir)`.
inline std::string test_openssl_section(const std::string& dir) {
  return "[openssl]\ncertificate=\"" + dir + "/node.pem\"\nkey=\"" + dir
         + "/node.key\"\ncafile=\"" + dir + "/ca.pem\"\n";
}

/// A TCP relay on 127.0.0.1 in front of an MQTT broker. It forwards every
/// connection both ways and can hold back what one client sends (found by
/// the client id of its CONNECT) while its connection stays open: a broker
/// that has stopped reading from that client, and from no one else.
class mqtt_relay {
public:
  explicit mqtt_relay(uint16_t broker_port) : broker_port_(broker_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    auto addr = loopback(0);
    socklen_t len = sizeof(addr);
    if (listener_ < 0
        || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr))
             != 0
        || ::listen(listener_, 16) != 0
        || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len)
             != 0)
      return;
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread{[this] {
      run();
    }};
  }

  mqtt_relay(const mqtt_relay&) = delete;
  mqtt_relay& operator=(const mqtt_relay&) = delete;

  ~mqtt_relay() {
    stop_ = true;
    if (thread_.joinable())
      thread_.join();
    for (auto& x : links_) {
      ::close(x.client);
      ::close(x.upstream);
    }
    if (listener_ >= 0)
      ::close(listener_);
  }

  /// 0 when the relay could not listen.
  uint16_t port() const {
    return port_;
  }

  std::string url() const {
    return "mqtt://127.0.0.1:" + std::to_string(port_);
  }

  /// Stops reading from clients whose id ends in `suffix`.
  void hold(const std::string& suffix) {
    std::lock_guard<std::mutex> guard{mtx_};
    held_ = suffix;
  }

  /// Reads from every client again.
  void release() {
    std::lock_guard<std::mutex> guard{mtx_};
    held_.clear();
  }

private:
  struct link {
    int client;
    int upstream;
    std::string head; // the first bytes from the client, until the id is known
    std::string id;
  };

  static sockaddr_in loopback(uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
  }

  static bool send_all(int fd, const char* data, size_t n) {
    while (n > 0) {
      auto k = ::send(fd, data, n, MSG_NOSIGNAL);
      if (k <= 0)
        return false;
      data += k;
      n -= static_cast<size_t>(k);
    }
    return true;
  }

  /// The client id of a CONNECT packet (MQTT 3.1.1) once `head` holds it.
  static bool parse_id(const std::string& head, std::string& id) {
    size_t i = 1;
    for (int k = 0; k < 4 && i < head.size(); ++k)
      if ((static_cast<unsigned char>(head[i++]) & 0x80) == 0)
        break;
    auto u16 = [&](size_t at) {
      return (static_cast<size_t>(static_cast<unsigned char>(head[at])) << 8)
             | static_cast<unsigned char>(head[at + 1]);
    };
    if (head.size() < i + 2)
      return false;
    i += 2 + u16(i) + 4; // protocol name, level, flags, keepalive
    if (head.size() < i + 2 || head.size() < i + 2 + u16(i))
      return false;
    id = head.substr(i + 2, u16(i));
    return true;
  }

  bool held(const link& x) {
    std::lock_guard<std::mutex> guard{mtx_};
    return !held_.empty() && x.id.size() >= held_.size()
           && x.id.compare(x.id.size() - held_.size(), held_.size(), held_)
                == 0;
  }

  void run() {
    char buf[65536];
    while (!stop_) {
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (auto& x : links_) {
        fds.push_back({x.client, static_cast<short>(held(x) ? 0 : POLLIN), 0});
        fds.push_back({x.upstream, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), 50) <= 0)
        continue;
      if (fds[0].revents & POLLIN) {
        auto c = ::accept(listener_, nullptr, nullptr);
        auto u = ::socket(AF_INET, SOCK_STREAM, 0);
        auto addr = loopback(broker_port_);
        if (c >= 0 && u >= 0
            && ::connect(u, reinterpret_cast<sockaddr*>(&addr), sizeof(addr))
                 == 0) {
          links_.push_back({c, u, {}, {}});
        } else {
          ::close(c);
          ::close(u);
        }
        continue;
      }
      size_t k = 1;
      for (auto i = links_.begin(); i != links_.end(); k += 2) {
        bool alive = true;
        if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) {
          auto n = ::recv(i->client, buf, sizeof(buf), 0);
          alive = n > 0 && send_all(i->upstream, buf, static_cast<size_t>(n));
          if (alive && i->id.empty() && i->head.size() < 1024) {
            i->head.append(buf, static_cast<size_t>(n));
            parse_id(i->head, i->id);
          }
        }
        if (alive && (fds[k + 1].revents & (POLLIN | POLLHUP | POLLERR))) {
          auto n = ::recv(i->upstream, buf, sizeof(buf), 0);
          alive = n > 0 && send_all(i->client, buf, static_cast<size_t>(n));
        }
        if (alive) {
          ++i;
        } else {
          ::close(i->client);
          ::close(i->upstream);
          i = links_.erase(i);
        }
      }
    }
  }

  uint16_t broker_port_;
  uint16_t port_ = 0;
  int listener_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mtx_;
  std::string held_;
  std::list<link> links_;
  std::thread thread_;
};

/// Starts a private mosquitto for a test, its files in `dir`'s `broker`
/// folder (`opts.work_dir` is set here); fails the test when it cannot.
inline std::unique_ptr<runtime::embedded_broker>
start_test_broker(const temp_dir& dir, runtime::broker_options opts = {}) {
  opts.work_dir = dir.file("broker");
  std::string cmd = "mkdir -p " + opts.work_dir;
  CAF_REQUIRE_EQUAL(std::system(cmd.c_str()), 0);
  auto started = runtime::embedded_broker::start(opts);
  if (!started)
    CAF_FAIL("broker: " << started.error().message);
  return std::move(*started);
}

/// The value of the series `series` (`name{labels}` exactly as exposed) in
/// a Prometheus exposition `text`, if it holds it.
inline std::optional<double> series_value(const std::string& text,
                                          const std::string& series) {
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line))
    if (line.size() > series.size()
        && line.compare(0, series.size(), series) == 0
        && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  return std::nullopt;
}

/// Whether `text` holds `part`; logs the text when it does not.
inline bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos)
    return true;
  CAF_MESSAGE("missing \"" << part << "\" in:\n" << text);
  return false;
}

/// CAF settings with fast failure detection, so that a frozen node is
/// noticed within a second.
inline const char* fast_caf_settings = R"([scheduler]
max-threads=2
[middleman]
heartbeat-interval=100ms
connection-timeout=1s
app-identifiers=["intuition"]
)";

} // namespace intuition::e2e
