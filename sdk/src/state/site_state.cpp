#include "state/site_state.h"

#include <utility>

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

namespace {

std::uint32_t indexOf(const ShardedMap<std::string, std::uint32_t>& index, const std::string& key) {
  const std::uint32_t* found = index.find(key);
  return found == nullptr ? kNone : *found;
}

}  // namespace

std::uint32_t SiteState::findMember(const std::string& id) const { return indexOf(memberIndex, id); }
std::uint32_t SiteState::findThread(const std::string& key) const { return indexOf(threadIndex, key); }
std::uint32_t SiteState::findPost(const std::string& id) const { return indexOf(postIndex, id); }

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
    // Imported questions waited elsewhere (and the queue is in creation time): never alerted.
    if (thread.kind == ThreadKind::question && !entry.imported) alertQueue.push_back(index);
  } else {
    posts[entry.parent].children.push_back(index);
  }
#ifndef KRING_WIDGET_CORE
  if (entry.hamPending) hamQueue.push_back(index);
#endif
  posts.push_back(std::move(entry));
  return index;
}

void SiteState::settleAlertQueue() {
  const TimeMs window = TimeMs{policy.unansweredAlertMinutes} * 60'000;
  if (alertsCheckedAt == 0) return;
  std::erase_if(alertQueue, [&](std::uint32_t post) { return posts[post].createdAt + window <= alertsCheckedAt; });
}

bool SiteState::digestDue(TimeMs time) const {
  constexpr TimeMs kHourMs = 3'600'000;
  const std::int32_t hour = policy.staffDigestHourUtc;
  if (hour < 0 || dayOf(time) <= dayOf(digestSentAt)) return false;
  return time - TimeMs{dayOf(time)} * 24 * kHourMs >= hour * kHourMs;
}

std::size_t SiteState::reached(const std::vector<std::uint32_t>& queue, std::int32_t minutes, TimeMs time) const {
  const TimeMs window = TimeMs{minutes} * 60'000;
  if (window == 0) return 0;
  std::size_t count = 0;
  while (count < queue.size() && posts[queue[count]].createdAt + window <= time) ++count;
  return count;
}

std::size_t SiteState::questionsReached(TimeMs time) const {
  return reached(alertQueue, policy.unansweredAlertMinutes, time);
}

#ifndef KRING_WIDGET_CORE
std::size_t SiteState::hamReached(TimeMs time) const { return reached(hamQueue, policy.spamHamAfterMinutes, time); }
#endif

bool SiteState::awaitsAnswer(std::uint32_t starter) const {
  const PostEntry& post = posts[starter];
  const ThreadState state = threads[post.thread].state;
  if (post.state != PostState::visible || post.erased || state == ThreadState::locked ||
      state == ThreadState::archived) {
    return false;
  }
  return std::none_of(post.children.begin(), post.children.end(), [&](std::uint32_t child) {
    const PostEntry& reply = posts[child];
    return reply.author != post.author && reply.state == PostState::visible;
  });
}

std::string SiteState::memberId(std::uint32_t member) const {
  return member == kNone ? std::string() : members[member].id;
}

DayActivity& MemberEntry::day(std::int32_t today, const Policy& policy) {
  if (days.empty() || days.back().day != today) {
    if (!days.empty()) days.back().threadsRead.clear();  // reading dedupes within a day only
    // Oldest first: at most one bucket leaves per new one, so the count never grows past the window.
    if (!days.empty() && days.front().day <= today - policy.trust3WindowDays) days.erase(days.begin());
    days.push_back(DayActivity{today});
  }
  return days.back();
}

SiteDay& SiteState::day(std::int32_t today) {
  if (days.empty() || days.back().day != today) days.push_back(SiteDay{today});
  return days.back();
}

void SiteState::recountReputationGiven() {
  reputationGiven.clear();
  auto add = [&](std::uint32_t giver, std::uint32_t receiver, std::int32_t delta) {
    if (giver != kNone && delta > 0) reputationGiven[givenKey(giver, receiver)] += delta;
  };
  for (const PostEntry& post : posts) {
    for (const VoteEntry& vote : post.votes) add(vote.member, post.author, vote.authorDelta);
    add(post.acceptor, post.author, post.acceptAuthorDelta);
    if (post.acceptor != kNone) add(post.author, post.acceptor, post.acceptAcceptorDelta);
  }
}

void SiteState::setPolicy(Policy next) {
  policy = std::move(next);
  watchList = compileWatchList(policy.watchedWords);
}

void SiteState::addAudit(AuditRecord entry) {
  auditIndex.emplace(entry.id, static_cast<std::uint32_t>(audit.size()));
  audit.push_back(std::move(entry));
}

bool SiteState::isAccepted(std::uint32_t post) const {
  std::uint32_t parent = posts[post].parent;
  return parent != kNone && posts[parent].acceptedAnswer == post;
}

const char* SiteState::profileProblem(const MemberProfile& profile) {
  if (profile.id.empty()) return "names a member without an id";
  if (profile.trustLevel > kMaxTrustLevel) return "has a trust level above 4";
  return nullptr;
}

