#include "runtime/journal_recovery.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <vector>

#include "actors/publication_mark.hpp"
#include "trading/journal_end.hpp"

namespace intuition::runtime {

namespace {

/// Keeps a journal lock until the process exits. The journal's single writer
/// is the process, not the order log actor: the publication mark beside the
/// journal is still written after that actor stops, and nothing may read
/// and repair the journal while a run is still flushing it.
void hold_until_exit(trading::journal_lock lock) {
  static std::mutex mtx;
  static std::vector<trading::journal_lock> held;
  std::lock_guard<std::mutex> guard{mtx};
  held.push_back(std::move(lock));
}

} // namespace

trading::result<recovered_journal> recover_journal(const std::string& path,
                                                   bool accept_loss) {
  // A fresh deployment may name a folder that does not exist yet.
  auto parent = std::filesystem::path{path}.parent_path();
  std::error_code ec;
  if (!parent.empty())
    std::filesystem::create_directories(parent, ec);
  if (ec)
    return trading::journal_failure(
      path, 0, "cannot create " + parent.string() + ": " + ec.message());
  // Locked before reading: a second process must not cut off as "torn" the
  // record the first one is writing.
  auto locked = trading::journal_lock::acquire(path);
  if (!locked)
    return locked.error();
  auto lock = std::move(*locked);
  auto how_to_proceed = [](const trading::failure& x) {
    return trading::operation_failed(
      x.message + "; restore the journal from a backup, or start with "
      + accept_journal_loss_flag
      + " to accept the journal as it is: orders missing from it stay "
        "lost, and order ids still never repeat (see README, \"The "
        "journal\")");
  };
  auto end_read = trading::read_journal_end(path);
  std::optional<trading::journal_end> end;
  if (!end_read) {
    if (!accept_loss)
      return how_to_proceed(end_read.error());
    // The writer would refuse it too: it is replaced by the journal's own.
    std::cerr << end_read.error().message << "; replaced ("
              << accept_journal_loss_flag
              << "): order ids continue after the journal's last\n";
    std::filesystem::remove(trading::journal_end_path(path), ec);
  } else {
    end = *end_read;
  }
  // Read without repair: a journal shorter than its end record says is
  // refused as it is found, torn bytes included.
  auto read = trading::read_journal(path, false);
  if (!read)
    return read.error();
  recovered_journal out;
  out.contents = std::move(*read);
  auto mark_path = actors::publication_mark_path(path);
  auto mark = actors::read_publication_mark(mark_path);
  if (!mark)
    return mark.error();
  auto published = *mark;
  if (auto ok = trading::check_journal_end(path, out.contents, end, published,
                                           mark_path);
      !ok) {
    if (!accept_loss)
      return how_to_proceed(ok.error());
    std::cerr << ok.error().message << "; going on without them ("
              << accept_journal_loss_flag << ")\n";
    auto last_seq = out.contents.next_seq - 1;
    if (published > last_seq)
      if (auto written = actors::write_publication_mark(mark_path, last_seq);
          !written)
        return written.error();
  }
  if (auto ok = trading::cut_torn_tail(path, out.contents); !ok)
    return ok.error();
  if (out.contents.torn_tail)
    std::cerr << "journal " << path << ": torn last record ("
              << out.contents.torn_bytes
              << " bytes) from an interrupted write removed\n";
  out.writer = std::make_shared<trading::journal_writer>();
  if (auto ok = out.writer->open(path, out.contents); !ok)
    return ok.error();
  if (out.writer->next_id() > out.contents.next_id)
    std::cerr << "journal " << path << ": order ids continue from "
              << out.writer->next_id() << ", above every id handed out "
              << "before (" << trading::journal_end_path(path) << ")\n";
  hold_until_exit(std::move(lock));
  return out;
}

trading::result<recovered_input> recover_input(const app_config& cfg) {
  recovered_input out;
  trading::input_log_options opts;
  opts.dir = cfg.ingress.log_dir.empty() ? cfg.journal.path + ".input"
                                         : cfg.ingress.log_dir;
  opts.segment_bytes = static_cast<uint64_t>(cfg.ingress.segment_bytes);
  opts.fsync = cfg.ingress.fsync;
  opts.interval_ms = cfg.ingress.fsync_interval_ms;
  out.log = std::make_shared<trading::input_log>();
  auto opened = out.log->open(opts);
  if (!opened)
    return std::move(opened).error();
  if (auto torn = opened->torn_bytes)
    std::cerr << "input log " << opts.dir << ": torn last record (" << torn
              << " bytes) cut off\n";
  auto mark = trading::read_input_watermark(opts.dir);
  if (!mark)
    return std::move(mark).error();
  auto filter = trading::read_filter_snapshot(opts.dir);
  if (!filter)
    return std::move(filter).error();
  out.filter = std::move(*filter);
  // The filter state is saved only for durable positions.
  out.resume_after = std::max(*mark, out.filter.position);
  return out;
}

} // namespace intuition::runtime
