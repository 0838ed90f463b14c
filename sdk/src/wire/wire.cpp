#include "wire/wire.h"

#include <algorithm>
#include <cstring>

namespace kring::wire_convert {

void write(wire::MemberRecord::Builder out, const MemberRecord& in) {
  out.setId(text(in.id));
  out.setDisplayName(text(in.displayName));
  out.setRole(writeEnum<wire::Role>(in.role));
  out.setJoinedAt(in.joinedAt);
  out.setPostCount(in.postCount);
  out.setReputation(in.reputation);
  out.setTrustLevel(in.trustLevel);
  out.setState(writeEnum<wire::MemberState>(in.state));
  out.setStateUntil(in.stateUntil);
  out.setRoleAssigned(in.roleAssigned);
  out.setTrustLevelGranted(in.trustLevelGranted);
  writeStanding(out, in.standing);
}

void write(wire::ThreadRecord::Builder out, const ThreadRecord& in) {
  out.setKey(text(in.key));
  out.setKind(writeEnum<wire::ThreadKind>(in.kind));
  out.setTitle(text(in.title));
  out.setAuthorId(text(in.authorId));
  out.setCreatedAt(in.createdAt);
  out.setState(writeEnum<wire::ThreadState>(in.state));
#ifndef KRING_WIDGET_CORE          // a widget writes thread records only in its own events, which carry no follows
  if (in.follows.empty()) return;  // events and most copies: nothing, not an empty list
  auto follows = out.initFollows(static_cast<unsigned>(in.follows.size()));
  for (unsigned i = 0; i < follows.size(); ++i) {
    follows[i].setMemberId(text(in.follows[i].memberId));
    follows[i].setFollowing(in.follows[i].following);
  }
#endif
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
      votes[i].setAuthorDelta(in.votes[i].authorDelta);
      votes[i].setDay(in.votes[i].day);
      votes[i].setVoterDelta(in.votes[i].voterDelta);
    }
  }
  out.setFeatured(in.featured);
  out.setFlagScore(in.flagScore);
  out.setHeldReason(writeEnum<wire::ReasonCode>(in.heldReason));
  out.setAuthorRole(writeEnum<wire::Role>(in.authorRole));
  out.setErased(in.erased);
  out.setImported(in.imported);
  writeLedger(out, in.ledger);
}

bool read(wire::MemberRecord::Reader in, MemberRecord& out) {
  out.id = string(in.getId());
  out.displayName = string(in.getDisplayName());
  out.joinedAt = in.getJoinedAt();
  out.postCount = in.getPostCount();
  out.reputation = in.getReputation();
  out.trustLevel = in.getTrustLevel();
  out.stateUntil = in.getStateUntil();
  out.roleAssigned = in.getRoleAssigned();
  out.trustLevelGranted = in.getTrustLevelGranted();
  readStanding(in, out.standing);
  return readEnum(in.getRole(), out.role) && readEnum(in.getState(), out.state) && out.trustLevel <= kMaxTrustLevel;
}

bool read(wire::ThreadRecord::Reader in, ThreadRecord& out) {
  out.key = string(in.getKey());
  out.title = string(in.getTitle());
  out.authorId = string(in.getAuthorId());
  out.createdAt = in.getCreatedAt();
  for (auto follow : in.getFollows())
    out.follows.push_back(FollowRecord{string(follow.getMemberId()), follow.getFollowing()});
  return readEnum(in.getKind(), out.kind) && readEnum(in.getState(), out.state);
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
  out.featured = in.getFeatured();
  out.flagScore = in.getFlagScore();
  out.erased = in.getErased();
  out.imported = in.getImported();
  if (!readEnum(in.getState(), out.state) || !readEnum(in.getHeldReason(), out.heldReason) ||
      !readEnum(in.getAuthorRole(), out.authorRole) || !readLedger(in, out.ledger)) {
    return false;
  }
  out.edits.clear();
  for (auto edit : in.getEdits()) {
    out.edits.push_back(EditRecord{string(edit.getEditorId()), edit.getTime(), string(edit.getPreviousBody())});
  }
  out.votes.clear();
  for (auto vote : in.getVotes()) {
    VoteRecord record{string(vote.getMemberId()), VoteDirection::none, vote.getAuthorDelta(), vote.getVoterDelta(),
                      vote.getDay()};
    if (!readEnum(vote.getDirection(), record.direction)) return false;
    out.votes.push_back(std::move(record));
  }
  return true;
}

// Cap'n Proto's standard framing (segment count - 1, segment sizes, padding, segments), written
// straight into the result instead of through an intermediate kj::Array.
Bytes toBytes(capnp::MessageBuilder& message) {
  auto segments = message.getSegmentsForOutput();
  std::size_t tableWords = segments.size() / 2 + 1;
  std::size_t words = tableWords;
  for (auto segment : segments) words += segment.size();
  Bytes bytes;
  bytes.reserve(words * sizeof(capnp::word));
  auto putWord32 = [&bytes](std::uint32_t value) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  };
  putWord32(static_cast<std::uint32_t>(segments.size() - 1));
  for (auto segment : segments) putWord32(static_cast<std::uint32_t>(segment.size()));
  if (segments.size() % 2 == 0) putWord32(0);  // pads the table to a whole word
  for (auto segment : segments) {
    auto segmentBytes = segment.asBytes();
    bytes.insert(bytes.end(), segmentBytes.begin(), segmentBytes.end());
  }
  return bytes;
}

}  // namespace kring::wire_convert
