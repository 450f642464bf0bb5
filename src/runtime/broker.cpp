#include "runtime/broker.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

namespace intuition::runtime {

namespace {

// -- helpers ------------------------------------------------------------------

namespace fs = std::filesystem;

/// How long a fresh broker may take to accept connections.
constexpr auto ready_timeout = std::chrono::seconds{5};

/// How long `stop()` lets the broker save its database before SIGKILL.
constexpr int stop_grace_ms = 5000;

/// Attempts with a fresh port when the picked one was taken in the meantime.
constexpr int free_port_attempts = 3;

/// Used unless `$MOSQUITTO` names another binary.
constexpr const char* default_binary = "/usr/sbin/mosquitto";

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

sockaddr_in loopback_address(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

/// Asks the kernel for a free loopback port: bind port 0, read the port back,
/// close. Another process may take it before the broker binds it; `start()`
/// retries with a new port when that happens.
trading::result<uint16_t> pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return trading::operation_failed(
      "cannot create a socket to pick a free port: " + errno_text(errno));
  auto addr = loopback_address(0);
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
      || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    auto err = errno;
    ::close(fd);
    return trading::operation_failed("cannot pick a free port on 127.0.0.1: "
                                     + errno_text(err));
  }
  ::close(fd);
  return static_cast<uint16_t>(ntohs(addr.sin_port));
}

/// Whether a TCP connection to 127.0.0.1:`port` succeeds.
bool accepts_connections(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  auto addr = loopback_address(port);
  auto ok
    = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

bool is_executable(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

/// `$MOSQUITTO`, else the Debian location, else the first `mosquitto` on PATH.
trading::result<std::string> find_broker_binary() {
  if (auto env = std::getenv("MOSQUITTO"); env != nullptr && *env != '\0') {
    if (is_executable(env))
      return std::string{env};
    return trading::operation_failed(std::string{"$MOSQUITTO is '"} + env
                                     + "', which is not an executable file");
  }
  if (is_executable(default_binary))
    return std::string{default_binary};
  if (auto path = std::getenv("PATH"); path != nullptr) {
    std::istringstream dirs{path};
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (dir.empty())
        continue;
      auto candidate = (fs::path{dir} / "mosquitto").string();
      if (is_executable(candidate))
        return candidate;
    }
  }
  return trading::operation_failed(
    std::string{"mosquitto broker binary not found: set $MOSQUITTO, or "
                "install it as "}
    + default_binary + " or on PATH");
}

/// Whether the file at `path` contains `marker` after byte `offset`.
bool logged_since(const std::string& path, uintmax_t offset,
                  std::string_view marker) {
  std::ifstream in{path, std::ios::binary};
  if (!in || !in.seekg(static_cast<std::streamoff>(offset)))
    return false;
  std::string text{std::istreambuf_iterator<char>{in},
                   std::istreambuf_iterator<char>{}};
  return text.find(marker) != std::string::npos;
}

/// Waits for `pid` without blocking; true once it has exited (or is gone).
bool reaped(pid_t pid, int* status) {
  for (;;) {
    auto rc = ::waitpid(pid, status, WNOHANG);
    if (rc == pid)
      return true;
    if (rc == 0)
      return false;
    if (errno == EINTR)
      continue;
    // ECHILD: someone else reaped it (SIGCHLD ignored); it is gone.
    return true;
  }
}

std::string describe_exit(int status) {
  if (WIFEXITED(status))
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "ended";
}

} // namespace

// -- construction -------------------------------------------------------------

embedded_broker::embedded_broker(broker_options options, bool owns_work_dir)
    : options_(std::move(options)), owns_work_dir_(owns_work_dir) {
  // nop
}

trading::result<std::unique_ptr<embedded_broker>>
embedded_broker::start(const broker_options& options) {
  using result = trading::result<std::unique_ptr<embedded_broker>>;
  auto fail = [](std::string msg) -> result {
    return trading::operation_failed(std::move(msg));
  };
  auto refuse = [](std::string msg) -> result {
    return trading::invalid_request(std::move(msg));
  };
  std::string dir;
  auto owns = options.work_dir.empty();
  if (owns) {
    std::error_code ec;
    auto tmp = fs::temp_directory_path(ec);
    if (ec)
      return fail("no temporary folder for the broker: " + ec.message());
    auto pattern = (tmp / "intuition-broker-XXXXXX").string();
    std::vector<char> buf{pattern.begin(), pattern.end()};
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr)
      return fail("cannot create a broker folder from '" + pattern
                  + "': " + errno_text(errno));
    dir = buf.data();
  } else {
    dir = options.work_dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
      return fail("cannot create broker work_dir '" + dir
                  + "': " + ec.message());
  }
  std::unique_ptr<embedded_broker> broker{new embedded_broker(options, owns)};
  broker->work_dir_ = dir;
  // mosquitto's configuration parser splits values on whitespace.
  if (dir.find_first_of(" \t\r\n") != std::string::npos) {
    broker->stop();
    return refuse("broker work_dir '" + dir
                  + "' contains whitespace, which mosquitto.conf cannot "
                    "express");
  }
  for (const auto& path : {options.password_file, options.tls_cert_file,
                           options.tls_key_file, options.tls_ca_file})
    if (path.find_first_of(" \t\r\n") != std::string::npos) {
      broker->stop();
      return refuse("broker file '" + path
                    + "' contains whitespace, which mosquitto.conf cannot "
                      "express");
    }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    broker->stop();
    return refuse("broker tls_cert_file and tls_key_file go together");
  }
  if (options.require_certificate
      && (options.tls_cert_file.empty() || options.tls_ca_file.empty())) {
    broker->stop();
    return refuse("broker require_certificate needs tls_cert_file, "
                  "tls_key_file and tls_ca_file");
  }
  auto attempts = options.port == 0 ? free_port_attempts : 1;
  trading::status launched;
  for (int i = 0; i < attempts; ++i) {
    if (options.port != 0) {
      broker->port_ = options.port;
    } else {
      auto port = pick_free_port();
      if (!port) {
        launched = port.error();
        break;
      }
      broker->port_ = *port;
    }
    launched = broker->launch();
    if (launched)
      return result{std::move(broker)};
  }
  broker->stop();
  return launched.error();
}

