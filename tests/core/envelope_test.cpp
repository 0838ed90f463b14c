// The checks every op passes before its kind is looked at: op id, member id, display name;
// and how members are recorded from the ops they send.
#include "engine_fixture.h"
#include "snapshot_records.h"

using namespace kring;
using namespace kring::testing;

namespace {

// An op that would be accepted if its envelope were fine.
Op createThreadOp(Community& site, const Actor& actor) { return site.ops.thread(actor, "/products/sku-1"); }

}  // namespace

TEST_CASE("an op id must be 1 to 64 bytes", "[envelope]") {
  Community site;
  Op op = createThreadOp(site, site.alice);

  SECTION("an empty op id is rejected") {
    op.id = "";
    site.requireRejected(op, ReasonCode::invalidId);
  }
  SECTION("an op id of 65 bytes is rejected") {
    op.id = std::string(65, 'x');
    site.requireRejected(op, ReasonCode::invalidId);
  }
  SECTION("an op id of exactly 64 bytes is accepted") {
    op.id = std::string(64, 'x');
    site.requireAccepted(op);
  }
}

TEST_CASE("an op id with control characters or invalid UTF-8 is rejected", "[envelope]") {
  Community site;
  Op op = createThreadOp(site, site.alice);
  std::string bad = GENERATE(as<std::string>{}, std::string("op\0id", 5), "op\x01id", "op\x1Bid", "op\x7Fid",
                             "op\xC3\x28id", "op\xFFid");
  op.id = bad;
  site.requireRejected(op, ReasonCode::invalidId);
}

TEST_CASE("an op id with a tab or a line break is rejected as not printable", "[envelope]") {
  // The rejection message promises "printable UTF-8"; tab, CR and LF are C0 control characters.
  Community site;
  Op op = createThreadOp(site, site.alice);
  std::string bad = GENERATE(as<std::string>{}, "op\tid", "op\nid", "op\rid");
  op.id = bad;
  site.requireRejected(op, ReasonCode::invalidId);
}

TEST_CASE("a non-ASCII op id is accepted", "[envelope]") {
  Community site;
  Op op = createThreadOp(site, site.alice);
  op.id = "op-café-😀";
  site.requireAccepted(op);
}

TEST_CASE("the envelope is checked before the op's own rules", "[envelope]") {
  Community site;
  Op vote = site.ops.vote(site.alice, "no-such-post", VoteDirection::up);
  vote.id = "";
  site.requireRejected(vote, ReasonCode::invalidId);
}

TEST_CASE("a member id must be 1 to 128 bytes of printable UTF-8", "[envelope]") {
  Community site;

  SECTION("an empty member id is rejected") {
    site.requireRejected(createThreadOp(site, OpFactory::member("")), ReasonCode::invalidMember);
  }
  SECTION("a member id of 129 bytes is rejected") {
    site.requireRejected(createThreadOp(site, OpFactory::member(std::string(129, 'm'))), ReasonCode::invalidMember);
  }
  SECTION("a member id of exactly 128 bytes is accepted") {
    site.requireAccepted(createThreadOp(site, Actor{std::string(128, 'm'), "Long id", Role::member}));
  }
  SECTION("a member id with a control character is rejected") {
    site.requireRejected(createThreadOp(site, OpFactory::member("mem\x01"
                                                                "ber")),
                         ReasonCode::invalidMember);
  }
  SECTION("a member id that is not UTF-8 is rejected") {
    site.requireRejected(createThreadOp(site, OpFactory::member("mem\xC0\xAF"
                                                                "ber")),
                         ReasonCode::invalidMember);
  }
}

