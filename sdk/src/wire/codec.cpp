#include "kring/codec.h"

#include <cstring>

#include "wire/wire.h"

namespace kring {

using namespace wire_convert;

namespace {

void writeActor(wire::Actor::Builder out, const Actor& in) {
  out.setMemberId(text(in.memberId));
  out.setDisplayName(text(in.displayName));
  out.setRole(writeEnum<wire::Role>(in.role));
}

struct OpBodyWriter {
  mutable wire::Op::Builder out;
  void operator()(const CreateThread& in) const {
    auto body = out.initCreateThread();
    body.setKey(text(in.key));
    body.setKind(writeEnum<wire::ThreadKind>(in.kind));
    body.setTitle(text(in.title));
    body.setTicket(text(in.ticket));
    body.setHostApproved(in.hostApproved);
  }
  void operator()(const CreatePost& in) const {
    auto body = out.initPost();
    body.setThreadKey(text(in.threadKey));
    body.setParentId(text(in.parentId));
    body.setBody(text(in.body));
  }
  void operator()(const EditPost& in) const {
    auto body = out.initEdit();
    body.setPostId(text(in.postId));
    body.setBody(text(in.body));
  }
  void operator()(const DeletePost& in) const { out.initDelete().setPostId(text(in.postId)); }
  void operator()(const CastVote& in) const {
    auto body = out.initVote();
    body.setPostId(text(in.postId));
    body.setDirection(writeEnum<wire::VoteDirection>(in.direction));
  }
  void operator()(const AcceptAnswer& in) const { out.initAccept().setAnswerId(text(in.answerId)); }
  void operator()(const UnacceptAnswer& in) const { out.initUnaccept().setAnswerId(text(in.answerId)); }
  void operator()(const FlagPost& in) const {
    auto body = out.initFlag();
    body.setPostId(text(in.postId));
    body.setReason(writeEnum<wire::FlagReason>(in.reason));
  }
  void operator()(const Moderate& in) const {
    auto body = out.initModerate();
    body.setAction(writeEnum<wire::ModerationAction>(in.action));
    body.setPostId(text(in.postId));
    body.setThreadKey(text(in.threadKey));
    body.setMemberId(text(in.memberId));
    body.setReason(text(in.reason));
    body.setUntil(in.until);
    body.setRole(writeEnum<wire::Role>(in.role));
    body.setTrustLevel(in.trustLevel);
    body.setAsSpam(in.asSpam);
    body.setTitle(text(in.title));
  }
  void operator()(const UndoModeration& in) const {
    auto body = out.initUndo();
    body.setModerationId(text(in.moderationId));
    body.setReason(text(in.reason));
  }
  void operator()(const UpdatePolicy& in) const { write(out.initUpdatePolicy(), in.policy); }
  void operator()(const RecordReading& in) const {
    auto body = out.initReading();
    auto keys = body.initThreadKeys(static_cast<unsigned>(in.threadKeys.size()));
    for (unsigned i = 0; i < keys.size(); ++i) keys.set(i, text(in.threadKeys[i]));
    auto read = body.initReadThreadKeys(static_cast<unsigned>(in.readThreadKeys.size()));
    for (unsigned i = 0; i < read.size(); ++i) read.set(i, text(in.readThreadKeys[i]));
    body.setPostsSeen(in.postsSeen);
    body.setSecondsReading(in.secondsReading);
  }
  void operator()(const CheckAlerts&) const { out.initCheckAlerts(); }
  void operator()(const FollowThread& in) const {
    auto body = out.initFollow();
    body.setThreadKey(text(in.threadKey));
    body.setFollowing(in.following);
  }
#ifdef KRING_WIDGET_CORE
  // The server's own ops: a widget never sends one (its budget leaves their codec out).
  void operator()(const ImportPost&) const {}
  void operator()(const ClaimImported&) const {}
#else
  void operator()(const ImportPost& in) const {
    auto body = out.initImportPost();
    body.setThreadKey(text(in.threadKey));
    body.setThreadKind(writeEnum<wire::ThreadKind>(in.threadKind));
    body.setThreadTitle(text(in.threadTitle));
    body.setThreadLocked(in.threadLocked);
    body.setParentId(text(in.parentId));
    body.setAuthorId(text(in.authorId));
    body.setAuthorName(text(in.authorName));
    body.setBody(text(in.body));
    body.setCreatedAt(in.createdAt);
    body.setState(writeEnum<wire::PostState>(in.state));
  }
  void operator()(const ClaimImported& in) const {
    auto body = out.initClaimImported();
    body.setImportedId(text(in.importedId));
    body.setMemberId(text(in.memberId));
    body.setDisplayName(text(in.displayName));
    body.setRole(writeEnum<wire::Role>(in.role));
  }
#endif
};

Result<OpBody> readOpBody(wire::Op::Reader in) {
  Error badEnum{ReasonCode::malformedOp, "The op has a value its schema does not define."};
  switch (in.which()) {
    case wire::Op::CREATE_THREAD: {
      auto body = in.getCreateThread();
      CreateThread out{string(body.getKey()), ThreadKind::discussion, string(body.getTitle()), string(body.getTicket()),
                       body.getHostApproved()};
      if (!readEnum(body.getKind(), out.kind)) return badEnum;
      return OpBody(std::move(out));
    }
    case wire::Op::POST: {
      auto body = in.getPost();
      return OpBody(CreatePost{string(body.getThreadKey()), string(body.getParentId()), string(body.getBody())});
    }
    case wire::Op::EDIT: {
      auto body = in.getEdit();
      return OpBody(EditPost{string(body.getPostId()), string(body.getBody())});
    }
    case wire::Op::DELETE: return OpBody(DeletePost{string(in.getDelete().getPostId())});
    case wire::Op::VOTE: {
      auto body = in.getVote();
      CastVote out{string(body.getPostId()), VoteDirection::none};
      if (!readEnum(body.getDirection(), out.direction)) return badEnum;
      return OpBody(std::move(out));
    }
    case wire::Op::ACCEPT: return OpBody(AcceptAnswer{string(in.getAccept().getAnswerId())});
    case wire::Op::UNACCEPT: return OpBody(UnacceptAnswer{string(in.getUnaccept().getAnswerId())});
    case wire::Op::FLAG: {
      auto body = in.getFlag();
      FlagPost out{string(body.getPostId()), FlagReason::spam};
      if (!readEnum(body.getReason(), out.reason)) return badEnum;
      return OpBody(std::move(out));
    }
    case wire::Op::MODERATE: {
      auto body = in.getModerate();
      Moderate out;
      if (!readEnum(body.getAction(), out.action) || !readEnum(body.getRole(), out.role)) {
        return badEnum;
      }
      out.postId = string(body.getPostId());
      out.threadKey = string(body.getThreadKey());
      out.memberId = string(body.getMemberId());
      out.reason = string(body.getReason());
      out.until = body.getUntil();
      out.trustLevel = body.getTrustLevel();
      out.asSpam = body.getAsSpam();
      out.title = string(body.getTitle());
      return OpBody(std::move(out));
    }
    case wire::Op::UNDO: {
      auto body = in.getUndo();
      return OpBody(UndoModeration{string(body.getModerationId()), string(body.getReason())});
    }
    case wire::Op::UPDATE_POLICY: {
      UpdatePolicy out;
      if (!read(in.getUpdatePolicy(), out.policy)) {
        return Error{ReasonCode::invalidPolicy, "The policy names a setting or action this version does not know."};
      }
      return OpBody(std::move(out));
    }
    case wire::Op::READING: {
      auto body = in.getReading();
      RecordReading out;
      for (auto key : body.getThreadKeys()) out.threadKeys.push_back(string(key));
      for (auto key : body.getReadThreadKeys()) out.readThreadKeys.push_back(string(key));
      out.postsSeen = body.getPostsSeen();
      out.secondsReading = body.getSecondsReading();
      return OpBody(std::move(out));
    }
    case wire::Op::CHECK_ALERTS: return OpBody(CheckAlerts{});
    case wire::Op::FOLLOW:
      return OpBody(FollowThread{string(in.getFollow().getThreadKey()), in.getFollow().getFollowing()});
#ifndef KRING_WIDGET_CORE
    case wire::Op::IMPORT_POST: {
      auto body = in.getImportPost();
      ImportPost out;
      if (!readEnum(body.getThreadKind(), out.threadKind) || !readEnum(body.getState(), out.state)) return badEnum;
      out.threadKey = string(body.getThreadKey());
      out.threadTitle = string(body.getThreadTitle());
      out.threadLocked = body.getThreadLocked();
      out.parentId = string(body.getParentId());
      out.authorId = string(body.getAuthorId());
      out.authorName = string(body.getAuthorName());
      out.body = string(body.getBody());
      out.createdAt = body.getCreatedAt();
      return OpBody(std::move(out));
    }
    case wire::Op::CLAIM_IMPORTED: {
      auto body = in.getClaimImported();
      ClaimImported out{string(body.getImportedId()), string(body.getMemberId()), string(body.getDisplayName())};
      if (!readEnum(body.getRole(), out.role)) return badEnum;
      return OpBody(std::move(out));
    }
#else
    case wire::Op::IMPORT_POST:
    case wire::Op::CLAIM_IMPORTED: break;
#endif
  }
  return Error{ReasonCode::malformedOp, "The op is of a kind this version does not know."};
}

struct EventBodyWriter {
  mutable wire::Event::Builder out;
  void operator()(const MemberJoined& in) const { write(out.initMemberJoined(), in.member); }
  void operator()(const MemberChanged& in) const { write(out.initMemberChanged(), in.member); }
  void operator()(const ThreadCreated& in) const { write(out.initThreadCreated(), in.thread); }
  void operator()(const PostCreated& in) const { write(out.initPostCreated(), in.post); }
  void operator()(const PostEdited& in) const {
    auto body = out.initPostEdited();
    body.setPostId(text(in.postId));
    body.setBody(text(in.body));
    body.setEditorId(text(in.editorId));
    body.setAuthorId(text(in.authorId));
    body.setPostState(writeEnum<wire::PostState>(in.postState));
  }
  void operator()(const PostDeleted& in) const { out.initPostDeleted().setPostId(text(in.postId)); }
  void operator()(const VoteChanged& in) const {
    auto body = out.initVoteChanged();
    body.setPostId(text(in.postId));
    body.setMemberId(text(in.memberId));
    body.setDirection(writeEnum<wire::VoteDirection>(in.direction));
    body.setScore(in.score);
  }
  void operator()(const AnswerAccepted& in) const {
    auto body = out.initAnswerAccepted();
    body.setQuestionId(text(in.questionId));
    body.setAnswerId(text(in.answerId));
  }
  void operator()(const AnswerUnaccepted& in) const {
    auto body = out.initAnswerUnaccepted();
    body.setQuestionId(text(in.questionId));
    body.setAnswerId(text(in.answerId));
  }
  void operator()(const PostChanged& in) const { write(out.initPostChanged(), in.post); }
  void operator()(const ThreadChanged& in) const { write(out.initThreadChanged(), in.thread); }
  void operator()(const PolicyChanged& in) const { write(out.initPolicyChanged(), in.policy); }
  void operator()(const ModerationRecorded& in) const { write(out.initModerationRecorded(), in.entry); }
  void operator()(const PostFlagged& in) const {
    auto body = out.initPostFlagged();
    body.setPostId(text(in.postId));
    body.setMemberId(text(in.memberId));
    body.setReason(writeEnum<wire::FlagReason>(in.reason));
    body.setFlagScore(in.flagScore);
  }
  void operator()(const QuestionUnanswered& in) const { out.initQuestionUnanswered().setPostId(text(in.postId)); }
  void operator()(const FollowChanged& in) const {
    auto body = out.initFollowChanged();
    body.setThreadKey(text(in.threadKey));
    body.setMemberId(text(in.memberId));
    body.setFollowing(in.following);
  }
};

template <typename Record, typename Reader>
bool readRecord(Reader in, EventBody& out) {
  Record body;
  if (!read(in, body.member)) return false;
  out = std::move(body);
  return true;
}

bool readEventBody(wire::Event::Reader in, EventBody& out) {
  switch (in.which()) {
    case wire::Event::MEMBER_JOINED: return readRecord<MemberJoined>(in.getMemberJoined(), out);
    case wire::Event::MEMBER_CHANGED: return readRecord<MemberChanged>(in.getMemberChanged(), out);
    case wire::Event::THREAD_CREATED: {
      ThreadCreated body;
      if (!read(in.getThreadCreated(), body.thread)) return false;
      out = std::move(body);
      return true;
    }
    case wire::Event::POST_CREATED: {
      PostCreated body;
      if (!read(in.getPostCreated(), body.post)) return false;
      out = std::move(body);
      return true;
    }
    case wire::Event::POST_EDITED: {
      auto body = in.getPostEdited();
      PostEdited edited{string(body.getPostId()), string(body.getBody()), string(body.getEditorId()),
                        string(body.getAuthorId()), PostState::visible};
      if (!readEnum(body.getPostState(), edited.postState)) return false;
      out = std::move(edited);
      return true;
    }
    case wire::Event::POST_DELETED: out = PostDeleted{string(in.getPostDeleted().getPostId())}; return true;
    case wire::Event::VOTE_CHANGED: {
      auto body = in.getVoteChanged();
      VoteChanged change{string(body.getPostId()), string(body.getMemberId()), VoteDirection::none, body.getScore()};
      if (!readEnum(body.getDirection(), change.direction)) return false;
      out = std::move(change);
      return true;
    }
    case wire::Event::ANSWER_ACCEPTED: {
      auto body = in.getAnswerAccepted();
      out = AnswerAccepted{string(body.getQuestionId()), string(body.getAnswerId())};
      return true;
    }
    case wire::Event::ANSWER_UNACCEPTED: {
      auto body = in.getAnswerUnaccepted();
      out = AnswerUnaccepted{string(body.getQuestionId()), string(body.getAnswerId())};
      return true;
    }
    case wire::Event::POST_CHANGED: {
      PostChanged body;
      if (!read(in.getPostChanged(), body.post)) return false;
      out = std::move(body);
      return true;
    }
    case wire::Event::THREAD_CHANGED: {
      ThreadChanged body;
      if (!read(in.getThreadChanged(), body.thread)) return false;
      out = std::move(body);
      return true;
    }
    case wire::Event::POLICY_CHANGED: {
      PolicyChanged body;
      if (!read(in.getPolicyChanged(), body.policy)) return false;
      out = std::move(body);
      return true;
    }
    case wire::Event::MODERATION_RECORDED: {
      ModerationRecorded body;
      if (!read(in.getModerationRecorded(), body.entry)) return false;
      out = std::move(body);
      return true;
    }
    case wire::Event::POST_FLAGGED: {
      auto body = in.getPostFlagged();
      PostFlagged flagged{string(body.getPostId()), string(body.getMemberId()), FlagReason::spam, body.getFlagScore()};
      if (!readEnum(body.getReason(), flagged.reason)) return false;
      out = std::move(flagged);
      return true;
    }
    case wire::Event::QUESTION_UNANSWERED:
      out = QuestionUnanswered{string(in.getQuestionUnanswered().getPostId())};
      return true;
    case wire::Event::FOLLOW_CHANGED: {
      auto body = in.getFollowChanged();
      out = FollowChanged{string(body.getThreadKey()), string(body.getMemberId()), body.getFollowing()};
      return true;
    }
  }
  return false;
}

}  // namespace

void wire_convert::writeEvent(wire::Event::Builder out, const Event& event) {
  out.setOpId(text(event.opId));
  out.setSequence(event.sequence);
  out.setTime(event.time);
  std::visit(EventBodyWriter{out}, event.body);
}

bool wire_convert::readEvent(wire::Event::Reader in, Event& out) {
  out.opId = string(in.getOpId());
  out.sequence = in.getSequence();
  out.time = in.getTime();
  return readEventBody(in, out.body);
}

void wire_convert::writeOp(wire::Op::Builder out, const Op& op) {
  out.setId(text(op.id));
  writeActor(out.initActor(), op.actor);
  out.setTime(op.time);
  out.setSequence(op.sequence);
  std::visit(OpBodyWriter{out}, op.body);
}

Result<Op> wire_convert::readOp(wire::Op::Reader in) {
  Op op;
  op.id = string(in.getId());
  auto actor = in.getActor();
  op.actor.memberId = string(actor.getMemberId());
  op.actor.displayName = string(actor.getDisplayName());
  if (!readEnum(actor.getRole(), op.actor.role)) {
    return Error{ReasonCode::malformedOp, "The op names a role its schema does not define."};
  }
  op.time = in.getTime();
  if (op.time < 0) return Error{ReasonCode::malformedOp, "The op's time is before 1970."};
  op.sequence = in.getSequence();
  Result<OpBody> body = readOpBody(in);
  if (!body) return body.error();
  op.body = std::move(body.value());
  return op;
}

Bytes encodeOp(const Op& op) {
  capnp::MallocMessageBuilder message(kFirstSegmentWords);
  writeOp(message.initRoot<wire::Op>(), op);
  return toBytes(message);
}

Result<Op> decodeOp(ByteView bytes) {
  return readMessage(bytes, ReasonCode::malformedOp, kMaxOpBytes,
                     [](capnp::MessageReader& reader) { return readOp(reader.getRoot<wire::Op>()); });
}

Bytes encodeOutcome(const Outcome& outcome) {
  capnp::MallocMessageBuilder message(kFirstSegmentWords);
  auto out = message.initRoot<wire::Outcome>();
  out.setOpId(text(outcome.opId));
  out.setStatus(writeEnum<wire::OutcomeStatus>(outcome.status));
  out.setCode(writeEnum<wire::ReasonCode>(outcome.code));
  out.setMessage(text(outcome.message));
  if (!outcome.events.empty()) {
    auto events = out.initEvents(static_cast<unsigned>(outcome.events.size()));
    for (unsigned i = 0; i < events.size(); ++i) writeEvent(events[i], outcome.events[i]);
  }
  return toBytes(message);
}

Result<Outcome> decodeOutcome(ByteView bytes) {
  constexpr std::size_t kMaxOutcomeBytes = 4 * 1024 * 1024;
  return readMessage(bytes, ReasonCode::malformedOp, kMaxOutcomeBytes,
                     [](capnp::MessageReader& reader) -> Result<Outcome> {
                       auto in = reader.getRoot<wire::Outcome>();
                       Outcome outcome;
                       Error bad{ReasonCode::malformedOp, "The outcome has a value its schema does not define."};
                       outcome.opId = string(in.getOpId());
                       if (!readEnum(in.getStatus(), outcome.status)) return bad;
                       if (!readEnum(in.getCode(), outcome.code)) return bad;
                       outcome.message = string(in.getMessage());
                       for (auto event : in.getEvents()) {
                         Event out;
                         if (!readEvent(event, out)) return bad;
                         outcome.events.push_back(std::move(out));
                       }
                       return outcome;
                     });
}

void appendFrame(Bytes& log, ByteView frame) {
  auto size = static_cast<std::uint32_t>(frame.size());
  for (int shift = 0; shift < 32; shift += 8) log.push_back(static_cast<std::uint8_t>(size >> shift));
  log.insert(log.end(), frame.begin(), frame.end());
}

Result<std::vector<ByteView>> splitFrames(ByteView log) {
  std::vector<ByteView> frames;
  std::size_t at = 0;
  while (at < log.size()) {
    if (log.size() - at < 4) return Error{ReasonCode::malformedOp, "The log ends inside a frame header."};
    std::uint32_t size = 0;
    for (int i = 0; i < 4; ++i) size |= static_cast<std::uint32_t>(log[at + i]) << (8 * i);
    at += 4;
    if (log.size() - at < size) return Error{ReasonCode::malformedOp, "The log ends inside a frame."};
    frames.push_back(log.subspan(at, size));
    at += size;
  }
  return frames;
}

}  // namespace kring
