#include "runtime/feed.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "runtime/mqtt_setup.hpp"
#include "runtime/mqtt_source.hpp"
#include "runtime/replay.hpp"
#include "runtime/stop_signals.hpp"
#include "trading/decimal.hpp"
#include "trading/shard_map.hpp"

namespace intuition::runtime {

namespace {

using clock_type = std::chrono::steady_clock;

/// QoS 1 messages published and not yet acknowledged, at most; well below
/// what the client can hold (`mqtt_tcp_client::max_held`).
constexpr uint64_t feed_max_unacked = 20'000;
/// QoS 0 bytes handed to the client and not yet written, at most before
/// the feed waits for the socket.
constexpr size_t feed_max_unsent_bytes = 1u << 20;
/// Most messages of one write.
constexpr uint64_t feed_max_burst = 256;

/// Renders a quote in one of the payload shapes the codec accepts.
std::string encode_payload(const trading::quote& q, const std::string& format) {
  if (format == "sid")
    return nlohmann::json{{"sid", q.symbol},
                          {"quote", trading::format_micros(q.price_micros)},
                          {"ts", q.ts_ms}}
      .dump();
  if (format == "symbol-map") {
    std::string sym = q.symbol;
    for (auto& c : sym)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "{\"" + sym + "\":" + trading::format_micros(q.price_micros) + "}";
  }
  return trading::encode_canonical(q);
}

} // namespace

trading::result<feed_stats>
publish_quotes(const mqtt_options& base,
               const std::vector<trading::quote>& quotes,
               const feed_options& opts, const std::atomic<bool>& stop) {
  const auto& url = base.broker;
  std::mutex mtx;
  std::condition_variable cv;
  bool connected = false;
  std::string refused;
  std::atomic<uint64_t> acked{0};
  auto mo = base;
  mo.client_id = opts.client_id.empty()
                   ? "intuition-feed-" + std::to_string(::getpid())
                   : opts.client_id;
  mo.clean_session = true;
  mo.max_inflight = publish_max_inflight(mo);
  mqtt_callbacks cb;
  cb.on_connect = [&](bool ok, std::string reason) {
    std::lock_guard<std::mutex> guard{mtx};
    connected = ok;
    if (!ok)
      refused = reason;
    cv.notify_all();
  };
  cb.on_published = [&](int) {
    // Under the lock: counted between the waiter's check and its sleep,
    // the last acknowledgement's wake-up was lost and the feed slept out
    // its full 60 s timeout.
    std::lock_guard<std::mutex> guard{mtx};
    ++acked;
    cv.notify_all();
  };
  auto client = make_mqtt_sink(mo, cb);
  if (auto ok = client->start(); !ok)
    return std::move(ok).error();
  {
    std::unique_lock<std::mutex> guard{mtx};
    if (!cv.wait_for(guard, std::chrono::seconds(10),
                     [&] { return connected || !refused.empty(); }))
      return trading::operation_failed("no connection to " + to_string(url)
                                       + " within 10 s");
    if (!connected)
      return trading::operation_failed("broker refused the connection: "
                                       + refused);
  }
  feed_stats stats;
  auto t0 = clock_type::now();
  auto last_progress = t0;
  const auto total = quotes.size() * opts.repeat;
  const auto span_ms = quotes.back().ts_ms - quotes.front().ts_ms + 1;
  auto due = [&](uint64_t i) {
    return t0
           + std::chrono::nanoseconds(
             static_cast<int64_t>(1e9 * static_cast<double>(i) / opts.rate));
  };
  auto unacked = [&] {
    return stats.sent - acked.load();
  };
  for (uint64_t i = 0; i < total && !stop;) {
    if (opts.rate > 0
        && due(i) > clock_type::now() + std::chrono::milliseconds(1))
      std::this_thread::sleep_until(due(i));
    // Room first: what waits on this side stays bounded whatever the
    // broker's pace (QoS 1: held until acknowledged; QoS 0: bytes the
    // socket has not taken yet).
    if (opts.qos > 0 && unacked() >= feed_max_unacked) {
      std::unique_lock<std::mutex> guard{mtx};
      cv.wait_for(guard, std::chrono::milliseconds(100),
                  [&] { return unacked() < feed_max_unacked; });
      continue;
    }
    if (client->unsent_bytes() > feed_max_unsent_bytes) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    // Everything due now leaves with one write, as a market data handler
    // sends what it has: a few system calls per burst instead of one per
    // quote, so the publisher leaves the cores to broker and subscribers.
    auto now = clock_type::now();
    auto end = std::min<uint64_t>(total, i + feed_max_burst);
    client->hold(true);
    trading::result<int> res = 0;
    do {
      auto q = quotes[i % quotes.size()];
      q.ts_ms += static_cast<int64_t>(i / quotes.size()) * span_ms;
      res = client->publish(opts.topic_per_symbol
                              ? trading::symbol_topic(opts.topic, q.symbol)
                              : opts.topic,
                            encode_payload(q, opts.format), opts.qos);
      if (!res)
        break;
      ++stats.sent;
      ++i;
    } while (i < end && (opts.rate <= 0 || due(i) <= now)
             && (opts.qos == 0 || unacked() < feed_max_unacked));
    client->hold(false);
    if (!res)
      return std::move(res).error().within("publish");
    if (!opts.quiet
        && clock_type::now() - last_progress > std::chrono::seconds(1)) {
      last_progress = clock_type::now();
      std::cerr << "feed: " << stats.sent << "/" << total << " published, "
                << acked.load() << " acknowledged\n";
    }
  }
  {
    // The last acknowledgements, and for QoS 0 the last bytes on the
    // socket (a stopped client drops what it has not written): 60 s at
    // most; once a stop is asked, 2 s for acknowledgements and none for
    // QoS 0 bytes (a stop signal does not wake this wait, so it looks every
    // 100 ms; with the broker gone nothing else would end it).
    auto deadline = clock_type::now() + std::chrono::seconds(60);
    for (;;) {
      // Asked before taking the feed's lock, which the client's callbacks
      // take: no lock is ever held while waiting for the other.
      auto unsent = client->unsent_bytes() > 0;
      std::unique_lock<std::mutex> guard{mtx};
      auto acks_due = acked.load() < stats.sent;
      // Asked to stop, QoS 0 bytes not written yet are given up at once.
      if ((!unsent && !acks_due) || (stop && !acks_due)
          || clock_type::now() >= deadline)
        break;
      // The first look after a stop sets the deadline; later ones are
      // later and leave it.
      if (stop)
        deadline
          = std::min(deadline, clock_type::now() + std::chrono::seconds(2));
      cv.wait_for(guard, unsent ? std::chrono::milliseconds(1)
                                : std::chrono::milliseconds(100));
    }
  }
  stats.acked = acked.load();
  stats.unsent_bytes = client->unsent_bytes();
  stats.elapsed_s
    = std::chrono::duration<double>(clock_type::now() - t0).count();
  client->stop();
  return stats;
}

int run_feed(const feed_options& opts) {
  auto url = parse_broker_url(opts.broker);
  if (!url) {
    std::cerr << "intuition feed: --broker: " << url.error().message << "\n";
    return 2;
  }
  auto loaded = load_quotes_csv(opts.quotes);
  if (!loaded) {
    std::cerr << "intuition feed: " << loaded.error().message << "\n";
    return trading::exit_code(loaded.error());
  }
  auto& data = *loaded;
  if (data.quotes.empty()) {
    std::cerr << "intuition feed: " << opts.quotes << " holds no valid quote\n";
    return 2;
  }
  auto base = shared_mqtt_options(opts.mqtt, "feed");
  if (!base) {
    std::cerr << "intuition feed: " << base.error().message << "\n";
    return 2;
  }
  base->broker = *url;
  install_stop_handlers();
  auto res = publish_quotes(*base, data.quotes, opts, stop_requested);
  if (!res) {
    std::cerr << "intuition feed: " << res.error().message << "\n";
    return trading::exit_code(res.error());
  }
  auto& st = *res;
  std::cout << "feed: published " << st.sent << " quotes to " << opts.topic
            << (opts.topic_per_symbol ? "/SYMBOL" : "") << " on "
            << to_string(*url) << " in "
            << static_cast<double>(static_cast<int64_t>(st.elapsed_s * 1000))
                 / 1000
            << " s ("
            << static_cast<uint64_t>(st.elapsed_s > 0 ? st.sent / st.elapsed_s
                                                      : 0)
            << " quotes/s), " << st.acked << " acknowledged";
  if (st.unsent_bytes > 0)
    std::cout << ", " << st.unsent_bytes << " bytes never written";
  std::cout << "\n";
  return st.acked >= st.sent && st.unsent_bytes == 0 ? 0 : 1;
}

} // namespace intuition::runtime
