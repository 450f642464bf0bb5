#include "runtime/mqtt_client.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <optional>
#include <system_error>
#include <thread>

#include <mosquitto.h>

namespace intuition::runtime {

namespace {

// -- helpers ------------------------------------------------------------------

constexpr std::string_view expected_url_forms
  = "expected mqtt://HOST[:PORT], mqtts://HOST[:PORT] or HOST:PORT";

/// The protocol's largest inflight window; libmosquitto's "no limit".
constexpr int max_inflight_window = 65535;

/// libmosquitto keeps global state (OpenSSL, socket setup) that must be
/// initialized once per process before the first `mosquitto_new`.
void ensure_library_initialized() {
  static std::once_flag flag;
  std::call_once(flag, [] { mosquitto_lib_init(); });
}

/// Renders a libmosquitto return code; `saved_errno` explains MOSQ_ERR_ERRNO.
std::string describe(int rc, int saved_errno) {
  if (rc == MOSQ_ERR_ERRNO)
    return std::generic_category().message(saved_errno);
  return mosquitto_strerror(rc);
}

bool ascii_iequals(std::string_view lhs, std::string_view rhs) {
  if (lhs.size() != rhs.size())
    return false;
  for (size_t i = 0; i < lhs.size(); ++i) {
    auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(lhs[i]) != lower(rhs[i]))
      return false;
  }
  return true;
}

/// Parses a decimal TCP port in 1..65535.
std::optional<uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5)
    return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535)
    return std::nullopt;
  return static_cast<uint16_t>(value);
}

/// libmosquitto logs an OpenSSL error as "OpenSSL Error[N]: error:CODE:LIB:
/// FUNC:REASON" (FUNC is empty with OpenSSL 3); returns REASON, or nothing
/// for any other line.
std::optional<std::string> openssl_reason(std::string_view line) {
  constexpr std::string_view prefix = "OpenSSL Error";
  if (line.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  auto colon = line.rfind(':');
  if (colon == std::string_view::npos || colon + 1 >= line.size())
    return std::nullopt;
  return std::string{line.substr(colon + 1)};
}

} // namespace

// -- refusals -----------------------------------------------------------------

trading::status check_topic_filter(const std::string& filter) {
  if (mosquitto_sub_topic_check2(filter.c_str(), filter.size())
        != MOSQ_ERR_SUCCESS
      || mosquitto_validate_utf8(filter.c_str(),
                                 static_cast<int>(filter.size()))
           != MOSQ_ERR_SUCCESS)
    return trading::operation_failed(
      "invalid topic filter '" + filter
      + "': expected non-empty UTF-8 with '+' and '#' only as whole "
        "levels and '#' only last");
  return {};
}

std::string connack_reason(int rc) {
  // "Connection Refused: not authorised." -> "not authorised".
  std::string_view text = mosquitto_connack_string(rc);
  constexpr std::string_view prefix = "Connection Refused: ";
  if (text.substr(0, prefix.size()) == prefix)
    text.remove_prefix(prefix.size());
  if (!text.empty() && text.back() == '.')
    text.remove_suffix(1);
  return std::string{text};
}

bool is_lasting_refusal(int rc) noexcept {
  return rc == 1 || rc == 2 || rc == 4 || rc == 5;
}

bool is_lasting_tls_error(std::string_view reason) noexcept {
  for (auto part :
       {"certificate", "unknown ca", "wrong version number",
        "handshake failure", "no protocols available", "unsupported protocol"})
    if (reason.find(part) != std::string_view::npos)
      return true;
  return false;
}

// -- broker address -----------------------------------------------------------

