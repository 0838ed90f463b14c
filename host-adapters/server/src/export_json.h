// A site's threads, posts (with edit history and votes) and members as JSON, for the admin export.
#pragma once

#include <boost/json/value.hpp>

#include "kring/site_records.h"

namespace kring::server {

boost::json::value exportJson(const SiteRecords& records);

}  // namespace kring::server
