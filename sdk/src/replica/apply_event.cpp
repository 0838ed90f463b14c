// Applying the server's events to a client replica. Each event repeats, on the replica, the change
// the engine made when it accepted the op (apply_*.cpp), and checks that the replica is in the
// state the engine was in: a replica that drifted refuses the batch rather than drift further.
#include <algorithm>
#include <memory>
#include <optional>

#include "kring/replica.h"
#include "state/engine_access.h"
#include "state/site_state.h"

namespace kring {

namespace {

// Member records and policy changes concern the whole site: a replica takes them from any
// thread's Events.
bool isSiteWide(const Event& event) {
  return std::holds_alternative<MemberJoined>(event.body) || std::holds_alternative<MemberChanged>(event.body) ||
         std::holds_alternative<PolicyChanged>(event.body);
}

// Applies one event to a state (a copy of the replica's: the caller keeps it only if all apply).
class EventApplier {
 public:
  // `partial`: the events' thread is paged (thread_page.h), so an event may name a post the replica
  // does not hold yet; it skips that event, since the page that brings the post brings it as it is.
  EventApplier(SiteState& state, const Event& event, bool partial) : state_(state), event_(event), partial_(partial) {}

  std::optional<Error> operator()(const MemberJoined& body) { return putMember(body.member); }
  std::optional<Error> operator()(const MemberChanged& body) { return putMember(body.member); }

  std::optional<Error> operator()(const ThreadCreated& body) {
    const ThreadRecord& record = body.thread;
    if (record.key.empty()) return refuse(ReasonCode::invalidThreadKey, "creates a thread without a key");
    if (state_.findThread(record.key) != kNone) {
      return refuse(ReasonCode::threadExists, "creates thread " + record.key + ", which the replica already holds");
    }
    ThreadEntry thread;
    thread.author = state_.findMember(record.authorId);
    if (thread.author == kNone) return unknownMember(record.authorId);
    thread.key = record.key;
    thread.kind = record.kind;
    thread.title = record.title;
    thread.createdAt = record.createdAt;
    thread.state = record.state;
    state_.addThread(std::move(thread));
    return std::nullopt;
  }

  std::optional<Error> operator()(const PostCreated& body) {
    const PostRecord& record = body.post;
    if (state_.findThread(record.threadKey) == kNone) return std::nullopt;  // a thread the replica does not follow
    if (state_.findPost(record.id) != kNone) {
      return refuse(ReasonCode::duplicatePostId, "creates post " + record.id + ", which the replica already holds");
    }
    if (partial_ && !record.parentId.empty() && state_.findPost(record.parentId) == kNone) {
      // A reply in a part the replica has not loaded: it still counts.
      ThreadPaging& paging = state_.threads[state_.findThread(record.threadKey)].paging;
      if (record.state == PostState::visible && !record.erased) paging.unloadedVisible += 1;
      return std::nullopt;
    }
    Result<PostEntry> linked = state_.postFrom(record);
    if (!linked) return refuse(linked.error().code, linked.error().message);
    PostEntry& post = linked.value();
    if (post.parent != kNone && state_.posts[post.parent].isRemoved()) {
      return refuse(ReasonCode::postRemoved, "replies to removed post " + record.parentId);
    }
    if (record.score != 0 || record.accepted || !record.votes.empty() || !record.edits.empty()) {
      return refuse(ReasonCode::malformedSnapshot, "creates post " + record.id + " with votes, edits or acceptance");
    }
    std::uint32_t author = post.author;
    state_.addPost(std::move(post));
    state_.members[author].postCount += 1;  // as the engine counts it
    return std::nullopt;
  }

  std::optional<Error> operator()(const PostEdited& body) {
    std::uint32_t index = kNone;
    if (auto error = livePost(body.postId, index)) return error;
    if (index == kNone) return std::nullopt;
    std::uint32_t editor = state_.findMember(body.editorId);
    if (editor == kNone) return unknownMember(body.editorId);
    PostEntry& post = state_.posts[index];
    if (post.body == body.body) return refuse(ReasonCode::unchanged, "edits post " + post.id + " without changing it");
    post.edits.push_back(EditEntry{editor, event_.time, std::move(post.body)});
    post.body = body.body;
    post.editedAt = event_.time;
    return std::nullopt;
  }

