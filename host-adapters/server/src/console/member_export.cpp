#include "console/member_export.h"

#include <boost/json.hpp>

#include <algorithm>
#include <unordered_set>

#include "console/export_json.h"
#include "kring/names.h"

namespace kring::server {

namespace {

boost::json::object standingJson(const MemberStanding& standing) {
  return {{"daysVisited", standing.daysVisited},       {"lastVisitDay", standing.lastVisitDay},
          {"threadsEntered", standing.threadsEntered}, {"postsRead", standing.postsRead},
          {"secondsReading", standing.secondsReading}, {"likesGiven", standing.likesGiven},
          {"likesReceived", standing.likesReceived},   {"flagsRaised", standing.flagsRaised},
          {"flagsUpheld", standing.flagsUpheld}};
}

std::string_view resolutionName(FlagResolution resolution) {
  switch (resolution) {
    case FlagResolution::open: return "open";
    case FlagResolution::upheld: return "upheld";
    case FlagResolution::dismissed: return "dismissed";
  }
  return "open";
}

}  // namespace

boost::json::value memberExportJson(const SiteRecords& records, std::string_view memberId) {
  auto member = std::find_if(records.members.begin(), records.members.end(),
                             [&](const MemberRecord& candidate) { return candidate.id == memberId; });
  if (member == records.members.end()) return nullptr;
  boost::json::object profile = memberJson(*member);
  profile["standing"] = standingJson(member->standing);

  boost::json::array threads;
  for (const ThreadRecord& thread : records.threads) {
    if (thread.authorId == memberId) threads.push_back(threadJson(thread));
  }
  std::unordered_set<std::string_view> theirPosts;
  boost::json::array posts, votes, flags, edits;
  for (const PostRecord& post : records.posts) {
    if (post.authorId == memberId) {
      theirPosts.insert(post.id);
      posts.push_back(postWithHistoryJson(post));
    }
    for (const VoteRecord& vote : post.votes) {
      if (vote.memberId == memberId) votes.push_back({{"postId", post.id}, {"direction", voteName(vote.direction)}});
    }
    for (const FlagRecord& flag : post.ledger.flags) {
      if (flag.memberId != memberId) continue;
      flags.push_back({{"postId", post.id},
                       {"reason", flagReasonName(flag.reason)},
                       {"time", flag.time},
                       {"resolution", resolutionName(flag.resolution)}});
    }
    if (post.authorId == memberId) continue;
    for (const EditRecord& edit : post.edits) {
      if (edit.editorId == memberId) edits.push_back({{"postId", post.id}, {"time", edit.time}});
    }
  }
  boost::json::array audit;
  for (boost::json::value& entry : auditJson(records)) {
    const boost::json::object& fields = entry.as_object();
    bool concerns = fields.at("memberId").as_string() == memberId || fields.at("actorId").as_string() == memberId ||
                    theirPosts.count(std::string_view(fields.at("postId").as_string())) != 0;
    if (concerns) audit.push_back(std::move(entry));
  }
  return {{"site", records.siteId},       {"lastSequence", records.lastSequence},
          {"member", std::move(profile)}, {"threads", std::move(threads)},
          {"posts", std::move(posts)},    {"votes", std::move(votes)},
          {"flags", std::move(flags)},    {"editsOfOthersPosts", std::move(edits)},
          {"audit", std::move(audit)}};
}

}  // namespace kring::server
