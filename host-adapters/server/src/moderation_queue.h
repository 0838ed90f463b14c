// The console's review queue (docs/console.md, queue item): what waits for a moderator, with what
// they need to decide at a glance: the thread, the author, the pipeline stage that held the post,
// the spam filter's score of it now, and who flagged it at what trust level.
#pragma once

#include <boost/json/value.hpp>

#include "kring/engine.h"
#include "kring/site_records.h"

namespace kring::server {

// {site, queue: [item]}, oldest first: posts held for review ("held"), hidden by flags or with
// open flags ("flagged"), and the visible first posts of trust level 0 members from the 7 days
// before `now` ("firstPost", at most the newest 50), for a look.
boost::json::value moderationQueueJson(const Engine& engine, const SiteRecords& records, TimeMs now);

}  // namespace kring::server
