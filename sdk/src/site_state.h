// Internal: how the engine holds a site's state. Vectors keep creation order, which makes
// iteration (and so snapshots) deterministic; hash maps are used for lookups only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kring/limits.h"
#include "kring/records.h"
#include "kring/types.h"

namespace kring {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

struct MemberEntry {
  std::string id;
  std::string displayName;
  Role role = Role::member;
  TimeMs joinedAt = 0;
  std::uint32_t postCount = 0;
};

struct ThreadEntry {
  std::string key;
  ThreadKind kind = ThreadKind::discussion;
  std::string title;
  std::uint32_t author = kNone;
  TimeMs createdAt = 0;
  ThreadState state = ThreadState::open;
  std::vector<std::uint32_t> roots;  // top-level posts, creation order
  std::vector<std::uint32_t> posts;  // every post of the thread, creation order
};

// What a vote adds to a post's score.
constexpr std::int32_t voteWeight(VoteDirection direction) {
  return direction == VoteDirection::up ? 1 : direction == VoteDirection::down ? -1 : 0;
}

struct VoteEntry {
  std::uint32_t member = kNone;
  VoteDirection direction = VoteDirection::none;
};

struct EditEntry {
  std::uint32_t editor = kNone;
  TimeMs time = 0;
  std::string previousBody;
};

struct PostEntry {
  std::string id;
  std::uint32_t thread = kNone;
  std::uint32_t parent = kNone;
  std::uint32_t author = kNone;
  std::string body;
  TimeMs createdAt = 0;
  TimeMs editedAt = 0;
  PostState state = PostState::visible;
  std::int32_t score = 0;
  bool accepted = false;
  std::uint32_t depth = 0;
  std::uint32_t acceptedAnswer = kNone;  // on a question: its accepted answer
  Sequence createdSequence = 0;
  std::vector<EditEntry> edits;
  std::vector<VoteEntry> votes;            // sorted by member index: binary search, stable snapshots
  std::vector<std::uint32_t> children;     // creation order

  bool isRemoved() const { return state == PostState::removed || state == PostState::spam; }
  // Where the member's vote is, or would be inserted.
  std::size_t voteSlot(std::uint32_t member) const;
  VoteDirection voteOf(std::uint32_t member) const;
};

struct SiteState {
  std::string siteId;
  Limits limits;
  Sequence lastSequence = 0;
  std::vector<MemberEntry> members;
  std::vector<ThreadEntry> threads;
  std::vector<PostEntry> posts;
  std::unordered_map<std::string, std::uint32_t> memberIndex;
  std::unordered_map<std::string, std::uint32_t> threadIndex;
  std::unordered_map<std::string, std::uint32_t> postIndex;

  std::uint32_t findMember(const std::string& id) const { return find(memberIndex, id); }
  std::uint32_t findThread(const std::string& key) const { return find(threadIndex, key); }
  std::uint32_t findPost(const std::string& id) const { return find(postIndex, id); }

  std::uint32_t addMember(MemberEntry entry);
  std::uint32_t addThread(ThreadEntry entry);
  std::uint32_t addPost(PostEntry entry);  // links it under its thread and parent

  MemberRecord memberRecord(std::uint32_t member) const;
  ThreadRecord threadRecord(std::uint32_t thread) const;
  // withHistory adds edits and votes (snapshots); events carry the post without them.
  PostRecord postRecord(std::uint32_t post, bool withHistory) const;
  std::string memberId(std::uint32_t member) const;  // empty for kNone

 private:
  static std::uint32_t find(const std::unordered_map<std::string, std::uint32_t>& index,
                            const std::string& key) {
    auto it = index.find(key);
    return it == index.end() ? kNone : it->second;
  }
};

}  // namespace kring
