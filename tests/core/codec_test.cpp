// The Cap'n Proto codec: ops and outcomes round trip, and hostile bytes are refused, never crash.
#include <capnp/any.h>
#include <capnp/schema.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>

#include "engine_fixture.h"
#include "snapshot_records.h"

using namespace kring;
using namespace kring::testing;

namespace {

template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

// Every field of an op, for comparisons with readable failures.
std::string describe(const Op& op) {
  std::ostringstream out;
  out << "id=" << op.id << " member=" << op.actor.memberId << " name=" << op.actor.displayName
      << " role=" << static_cast<int>(op.actor.role) << " time=" << op.time << " seq=" << op.sequence << " | ";
  std::visit(
      Overloaded{
          [&](const CreateThread& b) {
            out << "thread key=" << b.key << " kind=" << static_cast<int>(b.kind) << " title=" << b.title
                << " ticket=" << b.ticket << " approved=" << b.hostApproved;
          },
          [&](const CreatePost& b) {
            out << "post thread=" << b.threadKey << " parent=" << b.parentId << " body=" << b.body;
          },
          [&](const EditPost& b) { out << "edit post=" << b.postId << " body=" << b.body; },
          [&](const DeletePost& b) { out << "delete post=" << b.postId; },
          [&](const CastVote& b) { out << "vote post=" << b.postId << " dir=" << static_cast<int>(b.direction); },
          [&](const AcceptAnswer& b) { out << "accept answer=" << b.answerId; },
          [&](const UnacceptAnswer& b) { out << "unaccept answer=" << b.answerId; },
          [&](const FlagPost& b) { out << "flag post=" << b.postId << " reason=" << static_cast<int>(b.reason); },
          [&](const Moderate& b) {
            out << "moderate action=" << static_cast<int>(b.action) << " post=" << b.postId << " thread=" << b.threadKey
                << " member=" << b.memberId << " reason=" << b.reason << " until=" << b.until
                << " role=" << static_cast<int>(b.role) << " trust=" << static_cast<int>(b.trustLevel)
                << " spam=" << b.asSpam << " title=" << b.title;
          },
          [&](const UndoModeration& b) { out << "undo id=" << b.moderationId << " reason=" << b.reason; },
          [&](const UpdatePolicy& b) {
            out << "policy";
            for (const PolicySetting& setting : policySettings()) out << " " << b.policy.*(setting.field);
            for (const WatchedWord& word : b.policy.watchedWords) {
              out << " [" << word.locale << ":" << word.word << ":" << static_cast<int>(word.action) << "]";
            }
          },
          [&](const RecordReading& b) {
            out << "reading posts=" << b.postsSeen << " seconds=" << b.secondsReading;
            for (const std::string& key : b.threadKeys) out << " " << key;
          },
          [&](const CheckAlerts&) { out << "check alerts"; },
          [&](const ImportPost& b) {
            out << "import thread=" << b.threadKey << " kind=" << static_cast<int>(b.threadKind)
                << " title=" << b.threadTitle << " locked=" << b.threadLocked << " parent=" << b.parentId
                << " author=" << b.authorId << " name=" << b.authorName << " body=" << b.body << " at=" << b.createdAt
                << " state=" << static_cast<int>(b.state);
          },
          [&](const ClaimImported& b) {
            out << "claim imported=" << b.importedId << " member=" << b.memberId << " name=" << b.displayName
                << " role=" << static_cast<int>(b.role);
          },
          [&](const FollowThread& b) { out << "follow thread=" << b.threadKey << " following=" << b.following; },
      },
      op.body);
  return out.str();
}

// One op of every kind, with every enum value and some awkward text.
std::vector<Op> sampleOps() {
  OpFactory ops;
  Actor member = OpFactory::member("alice");
  Actor moderator{"mod-ü", "Modérateur 😀", Role::moderator};
  Actor staff{"staff", "", Role::staff};
  Actor admin{"admin", "Admin", Role::admin};
  std::vector<Op> all{
      ops.thread(member, "/products/sku-1", ThreadKind::discussion, "Title"),
      ops.thread(admin, "/q/é", ThreadKind::question, ""),
      ops.post(member, "/products/sku-1", "Body with **markdown**\nand lines"),
      ops.post(staff, "/q/é", std::string(20000, 'z'), "parent-id"),
      ops.edit(moderator, "op-3", "New body 😀"),
      ops.remove(moderator, "op-3"),
      ops.vote(member, "op-4", VoteDirection::up),
      ops.vote(member, "op-4", VoteDirection::down),
      ops.vote(member, "op-4", VoteDirection::none),
      ops.accept(staff, "op-4"),
      ops.unaccept(admin, "op-4"),
      ops.flag(member, "op-4", FlagReason::offTopic),
      ops.undo(moderator, "op-9", "changed my mind"),
      ops.reading(member, {"/products/sku-1", "/q/é"}, 12, 345),
      ops.make(Actor{"kring:alerts", "Alerts", Role::staff}, CheckAlerts{}),
      ops.make(Actor{"kring:import", "Import", Role::admin},
               ImportPost{"/blog/é", ThreadKind::question, "Vieux 😀", true, "disqus-1", "imported:abc", "Zoë",
                          "Old *words*", 1'600'000'000'000, PostState::pendingReview}),
      ops.make(Actor{"kring:claims", "Claims", Role::admin},
               ClaimImported{"imported:abc", "zoë@host", "Zoë 😀", Role::staff}),
      ops.make(member, FollowThread{"/q/é", false}),
      ops.make(member, FollowThread{"/products/sku-1", true}),
  };
  Op readLater = ops.reading(member, {}, 3, 60);
  std::get<RecordReading>(readLater.body).readThreadKeys = {"/products/sku-1"};
  all.push_back(readLater);
  Op suspend = ops.moderateMember(moderator, ModerationAction::suspend, "alice", "cool off");
  Moderate& body = std::get<Moderate>(suspend.body);
  body.until = 1'800'000'000'000;
  body.role = Role::staff;
  body.trustLevel = 4;
  body.asSpam = true;
  body.postId = "op-3";
  body.threadKey = "/q/é";
  body.title = "Titre 😀";
  all.push_back(suspend);
  Op ticketed = ops.thread(member, "/products/sku-2", ThreadKind::question, "Ticketed");
  std::get<CreateThread>(ticketed.body).ticket = "header.claims.signature";
  std::get<CreateThread>(ticketed.body).hostApproved = true;
  all.push_back(ticketed);
  Policy policy;
  policy.privilegeVoteUp = 3;
  policy.watchedWords = {{"nl", "kut", WatchAction::flag}, {"*", "v1agra", WatchAction::block}};
  all.push_back(ops.policy(admin, policy));
  all.back().time = 0;
  all.back().sequence = 0;
  all.front().time = std::numeric_limits<TimeMs>::max();
  all.front().sequence = std::numeric_limits<Sequence>::max();
  return all;
}

void requireMalformedOp(ByteView bytes) {
  Result<Op> decoded = decodeOp(bytes);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().code == ReasonCode::malformedOp);
  CHECK_FALSE(decoded.error().message.empty());
}

