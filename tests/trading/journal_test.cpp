#define CAF_SUITE trading.journal
#include "caf/test/unit_test.hpp"

#include "trading/journal.hpp"

#include "../file_size_limit.hpp"
#include "trading/journal_end.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <variant>
#include <vector>

#include <unistd.h>

using namespace intuition::trading;

namespace {

/// Why `decode_journal_record` refuses `line` (a failed operation), or
/// "accepted".
std::string rejection(const std::string& line) {
  auto x = decode_journal_record(line);
  if (x)
    return "accepted";
  CAF_CHECK(x.error().kind == failure_kind::operation_failed);
  return x.error().message;
}

order make_order(std::string strategy, std::string symbol, side direction,
                 quantity qty, int64_t price_micros, int64_t commission_micros,
                 int64_t ts_ms) {
  order x;
  x.ts_ms = ts_ms;
  x.strategy = std::move(strategy);
  x.symbol = std::move(symbol);
  x.direction = direction;
  x.qty = qty;
  x.price_micros = price_micros;
  x.commission_micros = commission_micros;
  return x;
}

/// Orders as their MQTT JSON, one per line: readable when a check fails.
std::string show(const std::vector<order>& xs) {
  std::string out;
  for (auto& x : xs)
    out += encode_order_json(x) + "\n";
  return out;
}

std::vector<order> sample_orders(size_t n, int64_t first_ts = 1'000) {
  std::vector<order> xs;
  for (size_t i = 0; i < n; ++i)
    xs.push_back(make_order(
      i % 2 == 0 ? "sma" : "ema", i % 3 == 0 ? "DAX" : "SMI",
      i % 2 == 0 ? side::buy : side::sell, static_cast<quantity>(i + 1),
      1'628'750'000 + static_cast<int64_t>(i), 1'000'000,
      first_ts + static_cast<int64_t>(i)));
  return xs;
}

struct fixture {
  std::string dir;
  std::string path;

  fixture() {
    char tmpl[] = "/tmp/intuition-journal-XXXXXX";
    auto res = mkdtemp(tmpl);
    CAF_REQUIRE(res != nullptr);
    dir = res;
    path = dir + "/orders.jsonl";
  }

  ~fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  std::string read_bytes() const {
    std::ifstream in{path, std::ios::binary};
    return {std::istreambuf_iterator<char>{in},
            std::istreambuf_iterator<char>{}};
  }

  void write_bytes(const std::string& bytes) const {
    std::ofstream out{path, std::ios::binary | std::ios::trunc};
    out << bytes;
  }

  void append_bytes(const std::string& bytes) const {
    std::ofstream out{path, std::ios::binary | std::ios::app};
    out << bytes;
  }

  /// Reads the journal, failing the test on an error.
  journal_contents read(bool repair = true) const {
    auto res = read_journal(path, repair);
    if (!res)
      CAF_FAIL("unexpected journal error: " << res.error().message);
    return std::move(res).value();
  }

  /// Reads the journal expecting an error; returns its message.
  std::string read_error() const {
    auto res = read_journal(path, true);
    if (res)
      return "no error";
    CAF_CHECK(res.error().kind == failure_kind::operation_failed);
    return res.error().message;
  }

  /// The end record beside the journal, failing the test without one.
  journal_end read_end() const {
    auto res = read_journal_end(path);
    if (!res)
      CAF_FAIL("unexpected end record error: " << res.error().message);
    auto x = *res;
    if (!x)
      CAF_FAIL("no end record beside " << path);
    return *x;
  }

  /// Overwrites the end record, as a crash would have left it.
  void write_end(const journal_end& x) const {
    std::ofstream out{journal_end_path(path),
                      std::ios::binary | std::ios::trunc};
    out << encode_journal_end(x);
  }

  /// Keeps the first `n` lines of the journal (a journal cut short).
  void keep_lines(size_t n) const {
    auto bytes = read_bytes();
    size_t pos = 0;
    for (size_t i = 0; i < n; ++i)
      pos = bytes.find('\n', pos) + 1;
    write_bytes(bytes.substr(0, pos));
  }

