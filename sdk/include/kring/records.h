// Plain records of community state, as carried by events and snapshots.
#pragma once

#include <string>
#include <vector>

#include "kring/types.h"

namespace kring {

struct MemberRecord {
  std::string id;
  std::string displayName;
  Role role = Role::member;
  TimeMs joinedAt = 0;
  std::uint32_t postCount = 0;
};

struct ThreadRecord {
  std::string key;
  ThreadKind kind = ThreadKind::discussion;
  std::string title;
  std::string authorId;
  TimeMs createdAt = 0;
  ThreadState state = ThreadState::open;
};

struct EditRecord {
  std::string editorId;
  TimeMs time = 0;
  std::string previousBody;
};

struct VoteRecord {
  std::string memberId;
  VoteDirection direction = VoteDirection::none;
};

struct PostRecord {
  std::string id;
  std::string threadKey;
  std::string parentId;
  std::string authorId;
  std::string body;
  TimeMs createdAt = 0;
  TimeMs editedAt = 0;  // 0 when never edited
  PostState state = PostState::visible;
  std::int32_t score = 0;
  bool accepted = false;
  Sequence createdSequence = 0;
  std::vector<EditRecord> edits;
  std::vector<VoteRecord> votes;
};

}  // namespace kring
