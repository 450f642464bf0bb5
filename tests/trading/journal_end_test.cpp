#define CAF_SUITE trading.journal_end
#include "caf/test/unit_test.hpp"

#include "trading/journal_end.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include <unistd.h>

using namespace intuition::trading;

namespace {

/// A journal read as holding `n` orders with ids 1..n.
journal_contents journal_of(uint64_t n) {
  journal_contents out;
  for (uint64_t i = 1; i <= n; ++i) {
    order x;
    x.seq = i;
    x.id = i;
    out.orders.push_back(x);
  }
  out.next_seq = n + 1;
  out.next_id = n + 1;
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos)
    return true;
  CAF_MESSAGE("missing \"" << part << "\" in:\n" << text);
  return false;
}

struct fixture {
  std::string dir;
  std::string path;

  fixture() {
    char tmpl[] = "/tmp/intuition-journal-end-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/orders.journal";
  }

  ~fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(journal_end_tests, fixture)

CAF_TEST(an end record round trips in its fixed size) {
  journal_end x{439, 512, 66'048, "0b7c6d2e-4f1a-4c8e-9a53-2d6e1f0c7b94"};
  auto bytes = encode_journal_end(x);
  CAF_CHECK_EQUAL(bytes.size(), journal_end_bytes);
  CAF_CHECK_EQUAL(bytes.back(), '\n');
  CAF_CHECK(bytes.rfind(R"({"seq":439,"id":512,"reserved":66048,"boot":)", 0)
            == 0);
  auto back = decode_journal_end(bytes);
  CAF_REQUIRE(back.has_value());
  CAF_CHECK(*back == x);
  // The largest numbers still fit.
  journal_end big{UINT64_MAX, UINT64_MAX, UINT64_MAX, std::string(36, 'f')};
  auto big_bytes = encode_journal_end(big);
  CAF_CHECK_EQUAL(big_bytes.size(), journal_end_bytes);
  CAF_CHECK(decode_journal_end(big_bytes) == big);
}

CAF_TEST(a damaged end record is refused naming its file) {
  auto bytes = encode_journal_end({7, 7, 65'543, "boot"});
  auto flipped = bytes;
  flipped[8] = '8'; // seq 7 -> 8, checksum unchanged
  CAF_CHECK(!decode_journal_end(flipped).has_value());
  CAF_CHECK(!decode_journal_end(bytes.substr(0, 100)).has_value());
  std::ofstream{journal_end_path(path)} << flipped;
  auto read = read_journal_end(path);
  CAF_REQUIRE(!read);
  CAF_CHECK(read.error().kind == failure_kind::operation_failed);
  CAF_CHECK(contains(read.error().message, "journal " + path + ": end record "
                                             + path + ".end: damaged"));
  // A missing record is none: a fresh journal, or one from before.
  std::filesystem::remove(journal_end_path(path));
  read = read_journal_end(path);
  CAF_REQUIRE(read);
  CAF_CHECK(!read->has_value());
}

CAF_TEST(a journal holding what was acknowledged and published resumes) {
  auto journal = journal_of(439);
  CAF_CHECK(check_journal_end(path, journal, journal_end{439, 439, 66'000, ""},
                              439, path + ".published"));
  // More than acknowledged: the tail written before a crash, never
  // acknowledged, is still the journal's.
  CAF_CHECK(check_journal_end(path, journal, journal_end{400, 400, 66'000, ""},
                              300, path + ".published"));
  CAF_CHECK(
    check_journal_end(path, journal, std::nullopt, 0, path + ".published"));
  CAF_CHECK(check_journal_end(path, journal_of(0), std::nullopt, 0,
                              path + ".published"));
}

CAF_TEST(a journal shorter than what was acknowledged is refused) {
  auto err = check_journal_end(path, journal_of(219),
                               journal_end{439, 439, 66'000, ""}, 0,
                               path + ".published");
  CAF_REQUIRE(!err);
  CAF_CHECK(contains(err.error().message,
                     "journal " + path
                       + ": holds 219 orders, but its end "
                         "record "
                       + path
                       + ".end says orders up to seq 439 "
                         "(order id 439) were acknowledged: 220 acknowledged "
                         "orders are missing from the journal"));
  // An empty journal beside the end record of a full one as well.
  CAF_CHECK(!check_journal_end(path, journal_of(0),
                               journal_end{439, 439, 66'000, ""}, 0,
                               path + ".published"));
}

CAF_TEST(a journal shorter than the publication mark is refused) {
  // No end record (a journal from before them): the mark still tells.
  auto err = check_journal_end(path, journal_of(219), std::nullopt, 439,
                               path + ".published");
  CAF_REQUIRE(!err);
  CAF_CHECK(contains(err.error().message,
                     "journal " + path
                       + ": holds 219 orders, but its "
                         "publication mark "
                       + path
                       + ".published says orders "
                         "up to seq 439 were published: 220 acknowledged "
                         "orders are missing"));
  err = check_journal_end(path, journal_of(100),
                          journal_end{400, 400, 66'000, ""}, 439,
                          path + ".published");
  CAF_REQUIRE(!err);
  CAF_CHECK(contains(err.error().message,
                     "says orders up to seq 400 (order id 400) were "
                     "acknowledged and its publication mark "
                       + path
                       + ".published says orders up to seq 439 were "
                         "published: 339 acknowledged orders are missing"));
}

CAF_TEST(another journal in the place of the acknowledged one is refused) {
  auto journal = journal_of(10);
  journal.orders[4].id = 77;
  auto err = check_journal_end(path, journal, journal_end{5, 5, 65'541, ""}, 0,
                               path + ".published");
  CAF_REQUIRE(!err);
  CAF_CHECK(contains(err.error().message,
                     "journal " + path + " line 5: order id 77, but end record "
                       + path + ".end says seq 5 was order id 5"));
}

CAF_TEST(ids continue after the acknowledged one in its boot and above the
           reservation after a reboot) {
  journal_end end{439, 500, 66'036, "boot-a"};
  // The same boot: the page cache kept the record exact.
  CAF_CHECK_EQUAL(journal_id_floor(end, "boot-a"), 501u);
  // Another boot, or none known: the last acknowledgements may be lost.
  CAF_CHECK_EQUAL(journal_id_floor(end, "boot-b"), 66'036u);
  CAF_CHECK_EQUAL(journal_id_floor(end, ""), 66'036u);
  // A clean close leaves no reservation: the next id follows either way.
  journal_end closed{439, 500, 501, "boot-a"};
  CAF_CHECK_EQUAL(journal_id_floor(closed, "boot-b"), 501u);
  CAF_CHECK(!current_boot_id().empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
