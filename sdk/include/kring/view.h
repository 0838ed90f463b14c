// The thread as a reader sees it: posts flattened in display order with their depth.
#pragma once

#include <string>
#include <vector>

#include "kring/types.h"

namespace kring {

struct PostView {
  std::string id;
  std::string parentId;
  std::string authorId;
  std::string authorName;
  Role authorRole = Role::member;
  std::int32_t authorReputation = 0;
  std::uint8_t authorTrustLevel = 0;
  std::string body;  // empty once removed, and while held or hidden unless the viewer may read it
  ReasonCode heldReason = ReasonCode::none;  // why it is held, for its author and moderators
  TimeMs createdAt = 0;
  TimeMs editedAt = 0;
  PostState state = PostState::visible;
  std::int32_t score = 0;
  bool accepted = false;
  std::uint32_t depth = 0;
  std::uint32_t replyCount = 0;
  VoteDirection myVote = VoteDirection::none;
  bool featured = false;
  bool erased = false;                // its text went with its author's data: show a tombstone
  std::uint32_t unloadedReplies = 0;  // a paged replica's: replies it does not hold yet (nextPage)
};

struct ThreadView {
  std::string key;
  ThreadKind kind = ThreadKind::discussion;
  std::string title;
  ThreadState state = ThreadState::open;
  SortOrder order = SortOrder::top;
  Sequence lastSequence = 0;
  std::vector<PostView> posts;
  // A paged replica's (thread_page.h): top-level posts it does not hold yet, and the readable posts
  // of the thread it does not hold (for counts).
  std::uint32_t unloadedTopLevel = 0;
  std::uint32_t unloadedVisible = 0;
};

// A thread as a sitemap lists it: what everyone may read of it.
struct ThreadSummary {
  std::string key;
  ThreadKind kind = ThreadKind::discussion;
  std::string title;
  TimeMs createdAt = 0;
  TimeMs lastActivity = 0;  // the latest creation or edit of a visible post; createdAt without one
  std::uint32_t visiblePosts = 0;
};

// Compact JSON for the widget and native apps; keys are short and stable (docs/view-model.md).
std::string toJson(const ThreadView& view);

}  // namespace kring
