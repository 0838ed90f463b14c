// A site's threads, posts (with edit history and votes) and members as JSON, for the admin export.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "kring/site_records.h"

namespace kring::server {

boost::json::value exportJson(const SiteRecords& records);
// Posts held for review, hidden by flags, or with open flags, oldest first.
boost::json::value moderationQueueJson(const SiteRecords& records);
// Every moderator action and policy change, in order, with its undo.
boost::json::array auditJson(const SiteRecords& records);

}  // namespace kring::server
