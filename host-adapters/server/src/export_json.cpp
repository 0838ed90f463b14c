#include "export_json.h"

#include <boost/json.hpp>

#include "kring/names.h"

namespace kring::server {

boost::json::value exportJson(const SiteRecords& records) {
  boost::json::array members;
  for (const MemberRecord& member : records.members) {
    members.push_back({{"id", member.id},
                       {"displayName", member.displayName},
                       {"role", roleName(member.role)},
                       {"joinedAt", member.joinedAt},
                       {"postCount", member.postCount},
                       {"reputation", member.reputation},
                       {"trustLevel", member.trustLevel},
                       {"state", memberStateName(member.state)},
                       {"stateUntil", member.stateUntil},
                       {"threadsEntered", member.standing.threadsEntered},
                       {"postsRead", member.standing.postsRead},
                       {"secondsReading", member.standing.secondsReading}});
  }
  boost::json::array threads;
  for (const ThreadRecord& thread : records.threads) {
    threads.push_back({{"key", thread.key},
                       {"kind", threadKindName(thread.kind)},
                       {"title", thread.title},
                       {"authorId", thread.authorId},
                       {"createdAt", thread.createdAt},
                       {"state", threadStateName(thread.state)}});
  }
  boost::json::array posts;
  for (const PostRecord& post : records.posts) {
    boost::json::array edits;
    for (const EditRecord& edit : post.edits) {
      edits.push_back({{"editorId", edit.editorId}, {"time", edit.time}, {"previousBody", edit.previousBody}});
    }
    boost::json::array votes;
    for (const VoteRecord& vote : post.votes) {
      votes.push_back({{"memberId", vote.memberId}, {"direction", voteName(vote.direction)}});
    }
    posts.push_back({{"id", post.id},
                     {"threadKey", post.threadKey},
                     {"parentId", post.parentId},
                     {"authorId", post.authorId},
                     {"body", post.body},
                     {"createdAt", post.createdAt},
                     {"editedAt", post.editedAt},
                     {"state", postStateName(post.state)},
                     {"score", post.score},
                     {"accepted", post.accepted},
                     {"sequence", post.createdSequence},
                     {"featured", post.featured},
                     {"flagScore", post.flagScore},
                     {"edits", std::move(edits)},
                     {"votes", std::move(votes)}});
  }
  return {{"site", records.siteId},
          {"lastSequence", records.lastSequence},
          {"members", std::move(members)},
          {"threads", std::move(threads)},
          {"posts", std::move(posts)},
          {"audit", auditJson(records)}};
}

namespace {

boost::json::array flagsJson(const PostRecord& post) {
  boost::json::array flags;
  for (const FlagRecord& flag : post.ledger.flags) {
    if (flag.resolution != FlagResolution::open) continue;
    flags.push_back({{"memberId", flag.memberId.empty() ? "kring:watched-word" : flag.memberId},
                     {"reason", flagReasonName(flag.reason)},
                     {"weight", flag.weight},
                     {"time", flag.time}});
  }
  return flags;
}

}  // namespace

boost::json::value moderationQueueJson(const SiteRecords& records) {
  boost::json::array queue;
  for (const PostRecord& post : records.posts) {
    boost::json::array flags = flagsJson(post);
    bool waiting = post.state == PostState::pendingReview || post.state == PostState::hiddenByFlags;
    if (!waiting && flags.empty()) continue;
    queue.push_back({{"postId", post.id},
                     {"threadKey", post.threadKey},
                     {"authorId", post.authorId},
                     {"body", post.body},
                     {"createdAt", post.createdAt},
                     {"state", postStateName(post.state)},
                     {"heldReason", reasonName(post.heldReason)},
                     {"flagScore", post.flagScore},
                     {"openFlags", std::move(flags)}});
  }
  return {{"site", records.siteId}, {"queue", std::move(queue)}};
}

boost::json::array auditJson(const SiteRecords& records) {
  boost::json::array audit;
  for (const AuditRecord& entry : records.audit) {
    audit.push_back({{"id", entry.id},
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
