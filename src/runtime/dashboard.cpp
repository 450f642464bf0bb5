#include "runtime/dashboard.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <iostream>
#include <map>
#include <future>
#include <mutex>
#include <thread>

#include <CivetServer.h>
#include <caf/all.hpp>

#include "actors/telemetry.hpp"
#include "runtime/dashboard_model.hpp"
#include "runtime/web_assets.hpp"
#include "trading/journal.hpp"

namespace intuition::runtime {

namespace {

using clock_type = std::chrono::steady_clock;

/// Where the page may load from: this server only.
constexpr const char* page_policy
  = "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'";

void respond(mg_connection* conn, int status, const char* reason,
             const char* content_type, std::string_view body) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nContent-Security-Policy: %s\r\n"
            "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
            status, reason, content_type, body.size(), page_policy);
  mg_write(conn, body.data(), body.size());
}

void respond_json(mg_connection* conn, const nlohmann::json& body) {
  respond(conn, 200, "OK", "application/json", body.dump());
}

void respond_error(mg_connection* conn, int status, const char* reason,
                   const std::string& message) {
  respond(conn, status, reason, "application/json",
          nlohmann::json{{"error", message}}.dump());
}

/// The summary of `x` as JSON (an object), with its counters.
nlohmann::json summary_of(const actors::actor_state& x) {
  auto out = nlohmann::json::parse(x.summary_json, nullptr, false);
  if (!out.is_object())
    out = nlohmann::json::object();
  out["counters"] = x.counters;
  out["mailbox"] = x.mailbox_size;
  return out;
}

int64_t counter(const actors::actor_state& x, const char* key) {
  auto i = x.counters.find(key);
  return i != x.counters.end() ? i->second : 0;
}

} // namespace

class dashboard_server::impl : public CivetHandler {
public:
  impl(caf::actor_system& sys, dashboard_sources sources,
       dashboard_limits limits)
      : sys_(sys), sources_(std::move(sources)), limits_(limits),
        curve_(limits.max_equity_points) {
    // nop
  }

  ~impl() override {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      stopping_ = true;
    }
    cv_.notify_all();
    // The HTTP threads first (open streams see `stopping_`), then the
    // samplers: no request may reach a dying actor system.
    server_.reset();
    if (fast_.joinable())
      fast_.join();
    if (slow_.joinable())
      slow_.join();
  }

  trading::status listen(const endpoint& at) {
    std::vector<std::string> options{
      "listening_ports",    at.to_string(),
      "num_threads",        std::to_string(limits_.max_stream_clients + 4),
      "request_timeout_ms", "10000",
      "enable_keep_alive",  "no"};
    try {
      server_ = std::make_unique<CivetServer>(options);
    } catch (const std::exception& ex) {
      return trading::invalid_setting(
        "--http", "cannot listen on " + at.to_string() + ": " + ex.what());
    }
    for (const char* uri :
         {"/", "/index.html", "/dashboard.js", "/common.js", "/style.css",
          "/uplot.js", "/uplot.css", "/api/state", "/api/events", "/api/orders",
          "/api/actors"})
      server_->addHandler(uri, this);
    auto ports = server_->getListeningPorts();
    port_ = ports.empty() ? at.port : static_cast<uint16_t>(ports.front());
    return {};
  }

  void start_sampling() {
    fast_ = std::thread{[this] {
      sample_figures();
    }};
    slow_ = std::thread{[this] {
      sample_actor_map();
    }};
  }

  uint16_t port() const noexcept {
    return port_;
  }

  bool handleGet(CivetServer*, mg_connection* conn) override {
    const auto* info = mg_get_request_info(conn);
    std::string_view uri = info && info->local_uri ? info->local_uri : "";
    if (uri == "/" || uri == "/index.html")
      respond(conn, 200, "OK", "text/html; charset=utf-8", web::dashboard_html);
    else if (uri == "/dashboard.js")
      respond(conn, 200, "OK", "text/javascript", web::dashboard_js);
    else if (uri == "/common.js")
      respond(conn, 200, "OK", "text/javascript", web::common_js);
    else if (uri == "/uplot.js")
      respond(conn, 200, "OK", "text/javascript", web::uplot_js);
    else if (uri == "/style.css")
      respond(conn, 200, "OK", "text/css", web::style_css);
    else if (uri == "/uplot.css")
      respond(conn, 200, "OK", "text/css", web::uplot_css);
    else if (uri == "/api/state")
      respond_json(conn, state_with_curve());
    else if (uri == "/api/events")
      stream(conn);
    else if (uri == "/api/orders")
      orders(conn);
    else if (uri == "/api/actors")
      actors(conn);
    else
      respond_error(conn, 404, "Not Found", "no such page");
    return true;
  }

