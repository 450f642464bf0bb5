#include "runtime/mqtt_setup.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sys/stat.h>

#include "runtime/mqtt_source.hpp"
#include "runtime/stop_signals.hpp"

namespace intuition::runtime {

namespace {

/// Reads the first line of a password file (without a trailing CR).
trading::result<std::string> read_password(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return trading::invalid_setting(
      "--password-file", "cannot read " + path + ": " + std::strerror(errno));
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  return line;
}

/// Warns on stderr when group or others may read the secret at `path`,
/// which `what` (naming its flag) describes.
void warn_if_shared(const std::string& command, const std::string& path,
                    const std::string& what, const std::string& flag) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & (S_IRGRP | S_IROTH)) == 0)
    return;
  auto group = (st.st_mode & S_IRGRP) != 0;
  auto others = (st.st_mode & S_IROTH) != 0;
  char mode[8];
  std::snprintf(mode, sizeof(mode), "%04o",
                static_cast<unsigned>(st.st_mode & 07777));
  std::cerr << "intuition " << command << ": warning: " << what << " " << path
            << " (" << flag << ") is readable by "
            << (group && others ? "group and others"
                : group         ? "group"
                                : "others")
            << " (mode " << mode
            << "); make it readable by its owner only: chmod 600 " << path
            << "\n";
}

} // namespace

trading::result<mqtt_options> shared_mqtt_options(const mqtt_config& cfg,
                                                  const std::string& command) {
  if (auto ok = check_mqtt_credentials(cfg); !ok)
    return std::move(ok).error();
  mqtt_options out;
  out.keepalive_s = cfg.keepalive_s;
  out.reconnect_max_s = static_cast<unsigned>(cfg.reconnect_max_s);
  out.username = cfg.username;
  out.tls_ca_file = cfg.tls_ca;
  out.tls_cert_file = cfg.tls_cert;
  out.tls_key_file = cfg.tls_key;
  if (!cfg.tls_key.empty())
    warn_if_shared(command, cfg.tls_key, "the TLS key", "--tls-key");
  if (cfg.password_file.empty())
    return out;
  auto pw = read_password(cfg.password_file);
  if (!pw)
    return std::move(pw).error();
  warn_if_shared(command, cfg.password_file, "the password file",
                 "--password-file");
  out.password = std::move(*pw);
  if (out.password.empty())
    std::cerr << "intuition " << command << ": warning: the password file "
              << cfg.password_file << " (--password-file) is empty: user '"
              << cfg.username << "' connects without a password\n";
  return out;
}

refusal_watch::refusal_watch(std::string broker, bool keep_retrying)
    : broker_(std::move(broker)), keep_retrying_(keep_retrying) {
  // nop
}

std::function<void(mqtt_refusal)>
refusal_watch::callback(std::string client_id) {
  return [this, client_id](mqtt_refusal x) {
    note(client_id, x);
  };
}

void refusal_watch::note(const std::string& client, const mqtt_refusal& x) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopped_ || !reported_.insert(client + '\n' + x.reason).second)
      return;
    if (!keep_retrying_)
      stopped_ = true;
  }
  std::string what
    = x.tls ? "the TLS handshake of client '" + client + "' with " + broker_
                + " failed: "
            : "the broker " + broker_ + " refused client '" + client + "': ";
  std::string check
    = x.tls ? "--tls-ca, --tls-cert and --tls-key (mqtt.tls_ca, "
              "mqtt.tls_cert, mqtt.tls_key) against the broker's "
              "certificate settings"
      : x.reason.find("identifier") != std::string::npos
        ? "--client-id (mqtt.client_id) against what the broker accepts"
      : x.reason.find("protocol") != std::string::npos
        ? "that the broker speaks MQTT 3.1.1"
        : "--username and --password-file (mqtt.username, "
          "mqtt.password_file) against the broker's users and ACL";
  // One write, so the lines of several clients do not interleave.
  std::cerr << ("intuition run: mqtt: " + what + x.reason
                + ". Retrying does not change that: check " + check
                + (keep_retrying_
                     ? "; retrying with backoff (--mqtt-retry-refused)\n"
                     : "; stopping (--mqtt-retry-refused keeps "
                       "retrying)\n"));
  if (!keep_retrying_)
    stop_requested = true;
}

int publish_max_inflight(const mqtt_options& opts) {
  return uses_libmosquitto(opts) ? publisher_max_inflight
                                 : own_publisher_max_inflight;
}

} // namespace intuition::runtime
