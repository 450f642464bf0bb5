#include "runtime/mqtt_tcp_client.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mosquitto.h>

#include "runtime/mqtt_wire.hpp"

namespace intuition::runtime {

namespace {

using namespace std::chrono_literals;

/// Bytes asked of the socket per read. A node's shard session hands each
/// read to its worker and waits until it is settled (for a read with a
/// signal, a round trip to the coordinator) before the next: reads of
/// 64 KB left most of what the socket held for later round trips. The
/// buffer is kept per connection (64 shards: 16 MB over the cluster).
constexpr size_t read_chunk = 256 * 1024;

/// The largest packet taken: far above any quote, below the input log's
/// record limit.
constexpr uint32_t max_packet_bytes = 32u << 20;

/// How long a TCP connect or the broker's CONNACK may take.
constexpr auto connect_timeout = 10s;

std::string errno_text(int err) {
  return std::strerror(err);
}

/// Resolves `host:port` for a TCP connection; fails with the resolver's
/// reason.
trading::result<addrinfo*> resolve(const broker_url& url) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  auto port = std::to_string(url.port);
  auto rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0)
    return trading::operation_failed("cannot resolve '" + url.host
                                     + "': " + ::gai_strerror(rc));
  return found;
}

} // namespace

mqtt_tcp_client::mqtt_tcp_client(mqtt_options opts, source_callbacks cb)
    : opts_(std::move(opts)), cb_(std::move(cb)) {
  // nop
}

mqtt_tcp_client::mqtt_tcp_client(mqtt_options opts, mqtt_callbacks cb)
    : mqtt_tcp_client(std::move(opts), source_callbacks{{}, std::move(cb)}) {
  // nop
}

mqtt_tcp_client::~mqtt_tcp_client() {
  stop();
}

// -- lifecycle ----------------------------------------------------------------

trading::status mqtt_tcp_client::start() {
  auto where = "mqtt client '" + opts_.client_id + "' for "
               + to_string(opts_.broker) + ": ";
  if (started_.exchange(true))
    return trading::operation_failed(where
                                     + "already started; make a new client "
                                       "to connect again");
  auto fail = [&](const std::string& why) {
    started_ = false;
    return trading::status{trading::operation_failed(where + why)};
  };
  if (opts_.broker.host.empty())
    return fail("the broker host must not be empty");
  if (opts_.broker.tls || !opts_.tls_ca_file.empty())
    return fail("TLS is not supported by this client");
  if (!opts_.clean_session && opts_.client_id.empty())
    return fail("client_id must be set when clean_session is false: the "
                "broker keys the session on it");
  if (opts_.client_id.size() > 65535 || opts_.username.size() > 65535
      || opts_.password.size() > 65535)
    return fail("client id, user name and password must each be shorter "
                "than 65536 bytes");
  if (opts_.keepalive_s < 0 || (opts_.keepalive_s > 0 && opts_.keepalive_s < 5)
      || opts_.keepalive_s > 65535)
    return fail("keepalive_s must be 0 or within 5..65535, got "
                + std::to_string(opts_.keepalive_s));
  if (opts_.reconnect_max_s < opts_.reconnect_min_s)
    return fail("reconnect_max_s (" + std::to_string(opts_.reconnect_max_s)
                + ") must not be below reconnect_min_s ("
                + std::to_string(opts_.reconnect_min_s) + ")");
  auto found = resolve(opts_.broker);
  if (!found)
    return fail(found.error().message);
  ::freeaddrinfo(*found);
  wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_ < 0)
    return fail("eventfd: " + errno_text(errno));
  running_ = true;
  try {
    thread_ = std::thread{[this] {
      run();
    }};
  } catch (const std::system_error& err) {
    running_ = false;
    ::close(wake_);
    wake_ = -1;
    return fail(std::string{"cannot start the network thread: "} + err.what());
  }
  return {};
}

void mqtt_tcp_client::stop() {
  {
    // Publishers check `running_` under the lock.
    std::lock_guard<std::mutex> guard{mtx_};
    if (!running_.exchange(false))
      return;
  }
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_, &one, sizeof(one));
  if (thread_.joinable())
    thread_.join();
  ::close(wake_);
  wake_ = -1;
  connected_ = false;
  subscribed_ = false;
}

