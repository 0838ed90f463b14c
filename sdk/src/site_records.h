// Internal: a site's state as plain records, the form snapshots are written from and rebuilt from.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kring/reason.h"
#include "kring/records.h"
#include "kring/site_records.h"
#include "site_state.h"

namespace kring {


SiteRecords collectRecords(const SiteState& state);
// Checks every cross-reference and invariant; a snapshot that breaks one is refused whole.
Result<std::unique_ptr<SiteState>> buildState(const SiteRecords& records, const Limits& limits);

}  // namespace kring
