// Plain records of community state, as carried by events and snapshots.
#pragma once

#include <string>
#include <vector>

#include "kring/reason.h"
#include "kring/types.h"

namespace kring {

struct RepliedThread {
  std::string threadKey;
  std::int32_t lastDay = 0;

  friend bool operator==(const RepliedThread&, const RepliedThread&) = default;
};

// One UTC day of a member's activity: the trailing window the TL3 rules and champions read.
// A thread read on a day, and the posts of it credited that day: reading counts once per thread a day.
struct ThreadRead {
  std::string threadKey;
  std::uint32_t postsCredited = 0;

  friend bool operator==(const ThreadRead&, const ThreadRead&) = default;
};

struct DayActivity {
  std::int32_t day = 0;
  std::uint32_t threadsEntered = 0;
  std::uint32_t postsRead = 0;
  std::uint32_t likesGiven = 0;
  std::uint32_t likesReceived = 0;
  std::uint32_t flagsUpheldAgainst = 0;
  std::int32_t reputationGained = 0;
  std::uint32_t posts = 0;
  bool visited = false;  // others' votes and likes also land on a day the member did not visit
  std::uint32_t edits = 0;
  std::uint32_t secondsReading = 0;
  std::vector<ThreadRead> threadsRead{};  // the latest day's only: older days keep their counts

  friend bool operator==(const DayActivity&, const DayActivity&) = default;
};

// The counters the rules read. The engine holds these fields as they are (site_state.h); records
// add only what names other entities by id.
struct MemberCounters {
  std::uint32_t daysVisited = 0;
  std::int32_t lastVisitDay = -1;
  std::uint32_t threadsEntered = 0;
  std::uint32_t postsRead = 0;
  std::uint64_t secondsReading = 0;
  std::uint32_t likesGiven = 0;
  std::uint32_t likesReceived = 0;
  std::uint32_t flagsRaised = 0;
  std::uint32_t flagsUpheld = 0;
  std::int32_t reputationDay = -1;
  std::int32_t reputationGainedToday = 0;
  std::int32_t trust3Since = -1;
  TimeMs lastSanctionAt = 0;
  std::vector<TimeMs> recentPostTimes;  // oldest first, at most the TL's posts per window
  std::vector<DayActivity> days;        // oldest first

  friend bool operator==(const MemberCounters&, const MemberCounters&) = default;
};

// A member's standing: kept in site snapshots only; events and thread snapshots omit it.
struct MemberStanding : MemberCounters {
  std::vector<RepliedThread> repliedThreads;

  friend bool operator==(const MemberStanding&, const MemberStanding&) = default;
};

// A member as everyone may see them.
struct MemberProfile {
  std::string id;
  std::string displayName;
  Role role = Role::member;
  TimeMs joinedAt = 0;
  std::uint32_t postCount = 0;
  std::int32_t reputation = 1;
  std::uint8_t trustLevel = 0;
  MemberState state = MemberState::active;
  TimeMs stateUntil = 0;
  bool roleAssigned = false;
  bool trustLevelGranted = false;

  friend bool operator==(const MemberProfile&, const MemberProfile&) = default;
};

struct MemberRecord : MemberProfile {
  MemberStanding standing;

  friend bool operator==(const MemberRecord&, const MemberRecord&) = default;
};

// A member's choice to follow a thread or not: by posting in it, or by the follow op.
struct FollowRecord {
  std::string memberId;
  bool following = false;

  friend bool operator==(const FollowRecord&, const FollowRecord&) = default;
};

struct ThreadRecord {
  std::string key;
  ThreadKind kind = ThreadKind::discussion;
  std::string title;
  std::string authorId;
  TimeMs createdAt = 0;
  ThreadState state = ThreadState::open;
  // Site snapshots and checkpoints: every member's, in the members' join order; a viewer's copy: their own.
  std::vector<FollowRecord> follows{};
};

struct EditRecord {
  std::string editorId;
  TimeMs time = 0;
  std::string previousBody;
};

struct VoteRecord {
  std::string memberId;
  VoteDirection direction = VoteDirection::none;
  std::int32_t authorDelta = 0;  // site snapshots only
  std::int32_t voterDelta = 0;
  std::int32_t day = 0;  // site snapshots only: the UTC day it was cast
};

enum class FlagResolution : std::uint8_t { open, upheld, dismissed };

struct FlagRecord {
  std::string memberId;
  FlagReason reason = FlagReason::spam;
  std::int32_t weight = 0;
  TimeMs time = 0;
  FlagResolution resolution = FlagResolution::open;

