#pragma once

#include <vector>

#include "actors/metric_samples.hpp"

/// Every metric the actors of a process can export, as declared.
namespace intuition::actors {

/// CAF's metrics (under CAF 0.18+ names) and every actor kind's, in kind
/// order; a metric several kinds export is listed by each.
std::vector<metric_info> metric_catalog();

} // namespace intuition::actors
