// A live reader's copy of a thread page (render/page_changes.h): whatever the ops do, the reader's
// posts after applying each change are exactly the next rendering's, and a change carries only what
// moved or changed. The reader here is a model of the loader's DOM steps (host-adapters/web/src/loader.ts).
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <map>

#include "engine_fixture.h"
#include "render/page_changes.h"
#include "render/thread_page.h"

using namespace kring;
using namespace kring::testing;
using kring::server::pageChanges;
using kring::server::PageParts;
using kring::server::PagePost;
using kring::server::renderThreadPage;

namespace {

// The posts a reader shows: each post's article and its replies in order, under the section ("").
class ReaderCopy {
 public:
  explicit ReaderCopy(const PageParts& parts) : version_(parts.version) {
    for (const PagePost& post : parts.posts) {
      posts_[post.id] = {post.parentId, post.html};
      children_[post.parentId].push_back(post.id);
    }
  }

  // Applies a change as the loader does; false when it does not start from this copy's version.
  bool apply(const std::string& changes) {
    boost::json::object change = boost::json::parse(changes).as_object();
    if (change.at("from").as_string() != version_) return false;
    for (const auto& id : change.at("drop").as_array()) drop(std::string(id.as_string()));
    for (const auto& value : change.at("put").as_array()) {
      const boost::json::object& put = value.as_object();
      const std::string id(put.at("id").as_string());
      const std::string parent(put.at("parent").as_string());
      const std::string after(put.at("after").as_string());
      // The loader puts a reply in its parent's list, which the parent's article names.
      REQUIRE((parent.empty() || posts_.at(parent).html.find("kring-replies") != std::string::npos));
      if (auto it = posts_.find(id); it != posts_.end()) std::erase(children_[it->second.parent], id);
      posts_[id] = {parent, std::string(put.at("html").as_string())};
      std::vector<std::string>& siblings = children_[parent];
      auto at = siblings.begin();
      if (!after.empty()) {
        at = std::find(siblings.begin(), siblings.end(), after);
        REQUIRE(at != siblings.end());  // the post it follows is in place
        ++at;
      }
      siblings.insert(at, id);
    }
    version_ = std::string(change.at("to").as_string());
    return true;
  }

  // Document order, as the page renders it.
  std::vector<PagePost> posts() const {
    std::vector<PagePost> out;
    walk("", out);
    return out;
  }
  const std::string& version() const { return version_; }

 private:
  struct Shown {
    std::string parent;
    std::string html;
  };
  void drop(const std::string& id) {
    auto it = posts_.find(id);
    if (it == posts_.end()) return;  // went with a dropped parent
    std::erase(children_[it->second.parent], id);
    for (const std::string& child : std::vector<std::string>(children_[id])) drop(child);
    children_.erase(id);
    posts_.erase(it);
  }
  void walk(const std::string& parent, std::vector<PagePost>& out) const {
    auto it = children_.find(parent);
    if (it == children_.end()) return;
    for (const std::string& id : it->second) {
      out.push_back(PagePost{id, parent, posts_.at(id).html});
      walk(id, out);
    }
  }
  std::map<std::string, Shown> posts_;
  std::map<std::string, std::vector<std::string>> children_;
  std::string version_;
};

bool samePosts(const std::vector<PagePost>& a, const std::vector<PagePost>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].parentId != b[i].parentId || a[i].html != b[i].html) return false;
  }
  return true;
}

// The thread's page now, the change from the reader's copy, applied; returns the change's JSON.
boost::json::object follow(Community& c, const std::string& key, ReaderCopy& reader) {
  PageParts now = renderThreadPage(c.engine, key)->parts;
  std::string changes = pageChanges(PageParts{reader.version(), reader.posts()}, now);
  if (changes.empty()) {
    CHECK(now.version == reader.version());
    CHECK(samePosts(reader.posts(), now.posts));
    return {};
  }
  REQUIRE(reader.apply(changes));
  CHECK(reader.version() == now.version);
  CHECK(samePosts(reader.posts(), now.posts));
  return boost::json::parse(changes).as_object();
}

std::size_t puts(const boost::json::object& change) { return change.empty() ? 0 : change.at("put").as_array().size(); }

}  // namespace

