#include "site_state.h"

namespace kring {

std::size_t PostEntry::voteSlot(std::uint32_t member) const {
  auto it = std::lower_bound(votes.begin(), votes.end(), member,
                             [](const VoteEntry& vote, std::uint32_t key) { return vote.member < key; });
  return static_cast<std::size_t>(it - votes.begin());
}

VoteDirection PostEntry::voteOf(std::uint32_t member) const {
  std::size_t slot = voteSlot(member);
  return slot < votes.size() && votes[slot].member == member ? votes[slot].direction : VoteDirection::none;
}

std::uint32_t SiteState::addMember(MemberEntry entry) {
  auto index = static_cast<std::uint32_t>(members.size());
  memberIndex.emplace(entry.id, index);
  members.push_back(std::move(entry));
  return index;
}

std::uint32_t SiteState::addThread(ThreadEntry entry) {
  auto index = static_cast<std::uint32_t>(threads.size());
  threadIndex.emplace(entry.key, index);
  threads.push_back(std::move(entry));
  return index;
}

std::uint32_t SiteState::addPost(PostEntry entry) {
  auto index = static_cast<std::uint32_t>(posts.size());
  postIndex.emplace(entry.id, index);
  ThreadEntry& thread = threads[entry.thread];
  thread.posts.push_back(index);
  if (entry.parent == kNone) {
    thread.roots.push_back(index);
  } else {
    posts[entry.parent].children.push_back(index);
  }
  posts.push_back(std::move(entry));
  return index;
}

std::string SiteState::memberId(std::uint32_t member) const {
  return member == kNone ? std::string() : members[member].id;
}

MemberRecord SiteState::memberRecord(std::uint32_t member) const {
  const MemberEntry& m = members[member];
  return MemberRecord{m.id, m.displayName, m.role, m.joinedAt, m.postCount};
}

ThreadRecord SiteState::threadRecord(std::uint32_t thread) const {
  const ThreadEntry& t = threads[thread];
  return ThreadRecord{t.key, t.kind, t.title, memberId(t.author), t.createdAt, t.state};
}

PostRecord SiteState::postRecord(std::uint32_t post, bool withHistory) const {
  const PostEntry& p = posts[post];
  PostRecord record;
  record.id = p.id;
  record.threadKey = threads[p.thread].key;
  record.parentId = p.parent == kNone ? std::string() : posts[p.parent].id;
  record.authorId = memberId(p.author);
  record.body = p.body;
  record.createdAt = p.createdAt;
  record.editedAt = p.editedAt;
  record.state = p.state;
  record.score = p.score;
  record.accepted = p.accepted;
  record.createdSequence = p.createdSequence;
  if (withHistory) {
    record.edits.reserve(p.edits.size());
    for (const EditEntry& e : p.edits) record.edits.push_back({memberId(e.editor), e.time, e.previousBody});
    record.votes.reserve(p.votes.size());
    for (const VoteEntry& v : p.votes) record.votes.push_back({memberId(v.member), v.direction});
  }
  return record;
}

}  // namespace kring
