// Editing posts: who may edit, and the history an edit keeps.
#include "engine_fixture.h"
#include "snapshot_records.h"

using namespace kring;
using namespace kring::testing;

namespace {

struct EditSite : Community {
  std::string key = thread(alice, "/t");
  std::string postId = post(bob, key, "Original body");
};

}  // namespace

TEST_CASE("an author edits their post and the previous body is kept", "[edits]") {
  EditSite site;
  Op edit = site.ops.edit(site.bob, site.postId, "Edited body");
  Outcome outcome = site.requireAccepted(edit);

  REQUIRE(eventNames(outcome) == std::vector<std::string>{"PostEdited"});
  const PostEdited edited = eventAt<PostEdited>(outcome, 0);
  CHECK(edited.postId == site.postId);
  CHECK(edited.body == "Edited body");
  CHECK(edited.editorId == "bob");

  const PostView view = postIn(site.view(site.key), site.postId);
  CHECK(view.body == "Edited body");
  CHECK(view.editedAt == edit.time);
  CHECK(view.createdAt < edit.time);

  const PostRecord record = readSiteSnapshot(site.snapshot()).post(site.postId);
  CHECK(record.body == "Edited body");
  CHECK(record.editedAt == edit.time);
  REQUIRE(record.edits.size() == 1);
  CHECK(record.edits[0].editorId == "bob");
  CHECK(record.edits[0].time == edit.time);
  CHECK(record.edits[0].previousBody == "Original body");

  SECTION("a second edit appends to the history") {
    Op second = site.ops.edit(site.bob, site.postId, "Third body");
    site.requireAccepted(second);
    const PostRecord again = readSiteSnapshot(site.snapshot()).post(site.postId);
    CHECK(again.body == "Third body");
    CHECK(again.editedAt == second.time);
    REQUIRE(again.edits.size() == 2);
    CHECK(again.edits[0].previousBody == "Original body");
    CHECK(again.edits[1].previousBody == "Edited body");
    CHECK(again.edits[1].time == second.time);
  }
}

TEST_CASE("a post is never edited until someone edits it", "[edits]") {
  EditSite site;
  CHECK(postIn(site.view(site.key), site.postId).editedAt == 0);
  CHECK(readSiteSnapshot(site.snapshot()).post(site.postId).edits.empty());
}

TEST_CASE("only the author, a moderator or an admin may edit a post", "[edits]") {
  EditSite site;

  SECTION("another member may not") {
    site.requireRejected(site.ops.edit(site.carol, site.postId, "Vandalised"), ReasonCode::notAuthor);
  }
  SECTION("the thread's author may not") {
    site.requireRejected(site.ops.edit(site.alice, site.postId, "Vandalised"), ReasonCode::notAuthor);
  }
  SECTION("staff may not") {
    site.requireRejected(site.ops.edit(site.staff, site.postId, "Brand says"), ReasonCode::notAuthor);
  }
  SECTION("a moderator may, and is recorded as the editor") {
    Outcome outcome = site.requireAccepted(site.ops.edit(site.moderator, site.postId, "Cleaned up"));
    REQUIRE(eventNames(outcome) == std::vector<std::string>{"MemberJoined", "PostEdited"});
    CHECK(eventAt<PostEdited>(outcome, 1).editorId == "mod");
    const PostRecord record = readSiteSnapshot(site.snapshot()).post(site.postId);
    CHECK(record.authorId == "bob");
    REQUIRE(record.edits.size() == 1);
    CHECK(record.edits[0].editorId == "mod");
  }
  SECTION("an admin may") {
    site.requireAccepted(site.ops.edit(site.admin, site.postId, "Cleaned up"));
    CHECK(postIn(site.view(site.key), site.postId).body == "Cleaned up");
  }
}

TEST_CASE("an edit must change the body", "[edits]") {
  EditSite site;
  site.requireRejected(site.ops.edit(site.bob, site.postId, "Original body"), ReasonCode::unchanged);
}

TEST_CASE("an edit's body follows the rules of a new post", "[edits]") {
  EditSite site;
  site.requireRejected(site.ops.edit(site.bob, site.postId, " \n "), ReasonCode::emptyBody);
  site.requireRejected(site.ops.edit(site.bob, site.postId, std::string(20001, 'a')), ReasonCode::bodyTooLong);
  site.requireRejected(site.ops.edit(site.bob, site.postId, "bad \xC3\x28"), ReasonCode::invalidText);
  site.requireAccepted(site.ops.edit(site.bob, site.postId, std::string(20000, 'a')));
}

TEST_CASE("only live, known posts can be edited", "[edits]") {
  EditSite site;

  SECTION("a removed post cannot be edited") {
    site.requireAccepted(site.ops.remove(site.bob, site.postId));
    site.requireRejected(site.ops.edit(site.bob, site.postId, "Back from the dead"), ReasonCode::postRemoved);
    site.requireRejected(site.ops.edit(site.moderator, site.postId, "Back from the dead"), ReasonCode::postRemoved);
  }
  SECTION("an unknown post cannot be edited") {
    site.requireRejected(site.ops.edit(site.bob, "no-such-post", "Hello"), ReasonCode::unknownPost);
  }
}
