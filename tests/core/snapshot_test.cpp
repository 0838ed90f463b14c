// Snapshots: a whole site (server restarts) and one thread (client replicas).
#include <algorithm>
#include <random>
#include <set>

#include "engine_fixture.h"
#include "op_generator.h"
#include "snapshot_records.h"

using namespace kring;
using namespace kring::testing;

namespace {

constexpr SortOrder kOrders[] = {SortOrder::top, SortOrder::newest, SortOrder::oldest};

std::vector<Op> generatedOps(std::uint32_t count, std::uint64_t seed) {
  GeneratorOptions options;
  options.seed = seed;
  options.ops = count;
  return generateOps(options);
}

// An engine that has applied ops [from, to), with each outcome's bytes.
std::vector<Bytes> applyRange(Engine& engine, const std::vector<Op>& ops, std::size_t from, std::size_t to) {
  std::vector<Bytes> outcomes;
  for (std::size_t i = from; i < to; ++i) outcomes.push_back(encodeOutcome(engine.apply(ops[i])));
  return outcomes;
}

Engine generatedSite(std::uint32_t count = 2000, std::uint64_t seed = 2024) {
  Engine engine("generated");
  const std::vector<Op> ops = generatedOps(count, seed);  // a few less than count: no malformed frames
  applyRange(engine, ops, 0, ops.size());
  return engine;
}

std::vector<std::string> threadKeys(const Engine& engine) {
  std::vector<std::string> keys;
  const SiteContents contents = readSiteSnapshot(encodeSiteSnapshot(engine));
  for (const ThreadRecord& thread : contents.threads) keys.push_back(thread.key);
  return keys;
}

// Nobody, and the members of {m5, m0} the replica knows: a viewer it does not know reads as nobody
// there, while the server may know them as a moderator or reviewer.
std::vector<std::string> viewersKnownTo(const Engine& replica) {
  std::vector<std::string> viewers{""};
  for (const char* id : {"m5", "m0"}) {
    if (replica.member(id)) viewers.push_back(id);
  }
  return viewers;
}

// The thread's views in every order, as JSON, for each viewer.
std::vector<std::string> viewsOf(const Engine& engine, const std::string& key,
                                 const std::vector<std::string>& viewers) {
  std::vector<std::string> views;
  for (SortOrder order : kOrders) {
    for (const std::string& viewer : viewers) {
      std::optional<ThreadView> view = engine.threadView(key, order, viewer);
      REQUIRE(view.has_value());
      views.push_back(toJson(*view));
    }
  }
  return views;
}

Engine restored(ByteView bytes, Limits limits = {}) {
  Result<Engine> engine = restoreSiteSnapshot(bytes, limits);
  INFO((engine.ok() ? std::string() : engine.error().message));
  REQUIRE(engine.ok());
  return std::move(engine.value());
}

void requireRestoreRefused(ByteView bytes, ReasonCode code, Limits limits = {}) {
  Result<Engine> engine = restoreSiteSnapshot(bytes, limits);
  REQUIRE_FALSE(engine.ok());
  CHECK(engine.error().code == code);
  CHECK_FALSE(engine.error().message.empty());
}

Bytes threadSnapshot(const Engine& engine, const std::string& key) {
  Result<Bytes> bytes = encodeThreadSnapshot(engine, key, fullViewer());
  REQUIRE(bytes.ok());
  return bytes.value();
}

void requireLoaded(Engine& engine, ByteView bytes) {
  Status status = loadThreadSnapshot(engine, bytes);
  INFO((status.ok() ? std::string() : status.error().message));
  REQUIRE(status.ok());
}

void requireLoadRefused(Engine& engine, ByteView bytes, ReasonCode code) {
  const Bytes before = encodeSiteSnapshot(engine);
  Status status = loadThreadSnapshot(engine, bytes);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == code);
  CHECK_FALSE(status.error().message.empty());
  const bool unchanged = encodeSiteSnapshot(engine) == before;
  CHECK(unchanged);
}

// A small site with every kind of record: a Q&A thread with an accepted, edited, voted answer
// and a comment; a discussion with a reply, votes and a removed post.
struct RichSite : Community {
  std::string q = thread(alice, "/q", ThreadKind::question);
  std::string d = thread(bob, "/d");
  std::string question = post(alice, q, "Question?");
  std::string answer = reply(bob, q, question, "Answer.");
  std::string other = reply(carol, q, question, "Other answer.");
  std::string comment = reply(dave, q, answer, "Comment.");
  std::string discussion = post(bob, d, "Discussion.");
  std::string response = reply(carol, d, discussion, "Response.");
  std::string removed = post(dave, d, "Removed.");