  /// Writes `xs` through a fresh writer on an empty or valid journal.
  void write_orders(std::vector<order>& xs) const {
    journal_writer writer;
    auto contents = read();
    CAF_REQUIRE(writer.open(path, contents));
    CAF_REQUIRE(writer.append(xs));
    CAF_REQUIRE(writer.sync());
  }
};

} // namespace

// -- record format ------------------------------------------------------------------

CAF_TEST(crc32 matches the IEEE check value) {
  CAF_CHECK_EQUAL(crc32("123456789"), 0xCBF43926u);
  CAF_CHECK_EQUAL(crc32(""), 0u);
}

CAF_TEST(a record checksums the bytes before its crc field) {
  auto x = make_order("sma", "DAX", side::buy, 10, 1'628'750'000, 1'000'000,
                      678'334'707'692);
  x.seq = 1;
  x.id = 1;
  std::string prefix
    = R"({"seq":1,"id":1,"ts":678334707692,"strategy":"sma",)"
      R"("symbol":"DAX","side":"buy","qty":10,"price":1628.75,)"
      R"("commission":1)";
  char crc[9];
  std::snprintf(crc, sizeof(crc), "%08x", crc32(prefix));
  CAF_CHECK_EQUAL(encode_journal_record(x),
                  prefix + R"(,"crc":")" + crc + R"("})");
  CAF_CHECK_EQUAL(encode_order_json(x), prefix + "}");
}

CAF_TEST(records round trip exactly) {
  std::vector<order> xs{
    make_order("sma", "DAX", side::buy, 10, 1'628'750'000, 1'000'000, 1),
    make_order("mean \"rev\"\\2\t\n", "EUR/USD", side::sell, 1'000'000,
               123'456'789, 1, 1'700'000'000'000),
    make_order("gr\xC3\xB6\xC3\x9F"
               "e",
               "^GDAXI", side::sell, 3, 1, 0, 0),
    make_order("", "X", side::buy, 1, 9'223'372'036'854'775'807, -5, -1),
  };
  uint64_t n = 0;
  for (auto& x : xs) {
    x.seq = ++n;
    x.id = n * 10;
    auto line = encode_journal_record(x);
    CAF_CHECK_EQUAL(line.find('\n'), std::string::npos);
    auto y = decode_journal_record(line);
    CAF_REQUIRE(y);
    CAF_CHECK_EQUAL(encode_order_json(*y), encode_order_json(x));
    CAF_CHECK(*y == x);
  }
}

CAF_TEST(invalid utf8 in names is replaced so the record stays readable) {
  auto x = make_order("a\xFF"
                      "b",
                      "X", side::buy, 1, 1, 0, 0);
  x.seq = 1;
  x.id = 1;
  auto y = decode_journal_record(encode_journal_record(x));
  CAF_REQUIRE(y);
  CAF_CHECK_EQUAL(y->strategy, "a\xEF\xBF\xBD"
                               "b");
}

CAF_TEST(tampered records fail their checksum) {
  auto x = make_order("sma", "DAX", side::buy, 10, 1'628'750'000, 1'000'000, 5);
  x.seq = 1;
  x.id = 1;
  auto line = encode_journal_record(x);
  auto tampered = line;
  tampered[tampered.find("1628.75") + 3] = '9';
  CAF_CHECK_EQUAL(rejection(tampered), "bad checksum");
  // A wrong checksum digit, a missing checksum, trailing bytes.
  auto bad_crc = line;
  auto digit = line.size() - 3;
  bad_crc[digit] = bad_crc[digit] == '0' ? '1' : '0';
  for (auto& bad : {bad_crc, encode_order_json(x), line + " ", line.substr(1)})
    CAF_CHECK_EQUAL(rejection(bad), "bad checksum");
}

CAF_TEST(a record with a good checksum but missing fields is bad json) {
  for (std::string prefix : {R"({"seq":1,"id":1})", "not json at all",
                             R"({"seq":1,"id":1,"ts":1,"strategy":"s",)"
                             R"("symbol":"X","side":"hold","qty":1,)"
                             R"("price":1,"commission":0)"}) {
    char crc[9];
    std::snprintf(crc, sizeof(crc), "%08x", crc32(prefix));
    CAF_CHECK_EQUAL(rejection(prefix + R"(,"crc":")" + crc + R"("})"),
                    "not a journal record (not a JSON object, or a field "
                    "missing or of the wrong type)");
  }
}

CAF_TEST(fsync policies round trip through their names) {
  for (auto x :
       {fsync_policy::always, fsync_policy::interval, fsync_policy::never}) {
    auto y = fsync_policy::always;
    CAF_CHECK(from_string(to_string(x), y));
    CAF_CHECK(x == y);
  }
  CAF_CHECK_EQUAL(std::string{to_string(fsync_policy::interval)}, "interval");
  auto y = fsync_policy::never;
  CAF_CHECK(!from_string("sometimes", y));
  CAF_CHECK(y == fsync_policy::never);
}

CAF_TEST(journal errors name the path and the line) {
  CAF_CHECK_EQUAL(journal_failure("j.jsonl", 3, "bad checksum").message,
                  "journal j.jsonl line 3: bad checksum");
  CAF_CHECK_EQUAL(journal_failure("j.jsonl", 0, "cannot read").message,
                  "journal j.jsonl: cannot read");
  CAF_CHECK(journal_failure("j.jsonl", 0, "cannot read").kind
            == failure_kind::operation_failed);
}

CAF_TEST_FIXTURE_SCOPE(journal_files, fixture)

// -- reading and writing ------------------------------------------------------------

CAF_TEST(missing and empty journals are empty) {
  auto contents = read();
  CAF_CHECK(contents.orders.empty());
  CAF_CHECK_EQUAL(contents.next_seq, 1u);
  CAF_CHECK_EQUAL(contents.next_id, 1u);
  CAF_CHECK(!contents.torn_tail);
  CAF_CHECK(!std::filesystem::exists(path));
  write_bytes("");
  contents = read();
  CAF_CHECK(contents.orders.empty());
  CAF_CHECK_EQUAL(contents.next_id, 1u);
  CAF_CHECK_EQUAL(contents.valid_bytes, 0u);
  CAF_CHECK(!contents.torn_tail);
}

CAF_TEST(written orders read back with their numbering) {
  journal_writer writer;
  CAF_REQUIRE(writer.open(path, read()));
  CAF_CHECK(writer.is_open());
  auto first = sample_orders(3);
  auto second = sample_orders(2, 5'000);
  CAF_REQUIRE(writer.append(first));
  CAF_REQUIRE(writer.append(second));
  CAF_CHECK_EQUAL(first[0].seq, 1u);
  CAF_CHECK_EQUAL(first[2].id, 3u);
  CAF_CHECK_EQUAL(second[1].seq, 5u);
  CAF_CHECK_EQUAL(second[1].id, 5u);
  CAF_CHECK_EQUAL(writer.unsynced(), 5u);
  CAF_REQUIRE(writer.sync());
  CAF_CHECK_EQUAL(writer.unsynced(), 0u);
  CAF_CHECK_EQUAL(writer.next_seq(), 6u);
  CAF_CHECK_EQUAL(writer.next_id(), 6u);
  auto contents = read();
  auto all = first;
  all.insert(all.end(), second.begin(), second.end());
  CAF_CHECK_EQUAL(show(contents.orders), show(all));
  CAF_CHECK(contents.orders == all);
  CAF_CHECK_EQUAL(contents.next_seq, 6u);
  CAF_CHECK_EQUAL(contents.next_id, 6u);
  CAF_CHECK_EQUAL(contents.valid_bytes, std::filesystem::file_size(path));
  CAF_CHECK(!contents.torn_tail);
}

CAF_TEST(a reopened writer continues ids and never repeats them) {
  auto xs = sample_orders(3);
  write_orders(xs);
  journal_writer writer;
  CAF_REQUIRE(writer.open(path, read()));
  auto more = sample_orders(2);
  CAF_REQUIRE(writer.append(more));
  CAF_CHECK_EQUAL(more[0].seq, 4u);
  CAF_CHECK_EQUAL(more[0].id, 4u);
  CAF_CHECK_EQUAL(more[1].id, 5u);
  writer.close();
  auto contents = read();
  CAF_REQUIRE_EQUAL(contents.orders.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    CAF_CHECK_EQUAL(contents.orders[i].seq, i + 1);
    CAF_CHECK_EQUAL(contents.orders[i].id, i + 1);
  }
  CAF_CHECK_EQUAL(contents.next_id, 6u);
}

CAF_TEST(a moved writer keeps the file and numbering) {
  journal_writer a;
  CAF_REQUIRE(a.open(path, read()));
  auto xs = sample_orders(1);
  CAF_REQUIRE(a.append(xs));
  journal_writer b{std::move(a)};
  CAF_CHECK(!a.is_open());
  CAF_CHECK(b.is_open());
  CAF_CHECK_EQUAL(b.next_id(), 2u);
  journal_writer c;
  c = std::move(b);
  CAF_CHECK(!b.is_open());
  auto ys = sample_orders(1);
  CAF_REQUIRE(c.append(ys));
  CAF_CHECK_EQUAL(ys[0].id, 2u);
  auto zs = sample_orders(1);
  CAF_CHECK(!a.append(zs));
  CAF_CHECK_EQUAL(read().orders.size(), 2u);
}

CAF_TEST(a half written last record is a torn tail and is cut off) {
  auto xs = sample_orders(3);
  write_orders(xs);
  auto good = read_bytes();
  auto next = sample_orders(1)[0];
  next.seq = 4;
  next.id = 4;
  auto half = encode_journal_record(next).substr(0, 40);
  append_bytes(half);
  // Without repair the tail is reported and the file is left alone...
  auto contents = read(false);
  CAF_CHECK(contents.torn_tail);
  CAF_CHECK_EQUAL(contents.torn_bytes, half.size());
  CAF_CHECK_EQUAL(read_bytes(), good + half);
  // ... and a writer refuses to append behind it.
  journal_writer writer;
  CAF_CHECK(!writer.open(path, contents));
  // With repair the file is cut back to the valid records.
  contents = read();
  CAF_CHECK(contents.torn_tail);
  CAF_CHECK_EQUAL(contents.torn_bytes, half.size());
  CAF_CHECK_EQUAL(contents.valid_bytes, good.size());
  CAF_CHECK_EQUAL(contents.orders.size(), 3u);
  CAF_CHECK_EQUAL(contents.next_seq, 4u);
  CAF_CHECK_EQUAL(read_bytes(), good);
  // Appending after the repair gives a clean journal.
  CAF_REQUIRE(writer.open(path, contents));
  auto more = sample_orders(1);
  CAF_REQUIRE(writer.append(more));
  writer.close();
  contents = read();
  CAF_CHECK(!contents.torn_tail);
  CAF_CHECK_EQUAL(contents.orders.size(), 4u);
  CAF_CHECK_EQUAL(contents.orders.back().id, 4u);
}

CAF_TEST(a complete last line with a bad checksum is a torn tail) {
  auto xs = sample_orders(2);
  write_orders(xs);
  auto good = read_bytes();
  auto next = sample_orders(1)[0];
  next.seq = 3;
  next.id = 3;
  auto line = encode_journal_record(next);
  line[10] = line[10] == '7' ? '8' : '7';
  append_bytes(line + "\n");
  auto contents = read();
  CAF_CHECK(contents.torn_tail);
  CAF_CHECK_EQUAL(contents.torn_bytes, line.size() + 1);
  CAF_CHECK_EQUAL(contents.orders.size(), 2u);
  CAF_CHECK_EQUAL(read_bytes(), good);
}

CAF_TEST(a valid record without its newline is a torn tail) {
  auto xs = sample_orders(1);
  write_orders(xs);
  auto good = read_bytes();
  auto next = sample_orders(1)[0];
  next.seq = 2;
  next.id = 2;
  append_bytes(encode_journal_record(next));
  auto contents = read();
  CAF_CHECK(contents.torn_tail);
  CAF_CHECK_EQUAL(contents.orders.size(), 1u);
  CAF_CHECK_EQUAL(read_bytes(), good);
}

CAF_TEST(a corrupt record before valid ones is an error and nothing is cut) {
  auto xs = sample_orders(4);
  write_orders(xs);
  auto bytes = read_bytes();
  auto line2 = bytes.find('\n') + 1;
  auto pos = bytes.find("\"qty\":", line2) + 6;
  bytes[pos] = bytes[pos] == '9' ? '8' : '9';
  write_bytes(bytes);
  CAF_CHECK_EQUAL(read_error(), "journal " + path + " line 2: bad checksum");
  auto res = read_journal(path, true);
  CAF_REQUIRE(!res);
  CAF_CHECK_EQUAL(res.error().message,
                  "journal " + path + " line 2: bad checksum");
  CAF_CHECK_EQUAL(read_bytes(), bytes);
}

CAF_TEST(a sequence gap is an error naming the line) {
  std::string bytes;
  uint64_t seq[] = {1, 2, 4};
  for (size_t i = 0; i < 3; ++i) {
    auto x = sample_orders(1)[0];
    x.seq = seq[i];
    x.id = i + 1;
    bytes += encode_journal_record(x) + "\n";
  }
  write_bytes(bytes);
  CAF_CHECK_EQUAL(read_error(),
                  "journal " + path + " line 3: expected seq 3, found 4");
  CAF_CHECK_EQUAL(read_bytes(), bytes);
}

CAF_TEST(a repeated id is an error naming the line) {
  std::string bytes;
  for (uint64_t i = 1; i <= 2; ++i) {
    auto x = sample_orders(1)[0];
    x.seq = i;
    x.id = 7;
    bytes += encode_journal_record(x) + "\n";
  }
  write_bytes(bytes);
  CAF_CHECK_EQUAL(read_error(), "journal " + path
                                  + " line 2: id 7 does not increase "
                                    "(previous id 7)");
}

CAF_TEST(ids may skip but next_id follows the largest) {
  std::string bytes;
  uint64_t ids[] = {3, 10};
  for (uint64_t i = 1; i <= 2; ++i) {
    auto x = sample_orders(1)[0];
    x.seq = i;
    x.id = ids[i - 1];
    bytes += encode_journal_record(x) + "\n";
  }
  write_bytes(bytes);
  auto contents = read();
  CAF_CHECK_EQUAL(contents.next_seq, 3u);
  CAF_CHECK_EQUAL(contents.next_id, 11u);
}

CAF_TEST(a blank line before valid records is an error) {
  auto xs = sample_orders(1);
  write_orders(xs);
  auto bytes = read_bytes();
  auto x = sample_orders(1)[0];
  x.seq = 2;
  x.id = 2;
  append_bytes("\n" + encode_journal_record(x) + "\n");
  auto err = read_error();
  CAF_CHECK_EQUAL(err.substr(0, err.find(':')), "journal " + path + " line 2");
}

CAF_TEST_FIXTURE_SCOPE_END()

// -- single writer ------------------------------------------------------------------

CAF_TEST_FIXTURE_SCOPE(journal_lock_tests, fixture)

CAF_TEST(a second lock on a journal fails naming the file and the holder) {
  auto first = journal_lock::acquire(path);
  CAF_REQUIRE(first);
  CAF_CHECK(first->held());
  // flock belongs to the open file: a second open conflicts even in the
  // same process, exactly as a second process does.
  auto second = journal_lock::acquire(path);
  CAF_REQUIRE(!second);
  auto msg = second.error().message;
  CAF_CHECK_EQUAL(msg, "journal " + path + ": in use by process "
                         + std::to_string(::getpid()) + " (lock " + path
                         + ".lock); a journal has one writer: stop that "
                           "process or use another journal");
  // Released, it can be taken again; the stale file is no obstacle.
  first->release();
  auto third = journal_lock::acquire(path);
  CAF_CHECK(third);
}

CAF_TEST(a lock file left by a dead process does not block) {
  std::ofstream{journal_lock_path(path)} << "999999\n";
  auto lock = journal_lock::acquire(path);
  CAF_REQUIRE(lock);
  std::ifstream in{journal_lock_path(path)};
  std::string pid;
  std::getline(in, pid);
  CAF_CHECK_EQUAL(pid, std::to_string(::getpid()));
}

CAF_TEST(a journal that cannot be opened names its path) {
  // A folder where the journal should be: open fails whatever the user.
  std::filesystem::create_directory(path);
  journal_writer writer;
  auto opened = writer.open(path, journal_contents{});
  CAF_REQUIRE(!opened);
  CAF_CHECK(opened.error().message.rfind(
              "journal " + path + ": cannot open for appending: ", 0)
            == 0);
  // A lock file that cannot be created names the journal and the lock.
  auto missing = dir + "/no/such/folder/orders.jsonl";
  auto lock = journal_lock::acquire(missing);
  CAF_REQUIRE(!lock);
  CAF_CHECK_EQUAL(lock.error().message,
                  "journal " + missing + ": cannot create lock file " + missing
                    + ".lock: No such file or directory");
}

// -- end record ---------------------------------------------------------------------

CAF_TEST(a writer reserves ids in the end record before it uses them) {
  journal_writer writer;
  CAF_REQUIRE(writer.open(path, read()));
  auto end = read_end();
  CAF_CHECK_EQUAL(end.seq, 0u);
  CAF_CHECK_EQUAL(end.reserved, 1 + journal_id_block);
  CAF_CHECK_EQUAL(end.boot, current_boot_id());
  auto xs = sample_orders(3);
  CAF_REQUIRE(writer.append(xs));
  // Written, not yet acknowledged: the record does not count them.
  CAF_CHECK_EQUAL(read_end().seq, 0u);
  CAF_REQUIRE(writer.sync());
  CAF_REQUIRE(writer.acknowledge());
  end = read_end();
  CAF_CHECK_EQUAL(end.seq, 3u);
  CAF_CHECK_EQUAL(end.id, 3u);
  CAF_CHECK_EQUAL(end.reserved, 1 + journal_id_block);
  // A batch past the reservation reserves a new block first.
  auto many = sample_orders(journal_id_block);
  CAF_REQUIRE(writer.append(many));
  CAF_CHECK_EQUAL(read_end().reserved, 4 + 2 * journal_id_block);
  CAF_CHECK_EQUAL(writer.reserved(), 4 + 2 * journal_id_block);
  CAF_CHECK_EQUAL(read_end().seq, 3u);
}

CAF_TEST(a clean close records the exact end) {
  auto xs = sample_orders(5);
  write_orders(xs);
  auto end = read_end();
  CAF_CHECK_EQUAL(end.seq, 5u);
  CAF_CHECK_EQUAL(end.id, 5u);
  CAF_CHECK_EQUAL(end.reserved, 6u);
  // In any boot, the next start continues right after.
  end.boot = "another boot";
  write_end(end);
  journal_writer writer;
  CAF_REQUIRE(writer.open(path, read()));
  CAF_CHECK_EQUAL(writer.next_id(), 6u);
}

CAF_TEST(after a crash ids continue after the last acknowledged one
         or above the reservation after a reboot) {
  journal_writer writer;
  CAF_REQUIRE(writer.open(path, read()));
  auto xs = sample_orders(4);
  CAF_REQUIRE(writer.append(xs));
  CAF_REQUIRE(writer.sync());
  CAF_REQUIRE(writer.acknowledge());
  // What a killed process leaves: its last acknowledgement, unsynced.
  auto crashed = read_end();
  writer.close();
  write_end(crashed);
  journal_writer same_boot;
  CAF_REQUIRE(same_boot.open(path, read()));
  CAF_CHECK_EQUAL(same_boot.next_id(), 5u);
  same_boot.close();
  // After a reboot the page cache is gone: the reservation was synced.
  crashed.boot = "another boot";
  write_end(crashed);
  journal_writer rebooted;
  CAF_REQUIRE(rebooted.open(path, read()));
  CAF_CHECK_EQUAL(rebooted.next_id(), 1 + journal_id_block);
  auto more = sample_orders(1);
  CAF_REQUIRE(rebooted.append(more));
  CAF_CHECK_EQUAL(more[0].seq, 5u);
  CAF_CHECK_EQUAL(more[0].id, 1 + journal_id_block);
}

CAF_TEST(a journal cut short is refused and if accepted never hands out its ids
           again) {
  auto xs = sample_orders(10);
  write_orders(xs);
  keep_lines(5);
  auto contents = read();
  CAF_REQUIRE_EQUAL(contents.orders.size(), 5u);
  auto end = read_end();
  auto checked = check_journal_end(path, contents, end, 0, path + ".published");
  CAF_REQUIRE(!checked);
  CAF_CHECK_EQUAL(checked.error().message,
                  "journal " + path + ": holds 5 orders, but its end record "
                    + path
                    + ".end says orders up to seq 10 (order id 10) "
                      "were acknowledged: 5 acknowledged orders are missing "
                      "from the journal (cut short or replaced)");
  // Accepted (the writer does not check): numbering goes on above id 10.
  journal_writer writer;
  CAF_REQUIRE(writer.open(path, contents));
  CAF_CHECK_EQUAL(writer.next_id(), 11u);
  auto more = sample_orders(2);
  CAF_REQUIRE(writer.append(more));
  CAF_CHECK_EQUAL(more[0].seq, 6u);
  CAF_CHECK_EQUAL(more[0].id, 11u);
  writer.close();
  // The end record now describes the journal as it is.
  contents = read();
  CAF_CHECK(
    check_journal_end(path, contents, read_end(), 0, path + ".published"));
  CAF_CHECK_EQUAL(contents.next_id, 13u);
  // Even an emptied journal does not hand ids out again.
  write_bytes("");
  CAF_CHECK(
    !check_journal_end(path, read(), read_end(), 0, path + ".published"));
  journal_writer fresh;
  CAF_REQUIRE(fresh.open(path, read()));
  CAF_CHECK_EQUAL(fresh.next_seq(), 1u);
  CAF_CHECK_EQUAL(fresh.next_id(), 13u);
}

CAF_TEST(
  a write past the file size limit fails and leaves the journal as it was) {
  auto xs = sample_orders(3);
  journal_writer writer;
  CAF_REQUIRE(writer.open(path, read()));
  CAF_REQUIRE(writer.append(xs));
  CAF_REQUIRE(writer.sync());
  CAF_REQUIRE(writer.acknowledge());
  auto before = read_bytes();
  {
    // A full disk: the journal may not grow by one byte.
    intuition::fault::file_size_limit full{before.size()};
    auto more = sample_orders(2);
    auto appended = writer.append(more);
    CAF_REQUIRE(!appended);
    CAF_CHECK_EQUAL(appended.error().message,
                    "journal " + path + ": write failed: File too large");
    // Acknowledging what was durable before still works: the end record
    // is rewritten in place.
    CAF_CHECK(writer.acknowledge());
  }
  CAF_CHECK_EQUAL(read_bytes(), before);
  CAF_CHECK(writer.is_open());
  writer.close();
  auto contents = read();
  CAF_CHECK_EQUAL(contents.orders.size(), 3u);
  CAF_CHECK(!contents.torn_tail);
  CAF_CHECK(
    check_journal_end(path, contents, read_end(), 0, path + ".published"));
}

CAF_TEST_FIXTURE_SCOPE_END()
