#include <algorithm>
#include <vector>

#include "moderation/moderation_access.h"
#include "ops/handlers.h"
#include "rules/moderation_pipeline.h"
#include "rules/post_decisions.h"
#include "rules/reputation.h"

namespace kring {

namespace {

struct Moderation {
  OpContext& context;
  const Moderate& body;
  AuditRecord entry;
  std::uint32_t post = kNone;
  std::uint32_t thread = kNone;
  std::uint32_t member = kNone;
  std::string title{};  // editTitle: the screened (censored) title

  SiteState& state() { return context.state; }
  Outcome invalid(std::string message) { return context.reject(ReasonCode::invalidAction, std::move(message)); }

  std::optional<Outcome> findTarget() {
    switch (targetOf(body.action)) {
      case Target::post: {
        PostLookup lookup;
        lookup.index = state().findPost(body.postId);
        if (lookup.index == kNone) return context.reject(ReasonCode::unknownPost, "There is no post with this id.");
        post = lookup.index;
        entry.postId = body.postId;
        entry.threadKey = state().threads[state().posts[post].thread].key;
        entry.memberId = state().members[state().posts[post].author].id;
        return std::nullopt;
      }
      case Target::thread:
        thread = state().findThread(body.threadKey);
        if (thread == kNone) return context.reject(ReasonCode::unknownThread, "There is no thread with this key.");
        entry.threadKey = body.threadKey;
        return std::nullopt;
      case Target::member:
        member = state().findMember(body.memberId);
        if (member == kNone) return context.reject(ReasonCode::unknownMember, "There is no member with this id.");
        entry.memberId = body.memberId;
        return checkMemberTarget(context, member, body.action);
    }
    return std::nullopt;
  }

  void remember() {
    AuditRecord::Before& before = entry.before;
    if (post != kNone) {
      const PostEntry& p = state().posts[post];
      before.postState = p.state;
      before.featured = p.featured;
      before.heldReason = p.heldReason;
      before.spamTrained = p.spamTrained;
      before.removalPenalty = p.removalPenalty;
      for (const FlagEntry& flag : p.flags)
        before.flagResolutions.push_back(static_cast<std::uint8_t>(flag.resolution));
    }
    if (thread != kNone) before.threadState = state().threads[thread].state;
    if (body.action == ModerationAction::editTitle) before.title = state().threads[thread].title;
    if (member != kNone) {
      const MemberEntry& m = state().members[member];
      before.memberState = m.state;
      before.stateUntil = m.stateUntil;
      before.role = m.role;
      before.roleAssigned = m.roleAssigned;
      before.trustLevel = m.trustLevel;
      before.trustLevelGranted = m.trustLevelGranted;
      before.lastSanctionAt = m.lastSanctionAt;
      before.trust3Since = m.trust3Since;
    }
  }

  // Resolves the open flags; upheld flags count for their raisers and against the author.
  void resolveFlags(FlagResolution resolution) {
    PostEntry& p = state().posts[post];
    std::int32_t today = dayOf(context.op.time);
    for (FlagEntry& flag : p.flags) {
      if (flag.resolution != FlagResolution::open) continue;
      flag.resolution = resolution;
      if (resolution != FlagResolution::upheld || flag.member == kNone) continue;
      state().members[flag.member].flagsUpheld += 1;
      if (isSpamOrOffensive(flag)) state().members[p.author].day(today, state().policy).flagsUpheldAgainst += 1;
    }
    p.flagScore = openFlagScore(p);
  }

#ifndef KRING_WIDGET_CORE
  // Data rights: the member's words and name leave the state for good. Their posts and threads stay
  // as tombstones, so replies, votes, answers and every count hold together.
  void eraseMember() {
    SiteState& site = state();
    const SiteState& reading = site;
    site.members[member].displayName.clear();
    context.touch(member);
    for (std::uint32_t index = 0; index < reading.posts.size(); ++index) {
      const PostEntry& found = reading.posts[index];
      if (found.author != member || found.erased) continue;
      setSpamTraining(site, index, 0);  // what the filter learnt from the words goes with them
      if (std::vector<std::uint32_t>* same = site.postsByFingerprint.find(found.fingerprint)) std::erase(*same, index);
      PostEntry& post = site.posts[index];
      post.fingerprint = 0;
      post.body.clear();
      post.erased = true;
      for (EditEntry& edit : post.edits) edit.previousBody.clear();
      context.emit(PostChanged{site.postRecord(index, SiteState::Detail::event)});
    }
    site.dropFollows(member);           // what they read and wanted to hear of is theirs too
    std::vector<std::uint32_t> titled;  // threads whose title went, ascending
    for (std::uint32_t index = 0; index < reading.threads.size(); ++index) {
      const ThreadEntry& found = reading.threads[index];
      if (found.author != member || found.title.empty()) continue;
      titled.push_back(index);
      site.threads[index].title.clear();
      context.emit(ThreadChanged{site.threadRecord(index)});
    }
    // A title edit remembers the title it replaced.
    for (std::uint32_t entry = 0; entry < reading.audit.size() && !titled.empty(); ++entry) {
      const AuditRecord& audited = reading.audit[entry];
      if (audited.before.title.empty()) continue;
      std::uint32_t thread = reading.findThread(audited.threadKey);
      if (std::binary_search(titled.begin(), titled.end(), thread)) site.audit[entry].before.title.clear();
    }
  }

#endif

