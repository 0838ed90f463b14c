// Internal: the per-day series of the metrics (kring/metrics.h, MetricsDay), apart from the window's totals.
#pragma once

#include <vector>

#include "kring/metrics.h"
#include "state/site_state.h"

namespace kring {

// The window's UTC days, oldest first, counted with the same definitions as the totals.
std::vector<MetricsDay> countDays(const SiteState& state, const MetricsWindow& window);

}  // namespace kring