  std::optional<Error> operator()(const PostDeleted& body) {
    std::uint32_t index = kNone;
    if (auto error = livePost(body.postId, index)) return error;
    if (index == kNone) return std::nullopt;
    PostEntry& post = state_.posts[index];
    // The engine sends answer_unaccepted first; this only guards a replica that missed it.
    if (state_.isAccepted(index)) state_.posts[post.parent].acceptedAnswer = kNone;
    post.state = PostState::removed;
    post.edits.clear();  // a deletion takes the edit history with it
    return std::nullopt;
  }

  std::optional<Error> operator()(const VoteChanged& body) {
    std::uint32_t index = kNone;
    if (auto error = livePost(body.postId, index)) return error;
    if (index == kNone) return std::nullopt;
    if (body.memberId.empty()) {  // someone else's vote: the viewer holds the count only
      state_.posts[index].score = body.score;
      return std::nullopt;
    }
    std::uint32_t voter = state_.findMember(body.memberId);
    if (voter == kNone) return unknownMember(body.memberId);
    PostEntry& post = state_.posts[index];
    if (post.author == voter) return refuse(ReasonCode::ownPost, "has " + body.memberId + " vote on their own post");
    std::size_t slot = post.voteSlot(voter);
    bool hasVote = slot < post.votes.size() && post.votes[slot].member == voter;
    VoteDirection before = hasVote ? post.votes[slot].direction : VoteDirection::none;
    if (before == body.direction) {
      return refuse(hasVote ? ReasonCode::alreadyVoted : ReasonCode::noVoteToRetract,
                    "repeats the vote of " + body.memberId + " on post " + post.id);
    }
    if (post.score - voteWeight(before) + voteWeight(body.direction) != body.score) {
      return refuse(ReasonCode::malformedSnapshot, "gives post " + post.id + " a score its votes do not add up to");
    }
    auto at = post.votes.begin() + static_cast<std::ptrdiff_t>(slot);
    if (body.direction == VoteDirection::none) {
      post.votes.erase(at);
    } else if (hasVote) {
      at->direction = body.direction;
    } else {
      post.votes.insert(at, VoteEntry{voter, body.direction});  // keeps votes sorted by member index
    }
    post.score = body.score;
    return std::nullopt;
  }

  std::optional<Error> operator()(const AnswerAccepted& body) {
    std::uint32_t answer = kNone;
    std::uint32_t question = kNone;
    if (auto error = answerOf(body.questionId, body.answerId, answer, question)) return error;
    if (answer == kNone) return std::nullopt;
    if (state_.posts[answer].isRemoved())
      return refuse(ReasonCode::postRemoved, "accepts removed post " + body.answerId);
    PostEntry& entry = state_.posts[question];
    if (entry.acceptedAnswer != kNone) {
      return refuse(ReasonCode::alreadyAccepted, "accepts an answer to " + entry.id + ", which already has one");
    }
    entry.acceptedAnswer = answer;
    return std::nullopt;
  }

  std::optional<Error> operator()(const PostChanged& body) {
    const PostRecord& record = body.post;
    std::uint32_t index = state_.findPost(record.id);
    if (index == kNone) {
      if (state_.findThread(record.threadKey) == kNone || partial_) return std::nullopt;  // not followed, not loaded
      return unknownPost(record.id);
    }
    PostEntry& post = state_.posts[index];
    // The text comes along: a held post that is approved reaches readers who held its tombstone.
    post.body = record.body;
    post.editedAt = record.editedAt;
    post.state = record.state;
    post.featured = record.featured;
    post.flagScore = record.flagScore;
    post.heldReason = record.heldReason;
    if (record.erased) {
      post.erased = true;
      for (EditEntry& edit : post.edits) edit.previousBody.clear();
    }
    return std::nullopt;
  }

  std::optional<Error> operator()(const ThreadChanged& body) {
    std::uint32_t index = state_.findThread(body.thread.key);
    if (index == kNone) return std::nullopt;
    state_.threads[index].state = body.thread.state;
    state_.threads[index].title = body.thread.title;
    return std::nullopt;
  }