trading::result<broker_url> parse_broker_url(std::string_view text) {
  auto fail = [&](const std::string& why) -> trading::result<broker_url> {
    return trading::invalid_request("invalid broker URL '" + std::string{text}
                                    + "': " + why + "; "
                                    + std::string{expected_url_forms});
  };
  broker_url out;
  auto rest = text;
  bool has_scheme = false;
  if (auto pos = rest.find("://"); pos != std::string_view::npos) {
    auto scheme = rest.substr(0, pos);
    if (ascii_iequals(scheme, "mqtt"))
      out.tls = false;
    else if (ascii_iequals(scheme, "mqtts"))
      out.tls = true;
    else
      return fail("unknown scheme '" + std::string{scheme}
                  + "' (use mqtt or mqtts)");
    rest.remove_prefix(pos + 3);
    has_scheme = true;
  }
  if (auto pos = rest.find_first_of("/?#@ \t\r\n");
      pos != std::string_view::npos)
    return fail("unexpected character '" + std::string(1, rest[pos])
                + "' (paths, queries and user names are not supported)");
  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos)
      return fail("missing ']' after the IPv6 address");
    host = rest.substr(1, close - 1);
    auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return fail("expected ':' after ']'");
      port_text = after.substr(1);
      has_port = true;
    }
  } else if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    if (rest.find(':', colon + 1) != std::string_view::npos)
      return fail("IPv6 addresses go in brackets, as in [::1]:1883");
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
    has_port = true;
  } else {
    host = rest;
  }
  if (host.empty())
    return fail("missing host");
  out.host = std::string{host};
  if (has_port) {
    auto port = parse_port(port_text);
    if (!port)
      return fail("port '" + std::string{port_text}
                  + "' is not a number between 1 and 65535");
    out.port = *port;
  } else if (has_scheme) {
    out.port = out.tls ? 8883 : 1883;
  } else {
    return fail("missing port");
  }
  return out;
}

std::string to_string(const broker_url& url) {
  std::string result = url.tls ? "mqtts://" : "mqtt://";
  if (url.host.find(':') != std::string::npos)
    result += "[" + url.host + "]";
  else
    result += url.host;
  result += ':';
  result += std::to_string(url.port);
  return result;
}

// -- construction -------------------------------------------------------------