  bool hasOpenFlags() const {
    return countOpenFlags(context.state.posts[post], [](const FlagEntry&) { return true; }) > 0;
  }

  void removeAs(PostState removedState, bool penalise, bool trainSpam) {
    withdrawAcceptance(context, post);
    if (penalise) setRemovalPenalty(context, post, context.policy().reputationRemovedAsSpam);
    if (trainSpam) setSpamTraining(state(), post, 1);
    setPostState(context, post, removedState);
  }

  void sanction(MemberState next, TimeMs until) {
    MemberEntry& m = state().members[member];
    m.state = next;
    m.stateUntil = until;
    if (next == MemberState::silenced || next == MemberState::suspended) m.lastSanctionAt = context.op.time;
    context.touch(member);
  }

  // Every reason the action cannot be taken, before anything changes.
  std::optional<Outcome> check() {
    switch (body.action) {
      case ModerationAction::approve: {
        PostState current = state().posts[post].state;
        if (current != PostState::pendingReview && current != PostState::hiddenByFlags) {
          return context.reject(ReasonCode::notPending,
                                "Only a post held for review or hidden by flags can be approved.");
        }
        return std::nullopt;
      }
      case ModerationAction::reject:
        if (state().posts[post].isRemoved())
          return context.reject(ReasonCode::postRemoved, "This post has already been removed.");
        return std::nullopt;
      case ModerationAction::hide:
        if (!state().posts[post].isShown()) return invalid("Only a visible post can be hidden.");
        return std::nullopt;
      case ModerationAction::restore:
        if (state().posts[post].isShown()) return invalid("The post is already visible.");
        return std::nullopt;
      case ModerationAction::upholdFlags:
      case ModerationAction::dismissFlags:
        if (!hasOpenFlags()) return invalid("The post has no open flags.");
        return std::nullopt;
      case ModerationAction::feature:
        if (!state().posts[post].isShown()) return invalid("Only a visible post can be featured.");
        if (state().posts[post].featured) return invalid("The post is already featured.");
        return std::nullopt;
      case ModerationAction::lock:
      case ModerationAction::pin:
        if (state().threads[thread].state == threadStateAfter()) return invalid("The thread is already in that state.");
        return std::nullopt;
      case ModerationAction::unlock:
        if (state().threads[thread].state != ThreadState::locked) return invalid("The thread is not locked.");
        return std::nullopt;
      case ModerationAction::unpin:
        if (state().threads[thread].state != ThreadState::pinned) return invalid("The thread is not pinned.");
        return std::nullopt;
      case ModerationAction::editTitle: {
        Screening screened = screenTitle(context, body.title, false);
        if (screened.rejection) return std::move(screened.rejection);
        if (screened.body == state().threads[thread].title) {
          return context.reject(ReasonCode::unchanged, "The thread already has this title.");
        }
        title = std::move(screened.body);
        return std::nullopt;
      }
      case ModerationAction::silence:
      case ModerationAction::ban:
        if (state().members[member].state == memberStateAfter()) return invalid("The member is already in that state.");
        return std::nullopt;
      case ModerationAction::suspend:
        if (body.until <= context.op.time) return invalid("A suspension ends in the future.");
        return std::nullopt;
      case ModerationAction::unban:
        if (state().members[member].state == MemberState::active) return invalid("The member is not sanctioned.");
        return std::nullopt;
      case ModerationAction::setRole: return std::nullopt;
      case ModerationAction::erase:
#ifdef KRING_WIDGET_CORE
        // The widget's build leaves erasure out (its budget): a widget never sends one, and it takes
        // an erasure's effect from the server's events like any other.
        return context.reject(ReasonCode::notPermitted, kWidgetLeavesToServer);
#else
        return std::nullopt;
#endif
      case ModerationAction::setTrustLevel:
        if (body.trustLevel > kMaxTrustLevel) return invalid("Trust levels run from 0 to 4.");
        return std::nullopt;
    }
    return invalid("Unknown moderator action.");
  }

  ThreadState threadStateAfter() const {
    return body.action == ModerationAction::lock  ? ThreadState::locked
           : body.action == ModerationAction::pin ? ThreadState::pinned
                                                  : ThreadState::open;
  }

