// Everything a site holds about one member, as JSON: what the admin API hands a member who asks
// for their data (docs/data-rights.md).
#pragma once

#include <boost/json/value.hpp>

#include <string_view>

#include "kring/site_records.h"

namespace kring::server {

// {site, lastSequence, member (with every standing counter), threads they started, posts they wrote
// (with edit history and votes received), votes they cast, flags they raised, edits they made to
// others' posts, audit entries on them, on their posts or by them}; null when there is no such member.
boost::json::value memberExportJson(const SiteRecords& records, std::string_view memberId);

}  // namespace kring::server
