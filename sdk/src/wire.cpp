#include "wire.h"

#include <cstring>

namespace kring::wire_convert {

void write(wire::MemberRecord::Builder out, const MemberRecord& in) {
  out.setId(text(in.id));
  out.setDisplayName(text(in.displayName));
  out.setRole(writeEnum<wire::Role>(in.role));
  out.setJoinedAt(in.joinedAt);
  out.setPostCount(in.postCount);
}

void write(wire::ThreadRecord::Builder out, const ThreadRecord& in) {
  out.setKey(text(in.key));
  out.setKind(writeEnum<wire::ThreadKind>(in.kind));
  out.setTitle(text(in.title));
  out.setAuthorId(text(in.authorId));
  out.setCreatedAt(in.createdAt);
  out.setState(writeEnum<wire::ThreadState>(in.state));
}

void write(wire::PostRecord::Builder out, const PostRecord& in) {
  out.setId(text(in.id));
  out.setThreadKey(text(in.threadKey));
  out.setParentId(text(in.parentId));
  out.setAuthorId(text(in.authorId));
  out.setBody(text(in.body));
  out.setCreatedAt(in.createdAt);
  out.setEditedAt(in.editedAt);
  out.setState(writeEnum<wire::PostState>(in.state));
  out.setScore(in.score);
  out.setAccepted(in.accepted);
  out.setCreatedSequence(in.createdSequence);
  if (!in.edits.empty()) {
    auto edits = out.initEdits(static_cast<unsigned>(in.edits.size()));
    for (unsigned i = 0; i < edits.size(); ++i) {
      edits[i].setEditorId(text(in.edits[i].editorId));
      edits[i].setTime(in.edits[i].time);
      edits[i].setPreviousBody(text(in.edits[i].previousBody));
    }
  }
  if (!in.votes.empty()) {
    auto votes = out.initVotes(static_cast<unsigned>(in.votes.size()));
    for (unsigned i = 0; i < votes.size(); ++i) {
      votes[i].setMemberId(text(in.votes[i].memberId));
      votes[i].setDirection(writeEnum<wire::VoteDirection>(in.votes[i].direction));
    }
  }
}

bool read(wire::MemberRecord::Reader in, MemberRecord& out) {
  out.id = string(in.getId());
  out.displayName = string(in.getDisplayName());
  out.joinedAt = in.getJoinedAt();
  out.postCount = in.getPostCount();
  return readEnum(in.getRole(), Role::admin, out.role);
}

bool read(wire::ThreadRecord::Reader in, ThreadRecord& out) {
  out.key = string(in.getKey());
  out.title = string(in.getTitle());
  out.authorId = string(in.getAuthorId());
  out.createdAt = in.getCreatedAt();
  return readEnum(in.getKind(), ThreadKind::question, out.kind) &&
         readEnum(in.getState(), ThreadState::archived, out.state);
}

bool read(wire::PostRecord::Reader in, PostRecord& out) {
  out.id = string(in.getId());
  out.threadKey = string(in.getThreadKey());
  out.parentId = string(in.getParentId());
  out.authorId = string(in.getAuthorId());
  out.body = string(in.getBody());
  out.createdAt = in.getCreatedAt();
  out.editedAt = in.getEditedAt();
  out.score = in.getScore();
  out.accepted = in.getAccepted();
  out.createdSequence = in.getCreatedSequence();
  if (!readEnum(in.getState(), PostState::spam, out.state)) return false;
  out.edits.clear();
  for (auto edit : in.getEdits()) {
    out.edits.push_back(EditRecord{string(edit.getEditorId()), edit.getTime(), string(edit.getPreviousBody())});
  }
  out.votes.clear();
  for (auto vote : in.getVotes()) {
    VoteRecord record{string(vote.getMemberId()), VoteDirection::none};
    if (!readEnum(vote.getDirection(), VoteDirection::down, record.direction)) return false;
    out.votes.push_back(std::move(record));
  }
  return true;
}

Bytes toBytes(capnp::MessageBuilder& message) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return Bytes(bytes.begin(), bytes.end());
}

}  // namespace kring::wire_convert
