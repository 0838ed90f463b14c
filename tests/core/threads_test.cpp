// Creating threads: keys, titles and the events they produce.
#include "engine_fixture.h"
#include "snapshot_records.h"

using namespace kring;
using namespace kring::testing;

TEST_CASE("creating a thread records it and its author", "[threads]") {
  Community site;
  Op op = site.ops.thread(site.alice, "/products/sku-1", ThreadKind::question, "Does it fit?");
  Outcome outcome = site.requireAccepted(op);

  REQUIRE(eventNames(outcome) == std::vector<std::string>{"MemberJoined", "ThreadCreated", "FollowChanged"});
  CHECK(eventAt<MemberJoined>(outcome, 0).member.id == "alice");
  const ThreadRecord thread = eventAt<ThreadCreated>(outcome, 1).thread;
  CHECK(thread.key == "/products/sku-1");
  CHECK(thread.kind == ThreadKind::question);
  CHECK(thread.title == "Does it fit?");
  CHECK(thread.authorId == "alice");
  CHECK(thread.createdAt == op.time);
  CHECK(thread.state == ThreadState::open);
  CHECK(site.engine.lastSequence() == op.sequence);

  ThreadView view = site.view("/products/sku-1");
  CHECK(view.key == "/products/sku-1");
  CHECK(view.kind == ThreadKind::question);
  CHECK(view.title == "Does it fit?");
  CHECK(view.state == ThreadState::open);
  CHECK(view.posts.empty());

  SECTION("the author's next thread emits only ThreadCreated") {
    Outcome second = site.requireAccepted(site.ops.thread(site.alice, "/products/sku-2"));
    CHECK(eventNames(second) == std::vector<std::string>{"ThreadCreated", "FollowChanged"});
  }
}

TEST_CASE("a thread key can be used only once", "[threads]") {
  Community site;
  site.thread(site.alice, "/products/sku-1");

  SECTION("by the same member") {
    site.requireRejected(site.ops.thread(site.alice, "/products/sku-1"), ReasonCode::threadExists);
  }
  SECTION("by another member, with another kind and title") {
    site.requireRejected(site.ops.thread(site.bob, "/products/sku-1", ThreadKind::question, "Other"),
                         ReasonCode::threadExists);
  }
  SECTION("keys differing only in case are different threads") {
    site.requireAccepted(site.ops.thread(site.bob, "/PRODUCTS/SKU-1"));
  }
}

TEST_CASE("a thread key must be 1 to 200 bytes of printable UTF-8", "[threads]") {
  Community site;

  SECTION("an empty key is rejected") {
    site.requireRejected(site.ops.thread(site.alice, ""), ReasonCode::invalidThreadKey);
  }
  SECTION("a key of 201 bytes is rejected") {
    site.requireRejected(site.ops.thread(site.alice, std::string(201, 'k')), ReasonCode::invalidThreadKey);
  }
  SECTION("a key of exactly 200 bytes is accepted") {
    site.requireAccepted(site.ops.thread(site.alice, std::string(200, 'k')));
  }
  SECTION("a key with a control character is rejected") {
    std::string key = GENERATE(as<std::string>{}, std::string("/a\0b", 4), "/a\x01", "/a\x1F", "/a\x7F");
    site.requireRejected(site.ops.thread(site.alice, key), ReasonCode::invalidThreadKey);
  }
  SECTION("a key that is not UTF-8 is rejected") {
    site.requireRejected(site.ops.thread(site.alice, "/caf\xE9"), ReasonCode::invalidThreadKey);
  }
  SECTION("a non-ASCII key is accepted") { site.requireAccepted(site.ops.thread(site.alice, "/produits/café")); }
}

TEST_CASE("a thread key with a tab or a line break is rejected as not printable", "[threads]") {
  // The rejection message promises "printable UTF-8"; tab, CR and LF are C0 control characters.
  Community site;
  std::string key = GENERATE(as<std::string>{}, "/a\tb", "/a\nb", "/a\rb");
  site.requireRejected(site.ops.thread(site.alice, key), ReasonCode::invalidThreadKey);
}

TEST_CASE("a thread title may be at most 300 bytes of UTF-8", "[threads]") {
  Community site;

  SECTION("a title of 301 bytes is rejected") {
    site.requireRejected(site.ops.thread(site.alice, "/t", ThreadKind::discussion, std::string(301, 't')),
                         ReasonCode::titleTooLong);
  }
  SECTION("a title of exactly 300 bytes is accepted") {
    site.requireAccepted(site.ops.thread(site.alice, "/t", ThreadKind::discussion, std::string(300, 't')));
  }
  SECTION("an empty title is accepted") {
    site.requireAccepted(site.ops.thread(site.alice, "/t", ThreadKind::discussion, ""));
  }
  SECTION("a title that is not valid UTF-8 is rejected") {
    std::string title = GENERATE(as<std::string>{}, "bad \xC3\x28", "overlong \xC0\xAF", "surrogate \xED\xA0\x80");
    site.requireRejected(site.ops.thread(site.alice, "/t", ThreadKind::discussion, title), ReasonCode::invalidText);
  }
}

TEST_CASE("a locked or archived thread refuses new content", "[threads]") {
  // Thread states other than open come from the server's snapshots; ops cannot set them yet.
  Community site;
  const std::string key = site.thread(site.alice, "/q", ThreadKind::question);
  const std::string question = site.post(site.alice, key);
  const std::string answer = site.reply(site.bob, key, question);

  ThreadState state = GENERATE(ThreadState::locked, ThreadState::archived);
  SiteSnapshotEditor editor(site.snapshot());
  editor.root().getThreads()[0].setState(static_cast<wire::ThreadState>(state));
  Result<Engine> restored = restoreSiteSnapshot(editor.bytes());
  REQUIRE(restored.ok());
  Engine& engine = restored.value();
  CHECK(engine.threadView(key, SortOrder::top)->state == state);

  requireRejected(engine, site.ops.post(site.carol, key), ReasonCode::threadLocked);
  requireRejected(engine, site.ops.post(site.carol, key, "Reply", question), ReasonCode::threadLocked);
  requireRejected(engine, site.ops.edit(site.bob, answer, "Edited"), ReasonCode::threadLocked);
  requireRejected(engine, site.ops.vote(site.carol, answer, VoteDirection::up), ReasonCode::threadLocked);
  requireRejected(engine, site.ops.accept(site.alice, answer), ReasonCode::threadLocked);
}

TEST_CASE("a pinned thread accepts new content", "[threads]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  const std::string post = site.post(site.alice, key);
  SiteSnapshotEditor editor(site.snapshot());
  editor.root().getThreads()[0].setState(wire::ThreadState::PINNED);
  Result<Engine> restored = restoreSiteSnapshot(editor.bytes());
  REQUIRE(restored.ok());
  Engine& engine = restored.value();

  requireAccepted(engine, site.ops.post(site.bob, key, "Reply", post));
  requireAccepted(engine, site.ops.vote(site.bob, post, VoteDirection::up));
  requireAccepted(engine, site.ops.edit(site.alice, post, "Edited"));
  CHECK(toJson(*engine.threadView(key, SortOrder::top)).find("\"state\":\"pinned\"") != std::string::npos);
}
