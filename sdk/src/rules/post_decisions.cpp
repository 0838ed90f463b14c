#include "rules/post_decisions.h"

#include "rules/reputation.h"
#include "text/content.h"

namespace kring {

void setPostState(OpContext& context, std::uint32_t index, PostState next, Announce announce) {
  SiteState& state = context.state;
  PostEntry& post = state.posts[index];
  bool wasRemoved = post.isRemoved();
  post.state = next;
  if (next == PostState::visible) {
    post.everVisible = true;
    post.heldReason = ReasonCode::none;
  } else if (next != PostState::removed && next != PostState::spam) {
    post.heldAt = context.op.time;
  }
  std::vector<std::uint32_t> changed;
  if (!wasRemoved && post.isRemoved()) {
    changed = revokePostReputation(state, index, context.op.time);
  } else if (wasRemoved && !post.isRemoved()) {
    changed = restorePostReputation(state, index, context.op.time);
  }
  for (std::uint32_t member : changed) context.touch(member);
  if (announce == Announce::yes) context.emit(PostChanged{state.postRecord(index, SiteState::Detail::event)});
}

void setSpamTraining(SiteState& state, std::uint32_t index, std::int8_t desired) {
  PostEntry& post = state.posts[index];
  if (post.spamTrained == desired) return;
#ifndef KRING_WIDGET_CORE
  // Unlearn the text the filter saw, which an edit since may have replaced.
  if (post.spamTrained != 0) {
    const std::string& learnt = post.spamTrainedText.empty() ? post.body : post.spamTrainedText;
    state.spamModel.train(spamTokens(learnt, post.parent != kNone), post.spamTrained > 0, -1);
  }
  if (desired != 0) state.spamModel.train(spamTokens(post.body, post.parent != kNone), desired > 0, 1);
#endif
  post.spamTrained = desired;
  post.spamTrainedText.clear();
}

void setRemovalPenalty(OpContext& context, std::uint32_t index, std::int32_t amount) {
  PostEntry& post = context.state.posts[index];
  if (post.removalPenalty == amount) return;
  std::int32_t before = context.state.members[post.author].reputation;
  // Refund what was taken, then take the new amount; what the floor allowed is what is kept.
  if (post.removalPenalty != 0)
    changeReputation(context.state, post.author, post.removalPenalty, context.op.time, Gain::other);
  post.removalPenalty =
      amount == 0 ? 0 : -changeReputation(context.state, post.author, -amount, context.op.time, Gain::other);
  if (context.state.members[post.author].reputation != before) context.touch(post.author);
}

void reverseAcceptReputation(OpContext& context, std::uint32_t index) {
  SiteState& state = context.state;
  PostEntry& answer = state.posts[index];
  if (!answer.reputationRevoked) {
    if (answer.acceptAuthorDelta != 0) {
      changeReputation(state, answer.author, -answer.acceptAuthorDelta, context.op.time, Gain::other);
      context.touch(answer.author);
    }
    if (answer.acceptAcceptorDelta != 0 && answer.acceptor != kNone) {
      changeReputation(state, answer.acceptor, -answer.acceptAcceptorDelta, context.op.time, Gain::other);
      context.touch(answer.acceptor);
    }
  }
  recordGiven(state, answer.acceptor, answer.author, answer.acceptAuthorDelta, 0);
  recordGiven(state, answer.acceptor == kNone ? kNone : answer.author, answer.acceptor, answer.acceptAcceptorDelta, 0);
  answer.acceptor = kNone;
}

void withdrawAcceptance(OpContext& context, std::uint32_t answer) {
  SiteState& state = context.state;
  if (!state.isAccepted(answer)) return;
  reverseAcceptReputation(context, answer);
  PostEntry& question = state.posts[state.posts[answer].parent];
  question.acceptedAnswer = kNone;
  context.emit(AnswerUnaccepted{question.id, state.posts[answer].id});
}

std::int32_t openFlagScore(const PostEntry& post) {
  std::int32_t score = 0;
  for (const FlagEntry& flag : post.flags) {
    if (flag.resolution == FlagResolution::open) score += flag.weight;
  }
  return score;
}

}  // namespace kring
