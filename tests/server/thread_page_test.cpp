// A thread as the server renders it for everyone (render/thread_page.h, render/sitemap.h), from an
// engine the test drives: what must never be in it (held, removed, deleted, erased, executable) and
// the schema.org data a crawler reads.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "engine_fixture.h"
#include "render/sitemap.h"
#include "render/thread_page.h"

using namespace kring;
using namespace kring::testing;
using kring::server::renderSitemap;
using kring::server::renderThreadFragment;

namespace {

Policy holdingPolicy() {
  Policy policy = structuralPolicy();
  policy.watchedWords.push_back(WatchedWord{"*", "holdmeplease", WatchAction::requireApproval});
  return policy;
}

// The JSON-LD block of a fragment, parsed.
boost::json::object structuredData(const std::string& html) {
  const std::string open = "<script type=\"application/ld+json\">";
  std::size_t start = html.find(open);
  REQUIRE(start != std::string::npos);
  start += open.size();
  std::size_t end = html.find("</script>", start);
  REQUIRE(end != std::string::npos);
  boost::json::value value = boost::json::parse(html.substr(start, end - start));
  REQUIRE(value.is_object());
  return value.as_object();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a Q&A thread renders what everyone may read, with QAPage data, and nothing held, removed or erased",
          "[render]") {
  Community c(holdingPolicy());
  const std::string key = c.thread(c.alice, "/p/sku-1", ThreadKind::question);
  const std::string question = c.post(c.alice, key, "Does the **kettle** fit a_small_shelf?\n\nIt is 20 cm deep.");
  const std::string accepted = c.reply(c.bob, key, question, "Yes: it is 18 cm deep. See https://shop.example/kettle");
  const std::string other =
      c.reply(c.carol, key, question, "Mine fits <script>alert('x')</script> [x](javascript:alert(1))");
  const std::string comment = c.reply(c.alice, key, accepted, "Thanks, ordered!");
  c.requireAccepted(c.ops.accept(c.alice, accepted));
  c.vote(c.carol, accepted, VoteDirection::up);
  // What must stay out: a held answer, a removed one, a deleted one and an erased member's.
  Outcome held = c.engine.apply(c.ops.post(c.dave, key, "holdmeplease buy pills", question));
  REQUIRE(held.status == OutcomeStatus::held);
  const std::string removed = c.reply(c.bob, key, question, "removedwords-31c7 rude answer");
  c.requireAccepted(c.ops.moderatePost(c.moderator, ModerationAction::reject, removed));
  const std::string deleted = c.reply(c.carol, key, question, "deletedwords-8e2a second thoughts");
  c.requireAccepted(c.ops.remove(c.carol, deleted));
  const Actor erin = OpFactory::member("erin");
  const std::string erased = c.reply(erin, key, question, "erasedwords-5b90 my answer");
  c.requireAccepted(c.ops.moderateMember(c.admin, ModerationAction::erase, "erin"));

  std::optional<std::string> html = renderThreadFragment(c.engine, key);
  REQUIRE(html);
  INFO(*html);
  // The visible posts, rendered by the one Markdown renderer.
  CHECK(html->find("Does the <strong>kettle</strong> fit a_small_shelf?") != std::string::npos);
  CHECK(html->find("<a href=\"https://shop.example/kettle\" rel=\"ugc nofollow noopener\" target=\"_blank\">") !=
        std::string::npos);
  CHECK(html->find("Thanks, ordered!") != std::string::npos);
  CHECK(html->find("id=\"kring-post-" + question + "\"") != std::string::npos);
  // Hostile text is text: the only script is the JSON-LD, and no link runs code.
  CHECK(html->find("Mine fits &lt;script&gt;alert('x')&lt;/script&gt; x") != std::string::npos);
  CHECK(count(*html, "<script") == 1);
  CHECK(html->find("javascript:") == std::string::npos);
  for (const char* hidden : {"holdmeplease", "removedwords", "deletedwords", "erasedwords"}) {
    INFO(hidden);
    CHECK(html->find(hidden) == std::string::npos);
  }

  boost::json::object data = structuredData(*html);
  CHECK(data.at("@context") == "https://schema.org");
  CHECK(data.at("@type") == "QAPage");
  const boost::json::object& entity = data.at("mainEntity").as_object();
  CHECK(entity.at("@type") == "Question");
  CHECK(entity.at("name") == "Does the kettle fit a_small_shelf?");
  CHECK(entity.at("text") == "Does the kettle fit a_small_shelf?\nIt is 20 cm deep.");
  CHECK(entity.at("answerCount") == 2);  // the accepted one and Carol's: nothing hidden counts
  CHECK(entity.at("dateCreated").as_string().ends_with("Z"));
  CHECK(entity.at("author").at("name") == "Name of alice");
  const boost::json::object& best = entity.at("acceptedAnswer").as_object();
  CHECK(best.at("@type") == "Answer");
  CHECK(best.at("upvoteCount") == 1);
  CHECK(best.at("url").as_string() == "#kring-post-" + accepted);
  REQUIRE(entity.at("suggestedAnswer").as_array().size() == 1);
  CHECK(entity.at("suggestedAnswer").as_array()[0].at("url").as_string() == "#kring-post-" + other);
  // The script block cannot be closed by a post: its JSON spells < as \u003c.
  CHECK(html->find("\\u003cscript\\u003e") != std::string::npos);
  (void)comment;
  (void)erased;
}

TEST_CASE("a discussion renders as a DiscussionForumPosting with its replies as nested comments", "[render]") {
  Community c;
  const std::string key = c.thread(c.alice, "/blog/launch");
  const std::string first = c.post(c.alice, key, "Great launch post.");
  const std::string reply = c.reply(c.bob, key, first, "Agreed!");
  c.post(c.carol, key, "When is the next one?");
  std::optional<std::string> html = renderThreadFragment(c.engine, key);
  REQUIRE(html);
  INFO(*html);
  boost::json::object data = structuredData(*html);
  CHECK(data.at("@type") == "DiscussionForumPosting");
  CHECK(data.at("text") == "Great launch post.");
  CHECK(data.at("author").at("name") == "Name of alice");
  const boost::json::array& comments = data.at("comment").as_array();
  REQUIRE(comments.size() == 2);
  CHECK(comments[0].at("text") == "Agreed!");
  CHECK(comments[1].at("text") == "When is the next one?");
  // Oldest first, replies inside their post.
  CHECK(html->find("Great launch post.") < html->find("Agreed!"));
  CHECK(html->find("Agreed!") < html->find("When is the next one?"));
  CHECK(html->find("<div class=\"kring-replies\">") != std::string::npos);
  // The thread's title, as the host gave it (a ticket, the admin API), above its posts.
  const std::size_t title = html->find("<p class=\"kring-title\">A title</p>");
  REQUIRE(title != std::string::npos);
  CHECK(title < html->find("<article"));
  (void)reply;
}

TEST_CASE("a thread with no readable post has no structured data - an unknown thread has no fragment", "[render]") {
  Community c(holdingPolicy());
  const std::string key = c.thread(c.alice, "/p/quiet", ThreadKind::question);
  REQUIRE(c.engine.apply(c.ops.post(c.dave, key, "holdmeplease")).status == OutcomeStatus::held);
  std::optional<std::string> html = renderThreadFragment(c.engine, key);
  REQUIRE(html);
  CHECK(html->find("<script") == std::string::npos);
  CHECK(html->find("holdmeplease") == std::string::npos);
  CHECK(html->find("data-kring-thread=\"/p/quiet\"") != std::string::npos);
  CHECK_FALSE(renderThreadFragment(c.engine, "/p/none"));
}

TEST_CASE("the first page holds 50 top-level posts and says how many more there are", "[render]") {
  Community c;
  const std::string key = c.thread(c.alice, "/p/long");
  for (int i = 0; i < 53; ++i) c.post(c.bob, key, "post number " + std::to_string(i) + " end");
  std::optional<std::string> html = renderThreadFragment(c.engine, key);
  REQUIRE(html);
  CHECK(count(*html, "class=\"kring-post ") == 50);
  CHECK(html->find("post number 49 end") != std::string::npos);
  CHECK(html->find("post number 50 end") == std::string::npos);
  // Said in words too, for a reader without the widget and for a crawler.
  CHECK(html->find("data-kring-more=\"3\">3 more comments</p>") != std::string::npos);
}

TEST_CASE("the sitemap lists threads with visible posts, newest activity first, at the site's pages", "[render]") {
  Community c(holdingPolicy());
  c.thread(c.alice, "/p/a b");
  c.post(c.alice, "/p/a b", "first");
  c.ops.advance(86'400'000);
  c.thread(c.alice, "/p/c");
  c.post(c.bob, "/p/c", "later");
  c.thread(c.alice, "/p/held-only");
  REQUIRE(c.engine.apply(c.ops.post(c.dave, "/p/held-only", "holdmeplease")).status == OutcomeStatus::held);
  std::string xml = renderSitemap(c.engine, "https://shop.example/item?k={thread}&x=1");
  INFO(xml);
  CHECK(xml.starts_with(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
  CHECK(count(xml, "<url>") == 2);
  const std::size_t later = xml.find("<loc>https://shop.example/item?k=%2Fp%2Fc&amp;x=1</loc>");
  const std::size_t first = xml.find("<loc>https://shop.example/item?k=%2Fp%2Fa%20b&amp;x=1</loc>");
  REQUIRE(later != std::string::npos);
  REQUIRE(first != std::string::npos);
  CHECK(later < first);
  CHECK(xml.find("held-only") == std::string::npos);
  CHECK(xml.find("<lastmod>") != std::string::npos);
}

TEST_CASE("a thread page speaks the site's language: its lang, the accepted badge, the score and a tombstone",
          "[render]") {
  Community c(structuralPolicy());
  const std::string key = c.thread(c.alice, "/p/sku-nl", ThreadKind::question);
  const std::string question = c.post(c.alice, key, "Past hij?");
  const std::string answer = c.reply(c.bob, key, question, "Ja.");
  c.reply(c.carol, key, answer, "Dank je.");
  c.requireAccepted(c.ops.accept(c.alice, answer));
  c.vote(c.carol, answer, VoteDirection::up);
  c.requireAccepted(c.ops.remove(c.bob, answer));  // a tombstone: Carol's reply hangs under it

  std::optional<std::string> dutch = renderThreadFragment(c.engine, key, "nl");
  REQUIRE(dutch);
  INFO(*dutch);
  CHECK(dutch->find("<section class=\"kring-thread\" lang=\"nl\"") != std::string::npos);
  CHECK(dutch->find("Dit bericht wordt niet getoond.") != std::string::npos);
  CHECK(dutch->find("<span class=\"kring-score\">Score 0</span>") != std::string::npos);
  CHECK(dutch->find("Dank je.") != std::string::npos);
  std::optional<std::string> english = renderThreadFragment(c.engine, key);
  REQUIRE(english);
  CHECK(english->find("lang=\"en\"") != std::string::npos);
  CHECK(english->find("This post is not shown.") != std::string::npos);

  // The accepted badge, while the answer stands.
  Community d(structuralPolicy());
  const std::string other = d.thread(d.alice, "/p/sku-nl-2", ThreadKind::question);
  const std::string asked = d.post(d.alice, other, "Past hij?");
  const std::string best = d.reply(d.bob, other, asked, "Ja.");
  d.requireAccepted(d.ops.accept(d.alice, best));
  std::optional<std::string> accepted = renderThreadFragment(d.engine, other, "nl");
  REQUIRE(accepted);
  CHECK(accepted->find("<span class=\"kring-badge-accepted\">Geaccepteerd antwoord</span>") != std::string::npos);
}
