// Notification intents (kring/notifications.h): who is told of an op, and why.
#include "kring/notifications.h"
#include "engine_fixture.h"

using namespace kring;
using namespace kring::testing;

namespace {

// "recipient kind post" lines, as the intents come (sorted by recipient, then post).
std::vector<std::string> told(const Engine& engine, const Op& op, const Outcome& outcome) {
  std::vector<std::string> lines;
  for (const NotificationIntent& intent : notificationIntents(engine, op, outcome)) {
    lines.push_back(intent.recipientId + " " + std::string(enumName(intent.kind)) + " " + intent.postId);
  }
  return lines;
}

struct Notified : Community {
  using Community::Community;
  // Applies the op (accepted or held) and says who is told of it.
  std::vector<std::string> apply(const Op& op) {
    Outcome outcome = engine.apply(op);
    INFO(outcome.message);
    REQUIRE(outcome.stored());
    return told(engine, op, outcome);
  }
};

Policy holdingWords() {
  Policy policy = structuralPolicy();
  policy.watchedWords = {WatchedWord{"*", "holdmeplease", WatchAction::requireApproval}};
  return policy;
}

}  // namespace

TEST_CASE("an answer tells the asker, a comment the answer's author, and each tells the thread's followers",
          "[notifications]") {
  Notified c;
  c.thread(c.staff, "/p/shoe", ThreadKind::question);
  Op question = c.ops.post(c.alice, "/p/shoe", "Does it run small?");
  // The thread's starter follows it; the asker is told of nothing they did.
  CHECK(c.apply(question) == std::vector<std::string>{"staff followed_thread " + question.id});
  Op answer = c.ops.post(c.bob, "/p/shoe", "Half a size small.", question.id);
  CHECK(c.apply(answer) == std::vector<std::string>{"alice answer " + answer.id, "staff followed_thread " + answer.id});
  Op comment = c.ops.post(c.carol, "/p/shoe", "Same for me.", answer.id);
  CHECK(c.apply(comment) == std::vector<std::string>{"alice followed_thread " + comment.id, "bob reply " + comment.id,
                                                     "staff followed_thread " + comment.id});
  // The asker accepts: the answer's author is told; the acceptor is not.
  Op accept = c.ops.accept(c.alice, answer.id);
  CHECK(c.apply(accept) == std::vector<std::string>{"bob answer_accepted " + answer.id});
  Op vote = c.ops.vote(c.dave, answer.id, VoteDirection::up);
  CHECK(c.apply(vote).empty());  // a vote tells no one
}

TEST_CASE("a held post tells no one until a moderator approves it, then its readers are told", "[notifications]") {
  Notified c(holdingWords());
  c.thread(c.alice, "/d/launch");
  Op first = c.ops.post(c.alice, "/d/launch", "Launch day");
  c.apply(first);
  Op held = c.ops.post(c.bob, "/d/launch", "holdmeplease is this on sale", first.id);
  REQUIRE(c.engine.apply(held).status == OutcomeStatus::held);
  CHECK(notificationIntents(c.engine, held, Outcome{held.id, OutcomeStatus::held, ReasonCode::none, "", {}}).empty());
  Op approve = c.ops.moderatePost(c.moderator, ModerationAction::approve, held.id);
  CHECK(c.apply(approve) == std::vector<std::string>{"alice reply " + held.id});
  // Removed, it tells no one again; its author no longer follows through it.
  Op remove = c.ops.moderatePost(c.moderator, ModerationAction::reject, held.id);
  CHECK(c.apply(remove).empty());
  Op next = c.ops.post(c.carol, "/d/launch", "Congrats");
  CHECK(c.apply(next) == std::vector<std::string>{"alice followed_thread " + next.id});
}

TEST_CASE("a banned member and the server's own actors are told nothing", "[notifications]") {
  Notified c;
  const Actor site = OpFactory::member("kring:site", Role::staff);
  c.thread(site, "/p/admin-opened", ThreadKind::question);
  Op question = c.ops.post(c.alice, "/p/admin-opened", "Waterproof?");
  CHECK(c.apply(question).empty());
  Op answer = c.ops.post(c.bob, "/p/admin-opened", "Yes.", question.id);
  CHECK(c.apply(answer) == std::vector<std::string>{"alice answer " + answer.id});
  c.apply(c.ops.moderateMember(c.moderator, ModerationAction::ban, "alice"));
  Op another = c.ops.post(c.carol, "/p/admin-opened", "Mine leaks.", question.id);
  CHECK(c.apply(another) == std::vector<std::string>{"bob followed_thread " + another.id});
}

TEST_CASE("intents as JSON name members, the thread and the post, never text", "[notifications]") {
  Notified c;
  c.thread(c.alice, "/d/json");
  Op first = c.ops.post(c.alice, "/d/json", "A secret word: bluebird");
  c.apply(first);
  Op reply = c.ops.post(c.bob, "/d/json", "Another secret: kestrel", first.id);
  Outcome outcome = c.engine.apply(reply);
  const std::string json = toJson(notificationIntents(c.engine, reply, outcome));
  CHECK(json == R"([{"recipientId":"alice","kind":"reply","threadKey":"/d/json","postId":")" + reply.id +
                    R"(","actorId":"bob"}])");
}

TEST_CASE(
    "what a notification shows is read when it goes: a post taken back since, or a banned recipient, sends nothing",
    "[notifications]") {
  Notified c;
  c.thread(c.staff, "/p/boot", ThreadKind::question);
  Op question = c.ops.post(c.alice, "/p/boot", "Is the **sole** resoleable?");
  c.apply(question);
  Op answer = c.ops.post(c.bob, "/p/boot", "Yes, by any cobbler.", question.id);
  const std::vector<NotificationIntent> intents = notificationIntents(c.engine, answer, c.engine.apply(answer));
  REQUIRE(intents.size() == 2);
  const NotificationIntent& toAsker = intents[0];
  REQUIRE(toAsker.recipientId == "alice");
  std::optional<NotificationContent> content = notificationContent(c.engine, toAsker);
  REQUIRE(content);
  CHECK(content->recipientName == c.engine.member("alice")->displayName);
  CHECK(content->authorName == c.engine.member("bob")->displayName);
  CHECK(content->body == "Yes, by any cobbler.");
  CHECK(content->threadKind == ThreadKind::question);
  CHECK_FALSE(content->accepted);
  c.apply(c.ops.accept(c.alice, answer.id));
  CHECK(notificationContent(c.engine, toAsker)->accepted);

  // Removed after the op: the delivery finds nothing to send.
  c.apply(c.ops.moderatePost(c.moderator, ModerationAction::reject, answer.id));
  CHECK_FALSE(notificationContent(c.engine, toAsker));
  // A recipient banned since hears nothing more.
  Op reply = c.ops.post(c.bob, "/p/boot", "Also the laces.", question.id);
  const std::vector<NotificationIntent> later = notificationIntents(c.engine, reply, c.engine.apply(reply));
  REQUIRE(!later.empty());
  REQUIRE(later[0].recipientId == "alice");
  REQUIRE(notificationContent(c.engine, later[0]));
  c.apply(c.ops.moderateMember(c.moderator, ModerationAction::ban, "alice", "spam"));
  CHECK_FALSE(notificationContent(c.engine, later[0]));
  // An intent that names another thread than the post's is refused.
  NotificationIntent forged = later[0];
  forged.threadKey = "/p/other";
  CHECK_FALSE(notificationContent(c.engine, forged));
}