embedded_broker::~embedded_broker() {
  stop();
}

// -- control ------------------------------------------------------------------

void embedded_broker::stop() {
  terminate(SIGTERM, stop_grace_ms);
  if (owns_work_dir_ && !work_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(work_dir_, ec);
  }
}

trading::status embedded_broker::restart() {
  terminate(SIGTERM, stop_grace_ms);
  std::error_code ec;
  fs::create_directories(work_dir_, ec);
  if (ec)
    return trading::operation_failed("cannot create broker work_dir '"
                                     + work_dir_ + "': " + ec.message());
  return launch();
}

void embedded_broker::kill_hard() {
  terminate(SIGKILL, stop_grace_ms);
}

// -- observers ----------------------------------------------------------------

std::string embedded_broker::url() const {
  return (options_.tls_cert_file.empty() ? "mqtt://127.0.0.1:"
                                         : "mqtts://127.0.0.1:")
         + std::to_string(port_);
}

std::string embedded_broker::log_tail(size_t max_bytes) const {
  std::ifstream in{log_path(), std::ios::binary};
  if (!in)
    return "(no broker log at " + log_path() + ")";
  in.seekg(0, std::ios::end);
  auto size = static_cast<size_t>(in.tellg());
  auto start = size > max_bytes ? size - max_bytes : size_t{0};
  std::string text(size - start, '\0');
  in.seekg(static_cast<std::streamoff>(start));
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  // Start at a line boundary rather than in the middle of a line.
  if (start > 0)
    if (auto nl = text.find('\n'); nl != std::string::npos)
      text.erase(0, nl + 1);
  return text;
}

// -- implementation -----------------------------------------------------------

std::string embedded_broker::config_path() const {
  return (fs::path{work_dir_} / "mosquitto.conf").string();
}

std::string embedded_broker::log_path() const {
  return (fs::path{work_dir_} / "mosquitto.log").string();
}