trading::status mqtt_tcp_client::subscribe(const std::string& topic, int qos) {
  if (qos < 0 || qos > 1)
    return trading::operation_failed("invalid QoS " + std::to_string(qos)
                                     + " for topic filter '" + topic
                                     + "': expected 0 or 1");
  if (auto ok = check_topic_filter(topic); !ok)
    return ok;
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                        [&](const auto& sub) { return sub.first == topic; });
  if (i != subscriptions_.end()) {
    if (i->second == qos)
      return {};
    // A changed QoS is sent again: move the filter behind what was sent.
    if (static_cast<size_t>(i - subscriptions_.begin()) < sent_)
      --sent_;
    subscriptions_.erase(i);
  }
  subscriptions_.emplace_back(topic, qos);
  subscribed_ = false;
  if (running_) {
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_, &one, sizeof(one));
  }
  return {};
}

trading::result<int> mqtt_tcp_client::publish(const std::string& topic,
                                              std::string_view payload,
                                              int qos) {
  auto fail = [&](const std::string& why) {
    return trading::operation_failed("mqtt client '" + opts_.client_id
                                     + "': publish to '" + topic + "': " + why);
  };
  if (qos < 0 || qos > 1)
    return fail("QoS " + std::to_string(qos)
                + " is not supported: expected 0 or 1");
  if (topic.empty() || topic.size() > 65535
      || topic.find_first_of("+#") != std::string::npos)
    return fail("a topic is 1 to 65,535 bytes without '+' or '#'");
  if (payload.size() > max_packet_bytes - topic.size() - 4)
    return fail("a payload of " + std::to_string(payload.size())
                + " bytes is more than the limit of "
                + std::to_string(max_packet_bytes - topic.size() - 4));
  int id = 0;
  bool wake = false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!running_)
      return fail("the client is not running");
    if (qos == 0) {
      if (!connected_)
        return fail("not connected (a QoS 0 message is not kept)");
      if (out_.size() >= max_unsent_bytes)
        return fail("the connection's " + std::to_string(out_.size())
                    + " unsent bytes are more than the limit of "
                    + std::to_string(max_unsent_bytes));
      mqtt_wire::encode_publish(out_, topic, payload, 0, 0, false);
      // QoS 0 has no packet id; the number only tells the caller's
      // messages apart.
      if (++qos0_count_ == 0)
        qos0_count_ = 1;
      id = qos0_count_;
    } else {
      if (in_flight_.size() + waiting_.size() >= max_held)
        return fail(std::to_string(max_held)
                    + " messages wait for the broker's acknowledgement "
                      "already");
      held_message m;
      m.id = take_id();
      mqtt_wire::encode_publish(m.packet, topic, payload, 1, m.id, false);
      id = m.id;
      waiting_.push_back(std::move(m));
      if (connected_)
        send_waiting();
    }
    // While held, `hold(false)` writes it.
    wake = !held_ && write_out_locked();
  }
  if (wake) {
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_, &one, sizeof(one));
  }
  if (qos == 0 && cb_.events.on_published_together)
    cb_.events.on_published_together({id});
  else if (qos == 0 && cb_.events.on_published)
    cb_.events.on_published(id);
  return id;
}

bool mqtt_tcp_client::write_out_locked() {
  // Written from the caller's thread; what the socket does not take now
  // the network thread writes when it can.
  if (!out_.empty() && fd_ >= 0 && flush_locked() != 0)
    ::shutdown(fd_, SHUT_RDWR); // the network thread sees the end
  return !out_.empty();
}

void mqtt_tcp_client::hold(bool on) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    held_ = on;
    if (!on)
      wake = write_out_locked();
  }
  if (wake) {
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_, &one, sizeof(one));
  }
}

size_t mqtt_tcp_client::unsent_bytes() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return out_.size();
}

size_t mqtt_tcp_client::unacknowledged() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return in_flight_.size() + waiting_.size();
}

bool mqtt_tcp_client::unsent() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return !out_.empty() && !held_;
}

mqtt_tcp_client::clock_type::time_point mqtt_tcp_client::last_sent() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return last_sent_;
}

