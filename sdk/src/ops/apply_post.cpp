#include <algorithm>

#include "ops/handlers.h"
#include "rules/moderation_pipeline.h"
#include "rules/post_decisions.h"
#include "rules/reputation.h"
#include "rules/trust.h"

namespace kring {

namespace {

Outcome lockedThread(const OpContext& context) {
  return context.reject(ReasonCode::threadLocked, "This thread is locked.");
}

// The rate limit's window holds what the policy allows: times past the window are dropped, and no
// member keeps more than the most posts any trust level may make in it.
void recordPostTime(const Policy& policy, MemberEntry& author, TimeMs time) {
  TimeMs windowStart = time - static_cast<TimeMs>(policy.rateWindowSeconds) * 1000;
  std::erase_if(author.recentPostTimes, [&](TimeMs earlier) { return earlier <= windowStart; });
  author.recentPostTimes.push_back(time);
  std::int32_t most = 0;
  for (std::uint8_t level = 0; level <= 4; ++level) most = std::max(most, postsPerWindow(policy, level));
  if (author.recentPostTimes.size() > static_cast<std::size_t>(most)) {
    author.recentPostTimes.erase(author.recentPostTimes.begin(),
                                 author.recentPostTimes.end() - static_cast<std::ptrdiff_t>(most));
  }
}

#ifndef KRING_WIDGET_CORE
// A post that goes up trains the filter as ham without a moderator's click: at once from staff or a
// trusted member; from anyone else once it stood spamHamAfterMinutes without an open or upheld flag
// (the server's next CheckAlerts), so that a site whose moderators review only what is held does not
// learn ham from the filter's mistakes alone. Only the author's first posts of the op's UTC day count
// (the day's post count is already stored with the member), so no one member can steer the filter.
bool mayTrainAsHam(const OpContext& context, MemberEntry& author, std::int32_t today, const Screening& screening) {
  const Policy& policy = context.policy();
  if (screening.flagForReview || screening.screenedByServer || policy.spamHamPostsPerDay == 0) return false;
  return author.day(today, context.state.policy).posts <= static_cast<std::uint32_t>(policy.spamHamPostsPerDay);
}
#endif

}  // namespace

Outcome applyCreatePost(OpContext& context, const CreatePost& body) {
  SiteState& state = context.state;
  if (state.findPost(context.op.id) != kNone) {
    return context.reject(ReasonCode::duplicatePostId, "A post with this id already exists.");
  }
  std::uint32_t thread = state.findThread(body.threadKey);
  if (thread == kNone) return context.reject(ReasonCode::unknownThread, "There is no thread with this key.");
  if (!acceptsChanges(state.threads[thread])) return lockedThread(context);
  if (auto rejection = checkBody(context, body.body)) return std::move(*rejection);

  std::uint32_t parent = kNone;
  std::uint32_t depth = 0;
  if (!body.parentId.empty()) {
    PostLookup lookup = lookupLivePost(context, body.parentId);
    if (lookup.rejection) return std::move(*lookup.rejection);
    parent = lookup.index;
    if (state.posts[parent].thread != thread) {
      return context.reject(ReasonCode::parentNotInThread, "The post you reply to is in another thread.");
    }
    depth = state.posts[parent].depth + 1;
    if (depth > state.limits.maxDepth(state.threads[thread].kind)) {
      return context.reject(ReasonCode::tooDeep, "Replies cannot be nested this deep; reply higher up instead.");
    }
    // A comment on someone else's answer in a Q&A thread is a privilege; answers are not.
    const PostEntry& answer = state.posts[parent];
    if (depth == 2 && state.threads[thread].kind == ThreadKind::question && !context.isActor(answer.author) &&
        !context.isActor(state.posts[answer.parent].author)) {
      if (auto rejection = context.requireReputation(context.policy().privilegeComment, "comment on others' posts")) {
        return std::move(*rejection);
      }
    }
  }
  Screening screening = screenPost(context, body.body, Screen::newPost);
  if (screening.rejection) return std::move(*screening.rejection);

  PostEntry post;
  post.id = context.op.id;
  post.thread = thread;
  post.parent = parent;
  post.author = context.admitActor();
  post.authorRole = context.role();
  post.body = std::move(screening.body);
  post.createdAt = context.op.time;
  post.depth = depth;
  post.createdSequence = context.op.sequence;
  post.fingerprint = screening.fingerprint;
  bool held = screening.heldReason != ReasonCode::none;
  if (held) {
    post.state = PostState::pendingReview;
    post.heldReason = screening.heldReason;
    post.heldAt = context.op.time;
  } else {
    post.everVisible = true;
  }
  if (screening.flagForReview) post.flags.push_back(FlagEntry{kNone, FlagReason::other, 0, context.op.time});
  std::uint32_t index = state.addPost(std::move(post));
  state.postsByFingerprint[screening.fingerprint].push_back(index);

  MemberEntry& author = state.members[state.posts[index].author];
  author.postCount += 1;
  std::int32_t today = dayOf(context.op.time);
  author.day(today, state.policy).posts += 1;
  if (parent != kNone || state.threads[thread].author != state.posts[index].author) recordReply(author, thread, today);
  if (rateLimitApplies(context)) recordPostTime(context.policy(), author, context.op.time);
  state.day(today).postsCreated += 1;

#ifndef KRING_WIDGET_CORE
  // The widget's replica holds no model (the site's alone) and leaves this out.
  if (!held && mayTrainAsHam(context, author, today, screening)) {
    if (speaksForSite(context.role()) || context.trustLevel() >= context.policy().spamHamTrustLevel) {
      setSpamTraining(state, index, -1);
    } else if (context.policy().spamHamAfterMinutes > 0) {
      state.posts[index].hamPending = true;
      state.hamQueue.push_back(index);
    }
  }
#endif

  context.emit(PostCreated{state.postRecord(index, SiteState::Detail::event)});
  followByPosting(context, thread, state.posts[index].author);
  if (held) return context.hold(screening.heldReason, std::move(screening.heldMessage));
  return acceptScreened(context, screening);
}

Outcome applyEditPost(OpContext& context, const EditPost& body) {
  SiteState& state = context.state;
  PostLookup lookup = lookupLivePost(context, body.postId);
  if (lookup.rejection) return std::move(*lookup.rejection);
  PostEntry& post = state.posts[lookup.index];
  if (post.erased) return context.reject(ReasonCode::postRemoved, "This post was erased.");
  if (!acceptsChanges(state.threads[post.thread])) return lockedThread(context);
  if (!context.isActor(post.author) && !context.mayModerate(context.policy().privilegeEditOthers)) {
    return context.reject(ReasonCode::notAuthor, "Only the author, a moderator or a member with " +
                                                     std::to_string(context.policy().privilegeEditOthers) +
                                                     " reputation can edit this post.");
  }
  if (auto rejection = checkBody(context, body.body)) return std::move(*rejection);
  if (body.body == post.body) return context.reject(ReasonCode::unchanged, "The edit changes nothing.");
  if (post.edits.size() >= static_cast<std::size_t>(context.policy().editMaxPerPost)) {
    return context.reject(ReasonCode::tooManyEdits, "This post was edited " + std::to_string(post.edits.size()) +
                                                        " times, as often as this site allows.");
  }
  Screening screening = screenPost(context, body.body, Screen::edit);
  if (screening.rejection) return std::move(*screening.rejection);

  std::uint32_t index = lookup.index;
  std::uint32_t editor = context.admitActor();
  PostEntry& edited = state.posts[index];
  // An edit does not retrain the filter: keep what it learnt from, for an exact unlearning.
  if (edited.spamTrained != 0 && edited.spamTrainedText.empty()) edited.spamTrainedText = edited.body;
  edited.edits.push_back(EditEntry{editor, context.op.time, std::move(edited.body)});
  edited.body = std::move(screening.body);
  edited.editedAt = context.op.time;
  state.members[editor].day(dayOf(context.op.time), state.policy).edits += 1;
  if (screening.flagForReview) edited.flags.push_back(FlagEntry{kNone, FlagReason::other, 0, context.op.time});
  bool holds = screening.heldReason != ReasonCode::none && edited.state == PostState::visible;
  // The event names the state the edit leaves the post in: a held edit's text reaches no reader.
  context.emit(PostEdited{edited.id, edited.body, state.members[editor].id, state.memberId(edited.author),
                          holds ? PostState::pendingReview : edited.state});
  if (holds) {
    edited.heldReason = screening.heldReason;
    setPostState(context, index, PostState::pendingReview);
    return context.hold(screening.heldReason, std::move(screening.heldMessage));
  }
  return acceptScreened(context, screening);
}

Outcome applyDeletePost(OpContext& context, const DeletePost& body) {
  SiteState& state = context.state;
  PostLookup lookup = lookupLivePost(context, body.postId);
  if (lookup.rejection) return std::move(*lookup.rejection);
  PostEntry& post = state.posts[lookup.index];
  if (!context.isActor(post.author) && !canModerate(context.role())) {
    return context.reject(ReasonCode::notAuthor, "Only the author or a moderator can delete this post.");
  }

  context.admitActor();
  // The body stays in the state: deletion is soft and keeps the audit trail. The edit history goes
  // (a moderator who removes a post as a decision rejects it instead, and that keeps the history).
  post.edits.clear();
  withdrawAcceptance(context, lookup.index);
  setPostState(context, lookup.index, PostState::removed, Announce::no);
  context.emit(PostDeleted{post.id});
  return context.accept();
}

}  // namespace kring
