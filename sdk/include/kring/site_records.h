// A whole site as plain records: for export, and the form snapshots are written from.
#pragma once

#include <string>
#include <vector>

#include "kring/engine.h"
#include "kring/policy.h"
#include "kring/records.h"

namespace kring {

struct SiteRecords {
  std::string siteId;
  Sequence lastSequence = 0;
  std::vector<MemberRecord> members;  // join order
  std::vector<ThreadRecord> threads;  // creation order
  std::vector<PostRecord> posts;      // creation order, with edit history, votes and ledgers
  Policy policy;
  std::vector<AuditRecord> audit;   // in order
  std::uint32_t spamDecisions = 0;  // the spam filter's training
  std::uint32_t hamDecisions = 0;
  std::vector<TokenCountRecord> spamTokens;  // sorted by token
  std::vector<SiteDay> days;
  TimeMs alertsCheckedAt = 0;   // the last CheckAlerts op's time
  TimeMs digestSentAt = 0;      // the CheckAlerts op that last called for the staff's daily digest
  bool followsRecorded = true;  // false: written before threads carried their follows (authors follow)
};

SiteRecords exportRecords(const Engine& engine);

}  // namespace kring