  RichSite() {
    requireAccepted(ops.edit(bob, answer, "Answer, edited."));
    vote(carol, answer, VoteDirection::up);
    vote(dave, answer, VoteDirection::up);
    vote(alice, discussion, VoteDirection::down);
    vote(carol, discussion, VoteDirection::up);
    requireAccepted(ops.accept(alice, answer));
    requireAccepted(ops.remove(moderator, removed));
  }
};

}  // namespace

TEST_CASE("a site snapshot restores to an identical site", "[snapshot]") {
  SECTION("an empty site") {
    Engine empty("empty");
    Bytes bytes = encodeSiteSnapshot(empty);
    Engine back = restored(bytes);
    CHECK(back.siteId() == "empty");
    CHECK(back.lastSequence() == 0);
    CHECK(encodeSiteSnapshot(back) == bytes);
  }
  SECTION("a hand-made site with every kind of record") {
    RichSite site;
    Bytes bytes = site.snapshot();
    Engine back = restored(bytes);
    CHECK(encodeSiteSnapshot(back) == bytes);
    CHECK(back.siteId() == site.engine.siteId());
    CHECK(back.lastSequence() == site.engine.lastSequence());
    for (const std::string& key : {site.q, site.d})
      CHECK(viewsOf(back, key, viewersKnownTo(back)) == viewsOf(site.engine, key, viewersKnownTo(back)));
    CHECK(readSiteSnapshot(bytes).post(site.removed).body == "Removed.");
  }
  SECTION("a generated site of 2000 ops") {
    Engine source = generatedSite();
    Bytes bytes = encodeSiteSnapshot(source);
    Engine back = restored(bytes);
    CHECK(encodeSiteSnapshot(back) == bytes);
    CHECK(back.lastSequence() == source.lastSequence());
    std::vector<std::string> keys = threadKeys(source);
    CHECK(keys.size() > 5);
    for (const std::string& key : keys) {
      INFO("thread " << key);
      CHECK(viewsOf(back, key, viewersKnownTo(back)) == viewsOf(source, key, viewersKnownTo(back)));
    }
  }
}

TEST_CASE("a restored site keeps enforcing the rules on what it restored", "[snapshot]") {
  RichSite site;
  Engine back = restored(site.snapshot());
  OpFactory& ops = site.ops;  // continues the site's op ids and clock

  // Votes, acceptance and removal all came back, not just their visible effects.
  requireRejected(back, ops.vote(site.carol, site.answer, VoteDirection::up), ReasonCode::alreadyVoted);
  requireRejected(back, ops.accept(site.alice, site.answer), ReasonCode::alreadyAccepted);
  requireRejected(back, ops.edit(site.bob, site.removed, "Back"), ReasonCode::postRemoved);
  requireRejected(back, ops.post(site.dave, site.q, "Too deep", site.comment), ReasonCode::tooDeep);
  requireRejected(back, ops.thread(site.carol, site.d), ReasonCode::threadExists);

  Outcome moved = requireAccepted(back, ops.accept(site.alice, site.other));
  CHECK(eventNames(moved) == std::vector<std::string>{"AnswerUnaccepted", "AnswerAccepted"});
  Outcome retract = requireAccepted(back, ops.vote(site.carol, site.answer, VoteDirection::none));
  CHECK(eventAt<VoteChanged>(retract, 0).score == 1);
  Outcome known = requireAccepted(back, ops.post(site.bob, site.d, "Still a member"));
  CHECK(eventNames(known) == std::vector<std::string>{"PostCreated"});
}

TEST_CASE("replaying the rest of a log after a restore gives the same site", "[snapshot]") {
  const std::vector<Op> ops = generatedOps(2000, 99);
  Engine whole("generated");
  const std::vector<Bytes> wholeOutcomes = applyRange(whole, ops, 0, ops.size());
  const Bytes expected = encodeSiteSnapshot(whole);

  REQUIRE(ops.size() > 1900);  // the generator leaves out the log's few malformed frames
  const std::size_t cuts[] = {0, 1, 250, 999, 1500, ops.size() - 1, ops.size()};
  const std::size_t k = cuts[GENERATE(range(0, 7))];
  INFO("snapshot after " << k << " of " << ops.size() << " ops");
  Engine first("generated");
  applyRange(first, ops, 0, k);
  Engine second = restored(encodeSiteSnapshot(first));
  const std::vector<Bytes> rest = applyRange(second, ops, k, ops.size());

  // Every later outcome is the same, and so is the final state.
  REQUIRE(rest.size() == ops.size() - k);
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] != wholeOutcomes[k + i]) FAIL("op " << (k + i) << " had another outcome after the restore");
  }
  const bool identical = encodeSiteSnapshot(second) == expected;
  CHECK(identical);
}

