#include "kring/visibility.h"
#include "ops/handlers.h"
#include "rules/post_decisions.h"
#include "rules/reputation.h"

namespace kring {

namespace {

// The answer and its question, or the reason the post cannot be accepted or unaccepted.
struct AnswerLookup {
  std::uint32_t answer = kNone;
  std::uint32_t question = kNone;
  std::optional<Outcome> rejection;
};

AnswerLookup lookupAnswer(const OpContext& context, const std::string& answerId) {
  const SiteState& state = context.state;
  AnswerLookup result;
  PostLookup lookup = lookupShownPost(context, answerId);
  if (lookup.rejection) {
    result.rejection = std::move(lookup.rejection);
    return result;
  }
  const PostEntry& answer = state.posts[lookup.index];
  if (state.threads[answer.thread].kind != ThreadKind::question) {
    result.rejection = context.reject(ReasonCode::notAQuestion, "Only answers in a Q&A thread can be accepted.");
  } else if (answer.depth != 1) {
    result.rejection = context.reject(ReasonCode::notAnAnswer, "Only an answer to a question can be accepted.");
  } else if (state.posts[answer.parent].isRemoved()) {
    result.rejection = context.reject(ReasonCode::postRemoved, "The question has been removed.");
  } else if (!context.isActor(state.posts[answer.parent].author) && !speaksForSite(context.role())) {
    result.rejection =
        context.reject(ReasonCode::notPermitted, "Only the person who asked, or staff, can accept an answer.");
  } else if (!acceptsChanges(state.threads[answer.thread])) {
    result.rejection = context.reject(ReasonCode::threadLocked, "This thread is locked.");
  }
  result.answer = lookup.index;
  result.question = answer.parent;
  return result;
}

}  // namespace

Outcome applyAcceptAnswer(OpContext& context, const AcceptAnswer& body) {
  AnswerLookup lookup = lookupAnswer(context, body.answerId);
  if (lookup.rejection) return std::move(*lookup.rejection);
  SiteState& state = context.state;
  PostEntry& question = state.posts[lookup.question];
  if (question.acceptedAnswer == lookup.answer) {
    return context.reject(ReasonCode::alreadyAccepted, "This answer is already accepted.");
  }

  std::uint32_t acceptor = context.admitActor();
  // At most one accepted answer: accepting another moves it, and its reputation with it.
  if (question.acceptedAnswer != kNone) withdrawAcceptance(context, question.acceptedAnswer);
  question.acceptedAnswer = lookup.answer;
  PostEntry& answer = state.posts[lookup.answer];
  // Accepting your own answer earns nothing, and a guest's accept marks the answer without paying:
  // guests are free to mint, and each would be a fresh pair under the pair cap.
  if (answer.author != acceptor && !isGuestId(state.members[acceptor].id)) {
    const Policy& policy = context.policy();
    answer.acceptor = acceptor;
    // Both gains count against the pair cap: an asker and an answerer at two names farm no further.
    TimeMs time = context.op.time;
    std::int32_t toAuthor = std::min(policy.reputationAnswerAccepted, pairAllowance(state, acceptor, answer.author));
    std::int32_t toAcceptor = std::min(policy.reputationAcceptorBonus, pairAllowance(state, answer.author, acceptor));
    recordGiven(state, acceptor, answer.author, answer.acceptAuthorDelta,
                changeReputation(state, answer.author, toAuthor, time, Gain::other));
    recordGiven(state, answer.author, acceptor, answer.acceptAcceptorDelta,
                changeReputation(state, acceptor, toAcceptor, time, Gain::other));
    if (answer.acceptAuthorDelta != 0) context.touch(answer.author);
    if (answer.acceptAcceptorDelta != 0) context.touch(acceptor);
  }
  context.emit(AnswerAccepted{question.id, answer.id});
  return context.accept();
}

Outcome applyUnacceptAnswer(OpContext& context, const UnacceptAnswer& body) {
  AnswerLookup lookup = lookupAnswer(context, body.answerId);
  if (lookup.rejection) return std::move(*lookup.rejection);
  SiteState& state = context.state;
  PostEntry& question = state.posts[lookup.question];
  if (question.acceptedAnswer != lookup.answer) {
    return context.reject(ReasonCode::notAccepted, "This answer is not the accepted one.");
  }

  context.admitActor();
  withdrawAcceptance(context, lookup.answer);
  return context.accept();
}

}  // namespace kring