mqtt_client::mqtt_client(mqtt_options options, mqtt_callbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {
  // nop
}

mqtt_client::~mqtt_client() {
  stop();
  if (handle_ != nullptr)
    mosquitto_destroy(handle_);
}

// -- lifecycle ----------------------------------------------------------------

trading::status mqtt_client::start() {
  if (handle_ != nullptr)
    return trading::operation_failed("mqtt client '" + options_.client_id
                                     + "' was already started; make a new "
                                       "client to connect again");
  const auto& opts = options_;
  auto where = to_string(opts.broker);
  if (opts.broker.host.empty())
    return trading::operation_failed("mqtt broker host must not be empty");
  if (!opts.clean_session && opts.client_id.empty())
    return trading::operation_failed("mqtt client_id must be set when "
                                     "clean_session is false: the broker keys "
                                     "the session on it");
  if (opts.keepalive_s < 0 || (opts.keepalive_s > 0 && opts.keepalive_s < 5)
      || opts.keepalive_s > 65535)
    return trading::operation_failed(
      "mqtt keepalive_s must be 0 or within 5..65535, got "
      + std::to_string(opts.keepalive_s));
  if (opts.max_inflight < 0 || opts.max_inflight > max_inflight_window)
    return trading::operation_failed(
      "mqtt max_inflight must be within 0..65535 (0 = no limit), got "
      + std::to_string(opts.max_inflight));
  if (opts.reconnect_max_s < opts.reconnect_min_s)
    return trading::operation_failed(
      "mqtt reconnect_max_s (" + std::to_string(opts.reconnect_max_s)
      + ") must not be below reconnect_min_s ("
      + std::to_string(opts.reconnect_min_s) + ")");
  if (opts.tls_cert_file.empty() != opts.tls_key_file.empty())
    return trading::operation_failed(
      std::string{"mqtt tls_cert_file and tls_key_file go together: got "}
      + (opts.tls_cert_file.empty() ? "a key without a certificate"
                                    : "a certificate without a key"));
  if (!opts.tls_cert_file.empty() && opts.tls_ca_file.empty())
    return trading::operation_failed(
      "mqtt tls_cert_file needs tls_ca_file: libmosquitto presents a client "
      "certificate only with a CA file that verifies the broker");
  ensure_library_initialized();
  errno = 0;
  handle_
    = mosquitto_new(opts.client_id.empty() ? nullptr : opts.client_id.c_str(),
                    opts.clean_session, this);
  if (handle_ == nullptr) {
    auto err = errno;
    return trading::operation_failed("cannot create mqtt client '"
                                     + opts.client_id
                                     + "': " + describe(MOSQ_ERR_ERRNO, err));
  }
  mosquitto_connect_callback_set(handle_, handle_connect);
  mosquitto_disconnect_callback_set(handle_, handle_disconnect);
  mosquitto_message_callback_set(handle_, handle_message);
  mosquitto_publish_callback_set(handle_, handle_publish);
  mosquitto_subscribe_callback_set(handle_, handle_subscribe);
  // The log callback is how OpenSSL's reasons reach us. libmosquitto formats
  // a line for every packet once one is set, so only TLS clients get it.
  if (opts.broker.tls || !opts.tls_ca_file.empty())
    mosquitto_log_callback_set(handle_, handle_log);
  auto fail = [&](const std::string& what, int rc, int err) {
    discard_handle();
    return trading::status{trading::operation_failed(
      "mqtt client '" + opts.client_id + "' for " + where + ": " + what + ": "
      + describe(rc, err))};
  };
  // Trading messages are small and latency-bound: Nagle would hold them back.
  if (auto rc = mosquitto_int_option(handle_, MOSQ_OPT_TCP_NODELAY, 1))
    return fail("cannot set TCP_NODELAY", rc, errno);
  auto window
    = opts.max_inflight == 0 ? max_inflight_window : opts.max_inflight;
  if (auto rc = mosquitto_int_option(handle_, MOSQ_OPT_SEND_MAXIMUM, window))
    return fail("cannot set max_inflight", rc, errno);
  if (!opts.username.empty()) {
    auto rc = mosquitto_username_pw_set(
      handle_, opts.username.c_str(),
      opts.password.empty() ? nullptr : opts.password.c_str());
    if (rc != MOSQ_ERR_SUCCESS)
      return fail("cannot set username", rc, errno);
  }
  if (!opts.tls_ca_file.empty()) {
    auto file_or_null = [](const std::string& x) {
      return x.empty() ? nullptr : x.c_str();
    };
    auto rc = mosquitto_tls_set(handle_, opts.tls_ca_file.c_str(), nullptr,
                                file_or_null(opts.tls_cert_file),
                                file_or_null(opts.tls_key_file), nullptr);
    if (rc != MOSQ_ERR_SUCCESS && !opts.tls_cert_file.empty())
      return fail("cannot use tls_ca_file '" + opts.tls_ca_file
                    + "', tls_cert_file '" + opts.tls_cert_file
                    + "' and tls_key_file '" + opts.tls_key_file
                    + "' (each must be a readable PEM file)",
                  rc, errno);
    if (rc != MOSQ_ERR_SUCCESS)
      return fail("cannot use tls_ca_file '" + opts.tls_ca_file + "'", rc,
                  errno);
  } else if (opts.broker.tls) {
    auto rc = mosquitto_int_option(handle_, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
    if (rc != MOSQ_ERR_SUCCESS)
      return fail("cannot use the system CA store for TLS", rc, errno);
  }
  mosquitto_reconnect_delay_set(handle_, opts.reconnect_min_s,
                                opts.reconnect_max_s, true);
  // The network thread starts first and idles until the connection attempt
  // begins, so every socket operation happens on it, the first CONNECT
  // included: a broker that is not up yet then shows up as a lost connection
  // and is retried with backoff. (Connecting first writes CONNECT from this
  // thread, and libmosquitto 2.0 never retries a first attempt refused there.)
  auto rc = mosquitto_loop_start(handle_);
  if (rc != MOSQ_ERR_SUCCESS)
    return fail("cannot start the network thread", rc, errno);
  errno = 0;
  rc = mosquitto_connect_async(handle_, opts.broker.host.c_str(),
                               opts.broker.port, opts.keepalive_s);
  if (rc != MOSQ_ERR_SUCCESS) {
    // Failures of the attempt made on this thread land here: a host name
    // that does not resolve, an unreachable network, bad arguments, and a
    // TLS handshake refused at once (the broker's certificate does not
    // verify), whose reason only the log callback saw.
    auto err = errno;
    join_network_thread();
    std::string tls_error;
    {
      std::lock_guard<std::mutex> guard{tls_error_mtx_};
      tls_error = tls_error_;
    }
    if (rc == MOSQ_ERR_TLS && !tls_error.empty()) {
      discard_handle();
      return trading::operation_failed(
        "mqtt client '" + opts.client_id + "' for " + where
        + ": the TLS handshake failed: " + tls_error);
    }
    return fail("cannot connect", rc, err);
  }
  running_ = true;
  return {};
}

void mqtt_client::stop() {
  if (!running_.exchange(false))
    return;
  join_network_thread();
  connected_ = false;
  subscribed_ = false;
}

void mqtt_client::join_network_thread() {
  // The network thread ends once it sees the "disconnecting" state. A
  // reconnect racing with this call may overwrite that state, so a helper
  // repeats the request until the thread is gone: this always returns.
  mosquitto_disconnect(handle_);
  std::mutex mtx;
  std::condition_variable cv;
  bool joined = false;
  std::thread nudger{[&] {
    std::unique_lock<std::mutex> guard{mtx};
    while (!cv.wait_for(guard, std::chrono::milliseconds{200},
                        [&] { return joined; }))
      mosquitto_disconnect(handle_);
  }};
  mosquitto_loop_stop(handle_, false);
  {
    std::lock_guard<std::mutex> guard{mtx};
    joined = true;
  }
  cv.notify_one();
  nudger.join();
}

void mqtt_client::discard_handle() noexcept {
  mosquitto_destroy(handle_);
  handle_ = nullptr;
}

// -- messaging ----------------------------------------------------------------

trading::status mqtt_client::subscribe(const std::string& topic, int qos) {
  if (qos < 0 || qos > 2)
    return trading::operation_failed("invalid QoS " + std::to_string(qos)
                                     + " for topic filter '" + topic
                                     + "': expected 0, 1 or 2");
  if (auto ok = check_topic_filter(topic); !ok)
    return ok;
  // Held while subscribing: the SUBACK (network thread) must find the
  // message id among those awaited.
  std::lock_guard<std::mutex> guard{subscriptions_mtx_};
  auto i = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                        [&](const auto& sub) { return sub.first == topic; });
  if (i != subscriptions_.end())
    i->second = qos;
  else
    subscriptions_.emplace_back(topic, qos);
  if (!running_)
    return {};
  // Without a connection the connect callback subscribes later.
  int mid = 0;
  auto rc = mosquitto_subscribe(handle_, &mid, topic.c_str(), qos);
  if (rc == MOSQ_ERR_SUCCESS && connected_) {
    awaiting_.emplace_back(mid, topic);
    subscribed_ = false;
  }
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN)
    return trading::operation_failed("cannot subscribe to '" + topic
                                     + "': " + describe(rc, errno));
  return {};
}

