#include "wire/site_records.h"
#include "state/engine_access.h"

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
  for (std::uint32_t i = 0; i < state.threads.size(); ++i) {
    records.threads.push_back(state.threadRecord(i, SiteState::Detail::site));
  }
  records.posts.reserve(state.posts.size());
  for (std::uint32_t i = 0; i < state.posts.size(); ++i) {
    records.posts.push_back(state.postRecord(i, SiteState::Detail::site));
  }
  records.policy = state.policy;
  records.audit.assign(state.audit.begin(), state.audit.end());
  records.spamDecisions = state.spamModel.spamDecisions;
  records.hamDecisions = state.spamModel.hamDecisions;
  for (auto& [token, counts] : state.spamModel.sortedTokens()) {
    records.spamTokens.push_back({token, counts.spam, counts.ham});
  }
  records.days = state.days;
  records.alertsCheckedAt = state.alertsCheckedAt;
  records.digestSentAt = state.digestSentAt;
  return records;
}

SiteRecords exportRecords(const Engine& engine) { return collectRecords(EngineAccess::state(engine)); }

namespace {

Error broken(const std::string& what) { return Error{ReasonCode::malformedSnapshot, "The snapshot " + what + "."}; }

std::optional<Error> addPost(SiteState& state, const PostRecord& record, Votes votes) {
  if (state.findPost(record.id) != kNone) return broken("repeats a post id");
  Result<PostEntry> linked = state.postFrom(record);
  if (!linked) return broken(linked.error().message);
  PostEntry& post = linked.value();
  const ThreadEntry& thread = state.threads[post.thread];
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
  const PostLedger& ledger = record.ledger;
  static_cast<LedgerCounters&>(post) = ledger;
  if (!ledger.acceptorId.empty()) {
    post.acceptor = state.findMember(ledger.acceptorId);
    if (post.acceptor == kNone) return broken("names an unknown acceptor");
  }
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
  if (record.accepted) {
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

}  // namespace

StateBuilder::StateBuilder(std::string siteId, Sequence lastSequence, const Limits& limits, Votes votes)
    : state_(std::make_unique<SiteState>()), votes_(votes) {
  state_->siteId = std::move(siteId);
  state_->limits = limits;
  state_->lastSequence = lastSequence;
}

std::optional<Error> StateBuilder::setPolicy(const Policy& policy) {
  if (Status valid = validatePolicy(policy); !valid) {
    return Error{ReasonCode::malformedSnapshot, "The snapshot's policy is invalid: " + valid.error().message};
  }
  state_->setPolicy(policy);
  return std::nullopt;
}

void StateBuilder::reserve(std::uint32_t members, std::uint32_t threads, std::uint32_t posts, std::uint32_t audit) {
  SiteState& state = *state_;
  state.members.reserve(members);
  state.memberIndex.reserve(members);
  state.threads.reserve(threads);
  state.threadIndex.reserve(threads);
  state.posts.reserve(posts);
  state.postIndex.reserve(posts);
  state.postsByFingerprint.reserve(posts);
  state.audit.reserve(audit);
  state.auditIndex.reserve(audit);
}

std::optional<Error> StateBuilder::addMember(const MemberRecord& record) {
  if (const char* problem = SiteState::profileProblem(record)) return broken(problem);
  if (state_->findMember(record.id) != kNone) return broken("repeats a member id");
  MemberEntry member;
  static_cast<MemberProfile&>(member) = record;
  static_cast<MemberCounters&>(member) = record.standing;
  std::uint32_t index = state_->addMember(std::move(member));
  // Replied threads name threads, which come after members.
  if (!record.standing.repliedThreads.empty()) replied_.emplace_back(index, record.standing.repliedThreads);
  return std::nullopt;
}

std::optional<Error> StateBuilder::addThread(const ThreadRecord& record) {
  if (record.key.empty() || state_->findThread(record.key) != kNone) return broken("repeats or omits a thread key");
  ThreadEntry thread;
  thread.key = record.key;
  thread.kind = record.kind;
  thread.title = record.title;
  thread.author = state_->findMember(record.authorId);
  if (thread.author == kNone) return broken("has a thread whose author is missing");
  thread.createdAt = record.createdAt;
  thread.state = record.state;
  for (const FollowRecord& follow : record.follows) {
    std::uint32_t member = state_->findMember(follow.memberId);
    if (member == kNone) return broken("has a thread followed by a missing member");
    // In member order, each member once: as every writer writes them, and as lookups need them.
    if (!thread.follows.empty() && thread.follows.back().member >= member)
      return broken("has its follows out of order");
    thread.follows.push_back(FollowEntry{member, follow.following});
  }
  state_->addThread(std::move(thread));
  return std::nullopt;
}

std::optional<Error> StateBuilder::linkRepliedThreads() {
  if (linked_) return std::nullopt;
  linked_ = true;
  for (const auto& [member, entries] : replied_) {
    auto& replied = state_->members[member].repliedThreads;
    for (const RepliedThread& entry : entries) {
      std::uint32_t thread = state_->findThread(entry.threadKey);
      if (thread == kNone) return broken("has a member who replied in an unknown thread");
      replied.push_back(RepliedThreadEntry{thread, entry.lastDay});
    }
    std::sort(replied.begin(), replied.end(),
              [](const RepliedThreadEntry& a, const RepliedThreadEntry& b) { return a.thread < b.thread; });
  }
  replied_.clear();
  replied_.shrink_to_fit();
  return std::nullopt;
}

std::optional<Error> StateBuilder::addPost(const PostRecord& record) {
  if (auto error = linkRepliedThreads()) return error;
  return kring::addPost(*state_, record, votes_);
}

std::optional<Error> StateBuilder::addAudit(const AuditRecord& entry) {
  if (entry.id.empty() || state_->auditIndex.contains(entry.id)) return broken("repeats or omits an audit id");
  state_->addAudit(entry);
  return std::nullopt;
}

void StateBuilder::setSpamModel(std::uint32_t spamDecisions, std::uint32_t hamDecisions,
                                const std::vector<TokenCountRecord>& tokens) {
  state_->spamModel.spamDecisions = spamDecisions;
  state_->spamModel.hamDecisions = hamDecisions;
  for (const TokenCountRecord& token : tokens) {
    state_->spamModel.restoreToken(token.token, TokenCounts{token.spam, token.ham});
  }
}

void StateBuilder::setDays(std::vector<SiteDay> days) { state_->days = std::move(days); }

void StateBuilder::setFollowsRecorded(bool recorded) { followsRecorded_ = recorded; }

void StateBuilder::setAlerts(TimeMs checkedAt, TimeMs digestSentAt) {
  state_->alertsCheckedAt = checkedAt;
  state_->digestSentAt = digestSentAt;
}

Result<std::unique_ptr<SiteState>> StateBuilder::finish() {
  if (auto error = linkRepliedThreads()) return *error;
#ifndef KRING_WIDGET_CORE
  if (!followsRecorded_) state_->followByAuthorship();  // a store's or archive's: never a replica's
#endif
  state_->recountReputationGiven();
  state_->settleAlertQueue();
  return std::move(state_);
}

Result<std::unique_ptr<SiteState>> buildState(const SiteRecords& records, const Limits& limits, Votes votes) {
  StateBuilder builder(records.siteId, records.lastSequence, limits, votes);
  if (auto error = builder.setPolicy(records.policy)) return *error;
  for (const MemberRecord& member : records.members) {
    if (auto error = builder.addMember(member)) return *error;
  }
  for (const ThreadRecord& thread : records.threads) {
    if (auto error = builder.addThread(thread)) return *error;
  }
  for (const PostRecord& post : records.posts) {
    if (auto error = builder.addPost(post)) return *error;
  }
  for (const AuditRecord& entry : records.audit) {
    if (auto error = builder.addAudit(entry)) return *error;
  }
  builder.setSpamModel(records.spamDecisions, records.hamDecisions, records.spamTokens);
  builder.setDays(records.days);
  builder.setAlerts(records.alertsCheckedAt, records.digestSentAt);
  builder.setFollowsRecorded(records.followsRecorded);
  return builder.finish();
}

}  // namespace kring
