// Internal: how the engine holds a site's state. Vectors keep creation order, which makes
// iteration (and so snapshots) deterministic; hash maps are used for lookups only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kring/limits.h"
#include "kring/policy.h"
#include "kring/records.h"
#include "kring/types.h"
#include "state/sharded_map.h"
#include "state/tracked.h"
#include "text/content.h"
#include "text/naive_bayes.h"

namespace kring {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

struct RepliedThreadEntry {
  std::uint32_t thread = 0;
  std::int32_t lastDay = 0;
};

// A member: the profile and counters of its records, held once; replied threads by index.
struct MemberEntry : MemberProfile, MemberCounters {
  std::vector<RepliedThreadEntry> repliedThreads;  // sorted by thread index

  // Today's activity bucket, created when missing. Buckets past the trust level 3 window, the
  // longest anything reads them over, go then: an active member's record stays bounded (it is
  // rewritten at each checkpoint after they act).
  DayActivity& day(std::int32_t today, const Policy& policy);
};

// A replica's, for a thread it holds part of (thread_page.h): what the server has that it does not.
// Each post with replies still to load says so itself (PostEntry::unloadedReplies).
struct ThreadPaging {
  bool paged = false;
  SortOrder order = SortOrder::top;
  std::uint32_t unloadedVisible = 0;  // readable posts, for counts
  std::uint32_t unloadedRoots = 0;    // top-level posts
  std::uint32_t rootsAfter = kNone;   // the last top-level post a page brought: the next starts after it
};

// A member's choice to follow a thread or not (FollowRecord), by member index.
struct FollowEntry {
  std::uint32_t member = kNone;
  bool following = false;
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
  std::vector<FollowEntry> follows;  // sorted by member index: who is told of a new post
  // A replica's: the highest sequence it holds of this thread (its snapshot's, then its events').
  Sequence lastSequence = 0;
  ThreadPaging paging;
};

// What a vote adds to a post's score.
constexpr std::int32_t voteWeight(VoteDirection direction) {
  return direction == VoteDirection::up ? 1 : direction == VoteDirection::down ? -1 : 0;
}

struct VoteEntry {
  std::uint32_t member = kNone;
  VoteDirection direction = VoteDirection::none;
  std::int32_t authorDelta = 0;  // reputation actually given to the author (after cap and floor)
  std::int32_t voterDelta = 0;   // reputation actually taken from the voter
  std::int32_t day = 0;          // UTC day cast: where its like was counted
};

struct FlagEntry {
  std::uint32_t member = kNone;
  FlagReason reason = FlagReason::spam;
  std::int32_t weight = 0;
  TimeMs time = 0;
  FlagResolution resolution = FlagResolution::open;
};

struct EditEntry {
  std::uint32_t editor = kNone;
  TimeMs time = 0;
  std::string previousBody;
};

// A post: the facts and ledger of its records, held once; links by index.
struct PostEntry : PostFacts, LedgerCounters {
  std::uint32_t thread = kNone;
  std::uint32_t parent = kNone;
  std::uint32_t author = kNone;
  std::uint32_t depth = 0;
  std::uint32_t acceptedAnswer = kNone;  // on a question: its accepted answer (the one place it is kept)
  std::uint32_t acceptor = kNone;        // on an accepted answer: who accepted it
  std::vector<EditEntry> edits;
  std::vector<VoteEntry> votes;         // sorted by member index: binary search, stable snapshots
  std::vector<std::uint32_t> children;  // creation order
  std::vector<FlagEntry> flags;
  // A paged replica's: replies it does not hold yet, and the last one a page brought.
  std::uint32_t unloadedReplies = 0;
  std::uint32_t repliesAfter = kNone;

