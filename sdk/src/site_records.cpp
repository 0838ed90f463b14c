#include "site_records.h"

#include <algorithm>
#include <optional>

namespace kring {

SiteRecords collectRecords(const SiteState& state) {
  SiteRecords records;
  records.siteId = state.siteId;
  records.lastSequence = state.lastSequence;
  records.members.reserve(state.members.size());
  for (std::uint32_t i = 0; i < state.members.size(); ++i) {
    records.members.push_back(state.memberRecord(i, SiteState::Detail::site));
  }
  records.threads.reserve(state.threads.size());
  for (std::uint32_t i = 0; i < state.threads.size(); ++i) records.threads.push_back(state.threadRecord(i));
  records.posts.reserve(state.posts.size());
  for (std::uint32_t i = 0; i < state.posts.size(); ++i) {
    records.posts.push_back(state.postRecord(i, SiteState::Detail::site));
  }
  records.policy = state.policy;
  records.audit = state.audit;
  records.spamDecisions = state.spamModel.spamDecisions;
  records.hamDecisions = state.spamModel.hamDecisions;
  for (auto& [token, counts] : state.spamModel.sortedTokens()) {
    records.spamTokens.push_back({token, counts.spam, counts.ham});
  }
  records.days = state.days;
  return records;
}

SiteRecords exportRecords(const Engine& engine) { return collectRecords(engine.state()); }

namespace {

Error broken(const std::string& what) { return Error{ReasonCode::malformedSnapshot, "The snapshot " + what + "."}; }

std::optional<Error> addPost(SiteState& state, const PostRecord& record, Votes votes) {
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
    post.votes.push_back(VoteEntry{voter, vote.direction, vote.authorDelta, vote.voterDelta, vote.day});
  }
  post.featured = record.featured;
  post.flagScore = record.flagScore;
  post.heldReason = record.heldReason;
  post.authorRole = record.authorRole;
  const PostLedger& ledger = record.ledger;
  if (!ledger.acceptorId.empty()) {
    post.acceptor = state.findMember(ledger.acceptorId);
    if (post.acceptor == kNone) return broken("names an unknown acceptor");
  }
  post.acceptAuthorDelta = ledger.acceptAuthorDelta;
  post.acceptAcceptorDelta = ledger.acceptAcceptorDelta;
  post.praiseDelta = ledger.praiseDelta;
  post.removalPenalty = ledger.removalPenalty;
  post.reputationRevoked = ledger.reputationRevoked;
  post.spamTrained = ledger.spamTrained;
  post.everVisible = ledger.everVisible;
  post.fingerprint = ledger.fingerprint;
  post.heldAt = ledger.heldAt;
  for (const FlagRecord& flag : ledger.flags) {
    // An empty id is a flag the rules raised (a watched word), not a member.
    std::uint32_t flagger = flag.memberId.empty() ? kNone : state.findMember(flag.memberId);
    if (!flag.memberId.empty() && flagger == kNone) return broken("has a flag by an unknown member");
    post.flags.push_back(FlagEntry{flagger, flag.reason, flag.weight, flag.time, flag.resolution});
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
  if (votes == Votes::all && score != post.score) return broken("has a post whose score does not match its votes");
  if (post.accepted) {
    if (thread.kind != ThreadKind::question || post.depth != 1) return broken("accepts a post that is not an answer");
    PostEntry& question = state.posts[post.parent];
    if (question.acceptedAnswer != kNone) return broken("accepts two answers to one question");
    question.acceptedAnswer = static_cast<std::uint32_t>(state.posts.size());
  }
  std::uint64_t fingerprint = post.fingerprint;
  std::uint32_t index = state.addPost(std::move(post));
  if (fingerprint != 0) state.postsByFingerprint[fingerprint].push_back(index);
  return std::nullopt;
}

std::optional<Error> addMember(SiteState& state, const MemberRecord& record) {
  if (record.id.empty() || state.findMember(record.id) != kNone) return broken("repeats or omits a member id");
  MemberEntry member;
  member.id = record.id;
  member.displayName = record.displayName;
  member.role = record.role;
  member.joinedAt = record.joinedAt;
  member.postCount = record.postCount;
  member.reputation = record.reputation;
  member.trustLevel = record.trustLevel;
  if (member.trustLevel > kMaxTrustLevel) return broken("has a trust level above 4");
  member.state = record.state;
  member.stateUntil = record.stateUntil;
  member.roleAssigned = record.roleAssigned;
  member.trustLevelGranted = record.trustLevelGranted;
  const MemberStanding& standing = record.standing;
  member.daysVisited = standing.daysVisited;
  member.lastVisitDay = standing.lastVisitDay;
  member.threadsEntered = standing.threadsEntered;
  member.postsRead = standing.postsRead;
  member.secondsReading = standing.secondsReading;
  member.likesGiven = standing.likesGiven;
  member.likesReceived = standing.likesReceived;
  member.flagsRaised = standing.flagsRaised;
  member.flagsUpheld = standing.flagsUpheld;
  member.reputationDay = standing.reputationDay;
  member.reputationGainedToday = standing.reputationGainedToday;
  member.trust3Since = standing.trust3Since;
  member.lastSanctionAt = standing.lastSanctionAt;
  member.recentPostTimes = standing.recentPostTimes;
  member.days = standing.days;
  state.addMember(std::move(member));
  return std::nullopt;
}

// Replied threads name threads, which are read after members.
std::optional<Error> linkRepliedThreads(SiteState& state, const std::vector<MemberRecord>& records) {
  for (std::uint32_t i = 0; i < records.size(); ++i) {
    auto& replied = state.members[i].repliedThreads;
    for (const RepliedThread& entry : records[i].standing.repliedThreads) {
      std::uint32_t thread = state.findThread(entry.threadKey);
      if (thread == kNone) return broken("has a member who replied in an unknown thread");
      replied.push_back(RepliedThreadEntry{thread, entry.lastDay});
    }
    std::sort(replied.begin(), replied.end(),
              [](const RepliedThreadEntry& a, const RepliedThreadEntry& b) { return a.thread < b.thread; });
  }
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<SiteState>> buildState(const SiteRecords& records, const Limits& limits, Votes votes) {
  auto state = std::make_unique<SiteState>();
  state->siteId = records.siteId;
  state->limits = limits;
  state->lastSequence = records.lastSequence;
  if (Status valid = validatePolicy(records.policy); !valid) {
    return Error{ReasonCode::malformedSnapshot, "The snapshot's policy is invalid: " + valid.error().message};
  }
  state->setPolicy(records.policy);
  for (const MemberRecord& member : records.members) {
    if (auto error = addMember(*state, member)) return *error;
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
  if (auto error = linkRepliedThreads(*state, records.members)) return *error;
  for (const PostRecord& record : records.posts) {
    if (auto error = addPost(*state, record, votes)) return *error;
  }
  for (const AuditRecord& entry : records.audit) {
    if (entry.id.empty() || state->auditIndex.count(entry.id) != 0) return broken("repeats or omits an audit id");
    state->addAudit(entry);
  }
  state->spamModel.spamDecisions = records.spamDecisions;
  state->spamModel.hamDecisions = records.hamDecisions;
  for (const TokenCountRecord& token : records.spamTokens) {
    state->spamModel.restoreToken(token.token, TokenCounts{token.spam, token.ham});
  }
  state->days = records.days;
  return state;
}

}  // namespace kring
