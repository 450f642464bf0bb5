#include "runtime/system_config.hpp"

#include <filesystem>
#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "actors/messages.hpp"

namespace intuition::runtime {

namespace {

bool readable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), R_OK) == 0;
}

std::string exe_parent_dir(const char* argv0) {
  char buf[4096];
  auto n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  std::string exe = n > 0 ? std::string(buf, static_cast<size_t>(n))
                          : std::string{argv0 ? argv0 : ""};
  auto slash = exe.find_last_of('/');
  if (slash == std::string::npos)
    return "..";
  return exe.substr(0, slash) + "/..";
}

} // namespace

system_config::system_config() {
  actors::register_messages(*this);
  load<caf::io::middleman>();
  // One worker per core: CAF 0.17 would start at least four, and threads
  // beyond the cores only take turns. A file can still set its own.
  set("scheduler.max-threads",
      static_cast<size_t>(std::max(1u, std::thread::hardware_concurrency())));
  // One shared run queue instead of work stealing: CAF 0.17's stealing
  // deque walks the victim's whole queue to take its tail, so a router
  // that wakes tens of thousands of algorithm actors at once made every
  // steal cost O(queue) (100,000 symbols: 23-30 s against 5-7 s shared).
  set("scheduler.policy", caf::atom("sharing"));
  // The same failure detection as the shipped caf-application.conf, for a
  // process started without it; a file can still change (or break) it.
  set("middleman.heartbeat-interval",
      caf::timespan{std::chrono::milliseconds{500}});
  set("middleman.connection-timeout", caf::timespan{std::chrono::seconds{3}});
}

caf::timespan system_config::heartbeat_interval() const {
  return caf::get_or(content, "middleman.heartbeat-interval", caf::timespan{0});
}

caf::timespan system_config::connection_timeout() const {
  return caf::get_or(content, "middleman.connection-timeout", caf::timespan{0});
}

trading::status system_config::check_failure_detection() const {
  auto where = caf_config_path_.empty() ? std::string{"the CAF settings"}
                                        : caf_config_path_;
  auto hb = heartbeat_interval();
  auto timeout = connection_timeout();
  if (hb.count() <= 0)
    return trading::invalid_setting(
      where, "middleman.heartbeat-interval is 0, expected a duration such as "
             "500ms (without heartbeats a frozen node is never detected)");
  if (timeout.count() <= 0)
    return trading::invalid_setting(
      where, "middleman.connection-timeout is 0, expected a duration such as "
             "3s (without it a frozen node is never detected and connecting "
             "to a silent one blocks forever)");
  if (timeout <= hb)
    return trading::invalid_setting(
      where, "middleman.connection-timeout ("
               + std::to_string(timeout.count() / 1'000'000)
               + "ms) must exceed middleman.heartbeat-interval ("
               + std::to_string(hb.count() / 1'000'000) + "ms)");
  return {};
}

trading::status system_config::load_file(const std::string& path,
                                         const char* argv0) {
  std::string file = path;
  if (file.empty()) {
    for (auto candidate : {std::string{"caf-application.conf"},
                           exe_parent_dir(argv0) + "/caf-application.conf"})
      if (readable(candidate)) {
        file = candidate;
        break;
      }
  } else if (!readable(file)) {
    return trading::invalid_setting("--caf-config", "cannot read " + file);
  }
  caf::actor_system_config::string_list no_args;
  if (file.empty())
    return {};
  std::ifstream in{file};
  if (auto err = parse(no_args, in))
    return trading::invalid_setting("CAF config " + file, render(err));
  caf_config_path_ = file;
  if (!openssl_certificate.empty() || !openssl_key.empty()
      || !openssl_cafile.empty() || !openssl_capath.empty()) {
    if (openssl_certificate.empty() || openssl_key.empty()
        || (openssl_cafile.empty() && openssl_capath.empty()))
      return trading::invalid_setting("CAF config " + file,
                                      "[openssl] needs certificate, key and "
                                      "cafile (or capath) together: peers are "
                                      "verified against that CA");
    load<caf::openssl::manager>();
    tls_ = true;
  }
  return {};
}

trading::status system_config::read_settings(const std::string& path,
                                             const char* argv0,
                                             bool networked) {
  if (auto st = load_file(path, argv0); !st)
    return st;
  if (networked)
    return check_failure_detection();
  return {};
}

} // namespace intuition::runtime
