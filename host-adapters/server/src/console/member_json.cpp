#include "console/member_json.h"

#include <boost/json.hpp>

#include <algorithm>
#include <unordered_set>

#include "console/export_json.h"
#include "sync/site_host.h"

namespace kring::server {

namespace {

constexpr std::size_t kMemberPosts = 50;

char foldAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Non-ASCII bytes compare as they are: names in other scripts still match when typed the same.
bool containsFolded(std::string_view text, std::string_view query) {
  if (query.empty()) return true;
  auto found = std::search(text.begin(), text.end(), query.begin(), query.end(),
                           [](char a, char b) { return foldAscii(a) == foldAscii(b); });
  return found != text.end();
}

}  // namespace

boost::json::value membersJson(const SiteRecords& records, std::string_view query, std::size_t limit) {
  std::vector<const MemberRecord*> found;
  for (const MemberRecord& member : records.members) {
    if (member.id.starts_with(kServerOpIdPrefix)) continue;  // the server's own actors are no one to look up
    if (containsFolded(member.id, query) || containsFolded(member.displayName, query)) found.push_back(&member);
  }
  std::size_t shown = std::min(found.size(), std::min(limit, kMembersMaxLimit));
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(shown), found.end(),
                    [](const MemberRecord* a, const MemberRecord* b) {
                      if (a->reputation != b->reputation) return a->reputation > b->reputation;
                      return a->id < b->id;
                    });
  boost::json::array members;
  for (std::size_t i = 0; i < shown; ++i) members.push_back(memberJson(*found[i]));
  return {{"members", std::move(members)}, {"total", found.size()}};
}

boost::json::value memberDetailJson(const SiteRecords& records, std::string_view memberId) {
  auto member = std::find_if(records.members.begin(), records.members.end(),
                             [&](const MemberRecord& candidate) { return candidate.id == memberId; });
  if (member == records.members.end()) return nullptr;
  std::unordered_set<std::string_view> theirPosts;
  boost::json::array posts;
  for (auto post = records.posts.rbegin(); post != records.posts.rend(); ++post) {  // newest first
    if (post->authorId != memberId) continue;
    theirPosts.insert(post->id);
    if (posts.size() < kMemberPosts) posts.push_back(postJson(*post));
  }
  boost::json::array audit;
  for (boost::json::value& entry : auditJson(records)) {
    const boost::json::object& fields = entry.as_object();
    bool onMember = fields.at("memberId").as_string() == memberId;
    bool onTheirPost = theirPosts.count(std::string_view(fields.at("postId").as_string())) != 0;
    if (onMember || onTheirPost) audit.push_back(std::move(entry));
  }
  return {{"member", memberJson(*member)}, {"posts", std::move(posts)}, {"audit", std::move(audit)}};
}

}  // namespace kring::server
