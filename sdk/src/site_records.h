// Internal: a site's state as plain records, the form snapshots are written from and rebuilt from.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kring/reason.h"
#include "kring/records.h"
#include "site_state.h"

namespace kring {

struct SiteRecords {
  std::string siteId;
  Sequence lastSequence = 0;
  std::vector<MemberRecord> members;  // join order
  std::vector<ThreadRecord> threads;  // creation order
  std::vector<PostRecord> posts;      // creation order, with history
};

SiteRecords collectRecords(const SiteState& state);
// Checks every cross-reference and invariant; a snapshot that breaks one is refused whole.
Result<std::unique_ptr<SiteState>> buildState(const SiteRecords& records, const Limits& limits);

}  // namespace kring
