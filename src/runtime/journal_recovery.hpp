#pragma once

#include <memory>
#include <string>

#include "runtime/config.hpp"
#include "trading/input_log.hpp"
#include "trading/journal.hpp"
#include "trading/result.hpp"

/// Opening the journal and the input log of a run: lock, verify, repair,
/// resume.
namespace intuition::runtime {

/// The journal after recovery, ready for the order log.
struct recovered_journal {
  trading::journal_contents contents;
  std::shared_ptr<trading::journal_writer> writer;
};

/// The option that accepts a journal shorter than what was acknowledged.
constexpr const char* accept_journal_loss_flag = "--accept-journal-loss";

/// Takes the journal's lock (`PATH.lock`, held until the process exits),
/// then reads and verifies the journal at `path` against its end record
/// (`PATH.end`) and publication mark (`PATH.published`), repairs a torn
/// tail (reported on stderr), and opens it for appending. A journal that
/// holds fewer orders than were acknowledged or published is refused,
/// unless `accept_loss`: then the loss is reported, the publication mark is
/// cut back to the journal, and order ids continue above every id handed
/// out before. Fails (a failed operation) naming the file (and line, or the
/// pid holding the lock) and, for a lost tail, how to proceed.
trading::result<recovered_journal> recover_journal(const std::string& path,
                                                   bool accept_loss = false);

/// The input log after recovery, with where trading resumes.
struct recovered_input {
  std::shared_ptr<trading::input_log> log;
  /// Every record up to here was turned into durable orders.
  uint64_t resume_after = 0;
  trading::filter_snapshot filter;
};

/// Opens the input log next to the journal (or at `ingress.log_dir`),
/// cutting a torn tail, and reads the processed watermark and the saved
/// filter state. The input log is synced as `ingress.fsync` says.
trading::result<recovered_input> recover_input(const app_config& cfg);

} // namespace intuition::runtime