TEST_CASE("a copy of an engine is the same site and independent of it", "[snapshot]") {
  const std::vector<Op> ops = generatedOps(2000, 7);
  REQUIRE(ops.size() > 1900);
  Engine original("generated");
  applyRange(original, ops, 0, 1000);
  const Bytes atCopy = encodeSiteSnapshot(original);
  const Engine copy = original.copy();
  CHECK(encodeSiteSnapshot(copy) == atCopy);

  // The original goes on; the copy stays where it was taken, and can itself go on identically.
  applyRange(original, ops, 1000, ops.size());
  REQUIRE(encodeSiteSnapshot(original) != atCopy);
  CHECK(encodeSiteSnapshot(copy) == atCopy);
  Engine continued = copy.copy();
  applyRange(continued, ops, 1000, ops.size());
  CHECK(encodeSiteSnapshot(continued) == encodeSiteSnapshot(original));
}

TEST_CASE("restoring refuses bytes that are not a snapshot", "[snapshot]") {
  const Bytes valid = RichSite().snapshot();

  SECTION("no bytes") { requireRestoreRefused(ByteView(), ReasonCode::malformedSnapshot); }
  SECTION("a size that is not a multiple of 8") {
    requireRestoreRefused(ByteView(valid).first(valid.size() - 4), ReasonCode::malformedSnapshot);
  }
  SECTION("random garbage") {
    std::mt19937 random(5);
    for (int round = 0; round < 100; ++round) {
      Bytes garbage(8 * (1 + random() % 100));
      for (auto& byte : garbage) byte = static_cast<std::uint8_t>(random());
      requireRestoreRefused(garbage, ReasonCode::malformedSnapshot);
    }
  }
  SECTION("a truncated snapshot") {
    for (std::size_t size = 8; size < valid.size(); size += 8 * 7) {
      requireRestoreRefused(ByteView(valid).first(size), ReasonCode::malformedSnapshot);
    }
  }
}

TEST_CASE("restoring refuses a snapshot of another format version", "[snapshot]") {
  SiteSnapshotEditor editor(RichSite().snapshot());
  std::uint32_t version = GENERATE(0u, 2u, 0xFFFFFFFFu);
  editor.root().setFormatVersion(version);
  requireRestoreRefused(editor.bytes(), ReasonCode::unsupportedVersion);
}

TEST_CASE("restoring refuses records that break the site's invariants", "[snapshot]") {
  RichSite site;
  SiteSnapshotEditor editor(site.snapshot());
  auto root = editor.root();
  auto posts = root.getPosts();
  auto post = [&](const std::string& id) { return posts[postIndex(root, id)]; };

  SECTION("an unmodified copy restores (the editor itself breaks nothing)") {
    Bytes bytes = editor.bytes();
    Engine back = restored(bytes);
    CHECK(encodeSiteSnapshot(back) == site.snapshot());
    return;
  }
  SECTION("a post whose author is missing") { post(site.answer).setAuthorId("ghost"); }
  SECTION("a post whose thread is missing") { post(site.discussion).setThreadKey("/nowhere"); }
  SECTION("a reply whose parent is missing") { post(site.comment).setParentId("ghost"); }
  SECTION("a reply whose parent is in another thread") { post(site.response).setParentId(site.question); }
  SECTION("a reply listed before its parent") { posts[postIndex(root, site.question)].setParentId(site.comment); }
  SECTION("two accepted answers to one question") { post(site.other).setAccepted(true); }
  SECTION("an accepted comment") {
    post(site.answer).setAccepted(false);
    post(site.comment).setAccepted(true);
  }
  SECTION("an accepted question") {
    post(site.answer).setAccepted(false);
    post(site.question).setAccepted(true);
  }
  SECTION("an accepted reply in a discussion") { post(site.response).setAccepted(true); }
  SECTION("a score that does not match the votes") { post(site.answer).setScore(5); }
  SECTION("a score without votes") { post(site.other).setScore(-1); }
  SECTION("a vote by an unknown member") { post(site.answer).getVotes()[0].setMemberId("ghost"); }
  SECTION("a vote in no direction") { post(site.answer).getVotes()[0].setDirection(wire::VoteDirection::NONE); }
  SECTION("two votes by one member on a post") {
    auto votes = post(site.answer).getVotes();
    REQUIRE(votes.size() == 2);
    votes[1].setMemberId(votes[0].getMemberId());
  }
  SECTION("an edit by an unknown member") { post(site.answer).getEdits()[0].setEditorId("ghost"); }
  SECTION("a repeated member id") { root.getMembers()[1].setId(root.getMembers()[0].getId()); }
  SECTION("an empty member id") { root.getMembers()[3].setId(""); }
  SECTION("a repeated thread key") { root.getThreads()[1].setKey(site.q); }
  SECTION("an empty thread key") { root.getThreads()[0].setKey(""); }
  SECTION("a thread whose author is missing") { root.getThreads()[1].setAuthorId("ghost"); }
  SECTION("a repeated post id") { post(site.other).setId(site.answer); }
  SECTION("an empty post id") { post(site.removed).setId(""); }
  SECTION("a role the schema does not define") { root.getMembers()[0].setRole(static_cast<wire::Role>(9)); }
  SECTION("a thread kind the schema does not define") {
    root.getThreads()[0].setKind(static_cast<wire::ThreadKind>(2));
  }
  SECTION("a post state the schema does not define") { post(site.answer).setState(static_cast<wire::PostState>(9)); }
  requireRestoreRefused(editor.bytes(), ReasonCode::malformedSnapshot);
}

