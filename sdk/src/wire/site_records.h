// Internal: a site's state as plain records, the form snapshots are written from and rebuilt from.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kring/reason.h"
#include "kring/records.h"
#include "kring/site_records.h"
#include "state/site_state.h"

namespace kring {


SiteRecords collectRecords(const SiteState& state);
// Whether posts carry every vote (a site snapshot) or only what a viewer may hold (a replica's
// projection: the score is the server's count, the votes only the viewer's own).
enum class Votes { all, projected };
// Checks every cross-reference and invariant; a snapshot that breaks one is refused whole.
Result<std::unique_ptr<SiteState>> buildState(const SiteRecords& records, const Limits& limits,
                                              Votes votes = Votes::all);

}  // namespace kring