Bytes encodedOp() {
  OpFactory ops;
  return encodeOp(ops.post(OpFactory::member("alice"), "/t", "Hello there, this is a post."));
}

// Overwrites the union discriminant of an op message (which op kind it is) with a raw value.
Bytes withOpKind(const Bytes& bytes, std::uint16_t kind) {
  OpEditor editor(bytes);
  auto data = capnp::toAny(editor.root()).getDataSection();
  std::uint32_t offset = capnp::Schema::from<wire::Op>().getProto().getStruct().getDiscriminantOffset();
  REQUIRE((offset + 1) * 2 <= data.size());
  data[offset * 2] = static_cast<kj::byte>(kind & 0xFF);
  data[offset * 2 + 1] = static_cast<kj::byte>(kind >> 8);
  return editor.bytes();
}

}  // namespace

TEST_CASE("every op kind survives encoding and decoding", "[codec]") {
  std::vector<Op> ops = sampleOps();
  REQUIRE(ops.size() >= std::variant_size_v<OpBody>);
  std::vector<bool> kinds(std::variant_size_v<OpBody>);
  for (const Op& op : ops) {
    INFO(describe(op));
    kinds[op.body.index()] = true;
    Bytes bytes = encodeOp(op);
    CHECK(bytes.size() % 8 == 0);
    Result<Op> decoded = decodeOp(bytes);
    REQUIRE(decoded.ok());
    CHECK(describe(decoded.value()) == describe(op));
    CHECK(decoded.value().body.index() == op.body.index());
    CHECK(encodeOp(decoded.value()) == bytes);
  }
  CHECK(std::all_of(kinds.begin(), kinds.end(), [](bool seen) { return seen; }));
}

