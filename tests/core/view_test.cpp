// The thread view: display order, nesting, and its JSON form.
#include <algorithm>

#include "engine_fixture.h"
#include "json_reader.h"

using namespace kring;
using namespace kring::testing;

TEST_CASE("there is no view of an unknown thread", "[view]") {
  Community site;
  site.thread(site.alice, "/t");
  CHECK_FALSE(site.engine.threadView("/missing", SortOrder::top).has_value());
  CHECK_FALSE(site.engine.threadView("", SortOrder::newest, "alice").has_value());
  CHECK_FALSE(site.engine.threadView("/T", SortOrder::oldest).has_value());
}

TEST_CASE("the view carries the thread's details", "[view]") {
  Community site;
  site.requireAccepted(site.ops.thread(site.alice, "/q", ThreadKind::question, "Which charger?"));
  Op post = site.ops.post(site.bob, "/q");
  site.requireAccepted(post);

  SortOrder order = GENERATE(SortOrder::top, SortOrder::newest, SortOrder::oldest);
  ThreadView view = site.view("/q", order);
  CHECK(view.key == "/q");
  CHECK(view.kind == ThreadKind::question);
  CHECK(view.title == "Which charger?");
  CHECK(view.state == ThreadState::open);
  CHECK(view.order == order);
  CHECK(view.lastSequence == post.sequence);
  REQUIRE(view.posts.size() == 1);
  CHECK(view.posts[0].authorId == "bob");
  CHECK(view.posts[0].authorName == "Name of bob");
  CHECK(view.posts[0].authorRole == Role::member);
}

TEST_CASE("the view shows the author's current name and role", "[view]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  const std::string first = site.post(site.bob, key);
  Actor promoted{"bob", "Bob (staff)", Role::staff};
  site.post(promoted, key);
  const PostView post = postIn(site.view(key), first);
  CHECK(post.authorName == "Bob (staff)");
  CHECK(post.authorRole == Role::staff);
}

TEST_CASE("top-level posts are sorted by the chosen order", "[view]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  // Created in this order, one second apart.
  const std::string a = site.post(site.alice, key, "a");
  const std::string b = site.post(site.bob, key, "b");
  const std::string c = site.post(site.carol, key, "c");
  site.vote(site.dave, b, VoteDirection::up);
  site.vote(site.alice, b, VoteDirection::up);
  site.vote(site.dave, c, VoteDirection::up);
  site.vote(site.dave, a, VoteDirection::down);

  CHECK(idsOf(site.view(key, SortOrder::top)) == std::vector<std::string>{b, c, a});
  CHECK(idsOf(site.view(key, SortOrder::newest)) == std::vector<std::string>{c, b, a});
  CHECK(idsOf(site.view(key, SortOrder::oldest)) == std::vector<std::string>{a, b, c});
}

TEST_CASE("equal scores list the older post first in top order", "[view]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  const std::string a = site.post(site.alice, key, "a");
  const std::string b = site.post(site.bob, key, "b");
  const std::string c = site.post(site.carol, key, "c");
  site.vote(site.dave, c, VoteDirection::up);
  site.vote(site.dave, a, VoteDirection::up);
  site.vote(site.dave, b, VoteDirection::up);
  CHECK(idsOf(site.view(key, SortOrder::top)) == std::vector<std::string>{a, b, c});
}

TEST_CASE("the order follows the posts' times, not the order the ops arrived in", "[view]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  const std::string early = site.post(site.alice, key, "early");
  Op backdated = site.ops.post(site.bob, key, "backdated");
  backdated.time -= 60'000;  // arrived second, but written a minute before `early`
  site.requireAccepted(backdated);

  CHECK(idsOf(site.view(key, SortOrder::oldest)) == std::vector<std::string>{backdated.id, early});
  CHECK(idsOf(site.view(key, SortOrder::newest)) == std::vector<std::string>{early, backdated.id});
  CHECK(idsOf(site.view(key, SortOrder::top)) == std::vector<std::string>{backdated.id, early});
}

