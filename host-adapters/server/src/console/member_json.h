// Members for the console (docs/console.md): the search, and one member's page (the member and
// post JSON are export_json.h's).
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <string_view>

#include "kring/records.h"
#include "kring/site_records.h"

namespace kring::server {

constexpr std::size_t kMembersDefaultLimit = 50;
constexpr std::size_t kMembersMaxLimit = 200;
// {members: [member], total}: id or display name contains `query` (ASCII case-insensitive; empty
// matches everyone; the server's own kring: actors are left out), most reputation first, then by id; at most `limit`;
// total counts every match.
boost::json::value membersJson(const SiteRecords& records, std::string_view query, std::size_t limit);

// {member, posts: [post], audit: [entry]}: their 50 newest posts, and every action on them or on
// any of their posts; null when the site has no such member.
boost::json::value memberDetailJson(const SiteRecords& records, std::string_view memberId);

}  // namespace kring::server
