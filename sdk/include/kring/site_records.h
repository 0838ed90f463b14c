// A whole site as plain records: for export, and the form snapshots are written from.
#pragma once

#include <string>
#include <vector>

#include "kring/engine.h"
#include "kring/records.h"

namespace kring {

struct SiteRecords {
  std::string siteId;
  Sequence lastSequence = 0;
  std::vector<MemberRecord> members;  // join order
  std::vector<ThreadRecord> threads;  // creation order
  std::vector<PostRecord> posts;      // creation order, with edit history and votes
};

SiteRecords exportRecords(const Engine& engine);

}  // namespace kring
