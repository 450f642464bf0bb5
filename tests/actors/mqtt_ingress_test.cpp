#define CAF_SUITE actors.mqtt_ingress
#include "caf/test/dsl.hpp"

#include "actor_fixture.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/messages.hpp"
#include "actors/mqtt_ingress.hpp"
#include "trading/input_log.hpp"

#include <filesystem>
#include <stdlib.h>

using namespace intuition;
using namespace intuition::actors;
using trading::quote;

namespace {

// -- fake router ------------------------------------------------------------------

/// The router's interface plus `flush`, which answers the oldest held batch.
using fake_router_actor
  = quote_router_actor::extend<caf::reacts_to<flush_atom>>;

/// What the fake router saw; shared with the test body.
struct router_log {
  /// Every batch, in arrival order.
  std::vector<quote_batch> batches;
  /// Quotes seen so far; the fake fills one order per quote.
  uint64_t orders = 0;
  /// Batches received but not answered yet.
  size_t held = 0;
};

struct fake_router_state {
  static inline const char* name = "fake_router";
  std::shared_ptr<router_log> log;
  /// Unanswered batches with the order count to answer them with.
  std::deque<std::pair<caf::typed_response_promise<uint64_t>, uint64_t>> held;
};

/// Records every batch; answers at once, or on `flush` if `hold` is set.
fake_router_actor::behavior_type
fake_router(fake_router_actor::stateful_pointer<fake_router_state> self,
            std::shared_ptr<router_log> log, bool hold) {
  self->state.log = std::move(log);
  return {
    [self, hold](quote_batch& batch) -> caf::typed_response_promise<uint64_t> {
      auto& st = self->state;
      st.log->orders += batch.quotes.size();
      st.log->batches.push_back(std::move(batch));
      auto promise = self->make_response_promise<uint64_t>();
      if (hold) {
        st.held.emplace_back(promise, st.log->orders);
        st.log->held = st.held.size();
      } else {
        promise.deliver(st.log->orders);
      }
      return promise;
    },
    [](part_result&) {
      // nop: the ingress never sends parts
    },
    [self](flush_atom) {
      auto& st = self->state;
      if (st.held.empty())
        return;
      st.held.front().first.deliver(st.held.front().second);
      st.held.pop_front();
      st.log->held = st.held.size();
    },
    [](list_atom, const std::string&) -> std::vector<actor_state> {
      return {};
    },
    [](cluster_member&) {
      // nop
    },
    [](control_request&) {
      return control_reply{false, true, "not here"};
    },
    [](get_state_atom) -> actor_state {
      return make_actor_state("fake_router", "quote_router", {}, "{}");
    },
  };
}

// -- helpers ----------------------------------------------------------------------

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

/// Pads a JSON object with blanks before its closing brace to `size` bytes.
std::string pad_to(std::string payload, size_t size) {
  payload.pop_back();
  payload.append(size - payload.size() - 1, ' ');
  payload += '}';
  return payload;
}

/// Every quote the router saw, in arrival order.
std::vector<quote> all_quotes(const router_log& log) {
  std::vector<quote> result;
  for (auto& batch : log.batches)
    result.insert(result.end(), batch.quotes.begin(), batch.quotes.end());
  return result;
}

struct fixture : testing::actor_fixture {
  std::shared_ptr<router_log> log = std::make_shared<router_log>();
  fake_router_actor router;
  mqtt_ingress_actor ingress;

  ~fixture() {
    anon_send_exit(ingress, caf::exit_reason::user_shutdown);
    anon_send_exit(router, caf::exit_reason::user_shutdown);
    run();
    if (!input_dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(input_dir, ec);
    }
  }

  /// Spawns the fake router (answering at once unless `hold`) and the ingress.
  void start(mqtt_ingress_config cfg, bool hold = false) {
    router = sys.spawn(fake_router, log, hold);
    ingress = sys.spawn(mqtt_ingress, cfg, quote_router_actor{router});
    run();
  }