TEST_CASE("decodeOp refuses bytes that are not a whole message", "[codec]") {
  const Bytes valid = encodedOp();

  SECTION("no bytes") { requireMalformedOp(ByteView()); }
  SECTION("a size that is not a multiple of 8") {
    for (std::size_t cut : {1, 3, 7}) requireMalformedOp(ByteView(valid).first(valid.size() - cut));
    Bytes extra = valid;
    extra.push_back(0);
    requireMalformedOp(extra);
  }
  SECTION("every truncation of a valid op") {
    for (std::size_t size = 8; size < valid.size(); size += 8) {
      INFO("first " << size << " of " << valid.size() << " bytes");
      requireMalformedOp(ByteView(valid).first(size));
    }
  }
  SECTION("trailing bytes after a valid op") {
    Bytes trailing = valid;
    trailing.insert(trailing.end(), 8, 0);
    requireMalformedOp(trailing);
    Bytes twice = valid;
    twice.insert(twice.end(), valid.begin(), valid.end());
    requireMalformedOp(twice);
  }
  SECTION("a message larger than the op limit") {
    Op op = sampleOps()[2];
    std::get<CreatePost>(op.body).body = std::string(kMaxOpBytes, 'a');
    requireMalformedOp(encodeOp(op));
  }
}

TEST_CASE("decodeOp refuses random garbage", "[codec]") {
  std::mt19937 random(20240611);
  for (int round = 0; round < 500; ++round) {
    Bytes garbage(8 * (1 + random() % 64));
    for (auto& byte : garbage) byte = static_cast<std::uint8_t>(random());
    INFO("round " << round);
    requireMalformedOp(garbage);
  }
}

TEST_CASE("decodeOp never crashes on a corrupted op", "[codec]") {
  // Flipping bytes may still leave a valid message; what matters is no crash and no other error code.
  const Bytes valid = encodedOp();
  std::mt19937 random(7);
  int refused = 0;
  for (std::size_t at = 0; at < valid.size(); ++at) {
    for (int round = 0; round < 4; ++round) {
      Bytes corrupted = valid;
      corrupted[at] ^= static_cast<std::uint8_t>(1 + random() % 255);
      Result<Op> decoded = decodeOp(corrupted);
      if (!decoded.ok()) {
        ++refused;
        if (decoded.error().code != ReasonCode::malformedOp) FAIL("byte " << at << ": unexpected error code");
      }
    }
  }
  CHECK(refused > 0);
}

TEST_CASE("decodeOp refuses an op from before 1970", "[codec]") {
  OpFactory ops;
  Op op = ops.thread(OpFactory::member("alice"), "/t");
  op.time = -1;
  requireMalformedOp(encodeOp(op));
  op.time = std::numeric_limits<TimeMs>::min();
  requireMalformedOp(encodeOp(op));
  op.time = 0;
  CHECK(decodeOp(encodeOp(op)).ok());
}