private:
  // -- sampling ---------------------------------------------------------------------

  /// Waits `d` or until stopped; false when stopped.
  bool pause(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> guard{mtx_};
    return !cv_.wait_for(guard, d, [this] { return stopping_; });
  }

  bool stopping() {
    std::lock_guard<std::mutex> guard{mtx_};
    return stopping_;
  }

  /// Portfolio, journal and MQTT figures, once a second. An actor that does
  /// not answer within a second (a busy portfolio in a fast replay) is
  /// listed as unreachable and shown with its last answer.
  void sample_figures() {
    caf::scoped_actor self{sys_};
    std::map<std::string, actors::actor_state> last;
    do {
      std::vector<std::string> unreachable;
      for (const auto& target : sources_.singletons) {
        bool answered = false;
        self
          ->request(target.handle, std::chrono::seconds(1),
                    actors::get_state_atom_v)
          .receive(
            [&](actors::actor_state& x) {
              x.name = target.name;
              last[target.name] = std::move(x);
              answered = true;
            },
            [](caf::error&) {
              // nop: listed as unreachable below
            });
        if (!answered)
          unreachable.push_back(target.name);
      }
      std::vector<actors::actor_state> states;
      for (const auto& [name, x] : last)
        states.push_back(x);
      publish(states, unreachable);
    } while (pause(std::chrono::seconds(1)));
  }

  void publish(const std::vector<actors::actor_state>& states,
               const std::vector<std::string>& unreachable) {
    auto t = actors::wall_now_ms();
    nlohmann::json st{{"mode", sources_.mode},
                      {"updated_ms", t},
                      {"unreachable", unreachable},
                      {"mqtt", nullptr}};
    nlohmann::json journal{{"path", sources_.journal_path}};
    std::optional<double> equity;
    for (const auto& x : states) {
      if (x.name == "portfolio") {
        auto pf = summary_of(x);
        if (auto i = pf.find("equity"); i != pf.end() && i->is_number())
          equity = i->get<double>();
        st["rates"]
          = {{"quotes_per_s", quote_rate_.update(counter(x, "quotes"), t)},
             {"orders_per_s", order_rate_.update(counter(x, "orders"), t)}};
        st["portfolio"] = std::move(pf);
      } else if (x.name == "order_log") {
        auto log = summary_of(x);
        for (auto& [k, v] : log.items())
          journal[k] = v;
        if (auto i = log.find("next_seq");
            i != log.end() && i->is_number_unsigned())
          journal["last_seq"] = std::max<uint64_t>(i->get<uint64_t>(), 1) - 1;
      } else if (x.name == "mqtt_ingress" || x.name == "order_publisher") {
        if (st["mqtt"].is_null())
          st["mqtt"] = nlohmann::json::object();
        st["mqtt"][x.name == "mqtt_ingress" ? "ingress" : "publisher"]
          = summary_of(x);
      }
    }
    st["journal"] = std::move(journal);
    std::lock_guard<std::mutex> guard{mtx_};
    if (equity)
      curve_.add(t, *equity);
    st["equity"] = equity ? nlohmann::json{{"t", t}, {"value", *equity}}
                          : nlohmann::json{};
    st["actors"] = actor_summary_;
    ++version_;
    st["version"] = version_;
    state_ = std::move(st);
    event_ = "data: " + state_.dump() + "\n\n";
    cv_.notify_all();
  }

  /// The actor map: every algorithm actor, listed by the router (which
  /// asks each, wherever it runs). That takes seconds with 100,000 actors,
  /// so it runs on its own thread, at most every second and at most a
  /// third of the time, and the answer is awaited by a short-lived actor:
  /// stopping the dashboard never waits for a listing.
  void sample_actor_map() {
    if (!sources_.router)
      return;
    for (;;) {
      auto began = clock_type::now();
      auto listing = std::make_shared<std::promise<router_listing>>();
      auto answer = listing->get_future();
      sys_.spawn(
        [router = sources_.router, listing](caf::event_based_actor* self) {
          list_router(self, router, listing);
        });
      while (answer.wait_for(std::chrono::milliseconds(100))
             != std::future_status::ready)
        if (stopping())
          return;
      auto got = answer.get();
      if (got.listed) {
        std::vector<actor_row> rows;
        rows.reserve(got.states.size());
        for (const auto& x : got.states)
          rows.push_back(to_actor_row(x));
        auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
          clock_type::now() - began);
        auto summary = summarize_actors(rows, limits_.top_actors);
        summary["nodes"] = std::move(got.nodes);
        summary["updated_ms"] = actors::wall_now_ms();
        summary["listing_ms"] = took.count();
        std::lock_guard<std::mutex> guard{mtx_};
        rows_ = std::move(rows);
        actor_summary_ = std::move(summary);
      }
      auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        clock_type::now() - began);
      if (!pause(std::max<std::chrono::milliseconds>(std::chrono::seconds(1),
                                                     took * 2)))
        return;
    }
  }

  /// What one listing of the router brought.
  struct router_listing {
    bool listed = false;
    std::vector<actors::actor_state> states;
    nlohmann::json nodes = nlohmann::json::array();
  };

  /// Asks `router` for its instances, then for its nodes, and keeps the
  /// answers in `out`; then `self` quits. A failure leaves `listed` false
  /// (the last map stays, with its time).
  static void list_router(caf::event_based_actor* self,
                          actors::quote_router_actor router,
                          std::shared_ptr<std::promise<router_listing>> out) {
    self
      ->request(router, std::chrono::seconds(60), actors::list_atom_v,
                std::string{})
      .then(
        [self, router, out](std::vector<actors::actor_state>& xs) {
          auto got = std::make_shared<router_listing>();
          got->listed = true;
          got->states = std::move(xs);
          self
            ->request(router, std::chrono::seconds(10),
                      actors::get_state_atom_v)
            .then(
              [self, out, got](actors::actor_state& x) {
                auto s = nlohmann::json::parse(x.summary_json, nullptr, false);
                if (s.is_object() && s.contains("nodes"))
                  got->nodes = s["nodes"];
                out->set_value(std::move(*got));
                self->quit();
              },
              [self, out, got](caf::error&) {
                out->set_value(std::move(*got));
                self->quit();
              });
        },
        [self, out](caf::error&) {
          out->set_value(router_listing{});
          self->quit();
        });
  }

  // -- answers ----------------------------------------------------------------------

  nlohmann::json state_with_curve() {
    std::lock_guard<std::mutex> guard{mtx_};
    auto out = state_;
    out["equity_curve"] = curve_.to_json();
    return out;
  }

  /// Server-sent events: the state on every update until the page goes
  /// or the server stops. Bounded in clients; at most one event per update.
  void stream(mg_connection* conn) {
    if (++stream_clients_ > limits_.max_stream_clients) {
      --stream_clients_;
      respond_error(conn, 503, "Service Unavailable",
                    "too many open dashboards (at most "
                      + std::to_string(limits_.max_stream_clients) + ")");
      return;
    }
    mg_printf(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                    "Cache-Control: no-store\r\nConnection: close\r\n\r\n");
    uint64_t sent = 0;
    auto idle = std::chrono::seconds(0);
    for (;;) {
      std::string event;
      {
        std::unique_lock<std::mutex> guard{mtx_};
        cv_.wait_for(guard, std::chrono::seconds(1),
                     [&] { return stopping_ || version_ != sent; });
        if (stopping_)
          break;
        if (version_ != sent) {
          sent = version_;
          event = event_;
        }
      }
      if (event.empty()) {
        // A comment now and then tells a dead connection apart.
        if (++idle < std::chrono::seconds(10))
          continue;
        event = ": idle\n\n";
      }
      idle = std::chrono::seconds(0);
      if (mg_write(conn, event.data(), event.size()) <= 0)
        break;
    }
    --stream_clients_;
  }

  void orders(mg_connection* conn) {
    std::string text;
    uint64_t since = 0;
    uint64_t limit = 200;
    if (CivetServer::getParam(conn, "since", text)) {
      auto n = parse_count(text);
      if (!n) {
        respond_error(conn, 400, "Bad Request",
                      "since: expected a sequence number, got \"" + text
                        + "\"");
        return;
      }
      since = *n;
    }
    if (CivetServer::getParam(conn, "limit", text)) {
      auto n = parse_count(text);
      if (!n || *n == 0) {
        respond_error(conn, 400, "Bad Request",
                      "limit: expected a positive count, got \"" + text + "\"");
        return;
      }
      limit = *n;
    }
    limit = std::min<uint64_t>(limit, limits_.max_orders);
    uint64_t last = 0;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (auto j = state_.find("journal"); j != state_.end())
        last = j->value("last_seq", uint64_t{0});
    }
    nlohmann::json out{{"last_seq", last}};
    std::vector<trading::order> xs;
    if (since < last) {
      std::lock_guard<std::mutex> guard{journal_mtx_};
      auto st = cursor_.read(sources_.journal_path, since + 1, last,
                             static_cast<size_t>(limit), xs);
      if (!st)
        out["error"] = st.error().message;
    }
    auto list = nlohmann::json::array();
    for (const auto& x : xs)
      list.push_back(to_json(x));
    out["next"] = xs.empty() ? since : xs.back().seq;
    out["orders"] = std::move(list);
    respond_json(conn, out);
  }

  void actors(mg_connection* conn) {
    std::string q;
    std::string text;
    CivetServer::getParam(conn, "q", q);
    uint64_t limit = 50;
    if (CivetServer::getParam(conn, "limit", text)) {
      auto n = parse_count(text);
      if (!n || *n == 0) {
        respond_error(conn, 400, "Bad Request",
                      "limit: expected a positive count, got \"" + text + "\"");
        return;
      }
      limit = std::min<uint64_t>(*n, limits_.max_search_rows);
    }
    nlohmann::json out;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      out = search_actors(rows_, q, static_cast<size_t>(limit));
      out["total"] = rows_.size();
    }
    respond_json(conn, out);
  }

  caf::actor_system& sys_;
  dashboard_sources sources_;
  dashboard_limits limits_;
  std::unique_ptr<CivetServer> server_;
  uint16_t port_ = 0;
  std::thread fast_;
  std::thread slow_;
  std::atomic<size_t> stream_clients_{0};

  /// Guards everything below; `cv_` wakes streams and samplers.
  std::mutex mtx_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t version_ = 0;
  nlohmann::json state_ = nlohmann::json::object();
  std::string event_;
  equity_samples curve_;
  std::vector<actor_row> rows_;
  nlohmann::json actor_summary_;
  rate_meter quote_rate_;
  rate_meter order_rate_;

  /// Guards the journal cursor (one reader at a time).
  std::mutex journal_mtx_;
  trading::journal_cursor cursor_;
};

trading::result<std::unique_ptr<dashboard_server>>
dashboard_server::start(caf::actor_system& sys, dashboard_sources sources,
                        const endpoint& at, dashboard_limits limits) {
  auto x = std::make_unique<impl>(sys, std::move(sources), limits);
  if (auto st = x->listen(at); !st)
    return std::move(st).error();
  x->start_sampling();
  return std::unique_ptr<dashboard_server>{new dashboard_server(std::move(x))};
}

dashboard_server::dashboard_server(std::unique_ptr<impl> x)
    : impl_(std::move(x)) {
  // nop
}

dashboard_server::~dashboard_server() = default;

uint16_t dashboard_server::port() const noexcept {
  return impl_->port();
}

} // namespace intuition::runtime