TEST_CASE("restoring refuses replies nested deeper than the limits allow", "[snapshot]") {
  RichSite site;
  Limits shallow;
  shallow.maxDiscussionDepth = 0;
  requireRestoreRefused(site.snapshot(), ReasonCode::malformedSnapshot, shallow);
  shallow.maxDiscussionDepth = 1;
  Engine back = restored(site.snapshot(), shallow);
  CHECK(back.limits().maxDiscussionDepth == 1);
}

TEST_CASE("a thread snapshot of an unknown thread is refused", "[snapshot][thread]") {
  RichSite site;
  Result<Bytes> bytes = encodeThreadSnapshot(site.engine, "/missing", fullViewer());
  REQUIRE_FALSE(bytes.ok());
  CHECK(bytes.error().code == ReasonCode::unknownThread);
  CHECK_FALSE(bytes.error().message.empty());
}

TEST_CASE("a thread snapshot loaded into an empty replica shows the same thread", "[snapshot][thread]") {
  SECTION("hand-made threads") {
    RichSite site;
    for (const std::string& key : {site.q, site.d}) {
      INFO("thread " << key);
      Bytes bytes = threadSnapshot(site.engine, key);
      Engine replica("replica");
      requireLoaded(replica, bytes);
      CHECK(viewsOf(replica, key, viewersKnownTo(replica)) == viewsOf(site.engine, key, viewersKnownTo(replica)));
      CHECK(threadSnapshot(replica, key) == bytes);
      CHECK(replica.lastSequence() == site.engine.lastSequence());
      // Only this thread came along.
      CHECK(threadKeys(replica) == std::vector<std::string>{key});
    }
  }
  SECTION("every thread of a generated site") {
    Engine source = generatedSite(2000, 31);
    for (const std::string& key : threadKeys(source)) {
      INFO("thread " << key);
      Bytes bytes = threadSnapshot(source, key);
      Engine replica("replica");
      requireLoaded(replica, bytes);
      CHECK(viewsOf(replica, key, viewersKnownTo(replica)) == viewsOf(source, key, viewersKnownTo(replica)));
      const bool identical = threadSnapshot(replica, key) == bytes;
      CHECK(identical);
    }
  }
}

TEST_CASE("a thread snapshot carries the members its records name", "[snapshot][thread]") {
  RichSite site;
  Engine replica("replica");
  requireLoaded(replica, threadSnapshot(site.engine, site.q));
  SiteContents contents = readSiteSnapshot(encodeSiteSnapshot(replica));
  std::set<std::string> members;
  for (const MemberRecord& member : contents.members) members.insert(member.id);
  // alice asked and voted elsewhere; bob answered and edited; carol and dave voted or commented.
  CHECK(members == std::set<std::string>{"alice", "bob", "carol", "dave"});
  CHECK(contents.post(site.answer).edits.size() == 1);
  CHECK(contents.post(site.answer).votes.size() == 2);
}

