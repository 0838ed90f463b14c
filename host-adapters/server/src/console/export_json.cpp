#include "console/export_json.h"

#include <boost/json.hpp>

#include <algorithm>

#include "kring/names.h"
#include "kring/visibility.h"

namespace kring::server {

boost::json::object memberJson(const MemberProfile& member) {
  return {{"id", member.id},
          {"displayName", member.displayName},
          {"role", roleName(member.role)},
          {"trustLevel", member.trustLevel},
          {"reputation", member.reputation},
          {"state", memberStateName(member.state)},
          {"stateUntil", member.stateUntil},
          {"postCount", member.postCount},
          {"joinedAt", member.joinedAt},
          {"guest", isGuestId(member.id)},
          {"roleAssigned", member.roleAssigned},
          {"trustLevelGranted", member.trustLevelGranted}};
}

boost::json::object postJson(const PostRecord& post) {
  return {{"id", post.id},
          {"threadKey", post.threadKey},
          {"parentId", post.parentId},
          {"authorId", post.authorId},
          {"body", post.body},
          {"createdAt", post.createdAt},
          {"editedAt", post.editedAt},
          {"state", postStateName(post.state)},
          {"heldReason", reasonName(post.heldReason)},
          {"score", post.score},
          {"accepted", post.accepted},
          {"sequence", post.createdSequence},
          {"featured", post.featured},
          {"flagScore", post.flagScore},
          {"erased", post.erased}};
}

boost::json::object threadJson(const ThreadRecord& thread) {
  return {
      {"key", thread.key},           {"kind", threadKindName(thread.kind)}, {"title", thread.title},
      {"authorId", thread.authorId}, {"createdAt", thread.createdAt},       {"state", threadStateName(thread.state)}};
}

boost::json::object postWithHistoryJson(const PostRecord& post) {
  boost::json::array edits;
  for (const EditRecord& edit : post.edits) {
    edits.push_back({{"editorId", edit.editorId}, {"time", edit.time}, {"previousBody", edit.previousBody}});
  }
  boost::json::array votes;
  for (const VoteRecord& vote : post.votes) {
    votes.push_back({{"memberId", vote.memberId}, {"direction", voteName(vote.direction)}});
  }
  boost::json::object entry = postJson(post);
  entry["edits"] = std::move(edits);
  entry["votes"] = std::move(votes);
  return entry;
}

boost::json::value exportJson(const SiteRecords& records) {
  boost::json::array members;
  for (const MemberRecord& member : records.members) {
    boost::json::object entry = memberJson(member);
    entry["threadsEntered"] = member.standing.threadsEntered;
    entry["postsRead"] = member.standing.postsRead;
    entry["secondsReading"] = member.standing.secondsReading;
    members.push_back(std::move(entry));
  }
  boost::json::array threads;
  for (const ThreadRecord& thread : records.threads) threads.push_back(threadJson(thread));
  boost::json::array posts;
  for (const PostRecord& post : records.posts) posts.push_back(postWithHistoryJson(post));
  return {{"site", records.siteId},        {"lastSequence", records.lastSequence},
          {"members", std::move(members)}, {"threads", std::move(threads)},
          {"posts", std::move(posts)},     {"audit", auditJson(records)}};
}

boost::json::array auditJson(const SiteRecords& records, std::size_t first, std::size_t last) {
  boost::json::array audit;
  last = std::min(last, records.audit.size());
  for (std::size_t i = first; i < last; ++i) {
    const AuditRecord& entry = records.audit[i];
    audit.push_back(
        {{"id", entry.id},
         {"actorId", entry.actorId},
         {"action", entry.isPolicyChange ? std::string_view("update_policy") : moderationActionName(entry.action)},
         {"reason", entry.reason},
         {"time", entry.time},
         {"sequence", entry.sequence},
         {"postId", entry.postId},
         {"threadKey", entry.threadKey},
         {"memberId", entry.memberId},
         {"undone", entry.undone},
         {"undoneBy", entry.undoneBy},
         {"undoReason", entry.undoReason},
         {"undoTime", entry.undoTime}});
  }
  return audit;
}

}  // namespace kring::server