TEST_CASE("decodeOp refuses values its schema does not define", "[codec]") {
  OpFactory ops;
  const Actor alice = OpFactory::member("alice");

  SECTION("a role beyond admin") {
    OpEditor editor(encodeOp(ops.thread(alice, "/t")));
    editor.root().getActor().setRole(static_cast<wire::Role>(9));
    requireMalformedOp(editor.bytes());
  }
  SECTION("a thread kind beyond question") {
    OpEditor editor(encodeOp(ops.thread(alice, "/t")));
    editor.root().getCreateThread().setKind(static_cast<wire::ThreadKind>(2));
    requireMalformedOp(editor.bytes());
  }
  SECTION("a vote direction beyond down") {
    OpEditor editor(encodeOp(ops.vote(alice, "p", VoteDirection::up)));
    editor.root().getVote().setDirection(static_cast<wire::VoteDirection>(3));
    requireMalformedOp(editor.bytes());
  }
  SECTION("an op kind this version does not know") {
    const Bytes valid = encodeOp(ops.accept(alice, "p"));
    CHECK(decodeOp(withOpKind(valid, static_cast<std::uint16_t>(wire::Op::ACCEPT))).ok());  // the patch itself is sound
    requireMalformedOp(withOpKind(valid, static_cast<std::uint16_t>(wire::Op::FOLLOW) + 1));
    requireMalformedOp(withOpKind(valid, 0xFFFF));
  }
  SECTION("a flag reason, moderator action or watch action beyond the last") {
    OpEditor flag(encodeOp(ops.flag(alice, "p")));
    flag.root().getFlag().setReason(static_cast<wire::FlagReason>(4));
    requireMalformedOp(flag.bytes());
    OpEditor moderate(encodeOp(ops.moderatePost(alice, ModerationAction::hide, "p")));
    moderate.root().getModerate().setAction(static_cast<wire::ModerationAction>(19));
    requireMalformedOp(moderate.bytes());
    Policy policy;
    policy.watchedWords = {{"en", "x", WatchAction::flag}};
    OpEditor update(encodeOp(ops.policy(alice, policy)));
    update.root().getUpdatePolicy().getWatchedWords()[0].setAction(static_cast<wire::WatchAction>(4));
    CHECK(decodeOp(update.bytes()).error().code == ReasonCode::invalidPolicy);
    OpEditor unknown(encodeOp(ops.policy(alice, policy)));
    unknown.root().getUpdatePolicy().getSettings()[0].setName("noSuchSetting");
    CHECK(decodeOp(unknown.bytes()).error().code == ReasonCode::invalidPolicy);
  }
  SECTION("the largest defined values are accepted") {
    OpEditor editor(encodeOp(ops.vote(alice, "p", VoteDirection::up)));
    editor.root().getActor().setRole(wire::Role::ADMIN);
    editor.root().getVote().setDirection(wire::VoteDirection::DOWN);
    Result<Op> decoded = decodeOp(editor.bytes());
    REQUIRE(decoded.ok());
    CHECK(decoded.value().actor.role == Role::admin);
    CHECK(std::get<CastVote>(decoded.value().body).direction == VoteDirection::down);
  }
}

TEST_CASE("outcomes with events survive encoding and decoding", "[codec]") {
  Community site;
  std::vector<Outcome> outcomes;
  outcomes.push_back(site.requireAccepted(site.ops.thread(site.alice, "/q", ThreadKind::question, "Q?")));
  Op question = site.ops.post(site.alice, "/q", "Question body");
  outcomes.push_back(site.requireAccepted(question));
  Op answer = site.ops.post(site.bob, "/q", "Answer body", question.id);
  outcomes.push_back(site.requireAccepted(answer));
  Op other = site.ops.post(site.carol, "/q", "Other answer", question.id);
  outcomes.push_back(site.requireAccepted(other));
  outcomes.push_back(site.requireAccepted(site.ops.vote(site.carol, answer.id, VoteDirection::down)));
  outcomes.push_back(site.requireAccepted(site.ops.edit(Actor{"bob", "Robert", Role::member}, answer.id, "Edited")));
  outcomes.push_back(site.requireAccepted(site.ops.accept(site.alice, answer.id)));
  outcomes.push_back(site.requireAccepted(site.ops.accept(site.alice, other.id)));  // unaccepts, then accepts
  outcomes.push_back(site.requireAccepted(site.ops.remove(site.carol, other.id)));  // unaccepts, then deletes
  outcomes.push_back(site.requireRejected(site.ops.vote(site.bob, answer.id, VoteDirection::up), ReasonCode::ownPost));
  outcomes.push_back(site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::feature, answer.id)));
  outcomes.push_back(site.requireAccepted(site.ops.flag(site.staff, answer.id, FlagReason::offensive)));
  site.requireAccepted(site.ops.post(site.dave, "/q", "Still waiting for an answer"));
  site.ops.advance(3 * 3'600'000);
  outcomes.push_back(site.requireAccepted(site.ops.make(Actor{"kring:alerts", "Alerts", Role::staff}, CheckAlerts{})));
  outcomes.push_back(site.requireAccepted(site.ops.moderateThread(site.moderator, ModerationAction::lock, "/q")));
  outcomes.push_back(site.requireAccepted(site.ops.policy(site.admin, Policy{})));

  std::vector<bool> seen(std::variant_size_v<EventBody>);
  for (const Outcome& outcome : outcomes) {
    for (const Event& event : outcome.events) seen[event.body.index()] = true;
    Bytes bytes = encodeOutcome(outcome);
    Result<Outcome> decoded = decodeOutcome(bytes);
    REQUIRE(decoded.ok());
    const Outcome& back = decoded.value();
    CHECK(back.opId == outcome.opId);
    CHECK(back.status == outcome.status);
    CHECK(back.code == outcome.code);
    CHECK(back.message == outcome.message);
    REQUIRE(eventNames(back) == eventNames(outcome));
    for (std::size_t i = 0; i < back.events.size(); ++i) {
      CHECK(back.events[i].opId == outcome.events[i].opId);
      CHECK(back.events[i].sequence == outcome.events[i].sequence);
      CHECK(back.events[i].time == outcome.events[i].time);
    }
    CHECK(encodeOutcome(back) == bytes);  // nothing lost or mixed up
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](bool s) { return s; }));

  SECTION("event fields come back") {
    Result<Outcome> post = decodeOutcome(encodeOutcome(outcomes[2]));
    REQUIRE(post.ok());
    CHECK(eventAt<MemberJoined>(post.value(), 0).member.id == "bob");
    const PostRecord record = eventAt<PostCreated>(post.value(), 1).post;
    CHECK(record.id == answer.id);
    CHECK(record.parentId == question.id);
    CHECK(record.body == "Answer body");
    CHECK(record.createdAt == answer.time);

    Result<Outcome> vote = decodeOutcome(encodeOutcome(outcomes[4]));
    REQUIRE(vote.ok());
    CHECK(eventAt<VoteChanged>(vote.value(), 0).direction == VoteDirection::down);
    CHECK(eventAt<VoteChanged>(vote.value(), 0).score == -1);

    Result<Outcome> moved = decodeOutcome(encodeOutcome(outcomes[7]));
    REQUIRE(moved.ok());
    CHECK(eventAt<AnswerUnaccepted>(moved.value(), 0).answerId == answer.id);
    CHECK(eventAt<AnswerAccepted>(moved.value(), 1).answerId == other.id);
  }
}

