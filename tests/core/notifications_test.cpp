// Notification intents (kring/notifications.h): who is told of an op, and why.
#include "kring/notifications.h"
#include "engine_fixture.h"
#include "kring/snapshot.h"

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
  // Removed, it tells no one again; its author still follows, as posting there chose.
  Op remove = c.ops.moderatePost(c.moderator, ModerationAction::reject, held.id);
  CHECK(c.apply(remove).empty());
  Op next = c.ops.post(c.carol, "/d/launch", "Congrats");
  CHECK(c.apply(next) ==
        std::vector<std::string>{"alice followed_thread " + next.id, "bob followed_thread " + next.id});
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

namespace {

// The server's scheduled check, as kring-server submits it.
Op scheduledCheck(OpFactory& ops) { return ops.make(Actor{"kring:alerts", "Alerts", Role::staff}, CheckAlerts{}); }

Policy alertingAfterAnHour() {
  Policy policy = structuralPolicy();
  policy.unansweredAlertMinutes = 60;
  policy.staffDigestHourUtc = -1;  // the digest has its own tests
  return policy;
}

constexpr TimeMs kMinute = 60'000;

}  // namespace

TEST_CASE("a question unanswered past the policy's wait tells staff, moderators and admins once, at the server's check",
          "[notifications][alerts]") {
  Notified c(alertingAfterAnHour());
  c.thread(c.staff, "/p/tent", ThreadKind::question);
  c.thread(c.admin, "/d/news");
  c.post(c.moderator, "/d/news", "Welcome");  // the moderator is a member the site knows
  Op waiting = c.ops.post(c.alice, "/p/tent", "Does it fit two?");
  c.apply(waiting);
  Op answered = c.ops.post(c.bob, "/p/tent", "Is the pole aluminium?");
  c.apply(answered);
  c.apply(c.ops.post(c.carol, "/p/tent", "Yes, 7001.", answered.id));
  Op selfReply = c.ops.post(c.alice, "/p/tent", "Two adults, I mean.", waiting.id);
  c.apply(selfReply);  // the asker's own follow-up answers nothing
  const TimeMs due = c.engine.post(waiting.id)->createdAt + 60 * kMinute;
  REQUIRE_FALSE(alertsDue(c.engine, due - 1));
  REQUIRE(alertsDue(c.engine, due));

  // Before the hour nothing is due, so the check is refused and nothing is stored.
  c.ops.advance(30 * kMinute);
  c.requireRejected(scheduledCheck(c.ops), ReasonCode::unchanged);
  // Only the server checks: a member's check is refused whatever is due.
  c.ops.advance(31 * kMinute);
  Outcome byMember = c.requireRejected(c.ops.make(c.dave, CheckAlerts{}), ReasonCode::notPermitted);
  CHECK(byMember.message.find("server") != std::string::npos);

  Op check = scheduledCheck(c.ops);
  CHECK(c.apply(check) == std::vector<std::string>{"admin unanswered_question " + waiting.id,
                                                   "mod unanswered_question " + waiting.id,
                                                   "staff unanswered_question " + waiting.id});
  // Each question is reached once: the next check finds nothing due.
  CHECK_FALSE(alertsDue(c.engine, c.ops.now() + 7 * 24 * 60 * kMinute));
  c.ops.advance(120 * kMinute);
  c.requireRejected(scheduledCheck(c.ops), ReasonCode::unchanged);

  // What the alert shows is read when it goes: an answer since, and it is not sent.
  const NotificationIntent toStaff{"staff", NotificationKind::unansweredQuestion, "/p/tent", waiting.id, "alice"};
  std::optional<NotificationContent> content = notificationContent(c.engine, toStaff);
  REQUIRE(content);
  CHECK(content->body == "Does it fit two?");
  CHECK(content->authorName == c.engine.member("alice")->displayName);
  // A plain member named by a forged intent gets nothing: the alert is for the site's people.
  CHECK_FALSE(notificationContent(
      c.engine, NotificationIntent{"dave", NotificationKind::unansweredQuestion, "/p/tent", waiting.id, "alice"}));
  c.apply(c.ops.post(c.staff, "/p/tent", "It fits two with room for packs.", waiting.id));
  CHECK_FALSE(notificationContent(c.engine, toStaff));
}

