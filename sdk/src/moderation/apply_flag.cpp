#include "ops/handlers.h"
#include "rules/post_decisions.h"

namespace kring {

namespace {

// Enough distinct members flagged a TL0 author's post as spam: the author is silenced until a
// moderator looks (docs/community-rules.md).
void silenceIfSpammer(OpContext& context, const PostEntry& post) {
  SiteState& state = context.state;
  MemberEntry& author = state.members[post.author];
  if (author.trustLevel != 0 || author.role != Role::member || author.state != MemberState::active) return;
  std::size_t spamFlaggers = countOpenFlags(post, [](const FlagEntry& flag) {
    return flag.member != kNone && flag.reason == FlagReason::spam && flag.weight > 0;
  });
  if (spamFlaggers < static_cast<std::size_t>(context.policy().flagSpamSilenceMembers)) return;
  author.state = MemberState::silenced;
  author.lastSanctionAt = context.op.time;
  context.touch(post.author);
}

}  // namespace

Outcome applyFlagPost(OpContext& context, const FlagPost& body) {
  SiteState& state = context.state;
  PostLookup lookup = lookupLivePost(context, body.postId);
  if (lookup.rejection) return std::move(*lookup.rejection);
  PostEntry& post = state.posts[lookup.index];
  if (context.isActor(post.author)) return context.reject(ReasonCode::ownPost, "You cannot flag your own post.");
  if (auto rejection = context.requireReputation(context.policy().privilegeFlag, "flag posts")) {
    return std::move(*rejection);
  }
  std::int32_t weight = flagWeight(context.policy(), context.trustLevel(), context.role() != Role::member);
  if (weight <= 0) {
    return context.reject(ReasonCode::insufficientTrustLevel,
                          "New members (trust level 0) cannot flag yet; read a little more first.");
  }
  if (context.actor != kNone) {
    for (const FlagEntry& flag : post.flags) {
      if (flag.member == context.actor)
        return context.reject(ReasonCode::alreadyFlagged, "You have already flagged this post.");
    }
  }

  // A flag from an account younger than flagFullWeightAfterDays reaches the queue but weighs
  // nothing: a ring of fresh accounts can neither hide a post nor silence its author.
  TimeMs joinedAt = context.actor == kNone ? context.op.time : state.members[context.actor].joinedAt;
  constexpr TimeMs kDayMs = 86'400'000;
  if (context.role() == Role::member &&
      context.op.time - joinedAt < static_cast<TimeMs>(context.policy().flagFullWeightAfterDays) * kDayMs) {
    weight = 0;
  }

  std::uint32_t flagger = context.admitActor();
  post.flags.push_back(FlagEntry{flagger, body.reason, weight, context.op.time});
  post.flagScore = openFlagScore(post);
  state.members[flagger].flagsRaised += 1;
  context.emit(PostFlagged{post.id, state.members[flagger].id, body.reason, post.flagScore});
  // Staff's and moderators' posts wait in the queue for a moderator rather than hide by flags.
  if (post.state == PostState::visible && post.authorRole == Role::member &&
      post.flagScore >= context.policy().flagHideScore) {
    setPostState(context, lookup.index, PostState::hiddenByFlags);
  }
  silenceIfSpammer(context, state.posts[lookup.index]);
  return context.accept();
}

}  // namespace kring
