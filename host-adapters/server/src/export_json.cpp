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
                       {"postCount", member.postCount}});
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
                     {"edits", std::move(edits)},
                     {"votes", std::move(votes)}});
  }
  return {{"site", records.siteId},
          {"lastSequence", records.lastSequence},
          {"members", std::move(members)},
          {"threads", std::move(threads)},
          {"posts", std::move(posts)}};
}

}  // namespace kring::server
