// The console's review queue (docs/console.md, queue item): what waits for a moderator, with what
// they need to decide at a glance: the thread, the author, the pipeline stage that held the post,
// the spam filter's score of it now, and who flagged it at what trust level.
#pragma once

#include <boost/json/value.hpp>

#include "kring/engine.h"
#include "kring/site_records.h"

namespace kring::server {

constexpr std::size_t kQueueDefaultLimit = 200, kQueueMaxLimit = 1000;

struct QueueOptions {
  std::size_t limit = kQueueDefaultLimit;
  // Held guest posts past the newest this many are set aside as suspected spam (site_config.h).
  std::size_t heldGuestPostsInQueue = 200;
  bool spamSuspect = false;  // list those set aside instead of the queue
};

// {site, queue: [item], total, spamSuspect}, oldest first: posts held for review ("held"), hidden
// by flags or with open flags ("flagged"), and the visible first posts of trust level 0 members from
// the 7 days before `now` ("firstPost", at most the newest 50), for a look. A flood of guests' posts
// does not bury the rest: only the newest heldGuestPostsInQueue held guest posts are in the queue,
// the older ones are counted in spamSuspect and listed with options.spamSuspect (category
// "spamSuspect"). The first `limit` items; total counts them all.
boost::json::value moderationQueueJson(const Engine& engine, const SiteRecords& records, TimeMs now,
                                       const QueueOptions& options = {});

}  // namespace kring::server