TEST_CASE("posts with the same time are ordered by creation", "[view]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  Op first = site.ops.post(site.alice, key, "first");
  Op second = site.ops.post(site.bob, key, "second");
  Op third = site.ops.post(site.carol, key, "third");
  second.time = first.time;
  third.time = first.time;
  for (const Op& op : {first, second, third}) site.requireAccepted(op);

  const std::vector<std::string> created{first.id, second.id, third.id};
  const std::vector<std::string> reversed{third.id, second.id, first.id};
  CHECK(idsOf(site.view(key, SortOrder::oldest)) == created);
  CHECK(idsOf(site.view(key, SortOrder::top)) == created);
  CHECK(idsOf(site.view(key, SortOrder::newest)) == reversed);  // newest first: the last created leads

  // Repeated views give the same order.
  CHECK(idsOf(site.view(key, SortOrder::top)) == created);
}

TEST_CASE("replies follow their parent, each level sorted on its own", "[view]") {
  Community site;
  const std::string key = site.thread(site.alice, "/t");
  const std::string p1 = site.post(site.alice, key, "p1");
  const std::string p2 = site.post(site.bob, key, "p2");
  const std::string r1 = site.reply(site.carol, key, p1, "r1");
  const std::string r2 = site.reply(site.dave, key, p1, "r2");
  const std::string r1a = site.reply(site.bob, key, r1, "r1a");
  const std::string r3 = site.reply(site.alice, key, p2, "r3");
  site.vote(site.alice, r2, VoteDirection::up);
  site.vote(site.carol, p2, VoteDirection::up);

  SECTION("oldest") {
    ThreadView view = site.view(key, SortOrder::oldest);
    CHECK(idsOf(view) == std::vector<std::string>{p1, r1, r1a, r2, p2, r3});
    std::vector<std::uint32_t> depths;
    for (const PostView& post : view.posts) depths.push_back(post.depth);
    CHECK(depths == std::vector<std::uint32_t>{0, 1, 2, 1, 0, 1});
    CHECK(postIn(view, r1a).parentId == r1);
    CHECK(postIn(view, p1).replyCount == 2);
  }
  SECTION("newest") {
    CHECK(idsOf(site.view(key, SortOrder::newest)) == std::vector<std::string>{p2, r3, p1, r2, r1, r1a});
  }
  SECTION("top") { CHECK(idsOf(site.view(key, SortOrder::top)) == std::vector<std::string>{p2, r3, p1, r2, r1, r1a}); }
}

TEST_CASE("the view as JSON has the documented shape", "[view][json]") {
  Community site;
  site.requireAccepted(site.ops.thread(site.alice, "/q", ThreadKind::question, "Title"));
  const std::string question = site.post(site.alice, "/q", "Question?");
  const std::string answer = site.reply(site.bob, "/q", question, "Answer.");
  site.vote(site.alice, answer, VoteDirection::up);
  site.requireAccepted(site.ops.accept(site.alice, answer));

  std::string text = toJson(site.view("/q", SortOrder::newest, "alice"));
  std::optional<Json> json = parseJson(text);
  INFO(text);
  REQUIRE(json.has_value());
  REQUIRE(json->type == Json::Type::object);
  CHECK(json->keys == std::vector<std::string>{"key", "kind", "title", "state", "order", "lastSequence", "posts",
                                               "unloadedTopLevel", "unloadedVisible"});
  CHECK((*json)["key"].string == "/q");
  CHECK((*json)["kind"].string == "question");
  CHECK((*json)["state"].string == "open");
  CHECK((*json)["order"].string == "newest");
  CHECK((*json)["lastSequence"].number == static_cast<double>(site.engine.lastSequence()));

  const Json& posts = (*json)["posts"];
  REQUIRE(posts.type == Json::Type::array);
  REQUIRE(posts.items.size() == 2);
  CHECK(posts[0].keys ==
        std::vector<std::string>{
            "id",         "parentId",  "authorId", "authorName", "authorRole", "authorReputation", "authorTrustLevel",
            "body",       "createdAt", "editedAt", "state",      "score",      "accepted",         "depth",
            "replyCount", "myVote",    "featured", "erased",     "heldReason", "unloadedReplies"});
  const Json& second = posts[1];
  CHECK(second["id"].string == answer);
  CHECK(second["parentId"].string == question);
  CHECK(second["authorId"].string == "bob");
  CHECK(second["authorRole"].string == "member");
  CHECK(second["body"].string == "Answer.");
  CHECK(second["state"].string == "visible");
  CHECK(second["score"].number == 1);
  CHECK(second["accepted"].type == Json::Type::boolean);
  CHECK(second["accepted"].boolean);
  CHECK(second["depth"].number == 1);
  CHECK(second["myVote"].string == "up");
  CHECK(posts[0]["replyCount"].number == 1);
  CHECK(posts[0]["myVote"].string == "none");
}