  friend bool operator==(const FlagRecord&, const FlagRecord&) = default;
};

// What the rules did because of a post, so removal, restore and undo reverse it exactly. The engine
// holds these fields as they are.
struct LedgerCounters {
  std::int32_t acceptAuthorDelta = 0;
  std::int32_t acceptAcceptorDelta = 0;
  std::int32_t praiseDelta = 0;
  std::int32_t removalPenalty = 0;
  bool reputationRevoked = false;
  std::int8_t spamTrained = 0;  // 1 spam, -1 ham
  // The text the filter learnt from, once an edit replaced it; empty while that is the body.
  std::string spamTrainedText;
  bool everVisible = false;
  std::uint64_t fingerprint = 0;
  TimeMs heldAt = 0;
  // Learnt as ham by the check (CheckAlerts) that comes once it stood spamHamAfterMinutes unflagged.
  bool hamPending = false;

  friend bool operator==(const LedgerCounters&, const LedgerCounters&) = default;
};

struct PostLedger : LedgerCounters {
  std::string acceptorId;
  std::vector<FlagRecord> flags;

  friend bool operator==(const PostLedger&, const PostLedger&) = default;
};

// A post's own facts, held by the engine as they are; records add the ids of what it links to.
struct PostFacts {
  std::string id;
  std::string body;
  TimeMs createdAt = 0;
  TimeMs editedAt = 0;  // 0 when never edited
  PostState state = PostState::visible;
  std::int32_t score = 0;
  Sequence createdSequence = 0;
  bool featured = false;
  std::int32_t flagScore = 0;
  ReasonCode heldReason = ReasonCode::none;
  Role authorRole = Role::member;
  bool erased = false;    // its text went with its author's data (docs/data-rights.md)
  bool imported = false;  // from another system's export (ImportPost): metrics count it apart
};

// What a page of a paged thread leaves of one list (thread_page.h): the next page starts after afterId.
struct ListMark {
  std::string parentId;  // empty: the top-level posts
  std::string afterId;
  std::uint32_t unloaded = 0;  // the list's posts that sort after afterId
};

struct PostRecord : PostFacts {
  std::string threadKey;
  std::string parentId;
  std::string authorId;
  bool accepted = false;  // derived: the question's accepted answer is this post
  std::vector<EditRecord> edits;
  std::vector<VoteRecord> votes;
  PostLedger ledger;  // site snapshots only
};

// One moderator action (or policy change) and what undoing it restores.
struct AuditRecord {
  struct Before {
    PostState postState = PostState::visible;
    bool featured = false;
    ThreadState threadState = ThreadState::open;
    MemberState memberState = MemberState::active;
    TimeMs stateUntil = 0;
    Role role = Role::member;
    bool roleAssigned = false;
    std::uint8_t trustLevel = 0;
    bool trustLevelGranted = false;
    std::vector<std::uint8_t> flagResolutions;
    ReasonCode heldReason = ReasonCode::none;
    std::int8_t spamTrained = 0;
    std::int32_t removalPenalty = 0;
    TimeMs lastSanctionAt = 0;
    std::int32_t trust3Since = -1;
    std::string title{};  // editTitle: the thread's title before
  };
  std::string id;  // the op id of the action
  std::string actorId;
  ModerationAction action = ModerationAction::approve;
  std::string reason;
  TimeMs time = 0;
  Sequence sequence = 0;
  std::string postId;
  std::string threadKey;
  std::string memberId;
  bool undone = false;
  std::string undoneBy;
  std::string undoReason;
  TimeMs undoTime = 0;
  Before before;
  bool isPolicyChange = false;
};

struct TokenCountRecord {
  std::string token;
  std::uint32_t spam = 0;
  std::uint32_t ham = 0;
};

struct SiteDay {
  std::int32_t day = 0;
  std::uint32_t threadsCreated = 0;
  std::uint32_t postsCreated = 0;
};

}  // namespace kring
