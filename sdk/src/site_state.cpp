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

DayActivity& MemberEntry::day(std::int32_t today) {
  if (days.empty() || days.back().day != today) days.push_back(DayActivity{today});
  return days.back();
}

SiteDay& SiteState::day(std::int32_t today) {
  if (days.empty() || days.back().day != today) days.push_back(SiteDay{today});
  return days.back();
}

void SiteState::setPolicy(Policy next) {
  policy = std::move(next);
  watchList = compileWatchList(policy.watchedWords);
}

void SiteState::addAudit(AuditRecord entry) {
  auditIndex.emplace(entry.id, static_cast<std::uint32_t>(audit.size()));
  audit.push_back(std::move(entry));
}

MemberRecord SiteState::memberRecord(std::uint32_t member, Detail detail) const {
  const MemberEntry& m = members[member];
  MemberRecord record;
  record.id = m.id;
  record.displayName = m.displayName;
  record.role = m.role;
  record.joinedAt = m.joinedAt;
  record.postCount = m.postCount;
  record.reputation = m.reputation;
  record.trustLevel = m.trustLevel;
  record.state = m.state;
  record.stateUntil = m.stateUntil;
  record.roleAssigned = m.roleAssigned;
  record.trustLevelGranted = m.trustLevelGranted;
  if (detail == Detail::site) {
    MemberStanding& standing = record.standing;
    standing.daysVisited = m.daysVisited;
    standing.lastVisitDay = m.lastVisitDay;
    standing.threadsEntered = m.threadsEntered;
    standing.postsRead = m.postsRead;
    standing.secondsReading = m.secondsReading;
    standing.likesGiven = m.likesGiven;
    standing.likesReceived = m.likesReceived;
    standing.flagsRaised = m.flagsRaised;
    standing.flagsUpheld = m.flagsUpheld;
    standing.reputationDay = m.reputationDay;
    standing.reputationGainedToday = m.reputationGainedToday;
    standing.trust3Since = m.trust3Since;
    standing.lastSanctionAt = m.lastSanctionAt;
    standing.recentPostTimes = m.recentPostTimes;
    for (const RepliedThreadEntry& replied : m.repliedThreads) {
      standing.repliedThreads.push_back({threads[replied.thread].key, replied.lastDay});
    }
    standing.days = m.days;
  }
  return record;
}

ThreadRecord SiteState::threadRecord(std::uint32_t thread) const {
  const ThreadEntry& t = threads[thread];
  return ThreadRecord{t.key, t.kind, t.title, memberId(t.author), t.createdAt, t.state};
}

PostRecord SiteState::postRecord(std::uint32_t post, Detail detail) const {
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
  record.featured = p.featured;
  record.flagScore = p.flagScore;
  record.heldReason = p.heldReason;
  record.authorRole = p.authorRole;
  if (detail == Detail::event) return record;
  bool site = detail == Detail::site;
  record.edits.reserve(p.edits.size());
  for (const EditEntry& e : p.edits) record.edits.push_back({memberId(e.editor), e.time, e.previousBody});
  record.votes.reserve(p.votes.size());
  for (const VoteEntry& v : p.votes) {
    record.votes.push_back(
        {memberId(v.member), v.direction, site ? v.authorDelta : 0, site ? v.voterDelta : 0, site ? v.day : 0});
  }
  if (!site) return record;
  PostLedger& ledger = record.ledger;
  ledger.acceptorId = memberId(p.acceptor);
  ledger.acceptAuthorDelta = p.acceptAuthorDelta;
  ledger.acceptAcceptorDelta = p.acceptAcceptorDelta;
  ledger.praiseDelta = p.praiseDelta;
  ledger.removalPenalty = p.removalPenalty;
  ledger.reputationRevoked = p.reputationRevoked;
  ledger.spamTrained = p.spamTrained;
  ledger.everVisible = p.everVisible;
  ledger.fingerprint = p.fingerprint;
  ledger.heldAt = p.heldAt;
  for (const FlagEntry& f : p.flags) ledger.flags.push_back({memberId(f.member), f.reason, f.weight, f.time, f.resolution});
  return record;
}

}  // namespace kring
