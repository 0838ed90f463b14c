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

std::optional<Error> addMember(SiteState& state, const MemberRecord& record) {
  if (const char* problem = SiteState::profileProblem(record)) return broken(problem);
  if (state.findMember(record.id) != kNone) return broken("repeats a member id");
  MemberEntry member;
  static_cast<MemberProfile&>(member) = record;
  static_cast<MemberCounters&>(member) = record.standing;
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
  state->recountReputationGiven();
  return state;
}

}  // namespace kring
