#include "site_records.h"

#include <algorithm>
#include <optional>

namespace kring {

SiteRecords collectRecords(const SiteState& state) {
  SiteRecords records;
  records.siteId = state.siteId;
  records.lastSequence = state.lastSequence;
  records.members.reserve(state.members.size());
  for (std::uint32_t i = 0; i < state.members.size(); ++i) records.members.push_back(state.memberRecord(i));
  records.threads.reserve(state.threads.size());
  for (std::uint32_t i = 0; i < state.threads.size(); ++i) records.threads.push_back(state.threadRecord(i));
  records.posts.reserve(state.posts.size());
  for (std::uint32_t i = 0; i < state.posts.size(); ++i) records.posts.push_back(state.postRecord(i, true));
  return records;
}

SiteRecords exportRecords(const Engine& engine) { return collectRecords(engine.state()); }

namespace {

Error broken(const std::string& what) { return Error{ReasonCode::malformedSnapshot, "The snapshot " + what + "."}; }

std::optional<Error> addPost(SiteState& state, const PostRecord& record) {
  if (record.id.empty() || state.findPost(record.id) != kNone) return broken("repeats or omits a post id");
  PostEntry post;
  post.id = record.id;
  post.thread = state.findThread(record.threadKey);
  post.author = state.findMember(record.authorId);
  if (post.thread == kNone || post.author == kNone) return broken("has a post whose thread or author is missing");
  if (!record.parentId.empty()) {
    post.parent = state.findPost(record.parentId);
    if (post.parent == kNone || state.posts[post.parent].thread != post.thread) {
      return broken("has a reply whose parent is missing or elsewhere");
    }
    post.depth = state.posts[post.parent].depth + 1;
  }
  const ThreadEntry& thread = state.threads[post.thread];
  if (post.depth > state.limits.maxDepth(thread.kind)) return broken("nests replies deeper than allowed");
  post.body = record.body;
  post.createdAt = record.createdAt;
  post.editedAt = record.editedAt;
  post.state = record.state;
  post.score = record.score;
  post.accepted = record.accepted;
  post.createdSequence = record.createdSequence;
  for (const EditRecord& edit : record.edits) {
    std::uint32_t editor = state.findMember(edit.editorId);
    if (editor == kNone) return broken("names an unknown editor");
    post.edits.push_back(EditEntry{editor, edit.time, edit.previousBody});
  }
  for (const VoteRecord& vote : record.votes) {
    std::uint32_t voter = state.findMember(vote.memberId);
    if (voter == kNone || vote.direction == VoteDirection::none) return broken("has an invalid vote");
    post.votes.push_back(VoteEntry{voter, vote.direction});
  }
  // A replica may know members in another order than the server: order votes by this state's members.
  auto byMember = [](const VoteEntry& a, const VoteEntry& b) { return a.member < b.member; };
  std::sort(post.votes.begin(), post.votes.end(), byMember);
  auto sameMember = [](const VoteEntry& a, const VoteEntry& b) { return a.member == b.member; };
  if (std::adjacent_find(post.votes.begin(), post.votes.end(), sameMember) != post.votes.end()) {
    return broken("has two votes by one member on a post");
  }
  std::int32_t score = 0;
  for (const VoteEntry& vote : post.votes) score += voteWeight(vote.direction);
  if (score != post.score) return broken("has a post whose score does not match its votes");
  if (post.accepted) {
    if (thread.kind != ThreadKind::question || post.depth != 1) return broken("accepts a post that is not an answer");
    PostEntry& question = state.posts[post.parent];
    if (question.acceptedAnswer != kNone) return broken("accepts two answers to one question");
    question.acceptedAnswer = static_cast<std::uint32_t>(state.posts.size());
  }
  state.addPost(std::move(post));
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<SiteState>> buildState(const SiteRecords& records, const Limits& limits) {
  auto state = std::make_unique<SiteState>();
  state->siteId = records.siteId;
  state->limits = limits;
  state->lastSequence = records.lastSequence;
  for (const MemberRecord& member : records.members) {
    if (member.id.empty() || state->findMember(member.id) != kNone) return broken("repeats or omits a member id");
    state->addMember(MemberEntry{member.id, member.displayName, member.role, member.joinedAt, member.postCount});
  }
  for (const ThreadRecord& record : records.threads) {
    if (record.key.empty() || state->findThread(record.key) != kNone) return broken("repeats or omits a thread key");
    ThreadEntry thread;
    thread.key = record.key;
    thread.kind = record.kind;
    thread.title = record.title;
    thread.author = state->findMember(record.authorId);
    if (thread.author == kNone) return broken("has a thread whose author is missing");
    thread.createdAt = record.createdAt;
    thread.state = record.state;
    state->addThread(std::move(thread));
  }
  for (const PostRecord& record : records.posts) {
    if (auto error = addPost(*state, record)) return *error;
  }
  return state;
}

}  // namespace kring