Result<PostEntry> SiteState::postFrom(const PostRecord& record) const {
  PostEntry post;
  static_cast<PostFacts&>(post) = record;
  if (record.id.empty()) return Error{ReasonCode::invalidId, "creates a post without an id"};
  post.thread = findThread(record.threadKey);
  if (post.thread == kNone) return Error{ReasonCode::unknownThread, "puts post " + record.id + " in an unknown thread"};
  post.author = findMember(record.authorId);
  if (post.author == kNone)
    return Error{ReasonCode::invalidMember, "names member " + record.authorId + ", who is unknown"};
  if (!record.parentId.empty()) {
    post.parent = findPost(record.parentId);
    if (post.parent == kNone)
      return Error{ReasonCode::unknownPost, "replies to post " + record.parentId + ", which is unknown"};
    const PostEntry& parent = posts[post.parent];
    if (parent.thread != post.thread) {
      return Error{ReasonCode::parentNotInThread, "replies to post " + parent.id + " of another thread"};
    }
    post.depth = parent.depth + 1;
    if (post.depth > limits.maxDepth(threads[post.thread].kind)) {
      return Error{ReasonCode::tooDeep, "nests post " + record.id + " deeper than its thread allows"};
    }
  }
  return post;
}

MemberRecord SiteState::memberRecord(std::uint32_t member, Detail detail) const {
  const MemberEntry& m = members[member];
  MemberRecord record;
  static_cast<MemberProfile&>(record) = m;
  if (detail == Detail::site) {
    static_cast<MemberCounters&>(record.standing) = m;
    for (const RepliedThreadEntry& replied : m.repliedThreads) {
      record.standing.repliedThreads.push_back({threads[replied.thread].key, replied.lastDay});
    }
  }
  return record;
}

ThreadRecord SiteState::threadRecord(std::uint32_t thread, Detail detail) const {
  const ThreadEntry& t = threads[thread];
  ThreadRecord record{t.key, t.kind, t.title, memberId(t.author), t.createdAt, t.state};
  if (detail == Detail::event) return record;
  record.follows.reserve(t.follows.size());
  for (const FollowEntry& follow : t.follows) record.follows.push_back({memberId(follow.member), follow.following});
  return record;
}

namespace {
std::vector<FollowEntry>::const_iterator followSlot(const std::vector<FollowEntry>& follows, std::uint32_t member) {
  return std::lower_bound(follows.begin(), follows.end(), member,
                          [](const FollowEntry& entry, std::uint32_t m) { return entry.member < m; });
}
}  // namespace

const FollowEntry* SiteState::findFollow(std::uint32_t thread, std::uint32_t member) const {
  const std::vector<FollowEntry>& follows = threads[thread].follows;
  auto slot = followSlot(follows, member);
  return slot != follows.end() && slot->member == member ? &*slot : nullptr;
}

bool SiteState::setFollow(std::uint32_t thread, std::uint32_t member, bool following, bool unlessChosen) {
  if (thread == kNone || member == kNone) return false;
  const std::vector<FollowEntry>& held = std::as_const(threads)[thread].follows;
  const auto slot = followSlot(held, member);
  const bool chosen = slot != held.end() && slot->member == member;
  if (chosen && (unlessChosen || slot->following == following)) return false;
  const auto at = slot - held.begin();
  std::vector<FollowEntry>& follows = threads[thread].follows;  // marks the thread for the checkpoint
  if (chosen) {
    follows[static_cast<std::size_t>(at)].following = following;
  } else {
    follows.insert(follows.begin() + at, FollowEntry{member, following});
  }
  return true;
}

#ifndef KRING_WIDGET_CORE
void SiteState::dropFollows(std::uint32_t member) {
  for (std::uint32_t thread = 0; thread < threads.size(); ++thread) {
    if (findFollow(thread, member) == nullptr) continue;  // marks only the threads it changes
    std::erase_if(threads[thread].follows, [member](const FollowEntry& entry) { return entry.member == member; });
  }
}

void SiteState::followByAuthorship() {
  for (std::uint32_t thread = 0; thread < threads.size(); ++thread) {
    setFollow(thread, std::as_const(threads)[thread].author, true, true);
    for (std::uint32_t post : std::as_const(threads)[thread].posts) {
      const PostEntry& entry = std::as_const(posts)[post];
      if (!entry.isRemoved()) setFollow(thread, entry.author, true, true);
    }
  }
}
#endif

PostRecord SiteState::postRecord(std::uint32_t post, Detail detail) const {
  const PostEntry& p = posts[post];
  PostRecord record;
  static_cast<PostFacts&>(record) = p;
  record.threadKey = threads[p.thread].key;
  record.parentId = p.parent == kNone ? std::string() : posts[p.parent].id;
  record.authorId = memberId(p.author);
  record.accepted = isAccepted(post);
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
  static_cast<LedgerCounters&>(ledger) = p;
  ledger.acceptorId = memberId(p.acceptor);
  for (const FlagEntry& f : p.flags)
    ledger.flags.push_back({memberId(f.member), f.reason, f.weight, f.time, f.resolution});
  return record;
}

void SiteState::markList(std::uint32_t thread, const ListMark& mark) {
  const std::uint32_t after = mark.afterId.empty() ? kNone : findPost(mark.afterId);
  if (mark.parentId.empty()) {
    threads[thread].paging.unloadedRoots = mark.unloaded;
    threads[thread].paging.rootsAfter = after;
  } else if (std::uint32_t parent = findPost(mark.parentId); parent != kNone) {
    posts[parent].unloadedReplies = mark.unloaded;
    posts[parent].repliesAfter = after;
  }
}

}  // namespace kring