TEST_CASE("an empty thread's JSON has an empty post list", "[view][json]") {
  Community site;
  site.thread(site.alice, "/t");
  std::optional<Json> json = parseJson(toJson(site.view("/t")));
  REQUIRE(json.has_value());
  CHECK((*json)["posts"].type == Json::Type::array);
  CHECK((*json)["posts"].items.empty());
  CHECK((*json)["kind"].string == "discussion");
}

TEST_CASE("hostile text is escaped in the view's JSON", "[view][json]") {
  const std::string script = "</script><img src=x onerror=alert(1)>&amp;";
  const std::string quote = "\"quote\\ 'single'";
  const std::string separators = "line\xE2\x80\xA8separator\xE2\x80\xA9paragraph";
  const std::string controls = "bell\x07 escape\x1B delete\x7F tab\t newline\n return\r";

  Community site;
  Actor hostile{"<evil id=\"1\">", "\"Bobby\\\" <b>&", Role::member};
  site.requireAccepted(site.ops.thread(hostile, "/<script>&\"", ThreadKind::discussion, script + quote));
  const std::string body = script + "\n" + quote + "\n" + separators + "\n" + controls;
  Op post = site.ops.post(hostile, "/<script>&\"", body);
  post.id = "id-<&>\"\\";
  site.requireAccepted(post);

  std::string text = toJson(site.view("/<script>&\"", SortOrder::top));
  INFO(text);
  CHECK(text.find('<') == std::string::npos);
  CHECK(text.find('>') == std::string::npos);
  CHECK(text.find('&') == std::string::npos);
  CHECK(text.find("\xE2\x80\xA8") == std::string::npos);
  CHECK(text.find("\xE2\x80\xA9") == std::string::npos);
  CHECK(text.find('\x7F') == std::string::npos);
  CHECK(std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
  CHECK(text.find("\\u2028") != std::string::npos);
  CHECK(text.find("\\\"quote\\\\ 'single'") != std::string::npos);  // \"quote\\ in the JSON text
  CHECK(text.find("\\u003c") != std::string::npos);

  // Every string comes back exactly: quotes and backslashes were escaped, not dropped.
  std::optional<Json> json = parseJson(text);
  REQUIRE(json.has_value());
  CHECK((*json)["key"].string == "/<script>&\"");
  CHECK((*json)["title"].string == script + quote);
  REQUIRE((*json)["posts"].items.size() == 1);
  const Json& parsed = (*json)["posts"][0];
  CHECK(parsed["id"].string == post.id);
  CHECK(parsed["authorId"].string == hostile.memberId);
  CHECK(parsed["authorName"].string == hostile.displayName);
  CHECK(parsed["body"].string == body);
}

TEST_CASE("non-ASCII text passes through the JSON unchanged", "[view][json]") {
  Community site;
  site.thread(site.alice, "/t");
  const std::string body = "café 😀 \xE2\x80\xA7 \xE2\x80\xAA naïve";  // neighbours of U+2028/9 stay raw
  site.post(site.bob, "/t", body);
  std::string text = toJson(site.view("/t"));
  CHECK(text.find(body) != std::string::npos);
  std::optional<Json> json = parseJson(text);
  REQUIRE(json.has_value());
  CHECK((*json)["posts"][0]["body"].string == body);
}
