// What applying an op produced: accepted with events, held, or rejected with a reason.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "kring/policy.h"
#include "kring/reason.h"
#include "kring/records.h"

namespace kring {

struct MemberJoined {
  MemberRecord member;
};
struct MemberChanged {
  MemberRecord member;
};
struct ThreadCreated {
  ThreadRecord thread;
};
struct PostCreated {
  PostRecord post;
};
struct PostEdited {
  std::string postId;
  std::string body;
  std::string editorId;
  std::string authorId{};                    // with postState: who may read the new text
  PostState postState = PostState::visible;  // after the op
};
struct PostDeleted {
  std::string postId;
};
struct VoteChanged {
  std::string postId;
  std::string memberId;
  VoteDirection direction = VoteDirection::none;
  std::int32_t score = 0;
};
struct AnswerAccepted {
  std::string questionId;
  std::string answerId;
};
struct AnswerUnaccepted {
  std::string questionId;
  std::string answerId;
};

struct PostChanged {
  PostRecord post;
};
struct ThreadChanged {
  ThreadRecord thread;
};
struct PolicyChanged {
  Policy policy;
};
struct ModerationRecorded {
  AuditRecord entry;
};
struct PostFlagged {
  std::string postId;
  std::string memberId;
  FlagReason reason = FlagReason::spam;
  std::int32_t flagScore = 0;
};

// A checkAlerts op's: the question got no visible answer in time. For the server's notifications and
// webhooks only; never sent to a client.
struct QuestionUnanswered {
  std::string postId;
};

// A follow op's: the member's own choice, sent to them alone.
struct FollowChanged {
  std::string threadKey;
  std::string memberId;
  bool following = false;
};

using EventBody = std::variant<MemberJoined, MemberChanged, ThreadCreated, PostCreated, PostEdited, PostDeleted,
                               VoteChanged, AnswerAccepted, AnswerUnaccepted, PostChanged, ThreadChanged, PolicyChanged,
                               ModerationRecorded, PostFlagged, QuestionUnanswered, FollowChanged>;

struct Event {
  std::string opId;  // the op that caused it
  Sequence sequence = 0;
  TimeMs time = 0;
  EventBody body;
};

struct Outcome {
  std::string opId;
  OutcomeStatus status = OutcomeStatus::accepted;
  ReasonCode code = ReasonCode::none;
  std::string message;  // for people, English
  std::vector<Event> events;

  bool accepted() const { return status == OutcomeStatus::accepted; }
  // Accepted or held: the op changed the state and is kept in the log.
  bool stored() const { return status != OutcomeStatus::rejected; }
};

// A refused op: nothing changed.
inline Outcome rejectedOutcome(std::string opId, ReasonCode code, std::string message) {
  Outcome outcome;
  outcome.opId = std::move(opId);
  outcome.status = OutcomeStatus::rejected;
  outcome.code = code;
  outcome.message = std::move(message);
  return outcome;
}

// {"opId","status","code","message","events":[event names]} for the widget's feedback.
std::string toJson(const Outcome& outcome);

}  // namespace kring
