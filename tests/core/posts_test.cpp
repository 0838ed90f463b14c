// Creating posts and replies: ids, bodies, parents and nesting depth.
#include "engine_fixture.h"
#include "snapshot_records.h"

using namespace kring;
using namespace kring::testing;

TEST_CASE("a top-level post takes its op's id", "[posts]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  Op op = site.ops.post(site.bob, key, "Does it come in **blue**?");
  Outcome outcome = site.requireAccepted(op);

  REQUIRE(eventNames(outcome) == std::vector<std::string>{"MemberJoined", "PostCreated", "FollowChanged"});
  const PostRecord post = eventAt<PostCreated>(outcome, 1).post;
  CHECK(post.id == op.id);
  CHECK(post.threadKey == key);
  CHECK(post.parentId.empty());
  CHECK(post.authorId == "bob");
  CHECK(post.body == "Does it come in **blue**?");
  CHECK(post.createdAt == op.time);
  CHECK(post.createdSequence == op.sequence);
  CHECK(post.editedAt == 0);
  CHECK(post.state == PostState::visible);
  CHECK(post.score == 0);
  CHECK_FALSE(post.accepted);

  ThreadView view = site.view(key);
  REQUIRE(idsOf(view) == std::vector<std::string>{op.id});
  CHECK(view.posts[0].depth == 0);
  CHECK(view.posts[0].authorName == "Name of bob");
  CHECK(view.lastSequence == op.sequence);
}

TEST_CASE("replies nest under their parent", "[posts]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  const std::string top = site.post(site.alice, key);
  Op replyOp = site.ops.post(site.bob, key, "A reply", top);
  Outcome outcome = site.requireAccepted(replyOp);
  CHECK(eventAt<PostCreated>(outcome, 1).post.parentId == top);
  const std::string nested = site.reply(site.carol, key, replyOp.id);

  ThreadView view = site.view(key);
  REQUIRE(idsOf(view) == std::vector<std::string>{top, replyOp.id, nested});
  CHECK(view.posts[0].depth == 0);
  CHECK(view.posts[1].depth == 1);
  CHECK(view.posts[1].parentId == top);
  CHECK(view.posts[2].depth == 2);
  CHECK(view.posts[2].parentId == replyOp.id);
  CHECK(view.posts[0].replyCount == 1);
  CHECK(view.posts[1].replyCount == 1);
  CHECK(view.posts[2].replyCount == 0);
}

TEST_CASE("a post id cannot be reused", "[posts]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  const std::string other = site.thread(site.alice, "/other");
  const std::string existing = site.post(site.alice, key);

  Op op = site.ops.post(site.bob, other, "Different thread, same id");
  op.id = existing;
  site.requireRejected(op, ReasonCode::duplicatePostId);
}

TEST_CASE("a post needs an existing thread", "[posts]") {
  Community site;
  site.thread(site.alice, "/t");
  site.requireRejected(site.ops.post(site.bob, "/missing"), ReasonCode::unknownThread);
  site.requireRejected(site.ops.post(site.bob, ""), ReasonCode::unknownThread);
}

TEST_CASE("a post body must not be blank", "[posts]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  std::string body = GENERATE(as<std::string>{}, "", " ", "   \n\t\r\n  ");
  site.requireRejected(site.ops.post(site.bob, key, body), ReasonCode::emptyBody);
}

TEST_CASE("a post body may be at most 20000 bytes", "[posts]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");

  SECTION("20001 bytes are rejected") {
    site.requireRejected(site.ops.post(site.bob, key, std::string(20001, 'a')), ReasonCode::bodyTooLong);
  }
  SECTION("exactly 20000 bytes are accepted and kept whole") {
    Op op = site.ops.post(site.bob, key, std::string(20000, 'a'));
    site.requireAccepted(op);
    CHECK(postIn(site.view(key), op.id).body.size() == 20000);
  }
  SECTION("the limit counts bytes, not characters") {
    std::string body;
    for (int i = 0; i < 10000; ++i) body += "é";  // 2 bytes each
    site.requireAccepted(site.ops.post(site.bob, key, body));
    site.requireRejected(site.ops.post(site.bob, key, body + "x"), ReasonCode::bodyTooLong);
  }
}

