#define CAF_SUITE trading.input_log
#include "caf/test/unit_test.hpp"

#include "trading/input_log.hpp"
#include "trading/journal.hpp"
#include "trading/quote_filter.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace intuition::trading;
namespace fs = std::filesystem;

namespace {

struct fixture {
  std::string dir;

  fixture() {
    char tmpl[] = "/tmp/intuition-input-log-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }

  ~fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  input_log_options options(uint64_t segment_bytes = 1 << 20) const {
    input_log_options opts;
    opts.dir = dir;
    opts.segment_bytes = segment_bytes;
    opts.fsync = fsync_policy::never;
    return opts;
  }

  /// Appends `n` messages `{"n":I}` starting at I = `first`.
  void append_n(input_log& log, int first, int n) {
    for (int i = first; i < first + n; ++i) {
      auto res = log.append("quotes", "{\"n\":" + std::to_string(i) + "}",
                            1000 + i, 0);
      CAF_REQUIRE(res);
    }
  }

  std::vector<input_record> read_all(uint64_t from, uint64_t last) const {
    input_log_reader reader;
    reader.seek(dir, from);
    std::vector<input_record> out;
    for (int guard = 0; guard < 10'000 && reader.position() <= last; ++guard) {
      auto ok = reader.read(last, 7, 1 << 20, out);
      CAF_REQUIRE(ok);
    }
    return out;
  }

  /// The newest segment file.
  std::string last_segment() const {
    std::string last;
    for (auto& e : fs::directory_iterator{dir})
      if (e.path().extension() == ".seg" && e.path().string() > last)
        last = e.path().string();
    return last;
  }

  size_t segment_count() const {
    size_t n = 0;
    for (auto& e : fs::directory_iterator{dir})
      if (e.path().extension() == ".seg")
        ++n;
    return n;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(input_log_tests, fixture)

CAF_TEST(a record encodes and decodes with its checksum) {
  input_record x{42, 1700000000000, 123, "quotes/a", "{\"sid\":\"A\"}"};
  std::string bytes;
  append_input_record(bytes, x);
  input_record y;
  CAF_CHECK_EQUAL(decode_input_record(bytes, y), bytes.size());
  CAF_CHECK_EQUAL(y.position, 42u);
  CAF_CHECK_EQUAL(y.received_ms, 1700000000000);
  CAF_CHECK_EQUAL(y.received_ns, 123);
  CAF_CHECK_EQUAL(y.topic, "quotes/a");
  CAF_CHECK_EQUAL(y.payload, "{\"sid\":\"A\"}");
  // Any flipped byte fails the checksum; a short buffer is incomplete.
  for (size_t i = 8; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x40);
    CAF_CHECK_EQUAL(decode_input_record(bad, y), 0u);
  }
  CAF_CHECK_EQUAL(decode_input_record(bytes.substr(0, bytes.size() - 1), y),
                  0u);
}

CAF_TEST(appended messages read back in order with their positions) {
  input_log log;
  CAF_REQUIRE(log.open(options()));
  append_n(log, 1, 50);
  CAF_CHECK_EQUAL(log.last_position(), 50u);
  auto all = read_all(1, log.last_position());
  CAF_REQUIRE_EQUAL(all.size(), 50u);
  for (size_t i = 0; i < all.size(); ++i) {
    CAF_CHECK_EQUAL(all[i].position, i + 1);
    CAF_CHECK_EQUAL(all[i].payload, "{\"n\":" + std::to_string(i + 1) + "}");
    CAF_CHECK_EQUAL(all[i].received_ms, static_cast<int64_t>(1001 + i));
  }
  // From the middle, and never beyond `last`.
  auto tail = read_all(40, 45);
  CAF_REQUIRE_EQUAL(tail.size(), 6u);
  CAF_CHECK_EQUAL(tail.front().position, 40u);
}

CAF_TEST(positions continue across a reopen) {
  {
    input_log log;
    CAF_REQUIRE(log.open(options()));
    append_n(log, 1, 10);
  }
  input_log log;
  auto rec = log.open(options());
  CAF_REQUIRE(rec);
  CAF_CHECK_EQUAL(rec->records, 10u);
  CAF_CHECK_EQUAL(log.last_position(), 10u);
  append_n(log, 11, 5);
  CAF_CHECK_EQUAL(read_all(1, 15).size(), 15u);
}

CAF_TEST(a torn last record is cut off and its position reused) {
  {
    input_log log;
    CAF_REQUIRE(log.open(options()));
    append_n(log, 1, 5);
  }
  auto seg = last_segment();
  auto size = fs::file_size(seg);
  // A crash in the middle of the sixth append.
  std::string half;
  append_input_record(half, input_record{6, 1, 0, "quotes", "{\"n\":6}"});
  {
    std::ofstream out{seg, std::ios::app | std::ios::binary};
    out << half.substr(0, half.size() / 2);
  }
  input_log log;
  auto rec = log.open(options());
  CAF_REQUIRE(rec);
  CAF_CHECK_EQUAL(rec->torn_bytes, half.size() / 2);
  CAF_CHECK_EQUAL(rec->records, 5u);
  CAF_CHECK_EQUAL(fs::file_size(seg), size);
  CAF_CHECK_EQUAL(log.last_position(), 5u);
  append_n(log, 6, 1);
  auto all = read_all(1, 6);
  CAF_REQUIRE_EQUAL(all.size(), 6u);
  CAF_CHECK_EQUAL(all.back().payload, "{\"n\":6}");
}

CAF_TEST(a damaged record before the last segment is an error) {
  {
    input_log log;
    CAF_REQUIRE(log.open(options(256)));
    append_n(log, 1, 40);
  }
  CAF_REQUIRE(segment_count() > 2);
  std::string first;
  for (auto& e : fs::directory_iterator{dir})
    if (e.path().extension() == ".seg"
        && (first.empty() || e.path().string() < first))
      first = e.path().string();
  {
    std::fstream f{first, std::ios::in | std::ios::out | std::ios::binary};
    f.seekp(12);
    f.put('X');
  }
  input_log log;
  auto rec = log.open(options(256));
  CAF_REQUIRE(!rec);
  CAF_CHECK(rec.error().kind == failure_kind::operation_failed);
  CAF_CHECK(rec.error().message.find("damaged record") != std::string::npos);
}

CAF_TEST(the interval syncer sleeps until an append leaves data to sync) {
  auto opts = options();
  opts.fsync = fsync_policy::interval;
  opts.interval_ms = 1;
  input_log log;
  CAF_REQUIRE(log.open(opts));
  // Nothing appended: the wait lasts its limit.
  auto t0 = std::chrono::steady_clock::now();
  CAF_CHECK(!log.wait_dirty(std::chrono::milliseconds{50}));
  CAF_CHECK_GREATER_OR_EQUAL(std::chrono::steady_clock::now() - t0,
                             std::chrono::milliseconds{50});
  // An append from another thread ends it long before its limit.
  std::thread writer{[&] {
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
    append_n(log, 1, 1);
  }};
  t0 = std::chrono::steady_clock::now();
  CAF_CHECK(log.wait_dirty(std::chrono::seconds{30}));
  CAF_CHECK_LESS(std::chrono::steady_clock::now() - t0,
                 std::chrono::seconds{10});
  writer.join();
  // Synced: nothing waits any more, until the next append.
  std::this_thread::sleep_for(std::chrono::milliseconds{2});
  CAF_REQUIRE(log.sync_if_due());
  CAF_CHECK(!log.wait_dirty(std::chrono::milliseconds{1}));
  append_n(log, 2, 1);
  CAF_CHECK(log.wait_dirty(std::chrono::milliseconds{1}));
  // Released (the syncer stops): a wait returns at once from now on.
  CAF_REQUIRE(log.sync_if_due(true));
  log.release_waiters();
  t0 = std::chrono::steady_clock::now();
  CAF_CHECK(!log.wait_dirty(std::chrono::seconds{30}));
  CAF_CHECK_LESS(std::chrono::steady_clock::now() - t0,
                 std::chrono::seconds{10});
}

CAF_TEST(segments roll over and processed ones are removed) {
  input_log log;
  CAF_REQUIRE(log.open(options(256)));
  append_n(log, 1, 40);
  auto segments = log.segments();
  CAF_CHECK(segments > 2);
  CAF_CHECK_EQUAL(segment_count(), segments);
  // Reading crosses segment boundaries.
  CAF_CHECK_EQUAL(read_all(1, 40).size(), 40u);
  auto end = log.oldest_segment_end();
  CAF_REQUIRE(end > 0);
  // Nothing goes while its last record is unprocessed.
  CAF_CHECK_EQUAL(log.remove_through(end - 1), 0u);
  CAF_CHECK_EQUAL(log.remove_through(end), 1u);
  CAF_CHECK_EQUAL(log.first_position(), end + 1);
  // The segment being appended to always stays.
  log.remove_through(40);
  CAF_CHECK_EQUAL(log.segments(), 1u);
  CAF_CHECK_EQUAL(segment_count(), 1u);
  auto rest = read_all(log.first_position(), 40);
  CAF_REQUIRE(!rest.empty());
  CAF_CHECK_EQUAL(rest.back().position, 40u);
  append_n(log, 41, 1);
  CAF_CHECK_EQUAL(log.last_position(), 41u);
}

CAF_TEST(the watermark and the filter state survive a rewrite) {
  auto none = read_input_watermark(dir);
  CAF_REQUIRE(none);
  CAF_CHECK_EQUAL(*none, 0u);
  CAF_CHECK(write_input_watermark(dir, 17));
  CAF_CHECK(write_input_watermark(dir, 9));
  auto nine = read_input_watermark(dir);
  CAF_REQUIRE(nine);
  CAF_CHECK_EQUAL(*nine, 9u);
  filter_snapshot snap;
  snap.position = 9;
  snap.last_ts = {{"DAX", 1000}, {"SMI", -5}};
  CAF_CHECK(write_filter_snapshot(dir, snap));
  auto back = read_filter_snapshot(dir);
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->position, 9u);
  CAF_CHECK(back->last_ts == snap.last_ts);
}

CAF_TEST(the filter drops repeats and stale quotes by policy) {
  quote_filter drop{stale_policy::drop};
  quote a{"DAX", 1, 100};
  quote b{"DAX", 1, 200};
  CAF_CHECK(drop.check(a) == filter_verdict::accept);
  CAF_CHECK(drop.check(a) == filter_verdict::duplicate);
  CAF_CHECK(drop.check(b) == filter_verdict::accept);
  CAF_CHECK(drop.check(b) == filter_verdict::duplicate);
  // An earlier ts seen before is a repeat; one never seen is stale.
  CAF_CHECK(drop.check(a) == filter_verdict::duplicate);
  CAF_CHECK(drop.check(quote{"DAX", 1, 150}) == filter_verdict::stale);
  quote_filter trade{stale_policy::trade};
  CAF_CHECK(trade.check(b) == filter_verdict::accept);
  CAF_CHECK(trade.check(a) == filter_verdict::accept);
  CAF_CHECK(trade.check(a) == filter_verdict::duplicate);
}

CAF_TEST(a redelivery out of order is a duplicate under either policy) {
  // A broker restarted with persistence resends what it had queued: older
  // than the newest quote seen, yet not new.
  for (auto policy : {stale_policy::drop, stale_policy::trade}) {
    quote_filter f{policy};
    for (int64_t ts = 1; ts <= 50; ++ts)
      CAF_CHECK(f.check(quote{"DAX", 1, ts}) == filter_verdict::accept);
    CAF_CHECK(f.check(quote{"DAX", 1, 7}) == filter_verdict::duplicate);
    CAF_CHECK(f.check(quote{"DAX", 1, 49}) == filter_verdict::duplicate);
  }
  // Under `trade`, a quote that arrives late but was never seen is traded.
  quote_filter trade{stale_policy::trade};
  CAF_CHECK(trade.check(quote{"DAX", 1, 10}) == filter_verdict::accept);
  CAF_CHECK(trade.check(quote{"DAX", 1, 30}) == filter_verdict::accept);
  CAF_CHECK(trade.check(quote{"DAX", 1, 20}) == filter_verdict::accept);
  CAF_CHECK(trade.check(quote{"DAX", 1, 20}) == filter_verdict::duplicate);
  // Remembered timestamps (the log replayed on start) count as seen.
  quote_filter rebuilt{stale_policy::trade};
  rebuilt.remember("DAX", 5);
  rebuilt.remember("DAX", 9);
  CAF_CHECK(rebuilt.check(quote{"DAX", 1, 5}) == filter_verdict::duplicate);
  CAF_CHECK(rebuilt.check(quote{"DAX", 1, 7}) == filter_verdict::accept);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(journal records carry the input position only when set) {
  order x;
  x.seq = 1;
  x.id = 1;
  x.ts_ms = 5;
  x.strategy = "every";
  x.symbol = "DAX";
  x.qty = 1;
  x.price_micros = 1'000'000;
  auto plain = encode_journal_record(x);
  CAF_CHECK(plain.find("\"in\"") == std::string::npos);
  x.input_pos = 77;
  auto live = encode_journal_record(x);
  CAF_CHECK(live.find(",\"in\":77,") != std::string::npos);
  auto back = decode_journal_record(live);
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->input_pos, 77u);
  auto old = decode_journal_record(plain);
  CAF_REQUIRE(old);
  CAF_CHECK_EQUAL(old->input_pos, 0u);
}