uint16_t mqtt_tcp_client::take_id() {
  // Terminates: fewer than 65,535 ids are ever in use (`max_held` plus the
  // subscriptions awaiting their SUBACK).
  do {
    if (++next_id_ == 0)
      next_id_ = 1;
  } while (ids_in_use_[next_id_]);
  ids_in_use_[next_id_] = true;
  return next_id_;
}

void mqtt_tcp_client::send_waiting() {
  auto limit = opts_.max_inflight > 0 ? static_cast<size_t>(opts_.max_inflight)
                                      : max_held;
  while (!waiting_.empty() && in_flight_.size() < limit) {
    out_ += waiting_.front().packet;
    in_flight_.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
  }
}

bool mqtt_tcp_client::acknowledged(uint16_t id) {
  // The broker acknowledges in order: the first entry, nearly always.
  auto i = std::find_if(in_flight_.begin(), in_flight_.end(),
                        [id](const auto& m) { return m.id == id; });
  if (i == in_flight_.end())
    return false;
  in_flight_.erase(i);
  ids_in_use_[id] = false;
  return true;
}

// -- network thread -------------------------------------------------------------

void mqtt_tcp_client::run() {
  auto min_delay = std::max(1u, opts_.reconnect_min_s);
  auto delay = min_delay;
  while (running_) {
    if (session())
      delay = min_delay;
    if (!running_ || wait_stop(std::chrono::seconds{delay}))
      break;
    delay = std::min(delay * 2, std::max(min_delay, opts_.reconnect_max_s));
  }
}

bool mqtt_tcp_client::wait_stop(std::chrono::milliseconds timeout) {
  pollfd p{wake_, POLLIN, 0};
  auto deadline = clock_type::now() + timeout;
  while (running_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
    if (left.count() <= 0)
      return false;
    ::poll(&p, 1, static_cast<int>(left.count()));
    if (p.revents & POLLIN) {
      uint64_t x = 0;
      [[maybe_unused]] auto n = ::read(wake_, &x, sizeof(x));
    }
  }
  return true;
}