  std::optional<Error> operator()(const PolicyChanged& body) {
    state_.setPolicy(body.policy);
    return std::nullopt;
  }

  // The audit log lives on the server; replicas see the action's effects in the other events.
  std::optional<Error> operator()(const ModerationRecorded&) { return std::nullopt; }
  std::optional<Error> operator()(const QuestionUnanswered&) { return std::nullopt; }  // never sent to clients

  // The replica's own member's choice (nobody else's reaches it).
  std::optional<Error> operator()(const FollowChanged& body) {
    std::uint32_t thread = state_.findThread(body.threadKey);
    if (thread == kNone) return std::nullopt;
    std::uint32_t member = state_.findMember(body.memberId);
    if (member == kNone) return unknownMember(body.memberId);
    state_.setFollow(thread, member, body.following, false);
    return std::nullopt;
  }

  std::optional<Error> operator()(const PostFlagged& body) {
    std::uint32_t index = kNone;
    if (auto error = livePost(body.postId, index)) return error;
    if (index == kNone) return std::nullopt;
    state_.posts[index].flagScore = body.flagScore;
    return std::nullopt;
  }

  std::optional<Error> operator()(const AnswerUnaccepted& body) {
    std::uint32_t answer = kNone;
    std::uint32_t question = kNone;
    if (auto error = answerOf(body.questionId, body.answerId, answer, question)) return error;
    if (answer == kNone) return std::nullopt;
    if (state_.posts[question].acceptedAnswer != answer) {
      return refuse(ReasonCode::notAccepted, "unaccepts " + body.answerId + ", which is not the accepted answer");
    }
    state_.posts[question].acceptedAnswer = kNone;
    return std::nullopt;
  }

 private:
  Error refuse(ReasonCode code, const std::string& what) const {
    return Error{code, "The replica cannot apply the event of op " + event_.opId + " (sequence " +
                           std::to_string(event_.sequence) + "): it " + what + "."};
  }
  Error unknownMember(const std::string& id) const {
    return refuse(ReasonCode::invalidMember, "names member " + id + ", whom the replica does not know");
  }
  Error unknownPost(const std::string& id) const {
    return refuse(ReasonCode::unknownPost, "names post " + id + ", which the replica does not hold");
  }

  std::optional<Error> putMember(const MemberRecord& record) {
    if (const char* problem = SiteState::profileProblem(record)) return refuse(ReasonCode::invalidMember, problem);
    std::uint32_t index = state_.findMember(record.id);
    if (index == kNone) {
      MemberEntry entry;
      entry.id = record.id;
      index = state_.addMember(std::move(entry));
    }
    static_cast<MemberProfile&>(state_.members[index]) = record;  // a replica holds no counters
    return std::nullopt;
  }

  // A post the event may change; index kNone (and no error) for one a partial replica has not loaded.
  std::optional<Error> livePost(const std::string& id, std::uint32_t& index) const {
    index = state_.findPost(id);
    if (index == kNone) return partial_ ? std::nullopt : std::optional<Error>(unknownPost(id));
    if (state_.posts[index].isRemoved()) return refuse(ReasonCode::postRemoved, "changes removed post " + id);
    return std::nullopt;
  }

  std::optional<Error> answerOf(const std::string& questionId, const std::string& answerId, std::uint32_t& answer,
                                std::uint32_t& question) const {
    answer = state_.findPost(answerId);
    question = state_.findPost(questionId);
    if (partial_ && (answer == kNone || question == kNone)) {
      answer = kNone;  // not loaded: skipped
      return std::nullopt;
    }
    if (answer == kNone) return unknownPost(answerId);
    if (question == kNone) return unknownPost(questionId);
    const PostEntry& entry = state_.posts[answer];
    if (state_.threads[entry.thread].kind != ThreadKind::question) {
      return refuse(ReasonCode::notAQuestion, "accepts or unaccepts post " + answerId + " outside a Q&A thread");
    }
    if (entry.parent != question || entry.depth != 1) {
      return refuse(ReasonCode::notAnAnswer, "treats post " + answerId + " as an answer to " + questionId);
    }
    return std::nullopt;
  }