TEST_CASE("alerts are off at unansweredAlertMinutes 0, and a discussion's opening post never alerts",
          "[notifications][alerts]") {
  Policy off = alertingAfterAnHour();
  off.unansweredAlertMinutes = 0;
  Notified c(off);
  c.thread(c.staff, "/p/lamp", ThreadKind::question);
  c.apply(c.ops.post(c.alice, "/p/lamp", "Warm or cold light?"));
  c.ops.advance(24 * 60 * kMinute);
  CHECK_FALSE(alertsDue(c.engine, c.ops.now()));
  c.requireRejected(scheduledCheck(c.ops), ReasonCode::notPermitted);

  Notified d(alertingAfterAnHour());
  d.thread(d.staff, "/d/talk");
  d.apply(d.ops.post(d.alice, "/d/talk", "Anyone here?"));
  d.ops.advance(24 * 60 * kMinute);
  CHECK_FALSE(alertsDue(d.engine, d.ops.now()));
}

TEST_CASE("a restored site alerts what no check reached before it was saved, and nothing twice",
          "[notifications][alerts]") {
  Notified c(alertingAfterAnHour());
  c.thread(c.staff, "/p/stove", ThreadKind::question);
  Op first = c.ops.post(c.alice, "/p/stove", "Does it burn alcohol?");
  c.apply(first);
  c.ops.advance(40 * kMinute);
  Op second = c.ops.post(c.bob, "/p/stove", "How heavy is it?");
  c.apply(second);
  c.ops.advance(21 * kMinute);
  REQUIRE(c.apply(scheduledCheck(c.ops)) == std::vector<std::string>{"staff unanswered_question " + first.id});

  Result<Engine> restored = restoreSiteSnapshot(encodeSiteSnapshot(c.engine));
  REQUIRE(restored);
  Engine& engine = restored.value();
  const TimeMs due = engine.post(second.id)->createdAt + 60 * kMinute;
  CHECK_FALSE(alertsDue(engine, due - 1));
  CHECK(alertsDue(engine, due));
  c.ops.advance(40 * kMinute);
  Op check = scheduledCheck(c.ops);
  Outcome outcome = engine.apply(check);
  REQUIRE(outcome.accepted());
  CHECK(told(engine, check, outcome) == std::vector<std::string>{"staff unanswered_question " + second.id});
  CHECK_FALSE(alertsDue(engine, c.ops.now() + 7 * 24 * 60 * kMinute));
}

TEST_CASE("a post held for review tells the moderators and admins, who may read it, until it leaves the queue",
          "[notifications][alerts]") {
  Notified c(holdingWords());
  c.thread(c.staff, "/d/sale");
  c.thread(c.admin, "/d/other");
  c.post(c.moderator, "/d/other", "Hi");
  Op first = c.ops.post(c.alice, "/d/sale", "Sale starts Monday");
  c.apply(first);
  Op held = c.ops.post(c.bob, "/d/sale", "holdmeplease call me", first.id);
  Outcome outcome = c.engine.apply(held);
  REQUIRE(outcome.status == OutcomeStatus::held);
  // Staff who do not moderate, the thread's followers and the parent's author hear nothing yet.
  CHECK(told(c.engine, held, outcome) ==
        std::vector<std::string>{"admin post_queued " + held.id, "mod post_queued " + held.id});
  const NotificationIntent toModerator{"mod", NotificationKind::postQueued, "/d/sale", held.id, "bob"};
  std::optional<NotificationContent> content = notificationContent(c.engine, toModerator);
  REQUIRE(content);
  CHECK(content->body == "holdmeplease call me");
  // A member named by a forged intent may not read a held post.
  CHECK_FALSE(notificationContent(
      c.engine, NotificationIntent{"alice", NotificationKind::postQueued, "/d/sale", held.id, "bob"}));
  // Approved, it left the queue: the queued mail is no longer sent, and its readers are told instead.
  CHECK(c.apply(c.ops.moderatePost(c.moderator, ModerationAction::approve, held.id)) ==
        std::vector<std::string>{"alice reply " + held.id, "staff followed_thread " + held.id});
  CHECK_FALSE(notificationContent(c.engine, toModerator));
}