trading::result<int> mqtt_client::publish(const std::string& topic,
                                          std::string_view payload, int qos,
                                          bool retain) {
  if (qos < 0 || qos > 2)
    return trading::operation_failed("invalid QoS " + std::to_string(qos)
                                     + " for topic '" + topic
                                     + "': expected 0, 1 or 2");
  if (mosquitto_pub_topic_check2(topic.c_str(), topic.size())
        != MOSQ_ERR_SUCCESS
      || mosquitto_validate_utf8(topic.c_str(), static_cast<int>(topic.size()))
           != MOSQ_ERR_SUCCESS)
    return trading::operation_failed(
      "invalid topic '" + topic
      + "': expected non-empty UTF-8 without the wildcards '+' and '#'");
  if (payload.size() > static_cast<size_t>(INT_MAX))
    return trading::operation_failed(
      "payload of " + std::to_string(payload.size()) + " bytes for topic '"
      + topic + "' is too large");
  if (!running_)
    return trading::operation_failed("cannot publish to '" + topic
                                     + "': mqtt client '" + options_.client_id
                                     + "' is not running");
  int mid = 0;
  errno = 0;
  auto rc = mosquitto_publish(handle_, &mid, topic.c_str(),
                              static_cast<int>(payload.size()), payload.data(),
                              qos, retain);
  // libmosquitto keeps QoS >= 1 messages queued while disconnected and sends
  // them after the reconnect; only QoS 0 is lost.
  if (rc == MOSQ_ERR_SUCCESS || (rc == MOSQ_ERR_NO_CONN && qos > 0))
    return mid;
  return trading::operation_failed("cannot publish to '" + topic
                                   + "': " + describe(rc, errno));
}

// -- libmosquitto callbacks (network thread) ----------------------------------