TEST_CASE("a post body must be valid UTF-8", "[posts]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");

  SECTION("malformed sequences are rejected") {
    std::string body = GENERATE(as<std::string>{},
                                "bad \xC3\x28 byte",          // lead byte without continuation
                                "overlong \xC0\xAF slash",    // overlong encoding of '/'
                                "overlong \xE0\x80\xAF",      // three-byte overlong
                                "surrogate \xED\xA0\x80",     // U+D800
                                "too high \xF4\x90\x80\x80",  // U+110000
                                "stray \x80 continuation", "cut off \xE2\x82", "\xFF\xFE");
    site.requireRejected(site.ops.post(site.bob, key, body), ReasonCode::invalidText);
  }
  SECTION("well-formed multi-byte text is accepted") {
    Op op = site.ops.post(site.bob, key, "café, naïve, € and 😀 \xF4\x8F\xBF\xBF");
    site.requireAccepted(op);
    CHECK(postIn(site.view(key), op.id).body == "café, naïve, € and 😀 \xF4\x8F\xBF\xBF");
  }
}

TEST_CASE("a reply needs a live parent in the same thread", "[posts]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  const std::string other = site.thread(site.alice, "/other");
  const std::string parent = site.post(site.alice, key);
  const std::string elsewhere = site.post(site.alice, other);

  SECTION("a reply to an unknown post is rejected") {
    site.requireRejected(site.ops.post(site.bob, key, "Reply", "no-such-post"), ReasonCode::unknownPost);
  }
  SECTION("a reply to a post in another thread is rejected") {
    site.requireRejected(site.ops.post(site.bob, key, "Reply", elsewhere), ReasonCode::parentNotInThread);
  }
  SECTION("a reply to a removed post is rejected") {
    site.requireAccepted(site.ops.remove(site.alice, parent));
    site.requireRejected(site.ops.post(site.bob, key, "Reply", parent), ReasonCode::postRemoved);
  }
}

TEST_CASE("discussion replies nest at most 8 deep", "[posts]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  std::string parent = site.post(site.alice, key);
  for (int depth = 1; depth <= 8; ++depth) parent = site.reply(depth % 2 ? site.bob : site.alice, key, parent);
  CHECK(postIn(site.view(key), parent).depth == 8);

  site.requireRejected(site.ops.post(site.carol, key, "Too deep", parent), ReasonCode::tooDeep);
}

TEST_CASE("question threads nest question, answer, comment and no deeper", "[posts]") {
  Community site;
  const std::string key = site.thread(site.alice, "/q", ThreadKind::question);
  const std::string question = site.post(site.alice, key, "How long does the battery last?");
  const std::string answer = site.reply(site.bob, key, question, "About a day.");
  const std::string comment = site.reply(site.alice, key, answer, "Even with GPS on?");

  ThreadView view = site.view(key);
  CHECK(postIn(view, question).depth == 0);
  CHECK(postIn(view, answer).depth == 1);
  CHECK(postIn(view, comment).depth == 2);

  site.requireRejected(site.ops.post(site.bob, key, "Yes.", comment), ReasonCode::tooDeep);
  SECTION("more answers and comments are fine") {
    site.reply(site.carol, key, question, "Two days for me.");
    site.reply(site.carol, key, answer, "Same here.");
  }
}

TEST_CASE("each accepted post counts towards its author's posts", "[posts][members]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  CHECK(readSiteSnapshot(site.snapshot()).member("alice").postCount == 0);

  const std::string first = site.post(site.bob, key);
  CHECK(readSiteSnapshot(site.snapshot()).member("bob").postCount == 1);
  site.reply(site.bob, key, first);
  site.post(site.alice, key);
  SiteContents contents = readSiteSnapshot(site.snapshot());
  CHECK(contents.member("bob").postCount == 2);
  CHECK(contents.member("alice").postCount == 1);

  SECTION("rejected posts do not count") {
    site.requireRejected(site.ops.post(site.bob, key, " "), ReasonCode::emptyBody);
    CHECK(readSiteSnapshot(site.snapshot()).member("bob").postCount == 2);
  }
}