int mqtt_tcp_client::connect_socket() {
  auto found = resolve(opts_.broker);
  if (!found) {
    why_ = found.error().message;
    return -1;
  }
  int fd = -1;
  for (auto* ai = *found; ai != nullptr && fd < 0 && running_;
       ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  ai->ai_protocol);
    if (fd < 0) {
      why_ = "socket: " + errno_text(errno);
      continue;
    }
    auto rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd ps[2] = {{fd, POLLOUT, 0}, {wake_, POLLIN, 0}};
      rc = ::poll(
        ps, 2,
        static_cast<int>(std::chrono::milliseconds{connect_timeout}.count()));
      int err = ETIMEDOUT;
      if (rc > 0 && (ps[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
        socklen_t len = sizeof(err);
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      } else if (rc > 0) {
        err = ECANCELED;
      }
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc != 0) {
      why_ = "connect: " + errno_text(errno);
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(*found);
  if (fd >= 0) {
    // Acknowledgements are small and latency-bound: no Nagle.
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  return fd;
}

bool mqtt_tcp_client::flush() {
  std::lock_guard<std::mutex> guard{mtx_};
  // Held: the caller is adding a burst, and `hold(false)` writes it whole.
  // Writing it now would cut it into one segment per message.
  if (held_)
    return true;
  if (auto err = flush_locked(); err != 0) {
    why_ = "write: " + errno_text(err);
    return false;
  }
  return true;
}

int mqtt_tcp_client::flush_locked() {
  size_t done = 0;
  int err = 0;
  while (done < out_.size()) {
    auto n = ::send(fd_, out_.data() + done, out_.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      break;
    err = n < 0 ? errno : EPIPE;
    break;
  }
  if (done > 0) {
    out_.erase(0, done);
    last_sent_ = clock_type::now();
  }
  return err;
}

int mqtt_tcp_client::await_connack() {
  auto deadline = clock_type::now() + connect_timeout;
  while (running_) {
    if (!flush())
      return -1;
    mqtt_wire::packet p;
    auto cut = mqtt_wire::next_packet(std::string_view{in_.data(), in_used_}, p,
                                      max_packet_bytes);
    if (!cut) {
      why_ = cut.error().message;
      return -1;
    }
    if (*cut > 0) {
      if (p.type != mqtt_wire::packet_type::connack) {
        why_ = "the broker answered CONNECT with another packet than CONNACK";
        return -1;
      }
      auto ack = mqtt_wire::parse_connack(p);
      if (!ack) {
        why_ = ack.error().message;
        return -1;
      }
      consume(*cut);
      return ack->return_code;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
    if (left.count() <= 0) {
      why_ = "no CONNACK from the broker within "
             + std::to_string(std::chrono::seconds{connect_timeout}.count())
             + " s";
      return -1;
    }
    pollfd ps[2] = {{fd_, POLLIN, 0}, {wake_, POLLIN, 0}};
    if (unsent())
      ps[0].events |= POLLOUT;
    ::poll(ps, 2, static_cast<int>(left.count()));
    if (ps[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (in_.size() < in_used_ + read_chunk)
        in_.resize(in_used_ + read_chunk);
      auto n = ::read(fd_, in_.data() + in_used_, in_.size() - in_used_);
      if (n == 0) {
        why_ = "the broker closed the connection";
        return -1;
      }
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        why_ = "read: " + errno_text(errno);
        return -1;
      }
      if (n > 0)
        in_used_ += static_cast<size_t>(n);
    }
  }
  why_ = "stopped";
  return -1;
}

void mqtt_tcp_client::consume(size_t n) {
  if (n == 0)
    return;
  std::memmove(in_.data(), in_.data() + n, in_used_ - n);
  in_used_ -= n;
}

void mqtt_tcp_client::send_subscriptions() {
  std::lock_guard<std::mutex> guard{mtx_};
  for (; sent_ < subscriptions_.size(); ++sent_) {
    const auto& [topic, qos] = subscriptions_[sent_];
    auto id = take_id();
    mqtt_wire::encode_subscribe(out_, id, topic, qos);
    awaiting_.emplace_back(id, topic);
  }
  subscribed_ = connected_ && awaiting_.empty() && !refused_;
}

void mqtt_tcp_client::on_suback(uint16_t id, const std::vector<int>& granted) {
  std::string refused;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = std::find_if(awaiting_.begin(), awaiting_.end(),
                          [id](const auto& x) { return x.first == id; });
    if (i != awaiting_.end()) {
      if (std::any_of(granted.begin(), granted.end(),
                      [](int x) { return x >= 128; })) {
        refused_ = true;
        refused = i->second;
      }
      ids_in_use_[id] = false;
      awaiting_.erase(i);
    }
    subscribed_ = connected_ && awaiting_.empty() && !refused_
                  && sent_ == subscriptions_.size();
  }
  if (!refused.empty() && cb_.events.on_subscription_refused)
    cb_.events.on_subscription_refused(refused);
}

bool mqtt_tcp_client::handle_input() {
  batch_.clear();
  acks_.clear();
  published_.clear();
  size_t pos = 0;
  auto data = std::string_view{in_.data(), in_used_};
  for (;;) {
    mqtt_wire::packet p;
    auto cut = mqtt_wire::next_packet(data.substr(pos), p, max_packet_bytes);
    if (!cut) {
      why_ = cut.error().message;
      return false;
    }
    if (*cut == 0)
      break;
    pos += *cut;
    switch (p.type) {
      case mqtt_wire::packet_type::publish: {
        auto msg = mqtt_wire::parse_publish(p);
        if (!msg) {
          why_ = msg.error().message;
          return false;
        }
        if (msg->qos > 1) {
          why_ = "the broker sent a QoS 2 message to a QoS 0/1 subscription";
          return false;
        }
        batch_.push_back(inbound_message{msg->topic, msg->payload});
        if (msg->qos == 1)
          acks_.push_back(msg->packet_id);
        break;
      }
      case mqtt_wire::packet_type::suback: {
        auto ack = mqtt_wire::parse_suback(p);
        if (!ack) {
          why_ = ack.error().message;
          return false;
        }
        on_suback(ack->packet_id, ack->granted);
        break;
      }
      case mqtt_wire::packet_type::pingresp:
        ping_outstanding_ = false;
        break;
      case mqtt_wire::packet_type::puback: {
        auto id = mqtt_wire::parse_packet_id(p);
        if (!id) {
          why_ = id.error().message;
          return false;
        }
        published_.push_back(*id);
        break;
      }
      case mqtt_wire::packet_type::pubcomp:
      case mqtt_wire::packet_type::unsuback:
        // Answers to nothing this client sends: ignored.
        break;
      default:
        why_ = "unexpected packet of type "
               + std::to_string(static_cast<int>(p.type)) + " from the broker";
        return false;
    }
  }
  pause_next_read_ = opts_.read_pause_us > 0 && wait_after_read();
  if (pause_next_read_)
    ++coalesced_reads_;
  if (!batch_.empty()) {
    // The acknowledgements go out only once the messages are safe.
    if (!cb_.on_messages || !cb_.on_messages(batch_)) {
      why_ = "received messages could not be stored; the broker delivers "
             "them again";
      return false;
    }
  }
  if (!acks_.empty() || !published_.empty()) {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto id : acks_)
      mqtt_wire::encode_puback(out_, id);
    // An id held by nothing is the PUBACK of a copy acknowledged before
    // (sent again after a reconnect): not reported twice.
    auto kept
      = std::remove_if(published_.begin(), published_.end(),
                       [this](uint16_t id) { return !acknowledged(id); });
    published_.erase(kept, published_.end());
    send_waiting();
  }
  consume(pos);
  if (cb_.events.on_published_together) {
    if (!published_.empty())
      cb_.events.on_published_together(
        std::vector<int>(published_.begin(), published_.end()));
  } else if (cb_.events.on_published) {
    for (auto id : published_)
      cb_.events.on_published(id);
  }
  return true;
}

bool mqtt_tcp_client::wait_after_read() {
  auto n = batch_.size();
  auto after_pause = std::exchange(read_after_pause_, false);
  if (acks_.empty()) {
    equal_paused_reads_ = 0;
    return n >= coalesce_min;
  }
  if (!opts_.read_pause_qos1)
    return false;
  largest_qos1_read_ = std::max(largest_qos1_read_, n);
  // A broker with an inflight window sends that many while a read waits,
  // and never more: waiting reads in a row that each bring the largest
  // number any read brought are its mark. Without a window their sizes
  // vary with the publisher's pace, unless the read's buffer was what
  // limited them.
  auto now = clock_type::now();
  if (!after_pause || read_filled_)
    equal_paused_reads_ = 0;
  else if (equal_paused_reads_ > 0 && n == last_paused_read_)
    ++equal_paused_reads_;
  else
    equal_paused_reads_ = 1;
  last_paused_read_ = n;
  if (equal_paused_reads_ >= window_reads && n == largest_qos1_read_) {
    qos1_pause_off_until_ = now + qos1_pause_off;
    ++qos1_windows_seen_;
    equal_paused_reads_ = 0;
  }
  return n >= coalesce_min_qos1 && now >= qos1_pause_off_until_;
}

void mqtt_tcp_client::end_connection(const std::string& why) {
  bool was_connected = false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    was_connected = connected_.exchange(false);
    subscribed_ = false;
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    out_.clear();
  }
  if (was_connected && cb_.events.on_disconnect)
    cb_.events.on_disconnect(why, running_.load());
}

bool mqtt_tcp_client::session() {
  in_.clear();
  in_used_ = 0;
  ping_outstanding_ = false;
  pause_next_read_ = false;
  read_after_pause_ = false;
  equal_paused_reads_ = 0;
  largest_qos1_read_ = 0;
  auto fd = connect_socket();
  if (fd < 0)
    return false;
  mqtt_wire::connect_fields hello;
  hello.client_id = opts_.client_id;
  hello.clean_session = opts_.clean_session;
  hello.keepalive_s = static_cast<uint16_t>(opts_.keepalive_s);
  hello.username = opts_.username;
  hello.password = opts_.password;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    fd_ = fd;
    out_.clear();
    mqtt_wire::encode_connect(out_, hello);
  }
  auto rc = await_connack();
  if (rc != 0) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      ::close(fd_);
      fd_ = -1;
    }
    // Outside the lock, like every callback: one that calls the client
    // (publish, unsent_bytes) would otherwise wait on itself.
    if (rc > 0) {
      if (cb_.events.on_connect)
        cb_.events.on_connect(false, mosquitto_connack_string(rc));
      if (is_lasting_refusal(rc) && cb_.events.on_refused)
        cb_.events.on_refused(mqtt_refusal{connack_reason(rc), false});
    }
    return false;
  }
  if (ever_connected_.exchange(true))
    ++reconnects_;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    connected_ = true;
    for (const auto& x : awaiting_)
      ids_in_use_[x.first] = false;
    awaiting_.clear();
    refused_ = false;
    sent_ = 0;
    // What the broker did not acknowledge may not have reached it: sent
    // again, marked as a duplicate, before anything new.
    for (auto& m : in_flight_) {
      m.packet[0] = static_cast<char>(m.packet[0] | 0x08);
      out_ += m.packet;
    }
    send_waiting();
  }
  // Subscribe on every connection: a broker that lost the session (restart
  // without persistence) would otherwise stay silent.
  send_subscriptions();
  if (cb_.events.on_connect)
    cb_.events.on_connect(true, mosquitto_connack_string(0));
  last_received_ = clock_type::now();
  auto keepalive = std::chrono::seconds{opts_.keepalive_s};
  auto ping_sent = last_received_;
  while (running_) {
    if (!flush()) {
      end_connection(why_);
      return true;
    }
    auto now = clock_type::now();
    if (opts_.keepalive_s > 0) {
      if (ping_outstanding_ && now - ping_sent >= keepalive) {
        end_connection("no answer from the broker within the keepalive of "
                       + std::to_string(opts_.keepalive_s) + " s");
        return true;
      }
      if (!ping_outstanding_ && now - last_sent() >= keepalive) {
        std::lock_guard<std::mutex> guard{mtx_};
        mqtt_wire::encode_pingreq(out_);
        ping_outstanding_ = true;
        ping_sent = now;
        continue;
      }
    }
    auto timeout = -1;
    if (opts_.keepalive_s > 0) {
      auto due
        = ping_outstanding_ ? ping_sent + keepalive : last_sent() + keepalive;
      timeout = static_cast<int>(std::max<int64_t>(
        1, std::chrono::duration_cast<std::chrono::milliseconds>(due - now)
             .count()));
    }
    if (pause_next_read_) {
      // Under load: let the next read bring more (see the class comment).
      pause_next_read_ = false;
      read_after_pause_ = true;
      std::this_thread::sleep_for(
        std::chrono::microseconds{opts_.read_pause_us});
    }
    pollfd ps[2] = {{fd_, POLLIN, 0}, {wake_, POLLIN, 0}};
    if (unsent())
      ps[0].events |= POLLOUT;
    auto n = ::poll(ps, 2, timeout);
    if (n < 0 && errno != EINTR) {
      end_connection("poll: " + errno_text(errno));
      return true;
    }
    if (ps[1].revents & POLLIN) {
      uint64_t x = 0;
      [[maybe_unused]] auto k = ::read(wake_, &x, sizeof(x));
      send_subscriptions();
    }
    if (ps[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (in_.size() < in_used_ + read_chunk)
        in_.resize(in_used_ + read_chunk);
      auto space = in_.size() - in_used_;
      auto got = ::read(fd_, in_.data() + in_used_, space);
      read_filled_ = got > 0 && static_cast<size_t>(got) == space;
      if (got == 0) {
        end_connection("the broker closed the connection");
        return true;
      }
      if (got < 0 && errno != EAGAIN && errno != EINTR) {
        end_connection("read: " + errno_text(errno));
        return true;
      }
      if (got > 0) {
        in_used_ += static_cast<size_t>(got);
        last_received_ = clock_type::now();
        if (!handle_input()) {
          end_connection(why_);
          return true;
        }
      }
    }
  }
  // Stopping: say goodbye, so the broker does not publish a will or keep
  // the connection open until the keepalive runs out.
  {
    std::lock_guard<std::mutex> guard{mtx_};
    mqtt_wire::encode_disconnect(out_);
  }
  flush();
  end_connection("disconnected by the client");
  return true;
}

} // namespace intuition::runtime