void mqtt_client::handle_connect(mosquitto* handle, void* user_data,
                                 int rc) noexcept {
  auto* self = static_cast<mqtt_client*>(user_data);
  if (rc == 0) {
    if (self->ever_connected_.exchange(true))
      ++self->reconnects_;
    // Re-issue every subscription: a broker that lost the session (restart
    // without persistence, clean session) would otherwise stay silent.
    std::lock_guard<std::mutex> guard{self->subscriptions_mtx_};
    self->connected_ = true;
    self->awaiting_.clear();
    self->refused_ = false;
    for (const auto& [topic, qos] : self->subscriptions_) {
      int mid = 0;
      if (mosquitto_subscribe(handle, &mid, topic.c_str(), qos)
          == MOSQ_ERR_SUCCESS)
        self->awaiting_.emplace_back(mid, topic);
    }
    self->subscribed_ = self->awaiting_.empty();
  }
  if (self->callbacks_.on_connect)
    self->callbacks_.on_connect(rc == 0, mosquitto_connack_string(rc));
  if (rc != 0 && is_lasting_refusal(rc) && self->callbacks_.on_refused)
    self->callbacks_.on_refused(mqtt_refusal{connack_reason(rc), false});
}

void mqtt_client::handle_disconnect(mosquitto*, void* user_data,
                                    int rc) noexcept {
  auto* self = static_cast<mqtt_client*>(user_data);
  self->connected_ = false;
  self->subscribed_ = false;
  if (self->callbacks_.on_disconnect)
    self->callbacks_.on_disconnect(
      rc == 0 ? "disconnected by the client" : describe(rc, errno), rc != 0);
}

void mqtt_client::handle_message(mosquitto*, void* user_data,
                                 const mosquitto_message* msg) noexcept {
  auto* self = static_cast<mqtt_client*>(user_data);
  if (!self->callbacks_.on_message)
    return;
  // Copies: libmosquitto frees `msg` as soon as this function returns.
  std::string payload;
  if (msg->payload != nullptr && msg->payloadlen > 0)
    payload.assign(static_cast<const char*>(msg->payload),
                   static_cast<size_t>(msg->payloadlen));
  self->callbacks_.on_message(std::string{msg->topic}, std::move(payload));
}

void mqtt_client::handle_publish(mosquitto*, void* user_data,
                                 int mid) noexcept {
  auto* self = static_cast<mqtt_client*>(user_data);
  if (self->callbacks_.on_published_together)
    self->callbacks_.on_published_together({mid});
  else if (self->callbacks_.on_published)
    self->callbacks_.on_published(mid);
}

void mqtt_client::handle_subscribe(mosquitto*, void* user_data, int mid,
                                   int qos_count, const int* granted) noexcept {
  auto* self = static_cast<mqtt_client*>(user_data);
  std::vector<int> qos(granted, granted + qos_count);
  std::string refused;
  {
    std::lock_guard<std::mutex> guard{self->subscriptions_mtx_};
    auto& awaiting = self->awaiting_;
    auto i = std::find_if(awaiting.begin(), awaiting.end(),
                          [mid](const auto& x) { return x.first == mid; });
    if (i != awaiting.end()) {
      // One filter per SUBSCRIBE packet: 128 (0x80) refuses it.
      if (std::any_of(qos.begin(), qos.end(), [](int x) { return x >= 128; })) {
        self->refused_ = true;
        refused = i->second;
      }
      awaiting.erase(i);
    }
    self->subscribed_ = self->connected_ && awaiting.empty() && !self->refused_;
  }
  if (!refused.empty() && self->callbacks_.on_subscription_refused)
    self->callbacks_.on_subscription_refused(refused);
  if (self->callbacks_.on_subscribed)
    self->callbacks_.on_subscribed(mid, std::move(qos));
}

void mqtt_client::handle_log(mosquitto*, void* user_data, int level,
                             const char* text) noexcept {
  if ((level & MOSQ_LOG_ERR) == 0 || text == nullptr)
    return;
  auto reason = openssl_reason(text);
  if (!reason)
    return;
  auto* self = static_cast<mqtt_client*>(user_data);
  {
    std::lock_guard<std::mutex> guard{self->tls_error_mtx_};
    self->tls_error_ = *reason;
  }
  // While start() runs its first attempt on the caller's thread, its error
  // message carries the reason instead.
  if (self->running_ && is_lasting_tls_error(*reason)
      && self->callbacks_.on_refused)
    self->callbacks_.on_refused(mqtt_refusal{*reason, true});
}

} // namespace intuition::runtime