  SiteState& state_;
  const Event& event_;
  bool partial_;
};

// Applies to a copy of the replica's state and keeps the copy only when every event applied:
// replicas are small, and this keeps the all-or-nothing rule obviously true.
Status applyBatch(Engine& replica, const std::vector<Event>& events, bool threadEvents, bool partial) {
  if (events.empty()) return okStatus();
  auto state = std::make_unique<SiteState>(EngineAccess::state(replica));
  for (const Event& event : events) {
    if (threadEvents || isSiteWide(event)) {
      if (auto error = std::visit(EventApplier(*state, event, partial), event.body)) return *error;
    }
    state->lastSequence = std::max(state->lastSequence, event.sequence);
  }
  EngineAccess::state(replica) = std::move(*state);
  return okStatus();
}

}  // namespace

Status applyEvents(Engine& replica, const std::vector<Event>& events) {
  return applyBatch(replica, events, true, false);
}

std::vector<Event> eventsForReplicas(const Engine& engine, const Op& op, const Outcome& outcome) {
  std::vector<Event> events;
  const SiteState& state = EngineAccess::state(engine);
  std::uint32_t actor = state.findMember(op.actor.memberId);
  // A new or renamed actor's record comes first; changes the rules make to members come last.
  bool carriesActor = false;
  if (!outcome.events.empty()) {
    const EventBody& first = outcome.events.front().body;
    if (const auto* joined = std::get_if<MemberJoined>(&first)) carriesActor = joined->member.id == op.actor.memberId;
    if (const auto* changed = std::get_if<MemberChanged>(&first))
      carriesActor = changed->member.id == op.actor.memberId;
  }
  if (outcome.stored() && !outcome.events.empty() && !carriesActor && actor != kNone) {
    MemberRecord record = state.memberRecord(actor);
    for (const Event& event : outcome.events) {
      const auto* created = std::get_if<PostCreated>(&event.body);
      if (created != nullptr && created->post.authorId == record.id && record.postCount > 0) record.postCount -= 1;
    }
    const Event& first = outcome.events.front();
    events.push_back(Event{first.opId, first.sequence, first.time, MemberChanged{std::move(record)}});
  }
  events.insert(events.end(), outcome.events.begin(), outcome.events.end());
  return events;
}

Status applyEvents(Engine& replica, const EventsMessage& message) {
  auto createsThread = [&](const Event& event) {
    const auto* created = std::get_if<ThreadCreated>(&event.body);
    return created != nullptr && created->thread.key == message.threadKey;
  };
  const SiteState& held = EngineAccess::state(replica);
  const std::uint32_t heldThread = held.findThread(message.threadKey);
  // A site-wide op (an erasure) changes posts in any thread: each held post takes its change, and
  // a post the replica does not hold (another thread's, a page not loaded) is skipped.
  const bool siteWide = message.threadKey.empty();
  bool follows =
      siteWide || heldThread != kNone || std::any_of(message.events.begin(), message.events.end(), createsThread);
  bool partial = siteWide || (heldThread != kNone && held.threads[heldThread].paging.paged);
  Sequence last = message.fromSequence;
  if (message.events.empty()) {
    // An op that changed nothing a replica holds (reading) still moves the site's sequence.
    SiteState& state = EngineAccess::state(replica);
    state.lastSequence = std::max(state.lastSequence, message.fromSequence);
  } else {
    if (Status applied = applyBatch(replica, message.events, follows, partial); !applied) return applied;
    for (const Event& event : message.events) last = std::max(last, event.sequence);
  }
  SiteState& state = EngineAccess::state(replica);
  if (std::uint32_t thread = state.findThread(message.threadKey); thread != kNone) {
    state.threads[thread].lastSequence = std::max(state.threads[thread].lastSequence, last);
  }
  return okStatus();
}

Sequence threadLastSequence(const Engine& replica, std::string_view threadKey) {
  const SiteState& state = EngineAccess::state(replica);
  std::uint32_t thread = state.findThread(std::string(threadKey));
  return thread == kNone ? 0 : state.threads[thread].lastSequence;
}

}  // namespace kring