trading::status embedded_broker::write_config() const {
  std::ofstream out{config_path(), std::ios::trunc};
  auto port = std::to_string(port_);
  out << "# Generated by intuition's embedded_broker on every start.\n"
      << "listener " << port << " 127.0.0.1\n";
  if (!options_.tls_cert_file.empty()) {
    out << "certfile " << options_.tls_cert_file << '\n'
        << "keyfile " << options_.tls_key_file << '\n';
    if (!options_.tls_ca_file.empty())
      out << "cafile " << options_.tls_ca_file << '\n';
    if (options_.require_certificate)
      out << "require_certificate true\n";
  }
  if (!options_.password_file.empty())
    out << "allow_anonymous false\n"
        << "password_file " << options_.password_file << '\n';
  else
    out << "allow_anonymous true\n";
  out
    // Latency over packet count, as the clients do.
    << "set_tcp_nodelay true\n"
    // Never drop for slow or absent subscribers. Messages beyond a client's
    // inflight window wait in its queue, and only a full queue drops:
    // mosquitto's default of 1000 queued messages silently discards QoS 1
    // messages for a lagging subscriber or one that is briefly away.
    // 0 lifts both queue limits (memory is the bound). QoS 0 messages for
    // an absent subscriber are not queued (queue_qos0_messages stays false,
    // as MQTT specifies), and persistent sessions never expire.
    // The inflight window drops nothing; it paces QoS 1 deliveries that are
    // not acknowledged yet. mosquitto's default of 20 cuts a queued backlog
    // into reads of 20 messages, each with its round of hand-offs and
    // acknowledgements; without a limit the runtime caught up on a backlog
    // about four times faster (see the README's Cluster benchmarks).
    << "max_queued_messages 0\n"
    << "max_queued_bytes 0\n"
    << "max_inflight_messages 0\n"
    << "persistence " << (options_.persistence ? "true" : "false") << '\n'
    << "persistence_location " << work_dir_
    << "/\n"
    // Saved on SIGTERM anyway; the interval bounds the loss of a crash:
    // a second, or (save_every_change) one change.
    << (options_.save_every_change ? "autosave_on_changes true\n" : "")
    << "autosave_interval 1\n"
    << "log_dest file " << log_path()
    << '\n'
    // "information" carries the "running" line that start() waits for.
    << "log_type error\nlog_type warning\nlog_type notice\n"
    << "log_type information\n"
    << "log_timestamp_format %Y-%m-%dT%H:%M:%S\n";
  // Run as root, mosquitto switches to the "mosquitto" user, which cannot
  // write to our private work folder; "root" keeps the current user.
  if (::geteuid() == 0)
    out << "user root\n";
  out.close();
  if (!out)
    return trading::operation_failed("cannot write broker configuration "
                                     + config_path());
  return {};
}

trading::status embedded_broker::launch() {
  auto binary = find_broker_binary();
  if (!binary)
    return binary.error();
  if (auto ok = write_config(); !ok)
    return ok;
  // Everything the child needs is prepared here: after fork() in a threaded
  // process only async-signal-safe calls are allowed.
  auto exe = *binary;
  auto conf = config_path();
  auto log = log_path();
  std::string flag = "-c";
  char* argv[] = {exe.data(), flag.data(), conf.data(), nullptr};
  // Only log lines written after this offset belong to the new process.
  std::error_code size_ec;
  auto log_offset = fs::file_size(log, size_ec);
  if (size_ec)
    log_offset = 0;
  auto max_fd = ::sysconf(_SC_OPEN_MAX);
  if (max_fd < 0 || max_fd > 65536)
    max_fd = 65536;
#ifdef __linux__
  auto parent = ::getpid();
#endif
  auto child = ::fork();
  if (child < 0)
    return trading::operation_failed("cannot fork the broker: "
                                     + errno_text(errno));
  if (child == 0) {
#ifdef __linux__
    // Die with the thread that started us, so a killed test leaves no broker.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent)
      ::_exit(127);
#endif
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in >= 0)
      ::dup2(in, STDIN_FILENO);
    if (out >= 0) {
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
    }
    // Inherited sockets would keep our clients' connections open in the
    // broker process after the clients close them.
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, 3u, ~0u, 0u) != 0)
#endif
      for (long fd = 3; fd < max_fd; ++fd)
        ::close(static_cast<int>(fd));
    ::execv(exe.c_str(), argv);
    const char msg[] = "embedded_broker: execv failed\n";
    auto ignored = ::write(STDERR_FILENO, msg, sizeof(msg) - 1);
    static_cast<void>(ignored);
    ::_exit(127);
  }
  pid_ = child;
  auto tail = [&] {
    auto text = log_tail();
    return text.empty() ? std::string{"(empty log)"} : text;
  };
  auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  for (;;) {
    int status = 0;
    if (reaped(pid_, &status)) {
      pid_ = -1;
      return trading::operation_failed(
        "mosquitto " + describe_exit(status)
        + " before accepting connections on 127.0.0.1:" + std::to_string(port_)
        + "; log tail:\n" + tail());
    }
    // A connection alone could reach another process that holds the port
    // (our broker then fails to bind and exits); mosquitto logs "running"
    // only once its listeners are open.
    if (logged_since(log, log_offset, " running") && accepts_connections(port_))
      return {};
    if (std::chrono::steady_clock::now() >= deadline)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  terminate(SIGKILL, stop_grace_ms);
  return trading::operation_failed(
    "mosquitto did not accept connections on 127.0.0.1:" + std::to_string(port_)
    + " within " + std::to_string(ready_timeout.count()) + " s; log tail:\n"
    + tail());
}

void embedded_broker::terminate(int signal, int grace_ms) {
  if (pid_ <= 0)
    return;
  ::kill(pid_, signal);
  int status = 0;
  auto deadline
    = std::chrono::steady_clock::now() + std::chrono::milliseconds{grace_ms};
  while (std::chrono::steady_clock::now() < deadline) {
    if (reaped(pid_, &status)) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    // retry
  }
  pid_ = -1;
}

} // namespace intuition::runtime