TEST_CASE("decodeOutcome refuses garbage", "[codec]") {
  for (const Bytes& bytes : {Bytes{}, Bytes(7, 0), Bytes(64, 0xFF)}) {
    Result<Outcome> decoded = decodeOutcome(bytes);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().code == ReasonCode::malformedOp);
  }
  Outcome outcome;
  outcome.opId = "x";
  Bytes valid = encodeOutcome(outcome);
  Bytes truncated(valid.begin(), valid.end() - 8);
  CHECK_FALSE(decodeOutcome(truncated).ok());
}

TEST_CASE("an op log splits back into its frames", "[codec]") {
  std::vector<Bytes> frames{encodedOp(), Bytes{}, Bytes{1, 2, 3}, encodeOp(sampleOps()[3])};
  Bytes log;
  for (const Bytes& frame : frames) appendFrame(log, frame);

  Result<std::vector<ByteView>> split = splitFrames(log);
  REQUIRE(split.ok());
  REQUIRE(split.value().size() == frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    CHECK(Bytes(split.value()[i].begin(), split.value()[i].end()) == frames[i]);
  }
  CHECK(log.size() == 4 * frames.size() + frames[0].size() + 3 + frames[3].size());

  SECTION("an empty log has no frames") {
    Result<std::vector<ByteView>> empty = splitFrames(ByteView());
    REQUIRE(empty.ok());
    CHECK(empty.value().empty());
  }
  SECTION("a truncated log is refused") {
    // Cut inside the last frame's body, and inside its header.
    for (std::size_t cut : {std::size_t{1}, frames[3].size() - 1, frames[3].size() + 1, frames[3].size() + 3}) {
      INFO("without the last " << cut << " bytes");
      Result<std::vector<ByteView>> truncated = splitFrames(ByteView(log).first(log.size() - cut));
      REQUIRE_FALSE(truncated.ok());
      CHECK(truncated.error().code == ReasonCode::malformedOp);
      CHECK_FALSE(truncated.error().message.empty());
    }
  }
  SECTION("a frame header claiming more than the log holds is refused") {
    Bytes lying;
    appendFrame(lying, Bytes(16, 0));
    lying[0] = 0xFF;
    CHECK_FALSE(splitFrames(lying).ok());
  }
}