TEST_CASE("a display name may be at most 64 bytes", "[envelope]") {
  Community site;
  Actor actor = site.alice;

  SECTION("a display name of 65 bytes is rejected") {
    actor.displayName = std::string(65, 'n');
    site.requireRejected(createThreadOp(site, actor), ReasonCode::invalidMember);
  }
  SECTION("a display name of exactly 64 bytes is accepted") {
    actor.displayName = std::string(64, 'n');
    site.requireAccepted(createThreadOp(site, actor));
  }
  SECTION("an empty display name is accepted") {
    actor.displayName = "";
    site.requireAccepted(createThreadOp(site, actor));
  }
  SECTION("a display name with a control character is rejected") {
    actor.displayName = "Alice\x07";
    site.requireRejected(createThreadOp(site, actor), ReasonCode::invalidMember);
  }
  SECTION("a display name that is not UTF-8 is rejected") {
    actor.displayName = "Alice \xED\xA0\x80";
    site.requireRejected(createThreadOp(site, actor), ReasonCode::invalidMember);
  }
}

TEST_CASE("a member is recorded with their first accepted op only", "[envelope][members]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");

  // bob's first op is rejected: he is not recorded.
  site.requireRejected(site.ops.post(site.bob, key, "   "), ReasonCode::emptyBody);
  CHECK(readSiteSnapshot(site.snapshot()).findMember("bob") == nullptr);

  // His first accepted op records him, before the op's own event.
  Op first = site.ops.post(site.bob, key, "First!");
  Outcome outcome = site.requireAccepted(first);
  REQUIRE(eventNames(outcome) == std::vector<std::string>{"MemberJoined", "PostCreated", "FollowChanged"});
  const MemberRecord joined = eventAt<MemberJoined>(outcome, 0).member;
  CHECK(joined.id == "bob");
  CHECK(joined.displayName == "Name of bob");
  CHECK(joined.role == Role::member);
  CHECK(joined.joinedAt == first.time);

  const MemberRecord stored = readSiteSnapshot(site.snapshot()).member("bob");
  CHECK(stored.displayName == "Name of bob");
  CHECK(stored.joinedAt == first.time);

  // Later ops do not record him again.
  Outcome second = site.requireAccepted(site.ops.post(site.bob, key, "Second"));
  CHECK(eventNames(second) == std::vector<std::string>{"PostCreated"});
  CHECK(readSiteSnapshot(site.snapshot()).members.size() == 2);
}

TEST_CASE("a member whose name or role changes is updated by their next accepted op", "[envelope][members]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  Actor alice = site.alice;

  SECTION("a changed display name emits MemberChanged before the op's event") {
    alice.displayName = "Alice Liddell";
    Outcome outcome = site.requireAccepted(site.ops.post(alice, key));
    REQUIRE(eventNames(outcome) == std::vector<std::string>{"MemberChanged", "PostCreated"});
    const MemberRecord changed = eventAt<MemberChanged>(outcome, 0).member;
    CHECK(changed.id == "alice");
    CHECK(changed.displayName == "Alice Liddell");
    CHECK(readSiteSnapshot(site.snapshot()).member("alice").displayName == "Alice Liddell");
  }
  SECTION("a changed role emits MemberChanged") {
    alice.role = Role::moderator;
    Outcome outcome = site.requireAccepted(site.ops.post(alice, key));
    REQUIRE(eventNames(outcome) == std::vector<std::string>{"MemberChanged", "PostCreated"});
    CHECK(eventAt<MemberChanged>(outcome, 0).member.role == Role::moderator);
    CHECK(readSiteSnapshot(site.snapshot()).member("alice").role == Role::moderator);
  }
  SECTION("the same name and role emit no MemberChanged") {
    Outcome outcome = site.requireAccepted(site.ops.post(alice, key));
    CHECK(eventNames(outcome) == std::vector<std::string>{"PostCreated"});
  }
  SECTION("a rejected op with a new name changes nothing") {
    alice.displayName = "Someone else";
    site.requireRejected(site.ops.post(alice, "no-such-thread"), ReasonCode::unknownThread);
    CHECK(readSiteSnapshot(site.snapshot()).member("alice").displayName == "Name of alice");
  }
  SECTION("the joining date is kept across changes") {
    TimeMs joinedAt = readSiteSnapshot(site.snapshot()).member("alice").joinedAt;
    alice.displayName = "Renamed";
    site.requireAccepted(site.ops.post(alice, key));
    CHECK(readSiteSnapshot(site.snapshot()).member("alice").joinedAt == joinedAt);
  }
}
