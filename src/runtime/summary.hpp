#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "trading/quote_codec.hpp"

/// The end-of-run summary, printed for people and written as JSON.
namespace intuition::runtime {

/// What the runtime knows about a run beyond the portfolio's report.
struct run_info {
  std::string mode;
  std::string input;
  uint64_t quotes_sent = 0;
  double elapsed_s = 0.0;
  bool interrupted = false;
  uint64_t rows = 0;
  std::array<uint64_t, trading::reject_reason_count> rejected{};
  std::string journal_path;
  uint64_t journal_durable = 0;
  uint64_t restored_orders = 0;
  /// Why trading halted (`journal`), empty when it did not; the failure.
  std::string halted;
  std::string halt_error;
};

/// Adds the runtime's figures (`rejected`, `rejected_by_reason`, throughput,
/// journal, `halted`) to the portfolio's report.
void complete_report(nlohmann::json& report, const run_info& info);

/// Prints the report as a readable summary.
void print_summary(std::ostream& out, const nlohmann::json& report);

} // namespace intuition::runtime