TEST_CASE("loading a thread snapshot again replaces the thread", "[snapshot][thread]") {
  RichSite site;
  Engine replica("replica");
  requireLoaded(replica, threadSnapshot(site.engine, site.d));

  SECTION("the same snapshot twice gives no duplicates") {
    requireLoaded(replica, threadSnapshot(site.engine, site.d));
    CHECK(viewsOf(replica, site.d, viewersKnownTo(replica)) == viewsOf(site.engine, site.d, viewersKnownTo(replica)));
    CHECK(readSiteSnapshot(encodeSiteSnapshot(replica)).posts.size() == 3);
    CHECK(threadKeys(replica).size() == 1);
  }
  SECTION("a newer snapshot brings the thread up to date") {
    const std::string added = site.reply(site.alice, site.d, site.response, "Newer reply");
    site.requireAccepted(site.ops.edit(site.bob, site.discussion, "Discussion, edited."));
    site.vote(site.dave, site.discussion, VoteDirection::up);
    site.requireAccepted(site.ops.remove(site.carol, site.response));
    Actor renamed{"carol", "Caroline", Role::member};
    site.reply(renamed, site.d, site.discussion, "Renamed");

    requireLoaded(replica, threadSnapshot(site.engine, site.d));
    CHECK(viewsOf(replica, site.d, viewersKnownTo(replica)) == viewsOf(site.engine, site.d, viewersKnownTo(replica)));
    CHECK(threadSnapshot(replica, site.d) == threadSnapshot(site.engine, site.d));
    SiteContents contents = readSiteSnapshot(encodeSiteSnapshot(replica));
    CHECK(contents.posts.size() == 5);
    CHECK(contents.member("carol").displayName == "Caroline");
    std::set<std::string> ids;
    for (const PostRecord& post : contents.posts) ids.insert(post.id);
    CHECK(ids.size() == contents.posts.size());
    CHECK(ids.count(added) == 1);
  }
  SECTION("other threads of the replica are kept") {
    requireLoaded(replica, threadSnapshot(site.engine, site.q));
    requireLoaded(replica, threadSnapshot(site.engine, site.d));
    CHECK(viewsOf(replica, site.q, viewersKnownTo(replica)) == viewsOf(site.engine, site.q, viewersKnownTo(replica)));
    CHECK(viewsOf(replica, site.d, viewersKnownTo(replica)) == viewsOf(site.engine, site.d, viewersKnownTo(replica)));
    CHECK(threadKeys(replica).size() == 2);
  }
}

TEST_CASE("a replica can hold every thread of a site", "[snapshot][thread]") {
  Engine source = generatedSite(2000, 77);
  Engine replica("replica");
  std::vector<std::string> keys = threadKeys(source);
  for (const std::string& key : keys) requireLoaded(replica, threadSnapshot(source, key));
  for (const std::string& key : keys) {
    INFO("thread " << key);
    CHECK(viewsOf(replica, key, viewersKnownTo(replica)) == viewsOf(source, key, viewersKnownTo(replica)));
  }
}

TEST_CASE("loading refuses a broken thread snapshot and keeps the replica", "[snapshot][thread]") {
  RichSite site;
  Engine replica("replica");
  requireLoaded(replica, threadSnapshot(site.engine, site.d));
  const Bytes valid = threadSnapshot(site.engine, site.q);

  SECTION("garbage") {
    requireLoadRefused(replica, ByteView(), ReasonCode::malformedSnapshot);
    requireLoadRefused(replica, Bytes(24, 0xAB), ReasonCode::malformedSnapshot);
    requireLoadRefused(replica, ByteView(valid).first(valid.size() - 8), ReasonCode::malformedSnapshot);
  }
  SECTION("another format version") {
    ThreadSnapshotEditor editor(valid);
    editor.root().setFormatVersion(2);
    requireLoadRefused(replica, editor.bytes(), ReasonCode::unsupportedVersion);
  }
  SECTION("a post of another thread") {
    ThreadSnapshotEditor editor(valid);
    editor.root().getPosts()[0].setThreadKey(site.d);
    requireLoadRefused(replica, editor.bytes(), ReasonCode::malformedSnapshot);
  }
  SECTION("a post whose author is not among the members") {
    ThreadSnapshotEditor editor(valid);
    editor.root().getPosts()[1].setAuthorId("ghost");
    requireLoadRefused(replica, editor.bytes(), ReasonCode::malformedSnapshot);
  }
  SECTION("a score beyond the votes it carries is the server's count (a viewer holds only their own vote)") {
    ThreadSnapshotEditor editor(valid);
    editor.root().getPosts()[1].setScore(42);
    REQUIRE(loadThreadSnapshot(replica, editor.bytes()).ok());
    Bytes reloaded = encodeThreadSnapshot(replica, site.q, fullViewer()).value();
    CHECK(reloaded == editor.bytes());
  }
  SECTION("a post id the replica has in another thread") {
    ThreadSnapshotEditor editor(valid);
    editor.root().getPosts()[3].setId(site.discussion);
    requireLoadRefused(replica, editor.bytes(), ReasonCode::malformedSnapshot);
  }
}