TEST_CASE(
    "the staff's digest is called for by the first check of a UTC day past the policy's hour, and says what the day "
    "held",
    "[notifications][alerts]") {
  Policy policy = holdingWords();
  policy.unansweredAlertMinutes = 0;  // the digest alone
  policy.staffDigestHourUtc = 9;
  Notified c(policy);
  constexpr TimeMs kDay = 24 * 60 * kMinute;
  // The factory's clock starts at 22:13 UTC on day `first`.
  const TimeMs first = c.ops.now() / kDay;
  c.thread(c.staff, "/p/pack", ThreadKind::question);
  c.thread(c.admin, "/d/news");
  c.post(c.moderator, "/d/news", "Welcome");
  Op waiting = c.ops.post(c.alice, "/p/pack", "Is it waterproof?");
  c.apply(waiting);
  Op answered = c.ops.post(c.bob, "/p/pack", "How many litres?");
  c.apply(answered);
  c.apply(c.ops.post(c.staff, "/p/pack", "Forty.", answered.id));
  REQUIRE(c.engine.apply(c.ops.post(c.dave, "/d/news", "holdmeplease cheap bags")).status == OutcomeStatus::held);

  const TimeMs beforeHour = (first + 1) * kDay + 8 * 60 * kMinute + 59 * kMinute;
  c.ops.advance(beforeHour - c.ops.now());
  CHECK_FALSE(alertsDue(c.engine, c.ops.now() + 1000));
  c.requireRejected(scheduledCheck(c.ops), ReasonCode::unchanged);
  c.ops.advance(2 * kMinute);  // 09:01
  REQUIRE(alertsDue(c.engine, c.ops.now() + 1000));
  // A site that tells nobody (no mail, no webhook) submits no check for a digest alone.
  CHECK_FALSE(alertsDue(c.engine, c.ops.now() + 1000, false));
  Op check = scheduledCheck(c.ops);
  CHECK(c.apply(check) == std::vector<std::string>{"admin daily_digest ", "mod daily_digest ", "staff daily_digest "});

  std::optional<StaffDigest> digest = staffDigest(c.engine, "staff", check.time);
  REQUIRE(digest);
  CHECK(digest->recipientName == c.engine.member("staff")->displayName);
  CHECK(digest->posts == 4);  // the welcome, two questions and the answer: the held post is not readable
  CHECK(digest->questions == 2);
  CHECK(digest->waitingCount == 1);
  REQUIRE(digest->waiting.size() == 1);
  CHECK(digest->waiting[0].postId == waiting.id);
  CHECK(digest->queued == 1);
  CHECK_FALSE(staffDigest(c.engine, "alice", check.time));  // a member who does not speak for the site
  CHECK_FALSE(staffDigest(c.engine, "nobody", check.time));
  // 24 hours later the day's posts are no longer the last day's.
  CHECK(staffDigest(c.engine, "staff", check.time + kDay)->posts == 0);

  // Once a day: a check later that day finds nothing; the next day's first past the hour does, also
  // on a site restored in between.
  c.ops.advance(6 * 60 * kMinute);
  CHECK_FALSE(alertsDue(c.engine, c.ops.now()));
  c.requireRejected(scheduledCheck(c.ops), ReasonCode::unchanged);
  Result<Engine> restored = restoreSiteSnapshot(encodeSiteSnapshot(c.engine));
  REQUIRE(restored);
  CHECK_FALSE(alertsDue(restored.value(), c.ops.now()));
  c.ops.advance((first + 2) * kDay + 9 * 60 * kMinute - c.ops.now());
  CHECK(alertsDue(restored.value(), c.ops.now() + 1000));
  Op nextDay = scheduledCheck(c.ops);
  Outcome outcome = restored.value().apply(nextDay);
  REQUIRE(outcome.accepted());
  CHECK(told(restored.value(), nextDay, outcome).size() == 3);

  // Off at -1: no digest, and with the alerts off too the check is refused.
  Policy off = policy;
  off.staffDigestHourUtc = -1;
  Notified quiet(off);
  quiet.thread(quiet.staff, "/p/x", ThreadKind::question);
  quiet.ops.advance(3 * kDay);
  CHECK_FALSE(alertsDue(quiet.engine, quiet.ops.now()));
  quiet.requireRejected(scheduledCheck(quiet.ops), ReasonCode::notPermitted);
}
