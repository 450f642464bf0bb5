#pragma once

#include <ostream>

#include "trading/report.hpp"

/// The end-of-run summary, printed for people.
namespace intuition::runtime {

/// What the runtime knows about a run beyond the portfolio's report.
using trading::run_info;

/// Prints the report as a readable summary.
void print_summary(std::ostream& out, const trading::run_report& report);

} // namespace intuition::runtime