TEST_CASE("a live change turns a reader's discussion page into the next one, with only what changed",
          "[render][live]") {
  Policy policy = structuralPolicy();
  policy.watchedWords.push_back(WatchedWord{"*", "holdmeplease", WatchAction::requireApproval});
  Community c(policy);
  const std::string key = c.thread(c.alice, "/blog/kettles");
  const std::string first = c.post(c.alice, key, "Which kettle do you use?");
  ReaderCopy reader(renderThreadPage(c.engine, key)->parts);
  REQUIRE(reader.posts().size() == 1);

  // A new top-level post: one put, after the last one.
  const std::string second = c.post(c.bob, key, "The quiet one.");
  boost::json::object change = follow(c, key, reader);
  REQUIRE(puts(change) == 1);
  CHECK(change.at("put").as_array()[0].at("id").as_string() == second);
  CHECK(change.at("put").as_array()[0].at("after").as_string() == first);

  // A first reply: its parent again (it now names its list of replies), then the reply under it.
  const std::string reply = c.reply(c.carol, key, first, "Same here.");
  change = follow(c, key, reader);
  REQUIRE(puts(change) == 2);
  CHECK(change.at("put").as_array()[0].at("id").as_string() == first);
  CHECK(change.at("put").as_array()[1].at("parent").as_string() == first);
  CHECK(change.at("put").as_array()[1].at("after").as_string() == "");
  // A second reply: itself alone, after the first.
  const std::string later = c.reply(c.bob, key, first, "Mine too.");
  change = follow(c, key, reader);
  REQUIRE(puts(change) == 1);
  CHECK(change.at("put").as_array()[0].at("after").as_string() == reply);

  // An edit: that post alone, with its new words; its reply stays where it is.
  c.requireAccepted(c.ops.edit(c.alice, first, "Which kettle do you use at home?"));
  change = follow(c, key, reader);
  INFO(boost::json::serialize(change));
  REQUIRE(puts(change) == 1);
  CHECK(std::string(change.at("put").as_array()[0].at("html").as_string()).find("at home?") != std::string::npos);

  // A held post shows nothing to everyone: no change at all.
  Outcome held = c.engine.apply(c.ops.post(c.dave, key, "holdmeplease buy pills"));
  REQUIRE(held.status == OutcomeStatus::held);
  CHECK(follow(c, key, reader).empty());

  // A removal drops the post; its text is in no part of the change.
  c.requireAccepted(c.ops.moderatePost(c.moderator, ModerationAction::reject, second));
  change = follow(c, key, reader);
  REQUIRE(change.at("drop").as_array().size() == 1);
  CHECK(boost::json::serialize(change).find("quiet one") == std::string::npos);

  // A deleted post with a reply under it becomes a tombstone: put again, without its words.
  c.requireAccepted(c.ops.remove(c.alice, first));
  change = follow(c, key, reader);
  REQUIRE(puts(change) == 1);
  const std::string tombstone(change.at("put").as_array()[0].at("html").as_string());
  CHECK(tombstone.find("kring-tombstone") != std::string::npos);
  CHECK(tombstone.find("at home") == std::string::npos);
  REQUIRE(reader.posts().size() == 3);
  CHECK(reader.posts()[1].id == reply);
  CHECK(reader.posts()[2].id == later);
}

TEST_CASE("a live change follows a Q&A page's answers as votes and acceptance reorder them", "[render][live]") {
  Community c(structuralPolicy());
  const std::string key = c.thread(c.alice, "/p/sku-9", ThreadKind::question);
  const std::string question = c.post(c.alice, key, "Does it fit?");
  std::vector<std::string> answers;
  for (const Actor* by : {&c.bob, &c.carol, &c.dave}) {
    answers.push_back(c.reply(*by, key, question, "Answer from " + by->memberId));
  }
  ReaderCopy reader(renderThreadPage(c.engine, key)->parts);
  REQUIRE(reader.posts().size() == 4);

  // Votes move the last answer to the top: the answers are put again in their new order.
  c.vote(c.alice, answers[2], VoteDirection::up);
  boost::json::object change = follow(c, key, reader);
  CHECK(puts(change) >= 2);
  CHECK(reader.posts()[1].id == answers[2]);

  // Acceptance puts the accepted answer first with its badge.
  c.requireAccepted(c.ops.accept(c.alice, answers[1]));
  follow(c, key, reader);
  CHECK(reader.posts()[1].id == answers[1]);
  CHECK(reader.posts()[1].html.find("Accepted answer") != std::string::npos);

  // Many ops in a row, each followed: the reader never drifts from the page.
  for (int i = 0; i < 12; ++i) {
    const Actor& by = i % 3 == 0 ? c.bob : i % 3 == 1 ? c.carol : c.dave;
    if (i % 4 == 3) {
      c.reply(by, key, answers[static_cast<std::size_t>(i) % answers.size()], "A comment " + std::to_string(i));
    } else if (i % 4 == 1) {
      answers.push_back(c.reply(by, key, question, "Another answer " + std::to_string(i)));
    } else {
      c.engine.apply(c.ops.vote(by, answers[static_cast<std::size_t>(i * 7) % answers.size()], VoteDirection::up));
    }
    follow(c, key, reader);
  }
  CHECK(reader.posts().size() == renderThreadPage(c.engine, key)->parts.posts.size());
}

TEST_CASE("a live change from a page its reader does not hold is refused by the reader", "[render][live]") {
  Community c(structuralPolicy());
  const std::string key = c.thread(c.alice, "/blog/x");
  c.post(c.alice, key, "One");
  PageParts before = renderThreadPage(c.engine, key)->parts;
  c.post(c.bob, key, "Two");
  PageParts middle = renderThreadPage(c.engine, key)->parts;
  c.post(c.carol, key, "Three");
  PageParts after = renderThreadPage(c.engine, key)->parts;
  ReaderCopy reader(before);
  // It holds `before`: a change from `middle` does not apply (the loader fetches the page instead).
  CHECK_FALSE(reader.apply(pageChanges(middle, after)));
  CHECK(reader.apply(pageChanges(before, after)));
  CHECK(samePosts(reader.posts(), after.posts));
  CHECK(pageChanges(after, after).empty());
}
