// Test helpers at the wire level: read a site snapshot into plain records (to look at what the
// engine keeps but does not show, such as edit history and votes), and edit a snapshot or op
// message in place to build inputs the engine must refuse.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "kring/records.h"
#include "kring/schema/kring.capnp.h"
#include "kring/types.h"
#include "op_factory.h"

namespace kring::testing {

// A copy of `bytes` as aligned words, as Cap'n Proto readers need.
inline kj::Array<capnp::word> toWords(ByteView bytes) {
  REQUIRE(bytes.size() % sizeof(capnp::word) == 0);
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  if (!bytes.empty()) std::memcpy(words.begin(), bytes.data(), bytes.size());
  return words;
}

inline std::string toString(capnp::Text::Reader text) { return std::string(text.begin(), text.size()); }

struct SiteContents {
  std::uint32_t formatVersion = 0;
  std::string siteId;
  Sequence lastSequence = 0;
  std::vector<MemberRecord> members;
  std::vector<ThreadRecord> threads;
  std::vector<PostRecord> posts;

  const MemberRecord* findMember(const std::string& id) const {
    for (const MemberRecord& member : members) {
      if (member.id == id) return &member;
    }
    return nullptr;
  }
  // Copies, so that `readSiteSnapshot(bytes).member(id)` is safe to keep.
  MemberRecord member(const std::string& id) const {
    const MemberRecord* found = findMember(id);
    INFO("member " << id);
    REQUIRE(found != nullptr);
    return *found;
  }
  PostRecord post(const std::string& id) const {
    for (const PostRecord& post : posts) {
      if (post.id == id) return post;
    }
    FAIL("post " << id << " is not in the snapshot");
    throw std::logic_error("unreachable");
  }
};

inline MemberRecord readRecord(wire::MemberRecord::Reader in) {
  return testing::memberRecord(toString(in.getId()), toString(in.getDisplayName()), static_cast<Role>(in.getRole()),
                               in.getJoinedAt(), in.getPostCount());
}

inline ThreadRecord readRecord(wire::ThreadRecord::Reader in) {
  return ThreadRecord{toString(in.getKey()),   static_cast<ThreadKind>(in.getKind()),
                      toString(in.getTitle()), toString(in.getAuthorId()),
                      in.getCreatedAt(),       static_cast<ThreadState>(in.getState())};
}

inline PostRecord readRecord(wire::PostRecord::Reader in) {
  PostRecord out;
  out.id = toString(in.getId());
  out.threadKey = toString(in.getThreadKey());
  out.parentId = toString(in.getParentId());
  out.authorId = toString(in.getAuthorId());
  out.body = toString(in.getBody());
  out.createdAt = in.getCreatedAt();
  out.editedAt = in.getEditedAt();
  out.state = static_cast<PostState>(in.getState());
  out.score = in.getScore();
  out.accepted = in.getAccepted();
  out.createdSequence = in.getCreatedSequence();
  for (auto edit : in.getEdits()) {
    out.edits.push_back(EditRecord{toString(edit.getEditorId()), edit.getTime(), toString(edit.getPreviousBody())});
  }
  for (auto vote : in.getVotes()) {
    out.votes.push_back(VoteRecord{toString(vote.getMemberId()), static_cast<VoteDirection>(vote.getDirection())});
  }
  return out;
}

inline SiteContents readSiteSnapshot(ByteView bytes) {
  auto words = toWords(bytes);
  capnp::FlatArrayMessageReader reader(words);
  auto in = reader.getRoot<wire::SiteSnapshot>();
  SiteContents out;
  out.formatVersion = in.getFormatVersion();
  out.siteId = toString(in.getSiteId());
  out.lastSequence = in.getLastSequence();
  for (auto member : in.getMembers()) out.members.push_back(readRecord(member));
  for (auto thread : in.getThreads()) out.threads.push_back(readRecord(thread));
  for (auto post : in.getPosts()) out.posts.push_back(readRecord(post));
  return out;
}

// A mutable copy of a message of type Root: change fields through root(), then take bytes().
template <typename Root>
class MessageEditor {
 public:
  explicit MessageEditor(ByteView bytes) {
    auto words = toWords(bytes);
    capnp::FlatArrayMessageReader reader(words);
    message_.setRoot(reader.getRoot<Root>());
  }
  typename Root::Builder root() { return message_.getRoot<Root>(); }
  Bytes bytes() {
    kj::Array<capnp::word> words = capnp::messageToFlatArray(message_);
    auto bytes = words.asBytes();
    return Bytes(bytes.begin(), bytes.end());
  }

 private:
  capnp::MallocMessageBuilder message_;
};

using SiteSnapshotEditor = MessageEditor<wire::SiteSnapshot>;
using ThreadSnapshotEditor = MessageEditor<wire::ThreadSnapshot>;
using OpEditor = MessageEditor<wire::Op>;

// The index of the post with this id in a site snapshot being edited.
inline unsigned postIndex(wire::SiteSnapshot::Builder snapshot, const std::string& id) {
  auto posts = snapshot.getPosts();
  for (unsigned i = 0; i < posts.size(); ++i) {
    if (toString(posts[i].getId()) == id) return i;
  }
  FAIL("post " << id << " is not in the snapshot");
  throw std::logic_error("unreachable");
}

}  // namespace kring::testing