  void send_payload(std::string payload, int64_t received_ns) {
    send_on("quotes/in", std::move(payload), received_ns);
  }

  void send_on(std::string topic, std::string payload, int64_t received_ns) {
    self->send(ingress,
               mqtt_message{std::move(topic), std::move(payload), received_ns});
  }

  /// The ingress's counter `name`, asked without letting virtual time pass
  /// (`run`, which `state_of` uses, also fires due timers).
  int64_t counter_now(const std::string& name) {
    self->send(ingress, get_state_atom_v);
    sched.run();
    int64_t result = -1;
    self->receive([&](actor_state& x) { result = x.counters[name]; },
                  [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
    return result;
  }

  nlohmann::json summary_of_ingress() {
    return nlohmann::json::parse(state_of(ingress).summary_json);
  }

  /// A fresh input log in a temporary folder (removed with the fixture).
  std::shared_ptr<trading::input_log> make_input_log() {
    char tmpl[] = "/tmp/intuition-ingress-XXXXXX";
    input_dir = ::mkdtemp(tmpl);
    trading::input_log_options opts;
    opts.dir = input_dir;
    opts.fsync = trading::fsync_policy::never;
    auto result = std::make_shared<trading::input_log>();
    CAF_REQUIRE(result->open(opts));
    return result;
  }

  /// Appends canonical quotes for `symbols` in turn, ts 1, 2, ...
  void append_quotes(trading::input_log& input, int n,
                     std::vector<std::string> symbols) {
    for (int i = 1; i <= n; ++i) {
      auto sym = symbols[static_cast<size_t>(i) % symbols.size()];
      auto payload = R"({"symbol":")" + sym + R"(","price":)"
                     + std::to_string(i) + R"(,"ts":)" + std::to_string(i)
                     + "}";
      CAF_REQUIRE(input.append("quotes", payload, 0, 0));
    }
  }

  /// Answers every held batch until the router holds none.
  void answer_all() {
    for (int guard = 0; guard < 10'000 && log->held > 0; ++guard) {
      self->send(router, flush_atom_v);
      run();
    }
  }

  std::string input_dir;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(mqtt_ingress_tests, fixture)

CAF_TEST(a sid payload reaches the router as one quote with its receive time) {
  start({});
  auto before_ms = wall_clock_ms();
  send_payload(R"({"sid":"GOOG","quote":"345"})", 123'456'789);
  expect((mqtt_message), from(self).to(ingress));
  expect((quote_batch), from(ingress).to(router));
  expect((uint64_t), from(router).to(ingress).with(uint64_t{1}));
  auto after_ms = wall_clock_ms();
  CAF_REQUIRE_EQUAL(log->batches.size(), 1u);
  auto& quotes = log->batches[0].quotes;
  CAF_REQUIRE_EQUAL(quotes.size(), 1u);
  CAF_CHECK_EQUAL(quotes[0].symbol, "GOOG");
  CAF_CHECK_EQUAL(quotes[0].price_micros, 345'000'000);
  CAF_CHECK_EQUAL(quotes[0].received_ns, 123'456'789);
  // The router numbers quotes; the ingress leaves that to it.
  CAF_CHECK_EQUAL(quotes[0].seq, 0u);
  // Without a `ts` field the quote carries its arrival time.
  CAF_CHECK_GREATER_OR_EQUAL(quotes[0].ts_ms, before_ms);
  CAF_CHECK_LESS_OR_EQUAL(quotes[0].ts_ms, after_ms);
  auto st = state_of(ingress);
  CAF_CHECK_EQUAL(st.name, "mqtt_ingress");
  CAF_CHECK_EQUAL(st.kind, "mqtt_ingress");
  CAF_CHECK_EQUAL(st.counters["messages"], 1);
  CAF_CHECK_EQUAL(st.counters["quotes"], 1);
  CAF_CHECK_EQUAL(st.counters["delivered"], 1);
  CAF_CHECK_EQUAL(st.counters["rejected"], 0);
  CAF_CHECK_EQUAL(st.counters["orders"], 1);
}

CAF_TEST(a symbol map payload yields all its quotes in one batch) {
  start({});
  send_payload(R"({"goog": 3.45, "msft": "2", "ts": 1700000000000})", 7);
  run();
  // `ts` next to other keys is not a symbol map: the codec rejects it.
  CAF_CHECK(log->batches.empty());
  send_payload(R"({"goog": 3.45, "msft": "2"})", 8);
  expect((mqtt_message), from(self).to(ingress));
  expect((quote_batch), from(ingress).to(router));
  expect((uint64_t), from(router).to(ingress).with(uint64_t{2}));
  CAF_REQUIRE_EQUAL(log->batches.size(), 1u);
  auto& quotes = log->batches[0].quotes;
  CAF_REQUIRE_EQUAL(quotes.size(), 2u);
  CAF_CHECK_EQUAL(quotes[0].symbol, "GOOG");
  CAF_CHECK_EQUAL(quotes[0].price_micros, 3'450'000);
  CAF_CHECK_EQUAL(quotes[0].received_ns, 8);
  CAF_CHECK_EQUAL(quotes[1].symbol, "MSFT");
  CAF_CHECK_EQUAL(quotes[1].price_micros, 2'000'000);
  CAF_CHECK_EQUAL(quotes[1].received_ns, 8);
  CAF_CHECK_EQUAL(quotes[0].ts_ms, quotes[1].ts_ms);
  auto st = state_of(ingress);
  CAF_CHECK_EQUAL(st.counters["messages"], 2);
  CAF_CHECK_EQUAL(st.counters["quotes"], 2);
  CAF_CHECK_EQUAL(st.counters["rejected"], 1);
  auto summary = nlohmann::json::parse(st.summary_json);
  CAF_CHECK_EQUAL(summary["rejected_by_reason"].dump(),
                  R"({"missing_field":1})");
}

CAF_TEST(
  malformed payloads are counted by reason and valid quotes pass in order) {
  mqtt_ingress_config cfg;
  cfg.limits.max_payload_bytes = 256;
  start(cfg);
  const std::vector<std::string> malformed{
    "garbage",         // not_json
    R"({"sid":"X"})",  // missing_field: no quote
    R"({"x": -1})",    // non_positive_price
    R"({"x": "NaN"})", // not_finite
    // An otherwise valid quote one byte over the limit: payload_too_large.
    pad_to(R"({"sid":"BIG","quote":"1"})", 257),
  };
  std::vector<quote> expected;
  for (int i = 0; i < 1000; ++i) {
    auto symbol = "S" + std::to_string(i % 13);
    auto price = std::to_string(i + 1) + ".25";
    std::string payload;
    switch (i % 3) {
      case 0:
        payload = R"({"sid":")" + symbol + R"(","quote":")" + price + R"("})";
        break;
      case 1: // lower case, upper-cased by the codec; price as a number
        payload = R"({"symbol":"s)" + std::to_string(i % 13) + R"(","price":)"
                  + price + "}";
        break;
      default:
        payload = "{\"" + symbol + "\":" + price + "}";
    }
    // Exactly at the limit is still accepted.
    if (i % 10 == 0)
      payload = pad_to(payload, 256);
    quote q;
    q.symbol = symbol;
    q.price_micros = (i + 1) * trading::micros_per_unit + 250'000;
    q.received_ns = 1'000 + 2 * i;
    expected.push_back(q);
    send_payload(payload, 1'000 + 2 * i);
    send_payload(malformed[static_cast<size_t>(i) % malformed.size()],
                 1'000 + 2 * i + 1);
  }
  run();
  auto got = all_quotes(*log);
  CAF_REQUIRE_EQUAL(got.size(), 1000u);
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].symbol != expected[i].symbol
        || got[i].price_micros != expected[i].price_micros
        || got[i].received_ns != expected[i].received_ns) {
      CAF_MESSAGE("first mismatch at quote " << i);
      CAF_CHECK_EQUAL(got[i].symbol, expected[i].symbol);
      CAF_CHECK_EQUAL(got[i].price_micros, expected[i].price_micros);
      CAF_CHECK_EQUAL(got[i].received_ns, expected[i].received_ns);
      break;
    }
  }
  for (auto& batch : log->batches)
    CAF_CHECK(!batch.quotes.empty());
  auto st = state_of(ingress);
  CAF_CHECK_EQUAL(st.counters["messages"], 2000);
  CAF_CHECK_EQUAL(st.counters["quotes"], 1000);
  CAF_CHECK_EQUAL(st.counters["rejected"], 1000);
  CAF_CHECK_EQUAL(st.counters["delivered"], 1000);
  CAF_CHECK_EQUAL(st.counters["orders"], 1000);
  auto summary = nlohmann::json::parse(st.summary_json);
  nlohmann::json by_reason{{"not_json", 200},
                           {"missing_field", 200},
                           {"non_positive_price", 200},
                           {"not_finite", 200},
                           {"payload_too_large", 200}};
  CAF_CHECK_EQUAL(summary["rejected_by_reason"].dump(), by_reason.dump());
  CAF_CHECK_EQUAL(summary["pending"].get<int>(), 0);
  CAF_CHECK_EQUAL(summary["in_flight_batches"].get<int>(), 0);
}

CAF_TEST(at most max_in_flight batches are out and later quotes gather) {
  mqtt_ingress_config cfg;
  cfg.max_in_flight = 3;
  start(cfg, true);
  for (int i = 1; i <= 7; ++i)
    send_payload(R"({"sid":"DAX","quote":")" + std::to_string(i) + R"("})", i);
  run();
  // Three single-quote batches at the router, four quotes waiting.
  CAF_REQUIRE_EQUAL(log->batches.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    CAF_REQUIRE_EQUAL(log->batches[i].quotes.size(), 1u);
    CAF_CHECK_EQUAL(log->batches[i].quotes[0].price_micros,
                    static_cast<int64_t>(i + 1) * trading::micros_per_unit);
  }
  auto summary = summary_of_ingress();
  CAF_CHECK_EQUAL(summary["in_flight_batches"].get<int>(), 3);
  CAF_CHECK_EQUAL(summary["pending"].get<int>(), 4);
  // One answer frees one slot: the four waiting quotes leave as one batch.
  self->send(router, flush_atom_v);
  expect((flush_atom), from(self).to(router));
  expect((uint64_t), from(router).to(ingress).with(uint64_t{1}));
  expect((quote_batch), from(ingress).to(router));
  CAF_REQUIRE_EQUAL(log->batches.size(), 4u);
  auto& gathered = log->batches[3].quotes;
  CAF_REQUIRE_EQUAL(gathered.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    CAF_CHECK_EQUAL(gathered[i].price_micros,
                    static_cast<int64_t>(i + 4) * trading::micros_per_unit);
    CAF_CHECK_EQUAL(gathered[i].received_ns, static_cast<int64_t>(i + 4));
  }
  summary = summary_of_ingress();
  CAF_CHECK_EQUAL(summary["in_flight_batches"].get<int>(), 3);
  CAF_CHECK_EQUAL(summary["pending"].get<int>(), 0);
  for (int i = 0; i < 3; ++i)
    self->send(router, flush_atom_v);
  run();
  CAF_CHECK_EQUAL(log->held, 0u);
  auto st = state_of(ingress);
  CAF_CHECK_EQUAL(st.counters["delivered"], 7);
  CAF_CHECK_EQUAL(st.counters["orders"], 7);
  CAF_CHECK_EQUAL(log->batches.size(), 4u);
}

CAF_TEST(drain answers only after every outstanding batch was answered) {
  mqtt_ingress_config cfg;
  cfg.max_in_flight = 1;
  start(cfg, true);
  // Nothing received: drain answers at once.
  self->send(ingress, drain_atom_v);
  run();
  CAF_CHECK_EQUAL(drained(), 0u);
  for (int i = 1; i <= 3; ++i)
    send_payload(R"({"sid":"SMI","quote":")" + std::to_string(i) + R"("})", i);
  self->send(ingress, drain_atom_v);
  run();
  CAF_CHECK_EQUAL(log->batches.size(), 1u);
  CAF_CHECK(self->mailbox().empty());
  // The first answer sends the two waiting quotes; still one batch out.
  self->send(router, flush_atom_v);
  run();
  CAF_REQUIRE_EQUAL(log->batches.size(), 2u);
  CAF_CHECK_EQUAL(log->batches[1].quotes.size(), 2u);
  CAF_CHECK(self->mailbox().empty());
  self->send(router, flush_atom_v);
  expect((flush_atom), from(self).to(router));
  expect((uint64_t), from(router).to(ingress).with(uint64_t{3}));
  expect((uint64_t), from(ingress).to(self).with(uint64_t{3}));
}

CAF_TEST(connection events are counted and reported) {
  start({});
  self->send(ingress, connection_event{true, ""});
  self->send(ingress, connection_event{false, "keepalive timeout"});
  self->send(ingress, connection_event{true, ""});
  self->send(ingress, connection_event{true, "again"});
  run();
  auto st = state_of(ingress);
  CAF_CHECK_EQUAL(st.counters["connects"], 2);
  auto summary = nlohmann::json::parse(st.summary_json);
  CAF_CHECK_EQUAL(summary["connected"].get<bool>(), true);
  CAF_CHECK_EQUAL(summary["connection"].get<std::string>(), "again");
}

CAF_TEST(a repeated or older canonical quote is dropped and counted) {
  start(mqtt_ingress_config{});
  send_payload(R"({"symbol":"DAX","price":10,"ts":2000})", 1);
  send_payload(R"({"symbol":"DAX","price":10,"ts":2000})", 2);
  send_payload(R"({"symbol":"DAX","price":9,"ts":1000})", 3);
  send_payload(R"({"symbol":"DAX","price":11,"ts":3000})", 4);
  // ts-less payloads are never taken for repeats.
  send_payload(R"({"dax": 12})", 5);
  send_payload(R"({"dax": 12})", 6);
  run();
  auto quotes = all_quotes(*log);
  CAF_REQUIRE_EQUAL(quotes.size(), 4u);
  CAF_CHECK_EQUAL(quotes[0].ts_ms, 2000);
  CAF_CHECK_EQUAL(quotes[1].ts_ms, 3000);
  auto st = state_of(ingress);
  CAF_CHECK_EQUAL(st.counters["duplicate"], 1);
  CAF_CHECK_EQUAL(st.counters["stale"], 1);
  CAF_CHECK_EQUAL(st.counters["quotes"], 4);
}

CAF_TEST(the window bounds the quotes held and the backlog waits in the log) {
  auto input = make_input_log();
  append_quotes(*input, 100, {"DAX", "SMI", "CAC"});
  mqtt_ingress_config cfg;
  cfg.input = input;
  cfg.window_quotes = 10;
  cfg.max_in_flight = 2;
  start(cfg, true);
  // What is at the router fills the window and no more.
  CAF_REQUIRE(!log->batches.empty());
  CAF_CHECK_EQUAL(all_quotes(*log).size(), 10u);
  auto summary = summary_of_ingress();
  CAF_CHECK_EQUAL(summary["held_quotes"].get<size_t>(), 10u);
  CAF_CHECK_EQUAL(summary["backlog"].get<size_t>(), 90u);
  // A notification while it is behind reads nothing more into memory.
  self->send(ingress, input_atom_v);
  run();
  CAF_CHECK_EQUAL(summary_of_ingress()["held_quotes"].get<size_t>(), 10u);
  answer_all();
  auto quotes = all_quotes(*log);
  CAF_REQUIRE_EQUAL(quotes.size(), 100u);
  for (size_t i = 0; i < quotes.size(); ++i)
    CAF_CHECK_EQUAL(quotes[i].input_pos, i + 1);
  for (const auto& batch : log->batches)
    CAF_CHECK(batch.quotes.size() <= 10u);
  auto st = state_of(ingress);
  CAF_CHECK_EQUAL(st.counters["delivered"], 100);
  CAF_CHECK_EQUAL(st.counters["peak_held_quotes"], 10);
  CAF_CHECK_EQUAL(st.counters["backlog"], 0);
  // Without an order log every acknowledged batch counts as processed.
  CAF_CHECK_EQUAL(st.counters["processed_position"], 100);
  auto mark = trading::read_input_watermark(input_dir);
  CAF_REQUIRE(mark);
  CAF_CHECK_EQUAL(*mark, 100u);
}

CAF_TEST(the byte bound holds as well as the count bound) {
  auto input = make_input_log();
  append_quotes(*input, 60, {"DAX"});
  mqtt_ingress_config cfg;
  cfg.input = input;
  cfg.window_bytes = 200;
  cfg.max_in_flight = 4;
  start(cfg, true);
  auto summary = summary_of_ingress();
  CAF_CHECK(summary["held_bytes"].get<size_t>() < 200u + 64u);
  CAF_CHECK(summary["backlog"].get<size_t>() > 0u);
  answer_all();
  CAF_CHECK_EQUAL(all_quotes(*log).size(), 60u);
  CAF_CHECK(state_of(ingress).counters["peak_held_quotes"] < 10);
}

CAF_TEST(conflation keeps the newest waiting quote per symbol) {
  auto input = make_input_log();
  append_quotes(*input, 100, {"DAX", "SMI"});
  mqtt_ingress_config cfg;
  cfg.input = input;
  cfg.window_quotes = 4;
  cfg.max_in_flight = 1;
  cfg.overload = trading::overload_policy::conflate;
  start(cfg, true);
  answer_all();
  auto quotes = all_quotes(*log);
  auto st = state_of(ingress);
  CAF_CHECK(quotes.size() < 100u);
  CAF_CHECK_EQUAL(
    st.counters["conflated"] + static_cast<int64_t>(quotes.size()), 100);
  // The newest quote of each symbol is the last one traded for it.
  CAF_REQUIRE(quotes.size() >= 2u);
  std::map<std::string, int64_t> last;
  for (const auto& q : quotes)
    last[q.symbol] = q.ts_ms;
  CAF_CHECK_EQUAL(last["DAX"], 100);
  CAF_CHECK_EQUAL(last["SMI"], 99);
  CAF_CHECK_EQUAL(st.counters["processed_position"], 100);
}

CAF_TEST(
  a restart trades only the tail after the watermark with a rebuilt filter) {
  auto input = make_input_log();
  append_quotes(*input, 10, {"DAX"});
  // The first six were processed before the restart; a redelivery of the
  // sixth arrives in the tail.
  CAF_REQUIRE(
    input->append("quotes", R"({"symbol":"DAX","price":6,"ts":6})", 0, 0));
  mqtt_ingress_config cfg;
  cfg.input = input;
  cfg.resume_after = 6;
  start(cfg);
  auto quotes = all_quotes(*log);
  CAF_REQUIRE_EQUAL(quotes.size(), 4u);
  CAF_CHECK_EQUAL(quotes.front().ts_ms, 7);
  CAF_CHECK_EQUAL(quotes.front().input_pos, 7u);
  CAF_CHECK_EQUAL(quotes.back().ts_ms, 10);
  // The rebuilt filter remembers the sixth: its redelivery is a repeat.
  auto st = state_of(ingress);
  CAF_CHECK_EQUAL(st.counters["duplicate"], 1);
  CAF_CHECK_EQUAL(st.counters["stale"], 0);
  CAF_CHECK_EQUAL(st.counters["replayed"], 4);
}

CAF_TEST(processed segments are removed and the saved filter still knows them) {
  char tmpl[] = "/tmp/intuition-ingress-XXXXXX";
  input_dir = ::mkdtemp(tmpl);
  trading::input_log_options opts;
  opts.dir = input_dir;
  opts.fsync = trading::fsync_policy::never;
  opts.segment_bytes = 512;
  auto input = std::make_shared<trading::input_log>();
  CAF_REQUIRE(input->open(opts));
  append_quotes(*input, 60, {"DAX", "SMI"});
  CAF_REQUIRE(input->segments() > 3);
  mqtt_ingress_config cfg;
  cfg.input = input;
  start(cfg);
  CAF_CHECK_EQUAL(all_quotes(*log).size(), 60u);
  // Everything is processed: only the segment being appended to is left,
  // and the filter's state was saved first.
  CAF_CHECK_EQUAL(input->segments(), 1u);
  CAF_CHECK(state_of(ingress).counters["segments_removed"] > 0);
  auto saved = trading::read_filter_snapshot(input_dir);
  CAF_REQUIRE(saved);
  auto& snap = *saved;
  CAF_CHECK(snap.position <= 60u);
  CAF_CHECK_EQUAL(snap.last_ts.size(), 2u);
  CAF_CHECK(snap.position >= input->first_position() - 1);
  // A restart: the broker delivers the first quote of each symbol again.
  anon_send_exit(ingress, caf::exit_reason::user_shutdown);
  run();
  log->batches.clear();
  auto mark = trading::read_input_watermark(input_dir);
  CAF_REQUIRE(mark);
  CAF_CHECK_EQUAL(*mark, 60u);
  CAF_REQUIRE(
    input->append("quotes", R"({"symbol":"SMI","price":1,"ts":2})", 0, 0));
  CAF_REQUIRE(
    input->append("quotes", R"({"symbol":"DAX","price":61,"ts":61})", 0, 0));
  mqtt_ingress_config again;
  again.input = input;
  again.resume_after = *mark;
  again.filter = snap;
  ingress = sys.spawn(mqtt_ingress, again, quote_router_actor{router});
  run();
  auto quotes = all_quotes(*log);
  CAF_REQUIRE_EQUAL(quotes.size(), 1u);
  CAF_CHECK_EQUAL(quotes[0].ts_ms, 61);
  CAF_CHECK_EQUAL(state_of(ingress).counters["stale"], 1);
}

CAF_TEST(
  quotes carry the channel set of their topic and each set is sent once) {
  mqtt_ingress_config cfg;
  cfg.channels = {{"a", {"quotes/+"}}, {"b", {"$share/g1/ticks"}}};
  start(cfg);
  send_on("quotes/GOOG", R"({"goog": 1})", 1);
  run();
  send_on("ticks", R"({"msft": 2})", 2);
  run();
  send_on("quotes/IBM", R"({"ibm": 3})", 3);
  run();
  CAF_REQUIRE_EQUAL(log->batches.size(), 3u);
  auto quotes = all_quotes(*log);
  CAF_REQUIRE_EQUAL(quotes.size(), 3u);
  // quotes/GOOG and quotes/IBM reach the same strategies: one id.
  CAF_CHECK_NOT_EQUAL(quotes[0].channel, 0u);
  CAF_CHECK_NOT_EQUAL(quotes[1].channel, quotes[0].channel);
  CAF_CHECK_EQUAL(quotes[2].channel, quotes[0].channel);
  // Each batch tells the router what the ids it is first to use stand for.
  using sets = std::vector<trading::channel_set>;
  CAF_CHECK_EQUAL(log->batches[0].channel_sets,
                  (sets{{quotes[0].channel, {"a"}}}));
  CAF_CHECK_EQUAL(log->batches[1].channel_sets,
                  (sets{{quotes[1].channel, {"b"}}}));
  CAF_CHECK(log->batches[2].channel_sets.empty());
  auto summary = summary_of_ingress();
  CAF_CHECK_EQUAL(summary["channel_sets"].get<size_t>(), 2u);
}

CAF_TEST(without configured channels quotes carry none) {
  start({});
  send_on("anything", R"({"goog": 1})", 1);
  run();
  auto quotes = all_quotes(*log);
  CAF_REQUIRE_EQUAL(quotes.size(), 1u);
  CAF_CHECK_EQUAL(quotes[0].channel, 0u);
  CAF_CHECK(log->batches[0].channel_sets.empty());
}

CAF_TEST(conflation keeps the newest waiting quote per symbol and channel) {
  auto input = make_input_log();
  // DAX alternates between two topics that reach different strategies.
  for (int i = 1; i <= 20; ++i) {
    auto topic = i % 2 == 0 ? "quotes/DAX" : "ticks";
    auto payload = R"({"symbol":"DAX","price":)" + std::to_string(i)
                   + R"(,"ts":)" + std::to_string(i) + "}";
    CAF_REQUIRE(input->append(topic, payload, 0, 0));
  }
  mqtt_ingress_config cfg;
  cfg.input = input;
  cfg.window_quotes = 4;
  cfg.max_in_flight = 1;
  cfg.overload = trading::overload_policy::conflate;
  cfg.channels = {{"a", {"quotes/+"}}, {"b", {"ticks"}}};
  start(cfg, true);
  answer_all();
  std::map<uint32_t, int64_t> last;
  for (const auto& q : all_quotes(*log))
    last[q.channel] = q.ts_ms;
  // Each channel's strategies get their own newest quote.
  CAF_REQUIRE_EQUAL(last.size(), 2u);
  CAF_CHECK_EQUAL(last.begin()->second + std::next(last.begin())->second, 39);
}

CAF_TEST(rejections are logged when the interval is over without more traffic) {
  mqtt_ingress_config cfg;
  cfg.log_interval = std::chrono::seconds(1);
  start(cfg);
  // A burst: the first is logged at once, the rest wait for the interval.
  for (int i = 0; i < 24; ++i)
    send_payload("garbage", i);
  sched.run();
  CAF_CHECK_EQUAL(counter_now("rejected"), 24);
  CAF_CHECK_EQUAL(counter_now("unlogged_rejections"), 23);
  // Nothing more arrives; the ingress's own timer logs the 23.
  CAF_REQUIRE(sched.has_pending_timeout());
  CAF_CHECK_EQUAL(advance_time(std::chrono::milliseconds(999)), 0u);
  CAF_CHECK_EQUAL(counter_now("unlogged_rejections"), 23);
  CAF_CHECK_EQUAL(advance_time(std::chrono::milliseconds(1)), 1u);
  expect((tick_atom), from(ingress).to(ingress));
  CAF_CHECK_EQUAL(counter_now("unlogged_rejections"), 0);
  CAF_CHECK(!sched.has_pending_timeout());
  // A later rejection after a quiet interval is logged at once again.
  advance_time(std::chrono::seconds(2));
  send_payload("garbage", 99);
  sched.run();
  CAF_CHECK_EQUAL(counter_now("unlogged_rejections"), 0);
  CAF_CHECK(!sched.has_pending_timeout());
}

CAF_TEST(drain logs the rejections not logged yet) {
  mqtt_ingress_config cfg;
  cfg.log_interval = std::chrono::seconds(1);
  start(cfg);
  send_payload("garbage", 1);
  send_payload("garbage", 2);
  sched.run();
  CAF_CHECK_EQUAL(counter_now("unlogged_rejections"), 1);
  self->send(ingress, drain_atom_v);
  sched.run();
  CAF_CHECK_EQUAL(drained(), 0u);
  CAF_CHECK_EQUAL(counter_now("unlogged_rejections"), 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