  MemberState memberStateAfter() const {
    switch (body.action) {
      case ModerationAction::silence: return MemberState::silenced;
      case ModerationAction::suspend: return MemberState::suspended;
      case ModerationAction::ban: return MemberState::banned;
      default: return MemberState::active;
    }
  }

  void perform() {
    const Policy& policy = context.policy();
    switch (body.action) {
      case ModerationAction::approve: {
        resolveFlags(FlagResolution::dismissed);
        setSpamTraining(state(), post, -1);  // a moderator judged it fine: the filter learns "ham"
        setPostState(context, post, PostState::visible);
        return;
      }
      case ModerationAction::reject:
        resolveFlags(FlagResolution::upheld);
        removeAs(body.asSpam ? PostState::spam : PostState::removed, body.asSpam, body.asSpam);
        return;
      case ModerationAction::hide: setPostState(context, post, PostState::hiddenByModerator); return;
      case ModerationAction::restore:
        resolveFlags(FlagResolution::dismissed);
        setRemovalPenalty(context, post, 0);
        setSpamTraining(state(), post, -1);
        setPostState(context, post, PostState::visible);
        return;
      case ModerationAction::upholdFlags: {
        // What the open flags say is what upholding them confirms.
        const PostEntry& flagged = state().posts[post];
        bool penalise = countOpenFlags(flagged, isSpamOrOffensive) > 0;
        bool spam = countOpenFlags(flagged, [](const FlagEntry& flag) { return flag.reason == FlagReason::spam; }) > 0;
        resolveFlags(FlagResolution::upheld);
        if (state().posts[post].isRemoved()) {
          context.emit(PostChanged{state().postRecord(post, SiteState::Detail::event)});
        } else {
          removeAs(spam ? PostState::spam : PostState::removed, penalise, spam);
        }
        return;
      }
      case ModerationAction::dismissFlags:
        resolveFlags(FlagResolution::dismissed);
        if (state().posts[post].state == PostState::hiddenByFlags) {
          setPostState(context, post, PostState::visible);
        } else {
          context.emit(PostChanged{state().postRecord(post, SiteState::Detail::event)});
        }
        return;
      case ModerationAction::feature: {
        PostEntry& p = state().posts[post];
        p.featured = true;
        p.praiseDelta =
            changeReputation(state(), p.author, policy.reputationFeaturedPraise, context.op.time, Gain::other);
        if (p.praiseDelta != 0) context.touch(p.author);
        context.emit(PostChanged{state().postRecord(post, SiteState::Detail::event)});
        return;
      }
      case ModerationAction::lock:
      case ModerationAction::unlock:
      case ModerationAction::pin:
      case ModerationAction::unpin:
        state().threads[thread].state = threadStateAfter();
        context.emit(ThreadChanged{state().threadRecord(thread)});
        return;
      case ModerationAction::editTitle:
        state().threads[thread].title = title;
        context.emit(ThreadChanged{state().threadRecord(thread)});
        return;
      case ModerationAction::silence:
      case ModerationAction::ban:
      case ModerationAction::unban: sanction(memberStateAfter(), 0); return;
      case ModerationAction::suspend: sanction(MemberState::suspended, body.until); return;
      case ModerationAction::setRole: {
        MemberEntry& m = state().members[member];
        m.role = body.role;
        m.roleAssigned = true;
        context.touch(member);
        return;
      }
      case ModerationAction::erase:
#ifndef KRING_WIDGET_CORE
        eraseMember();
#endif
        return;
      case ModerationAction::setTrustLevel: {
        MemberEntry& m = state().members[member];
        m.trustLevel = body.trustLevel;
        m.trustLevelGranted = true;
        m.trust3Since = body.trustLevel == 3 ? dayOf(context.op.time) : -1;
        context.touch(member);
        return;
      }
    }
  }
};

}  // namespace

Outcome applyModerate(OpContext& context, const Moderate& body) {
  if (auto rejection = checkReason(context, body.reason)) return std::move(*rejection);
  if (!permitted(context, body.action)) {
    return context.reject(ReasonCode::notPermitted, "You may not take this moderator action.");
  }
  Moderation moderation{context, body, {}};
  if (auto rejection = moderation.findTarget()) return std::move(*rejection);
  moderation.remember();
  if (context.state.auditIndex.contains(context.op.id)) {
    return context.reject(ReasonCode::duplicateActionId, "An action with this id is already in the audit log.");
  }
  if (auto rejection = moderation.check()) return std::move(*rejection);
  std::uint32_t actor = context.admitActor();
  moderation.perform();

  AuditRecord& entry = moderation.entry;
  entry.id = context.op.id;
  entry.actorId = context.state.members[actor].id;
  entry.action = body.action;
  entry.reason = body.reason;
  entry.time = context.op.time;
  entry.sequence = context.op.sequence;
  context.emit(ModerationRecorded{entry});
  context.state.addAudit(std::move(entry));
  return context.accept();
}

}  // namespace kring
