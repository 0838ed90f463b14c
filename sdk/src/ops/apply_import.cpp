#include <algorithm>

#include "kring/visibility.h"
#include "ops/handlers.h"
#include "text/content.h"
#include "text/text.h"

namespace kring {

#ifndef KRING_WIDGET_CORE
namespace {

bool printable(std::string_view text, std::size_t limit) {
  return text.size() <= limit && isValidUtf8(text) && !hasControlCharacters(text);
}

bool importable(PostState state) {
  return state == PostState::visible || state == PostState::pendingReview || state == PostState::spam ||
         state == PostState::removed;
}

std::optional<Outcome> checkImport(const OpContext& context, const ImportPost& body) {
  const SiteState& state = context.state;
  const Limits& limits = state.limits;
  if (!context.op.actor.memberId.starts_with(kServerIdPrefix)) {
    return context.reject(ReasonCode::notPermitted, "Only the server imports posts.");
  }
  if (!body.authorId.starts_with(kImportedIdPrefix) || body.authorId.size() == kImportedIdPrefix.size() ||
      !printable(body.authorId, limits.maxMemberIdBytes) || !printable(body.authorName, limits.maxDisplayNameBytes)) {
    return context.reject(ReasonCode::invalidMember,
                          "An imported author's id starts with imported: and, like the name, is printable UTF-8 "
                          "within the limits.");
  }
  if (!importable(body.state)) {
    return context.reject(ReasonCode::malformedOp, "An imported post is visible, pending review, spam or removed.");
  }
  if (body.createdAt <= 0 || body.createdAt > context.op.time) {
    return context.reject(ReasonCode::malformedOp, "An imported post's time is missing or after the import's.");
  }
  if (state.findPost(context.op.id) != kNone) {
    return context.reject(ReasonCode::duplicatePostId, "This post was imported already.");
  }
  // A removed post may be a tombstone whose text the source did not keep.
  if (body.state != PostState::removed || !body.body.empty()) {
    if (auto rejection = checkBody(context, body.body)) return rejection;
  }
  const std::uint32_t thread = state.findThread(body.threadKey);
  if (thread == kNone) {
    if (!isValidThreadKey(body.threadKey, limits)) {
      return context.reject(
          ReasonCode::invalidThreadKey,
          "A thread key is 1 to " + std::to_string(limits.maxThreadKeyBytes) + " bytes of printable UTF-8.");
    }
    if (!printable(body.threadTitle, limits.maxTitleBytes)) {
      return context.reject(
          ReasonCode::titleTooLong,
          "The title is longer than " + std::to_string(limits.maxTitleBytes) + " bytes or not printable UTF-8.");
    }
  }
  if (!body.parentId.empty()) {
    const std::uint32_t parent = state.findPost(body.parentId);
    if (parent == kNone) return context.reject(ReasonCode::unknownPost, "The imported post's parent is not here.");
    if (thread == kNone || state.posts[parent].thread != thread) {
      return context.reject(ReasonCode::parentNotInThread, "The post you reply to is in another thread.");
    }
  }
  return std::nullopt;
}

std::uint32_t importedAuthor(OpContext& context, const ImportPost& body) {
  SiteState& state = context.state;
  std::uint32_t index = state.findMember(body.authorId);
  if (index == kNone) {
    MemberEntry entry;
    entry.id = body.authorId;
    entry.displayName = withoutBidiControls(body.authorName);
    entry.joinedAt = body.createdAt;
    entry.reputation = state.policy.reputationInitial;
    index = state.addMember(std::move(entry));
    context.emit(MemberJoined{state.memberRecord(index)});
  } else if (body.createdAt < state.members[index].joinedAt) {
    state.members[index].joinedAt = body.createdAt;  // joined with their oldest post, in whatever order it came
    context.touch(index);
  }
  return index;
}

std::uint32_t importedThread(OpContext& context, const ImportPost& body, std::uint32_t author) {
  SiteState& state = context.state;
  std::uint32_t index = state.findThread(body.threadKey);
  if (index != kNone) return index;
  ThreadEntry thread;
  thread.key = body.threadKey;
  thread.kind = body.threadKind;
  thread.title = withoutBidiControls(body.threadTitle);
  thread.author = author;
  thread.createdAt = body.createdAt;
  thread.state = body.threadLocked ? ThreadState::locked : ThreadState::open;
  index = state.addThread(std::move(thread));
  context.emit(ThreadCreated{state.threadRecord(index)});
  return index;
}

// The site's day of an imported post, which may lie before its newest: the list stays oldest first.
SiteDay& dayOfPast(SiteState& state, std::int32_t day) {
  if (state.days.empty() || state.days.back().day <= day) return state.day(day);
  auto at = std::lower_bound(state.days.begin(), state.days.end(), day,
                             [](const SiteDay& entry, std::int32_t key) { return entry.day < key; });
  if (at == state.days.end() || at->day != day) at = state.days.insert(at, SiteDay{day});
  return *at;
}

// The claimer, made a member when the claim is their first op.
std::uint32_t claimer(OpContext& context, const ClaimImported& body) {
  SiteState& state = context.state;
  std::uint32_t index = state.findMember(body.memberId);
  if (index != kNone) return index;
  MemberEntry entry;
  entry.id = body.memberId;
  entry.displayName = withoutBidiControls(body.displayName);
  entry.role = body.role;
  entry.joinedAt = context.op.time;
  entry.reputation = state.policy.reputationInitial;
  index = state.addMember(std::move(entry));
  context.emit(MemberJoined{state.memberRecord(index)});
  return index;
}

}  // namespace
#endif

// Another system's history, as it was there: its time, author and state, and no rule of ours on
// top (no screening, spam training, reputation, rate limit or notification). A reply nested past the
// thread's limit goes under its deepest ancestor that may take it. Imported questions are never
// alerted as unanswered: they waited elsewhere.
Outcome applyImportPost(OpContext& context, const ImportPost& body) {
#ifdef KRING_WIDGET_CORE
  return context.reject(ReasonCode::notPermitted, kWidgetLeavesToServer);
#else
  if (auto rejection = checkImport(context, body)) return std::move(*rejection);
  SiteState& state = context.state;
  const std::uint32_t author = importedAuthor(context, body);
  const std::uint32_t thread = importedThread(context, body, author);

  std::uint32_t parent = body.parentId.empty() ? kNone : state.findPost(body.parentId);
  const std::uint32_t maxDepth = state.limits.maxDepth(state.threads[thread].kind);
  while (parent != kNone && state.posts[parent].depth + 1 > maxDepth) parent = state.posts[parent].parent;

  PostEntry post;
  post.id = context.op.id;
  post.thread = thread;
  post.parent = parent;
  post.author = author;
  post.body = body.body;
  post.createdAt = body.createdAt;
  post.depth = parent == kNone ? 0 : state.posts[parent].depth + 1;
  post.createdSequence = context.op.sequence;
  post.fingerprint = contentFingerprint(post.body);
  post.state = body.state;
  post.imported = true;
  post.everVisible = body.state == PostState::visible;
  if (body.state == PostState::pendingReview) {
    post.heldReason = ReasonCode::importedHeld;
    post.heldAt = body.createdAt;
  }
  const std::uint32_t index = state.addPost(std::move(post));
  state.postsByFingerprint[state.posts[index].fingerprint].push_back(index);
  state.members[author].postCount += 1;
  dayOfPast(state, dayOf(body.createdAt)).postsCreated += 1;
  state.setFollow(thread, author, true, true);  // as a live author would; nobody to tell yet
  context.emit(PostCreated{state.postRecord(index, SiteState::Detail::event)});
  return context.accept();
#endif
}

// The imported author's posts and threads become the member's, with the reputation live members
// gave them here since the import; the author stays, with nothing left to claim.
Outcome applyClaimImported(OpContext& context, const ClaimImported& body) {
#ifdef KRING_WIDGET_CORE
  return context.reject(ReasonCode::notPermitted, kWidgetLeavesToServer);
#else
  SiteState& state = context.state;
  const Limits& limits = state.limits;
  if (!context.op.actor.memberId.starts_with(kServerIdPrefix)) {
    return context.reject(ReasonCode::notPermitted, "Only the server hands over imported history.");
  }
  const std::uint32_t from = state.findMember(body.importedId);
  if (from == kNone || !body.importedId.starts_with(kImportedIdPrefix)) {
    return context.reject(ReasonCode::unknownMember, "There is no imported author with this id.");
  }
  if (body.memberId.empty() || isReservedMemberId(body.memberId) ||
      !printable(body.memberId, limits.maxMemberIdBytes) || !printable(body.displayName, limits.maxDisplayNameBytes)) {
    return context.reject(ReasonCode::invalidMember, "Imported history goes to a host's member only.");
  }
  if (state.members[from].postCount == 0) {
    return context.reject(ReasonCode::unchanged, "This imported author's posts were claimed already.");
  }
  const std::uint32_t to = claimer(context, body);
  const SiteState& unmarked = state;  // reads through it leave the entries out of the next checkpoint
  for (std::uint32_t thread = 0; thread < state.threads.size(); ++thread) {
    if (unmarked.threads[thread].author != from) continue;
    state.threads[thread].author = to;
    context.emit(ThreadChanged{state.threadRecord(thread)});
  }
  for (std::uint32_t post = 0; post < state.posts.size(); ++post) {
    if (unmarked.posts[post].author != from) continue;
    state.posts[post].author = to;
    context.emit(PostChanged{state.postRecord(post, SiteState::Detail::event)});
  }
  // The author's follows become the member's where the member never chose.
  for (std::uint32_t thread = 0; thread < state.threads.size(); ++thread) {
    const FollowEntry* entry = unmarked.findFollow(thread, from);
    if (entry == nullptr) continue;
    const bool following = entry->following;
    std::erase_if(state.threads[thread].follows, [from](const FollowEntry& other) { return other.member == from; });
    if (state.setFollow(thread, to, following, true))
      context.emit(FollowChanged{unmarked.threads[thread].key, body.memberId, following});
  }
  MemberEntry& source = state.members[from];
  MemberEntry& target = state.members[to];
  target.postCount += std::exchange(source.postCount, 0);
  target.reputation += source.reputation - state.policy.reputationInitial;
  source.reputation = state.policy.reputationInitial;
  target.joinedAt = std::min(target.joinedAt, source.joinedAt);
  state.recountReputationGiven();  // by receiver: the votes on those posts now count for the member
  context.touch(from);
  context.touch(to);
  return context.accept();
#endif
}

}  // namespace kring