  bool isRemoved() const { return state == PostState::removed || state == PostState::spam; }
  bool isShown() const { return state == PostState::visible; }
  // Where the member's vote is, or would be inserted.
  std::size_t voteSlot(std::uint32_t member) const;
  VoteDirection voteOf(std::uint32_t member) const;
};

struct SiteState {
  std::string siteId;
  Limits limits;
  Policy policy;  // change through setPolicy, which compiles the watched words
  WatchList watchList;
  Sequence lastSequence = 0;
  Tracked<AuditRecord> audit;  // in order; undo marks an entry, never removes it
  ShardedMap<std::string, std::uint32_t> auditIndex;
  BayesModel spamModel;
  // spamModel.trainings() when a checkpoint last took the model (checkpoint.h); none yet: take it.
  std::optional<std::uint64_t> spamModelTaken;
  std::vector<SiteDay> days;  // threads and posts created per day, oldest first
  // Unanswered-question alerts (CheckAlerts): the last check's time, and the questions (top-level
  // posts of question threads, creation order) that no check has reached yet. Derived on restore.
  TimeMs alertsCheckedAt = 0;
  TimeMs digestSentAt = 0;                // the check that last called for the staff's daily digest
  std::vector<std::uint32_t> alertQueue;  // a vector: the widget's wasm has one already
  // The posts waiting to train the classifier as ham once they stood (hamPending), creation order.
  // Derived on restore from the flags.
  std::vector<std::uint32_t> hamQueue;
  // Posts by text fingerprint: duplicate and repeated-content detection.
  ShardedMap<std::uint64_t, std::vector<std::uint32_t>> postsByFingerprint;
  // Tracked: a checkpoint (checkpoint.h) writes the entries changed since the last one.
  Tracked<MemberEntry> members;
  Tracked<ThreadEntry> threads;
  Tracked<PostEntry> posts;
  // Derived from the posts' votes and accepts (recountReputationGiven): what one member's up votes
  // and accepts gave another, by givenKey(giver, receiver). The pair cap reads it.
  std::unordered_map<std::uint64_t, std::int32_t> reputationGiven;
  static std::uint64_t givenKey(std::uint32_t giver, std::uint32_t receiver) {
    return (std::uint64_t{giver} << 32) | receiver;
  }
  void recountReputationGiven();
  ShardedMap<std::string, std::uint32_t> memberIndex;
  ShardedMap<std::string, std::uint32_t> threadIndex;
  ShardedMap<std::string, std::uint32_t> postIndex;

  // Out of line: called from everywhere, and the widget's wasm counts every inlined copy.
  std::uint32_t findMember(const std::string& id) const;
  std::uint32_t findThread(const std::string& key) const;
  std::uint32_t findPost(const std::string& id) const;

  std::uint32_t addMember(MemberEntry entry);
  std::uint32_t addThread(ThreadEntry entry);
  std::uint32_t addPost(PostEntry entry);  // links it under its thread and parent
  // After a restore: leaves out of alertQueue the questions the last check already reached.
  void settleAlertQueue();
  // A visible top-level post that no one but its author has answered visibly, in a thread that takes
  // replies: what a community manager makes sure gets an answer.
  bool awaitsAnswer(std::uint32_t starter) const;
  // Whether a check at `time` calls for the staff's daily digest: past the policy's hour, and not yet
  // on that UTC day.
  bool digestDue(TimeMs time) const;
  // How many questions at the front of alertQueue a check at `time` reaches (0 with alerts off).
  std::size_t questionsReached(TimeMs time) const;
  // How many posts at the front of hamQueue stood policy.spamHamAfterMinutes by `time` (0 when off).
  std::size_t hamReached(TimeMs time) const;
  // How many posts at the front of `queue` (creation order) are `minutes` old by `time`; 0 when 0.
  std::size_t reached(const std::vector<std::uint32_t>& queue, std::int32_t minutes, TimeMs time) const;

  // How much of a record to fill: events carry what a reader sees; thread snapshots add edits and
  // votes; site snapshots add the standing and ledger the rules need to continue exactly.
  enum class Detail { event, thread, site };
  MemberRecord memberRecord(std::uint32_t member, Detail detail = Detail::event) const;
  // Events carry no follows; a site's records carry every member's.
  ThreadRecord threadRecord(std::uint32_t thread, Detail detail = Detail::event) const;
  // Records a member's choice for a thread; with `unlessChosen`, only when they never chose there (a
  // post follows its thread, but not against an earlier unfollow). True when the choice changed.
  bool setFollow(std::uint32_t thread, std::uint32_t member, bool following, bool unlessChosen);
  // The member's choice for the thread; null when they never chose there.
  const FollowEntry* findFollow(std::uint32_t thread, std::uint32_t member) const;
  // Takes the member's choices out of every thread (an erasure).
  void dropFollows(std::uint32_t member);
  // Before threads carried their follows (a store or archive older than them): everyone who posted in
  // a thread, and its starter, follows it, as the rule read then.
  void followByAuthorship();
  PostRecord postRecord(std::uint32_t post, Detail detail) const;
  std::string memberId(std::uint32_t member) const;  // empty for kNone
  // Whether the post is its question's accepted answer.
  bool isAccepted(std::uint32_t post) const;
  // Whether a profile from a snapshot or an event may be held: nullptr when it may, else why not.
  static const char* profileProblem(const MemberProfile& profile);
  // A post record's facts with its links resolved (thread, author, a parent in the same thread,
  // a depth within the thread's limit): shared by snapshot restore and the replica. Edits, votes
  // and the ledger are the caller's.
  Result<PostEntry> postFrom(const PostRecord& record) const;
  SiteDay& day(std::int32_t today);
  void setPolicy(Policy next);
  // A paged replica takes what a page says is left of one of the thread's lists.
  void markList(std::uint32_t thread, const ListMark& mark);
  void addAudit(AuditRecord entry);
};

}  // namespace kring
