// The moderation pipeline (docs/community-rules.md), stage by stage, as stories.
#include "kring/policy_json.h"
#include "kring/spam_score.h"
#include "rules_fixture.h"

using namespace kring;
using namespace kring::testing;

namespace {

struct Blog : RulesSite {
  explicit Blog(Policy policy = Policy{}) : RulesSite(std::move(policy)) {}
  std::string key = thread(staff, "/blog/launch");
};

}  // namespace

TEST_CASE("a TL0 member posting three links is held for review - at TL1 the same post goes up", "[rules][pipeline]") {
  Blog site;
  site.library();
  const std::string body = "See https://a.example/1 and https://b.example/2 and https://c.example/3 for details";
  Outcome held = site.requireHeld(site.ops.post(site.alice, site.key, body), ReasonCode::tooManyLinks);
  CHECK(held.message == "Held for review: new members may include 2 links per post; this one has 3.");
  std::string heldId = held.opId;
  CHECK(site.stateOf(heldId) == PostState::pendingReview);
  // Readers do not see a held post's text or why it is held; its author and moderators do.
  PostView forReader = postIn(site.view(site.key, SortOrder::oldest, "bob"), heldId);
  CHECK(forReader.body.empty());
  CHECK(forReader.heldReason == ReasonCode::none);
  PostView forAuthor = postIn(site.view(site.key, SortOrder::oldest, "alice"), heldId);
  CHECK(forAuthor.body == body);
  CHECK(forAuthor.heldReason == ReasonCode::tooManyLinks);
  site.requireRead(site.ops.reading(site.moderator, {site.key}, 0, 0));  // the moderator joins the site
  PostView forModerator = postIn(site.view(site.key, SortOrder::oldest, site.moderator.memberId), heldId);
  CHECK(forModerator.body == body);
  CHECK(forModerator.heldReason == ReasonCode::tooManyLinks);

  site.readToTrust1(site.bob);
  REQUIRE(site.trustLevel(site.bob) == 1);
  site.ops.advance(RulesSite::kDay);  // no longer a new account for the spam score either
  site.requireAccepted(
      site.ops.post(site.bob, site.key,
                    "Also https://a.example/4 and https://b.example/5 and https://c.example/6 are worth reading"));
}

TEST_CASE("new-member limits on mentions and images", "[rules][pipeline]") {
  Blog site;
  site.requireHeld(site.ops.post(site.alice, site.key, "@ann @ben @cas what do you think?"),
                   ReasonCode::tooManyMentions);
  site.requireHeld(site.ops.post(site.alice, site.key, "![a](https://i.example/a.png) ![b](https://i.example/b.png)"),
                   ReasonCode::tooManyImages);
  // Two mentions and one image are allowed.
  site.requireAccepted(site.ops.post(site.alice, site.key, "@ann @ben see ![a](https://i.example/a.png)"));
  // Staff are not new members.
  site.requireAccepted(site.ops.post(site.staff, site.key, "@a @b @c @d thanks all"));
}

TEST_CASE("a watched word that blocks refuses the post, also when obfuscated", "[rules][pipeline]") {
  Blog site(withWords({{"en", "viagra", WatchAction::block}}));
  for (const char* body :
       {"buy viagra now", "buy V.I.A.G.R.A now", "buy viaaagra now", "buy v1agra now", "buy VÍAGRA now"}) {
    INFO(body);
    Outcome outcome = site.requireRejected(site.ops.post(site.alice, site.key, body), ReasonCode::blockedWord);
    CHECK(outcome.message.find("viagra") != std::string::npos);
  }
  // A longer word that contains it is not the word.
  site.requireAccepted(site.ops.post(site.alice, site.key, "viagrafalls is a village"));
}

TEST_CASE("a censored word is starred out - the post goes up", "[rules][pipeline]") {
  Blog site(withWords({{"en", "darn", WatchAction::censor}}));
  Outcome outcome = site.requireAccepted(site.ops.post(site.alice, site.key, "Well, Darn it."));
  CHECK(eventAt<PostCreated>(outcome, 1).post.body == "Well, *** it.");
}

TEST_CASE("a word that requires approval holds the post - a moderator approves it", "[rules][pipeline]") {
  Blog site(withWords({{"nl", "terugbetaling", WatchAction::requireApproval}}));
  Outcome held =
      site.requireHeld(site.ops.post(site.alice, site.key, "Ik wil een TERUGBETALING"), ReasonCode::watchedWordHeld);
  Op approve = site.ops.moderatePost(site.moderator, ModerationAction::approve, held.opId, "legit request");
  site.requireAccepted(approve);
  CHECK(site.stateOf(held.opId) == PostState::visible);
}

TEST_CASE("a flag word lets the post up but puts it in front of moderators", "[rules][pipeline]") {
  Blog site(withWords({{"en", "scam", WatchAction::flag}}));
  Outcome outcome = site.requireAccepted(site.ops.post(site.alice, site.key, "Is this a scam?"));
  PostRecord post = site.postRecord(outcome.opId);
  CHECK(post.state == PostState::visible);
  REQUIRE(post.ledger.flags.size() == 1);
  CHECK(post.ledger.flags[0].memberId.empty());  // raised by the rules, not a member
  CHECK(post.ledger.flags[0].resolution == FlagResolution::open);
}

TEST_CASE("the same text twice from one member within a day is refused", "[rules][pipeline]") {
  Blog site;
  site.post(site.alice, site.key, "First!");
  site.requireRejected(site.ops.post(site.alice, site.key, "first!!"), ReasonCode::duplicateText);
  site.ops.advance(25 * RulesSite::kHour);
  site.requireAccepted(site.ops.post(site.alice, site.key, "First!"));
}

TEST_CASE("a duplicate window of 0 hours refuses no repeated text, even one stamped before the first",
          "[rules][pipeline]") {
  Policy policy;
  policy.duplicateWindowHours = 0;
  Blog site(policy);
  site.post(site.alice, site.key, "First!");
  site.requireAccepted(site.ops.post(site.alice, site.key, "First!"));
  // A clock that stepped back: the earlier post now lies after this one.
  Op earlier = site.ops.post(site.alice, site.key, "First!");
  earlier.time -= RulesSite::kHour;
  site.requireAccepted(earlier);
}

TEST_CASE("rate limits by trust level: a TL0 member may post 5 times in 10 minutes", "[rules][pipeline]") {
  Blog site;
  for (int i = 0; i < 5; ++i) site.post(site.alice, site.key, "Post " + std::to_string(i));
  Outcome limited = site.requireRejected(site.ops.post(site.alice, site.key, "Post 5"), ReasonCode::rateLimited);
  CHECK(limited.message.find("5 times in 10 minutes") != std::string::npos);
  site.ops.advance(10 * RulesSite::kMinute);
  site.requireAccepted(site.ops.post(site.alice, site.key, "Post 6"));
  // Staff are not rate limited.
  for (int i = 0; i < 8; ++i) site.post(site.staff, site.key, "Staff post " + std::to_string(i));
}

TEST_CASE("spam score: a new account posting link-dense text is held as suspected spam", "[rules][pipeline]") {
  Policy policy;
  policy.newMemberUntilTrustLevel = 0;  // only the spam score speaks here
  Blog site(policy);
  Outcome held = site.requireHeld(
      site.ops.post(site.alice, site.key, "cheap https://x.example/a https://x.example/b https://x.example/c"),
      ReasonCode::spamSuspected);
  // 3 links × 8 + density 25 + new account 15 + TL0 10 = 74 ≥ 60
  CHECK(site.stateOf(held.opId) == PostState::pendingReview);
  site.requireAccepted(site.ops.post(site.bob, site.key, "I liked the launch event, thanks for the write-up."));

  // The console's score of the text now: the same points, clamped to 0-100. A day later alice's account
  // is no longer new (-15); a stranger is a newcomer at TL0 (+25).
  const std::string spam = "cheap https://x.example/a https://x.example/b https://x.example/c";
  CHECK(spamScoreNow(site.engine, "alice", spam, site.ops.now()) == 74);
  CHECK(spamScoreNow(site.engine, "alice", spam, site.ops.now() + RulesSite::kDay) == 59);
  CHECK(spamScoreNow(site.engine, "stranger", "Thanks for the write-up.", site.ops.now()) == 25);
  // alice's text again, by someone else: 74 + 40 for repeated content, clamped.
  CHECK(spamScoreNow(site.engine, "stranger", spam, site.ops.now()) == 100);
}

TEST_CASE("the spam score learns from moderator decisions (naive Bayes)", "[rules][pipeline]") {
  Policy policy;
  policy.newMemberUntilTrustLevel = 0;
  policy.spamNewAccountPoints = 0;
  policy.spamTrust0Points = 0;
  policy.spamPointsPerLink = 0;
  policy.spamLinkDensityPoints = 0;
  policy.spamBayesMinDecisions = 3;
  policy.spamHoldScore = 20;
  Blog site(policy);
  // Moderators judge twelve posts: spam about pills and casinos, ham about the product.
  const char* spam[] = {"cheap pills casino bonus", "casino bonus win cheap",  "pills cheap online casino",
                        "win bonus pills now",      "online casino cheap win", "cheap pills bonus online"};
  const char* ham[] = {"battery lasts all day",    "the strap fits well",  "shipping was quick thanks",
                       "colour matches the photo", "battery charges fast", "strap size runs small"};
  int n = 0;
  for (const char* body : spam) {
    Actor spammer = OpFactory::member("spammer" + std::to_string(n++));
    std::string id = site.post(spammer, site.key, body);
    site.requireAccepted(site.ops.rejectAsSpam(site.moderator, id));
  }
  for (const char* body : ham) {
    Actor customer = OpFactory::member("customer" + std::to_string(n++));
    std::string id = site.post(customer, site.key, body);
    // A moderator approving after a flag is a ham decision too.
    site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::hide, id));
    site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::restore, id));
  }
  CHECK(exportRecords(site.engine).spamDecisions == 6);
  site.requireHeld(site.ops.post(OpFactory::member("newcomer"), site.key, "cheap casino pills bonus"),
                   ReasonCode::spamSuspected);
  site.requireAccepted(site.ops.post(OpFactory::member("buyer"), site.key, "does the strap fit a small wrist"));
}

// Issue 33: on the SpamAssassin corpus the link and account points held more honest posts than the
// spam they caught once the classifier had learned; from then on it judges the words alone.
TEST_CASE(
    "once the naive Bayes has learned, the link and account points give way to it - text repeated by others "
    "still counts",
    "[rules][pipeline]") {
  Policy policy;
  policy.newMemberUntilTrustLevel = 0;  // only the spam score speaks here
  policy.spamBayesMinDecisions = 2;
  Blog site(policy);
  const std::string links = "see https://x.example/a https://x.example/b https://x.example/c";
  // Untrained: 3 links × 8 + density 25 + new account 15 + TL0 10 = 74 ≥ 60.
  CHECK(spamScoreNow(site.engine, "stranger", links, site.ops.now()) == 74);

  int n = 0;
  for (const char* body : {"cheap pills casino bonus", "casino bonus win cheap"}) {
    std::string id = site.post(OpFactory::member("spammer" + std::to_string(n++)), site.key, body);
    site.requireAccepted(site.ops.rejectAsSpam(site.moderator, id));
  }
  for (const char* body : {"battery lasts all day", "the strap fits well"}) {
    std::string id = site.post(OpFactory::member("customer" + std::to_string(n++)), site.key, body);
    site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::hide, id));
    site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::restore, id));
  }
  // Learned: words it has not seen are no evidence either way, and the links no longer hold.
  CHECK(spamScoreNow(site.engine, "stranger", links, site.ops.now()) == 0);
  site.requireAccepted(site.ops.post(site.alice, site.key, links));
  // The same text by another member is still a wave the classifier cannot see: 40 points.
  CHECK(spamScoreNow(site.engine, "stranger", links, site.ops.now()) == 40);
  // Spam words are held on their own.
  site.requireHeld(site.ops.post(OpFactory::member("newcomer"), site.key, "cheap pills casino bonus win"),
                   ReasonCode::spamSuspected);
}

TEST_CASE("pre-moderation holds posts below the site's trust level - staff are not held", "[rules][pipeline]") {
  Policy policy;
  policy.preModerateBelowTrustLevel = 1;
  Blog site(policy);
  site.requireHeld(site.ops.post(site.alice, site.key, "Hello!"), ReasonCode::preModerated);
  site.requireAccepted(site.ops.post(site.staff, site.key, "Welcome, Alice."));
}

TEST_CASE("member state: banned, suspended and silenced members cannot post", "[rules][pipeline]") {
  Blog site;
  site.post(site.alice, site.key, "I was here first");
  site.post(site.bob, site.key, "Me too");
  site.post(site.carol, site.key, "And me");
  site.requireAccepted(site.ops.moderateMember(site.moderator, ModerationAction::ban, "alice"));
  site.requireRejected(site.ops.post(site.alice, site.key, "Let me back"), ReasonCode::memberBanned);

  Op suspend = site.ops.moderateMember(site.moderator, ModerationAction::suspend, "bob", "cool off");
  std::get<Moderate>(suspend.body).until = site.ops.now() + RulesSite::kHour;
  site.requireAccepted(suspend);
  site.requireRejected(site.ops.post(site.bob, site.key, "Still here"), ReasonCode::memberSuspended);
  site.ops.advance(2 * RulesSite::kHour);
  site.requireAccepted(site.ops.post(site.bob, site.key, "Back after the suspension"));

  site.requireAccepted(site.ops.moderateMember(site.moderator, ModerationAction::silence, "carol"));
  site.requireRejected(site.ops.post(site.carol, site.key, "Hello?"), ReasonCode::memberSilenced);
  site.requireAccepted(site.ops.moderateMember(site.moderator, ModerationAction::unban, "carol"));
  site.requireAccepted(site.ops.post(site.carol, site.key, "Thanks"));
}

TEST_CASE(
    "a sanction covers every op: banned and suspended members act not at all, silenced ones neither "
    "post, vote nor flag",
    "[rules][pipeline][sanctions]") {
  Policy policy;
  policy.privilegeVoteUp = 0;
  policy.privilegeVoteDown = 0;
  policy.privilegeFlag = 0;
  Blog site(policy);
  std::string staffPost = site.post(site.staff, site.key, "Welcome");
  std::string own = site.post(site.alice, site.key, "Mine");
  site.post(site.bob, site.key, "Bob here");
  site.post(site.carol, site.key, "Carol here");
  // A trust level so that flags would count.
  for (const char* who : {"alice", "bob", "carol"}) {
    Op trust = site.ops.moderateMember(site.moderator, ModerationAction::setTrustLevel, who, "regular");
    std::get<Moderate>(trust.body).trustLevel = 2;
    site.requireAccepted(trust);
  }
  auto everyOp = [&](const Actor& who, const std::string& tag) {
    return std::vector<Op>{site.ops.thread(who, "/t/" + tag),
                           site.ops.post(who, site.key, "Hi " + tag),
                           site.ops.vote(who, staffPost, VoteDirection::up),
                           site.ops.vote(who, staffPost, VoteDirection::down),
                           site.ops.flag(who, staffPost, FlagReason::offTopic),
                           site.ops.edit(who, own, "Edited " + tag),
                           site.ops.reading(who, {site.key}, 3, 30)};
  };
  site.requireAccepted(site.ops.moderateMember(site.moderator, ModerationAction::ban, "bob"));
  for (const Op& op : everyOp(site.bob, "bob")) site.requireRejected(op, ReasonCode::memberBanned);

  Op suspend = site.ops.moderateMember(site.moderator, ModerationAction::suspend, "carol", "cool off");
  std::get<Moderate>(suspend.body).until = site.ops.now() + RulesSite::kHour;
  site.requireAccepted(suspend);
  for (const Op& op : everyOp(site.carol, "carol")) site.requireRejected(op, ReasonCode::memberSuspended);

  site.requireAccepted(site.ops.moderateMember(site.moderator, ModerationAction::silence, "alice"));
  std::vector<Op> silenced = everyOp(site.alice, "alice");
  for (std::size_t i = 0; i + 1 < silenced.size(); ++i) site.requireRejected(silenced[i], ReasonCode::memberSilenced);
  site.requireRead(silenced.back());                       // reading is not speaking
  site.requireAccepted(site.ops.remove(site.alice, own));  // nor is taking one's own words back
}

TEST_CASE("undo runs the checks of the action it undoes: not on yourself, moderators only by admins",
          "[rules][pipeline][sanctions]") {
  Blog site;
  const Actor other = OpFactory::member("mod2", Role::moderator);
  site.post(site.moderator, site.key, "Moderating here");
  site.post(other, site.key, "Me too");
  Op silence = site.ops.moderateMember(site.admin, ModerationAction::silence, "mod");
  site.requireAccepted(silence);
  site.requireRejected(site.ops.undo(site.moderator, silence.id), ReasonCode::invalidAction);  // their own
  site.requireRejected(site.ops.undo(other, silence.id), ReasonCode::notPermitted);            // another moderator
  site.requireAccepted(site.ops.undo(site.admin, silence.id));
}

TEST_CASE("an edit passes the same content checks", "[rules][pipeline]") {
  Blog site(withWords({{"en", "viagra", WatchAction::block}, {"en", "refund", WatchAction::requireApproval}}));
  std::string id = site.post(site.alice, site.key, "Nice post");
  site.requireRejected(site.ops.edit(site.alice, id, "Nice viagra"), ReasonCode::blockedWord);
  site.requireHeld(site.ops.edit(site.alice, id, "Nice post, refund please"), ReasonCode::watchedWordHeld);
  CHECK(site.stateOf(id) == PostState::pendingReview);
}

TEST_CASE("an edit is screened like a new post: post harmless text, get it up, edit the spam in, and it is held",
          "[rules][pipeline][edits]") {
  SECTION("the spam score") {
    Policy policy;
    policy.spamHoldScore = 30;  // a new TL0 account scores 25 with no link at all
    policy.newMemberMaxLinks = 10;
    Blog site(policy);
    std::string id = site.post(site.alice, site.key, "Lovely trail, thanks for the write-up");
    Outcome edited = site.requireHeld(site.ops.edit(site.alice, id, "Cheap shoes https://spam.example/deal"),
                                      ReasonCode::spamSuspected);
    CHECK(site.stateOf(id) == PostState::pendingReview);
    CHECK(edited.message == "Held for review: this post looks like spam to the filter.");
  }
  SECTION("pre-moderation") {
    Policy policy;
    policy.preModerateBelowTrustLevel = 1;
    Blog site(policy);
    std::string id =
        site.requireHeld(site.ops.post(site.alice, site.key, "Hello there"), ReasonCode::preModerated).opId;
    site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::approve, id));
    site.requireHeld(site.ops.edit(site.alice, id, "Hello there, buy now"), ReasonCode::preModerated);
    CHECK(site.stateOf(id) == PostState::pendingReview);
  }
}

TEST_CASE("edits are limited per post and per day, and a deletion takes the history", "[rules][edits]") {
  Policy policy;
  policy.editMaxPerPost = 3;
  policy.editsPerDayNewMember = 4;
  Blog site(policy);
  std::string first = site.post(site.alice, site.key, "Version 0");
  for (int i = 1; i <= 3; ++i) site.requireAccepted(site.ops.edit(site.alice, first, "Version " + std::to_string(i)));
  Outcome refused = site.requireRejected(site.ops.edit(site.alice, first, "Version 4"), ReasonCode::tooManyEdits);
  CHECK(refused.message == "This post was edited 3 times, as often as this site allows.");
  site.requireRejected(site.ops.edit(site.moderator, first, "Tidied by a moderator"), ReasonCode::tooManyEdits);
  CHECK(site.postRecord(first).edits.size() == 3);

  std::string second = site.post(site.alice, site.key, "Another post");
  site.requireAccepted(site.ops.edit(site.alice, second, "Another post, edited"));  // the day's fourth
  Outcome daily =
      site.requireRejected(site.ops.edit(site.alice, second, "Another post, again"), ReasonCode::rateLimited);
  CHECK(daily.message == "At trust level 0 you can edit 4 times a day; try again tomorrow.");
  site.requireAccepted(site.ops.edit(site.moderator, second, "Another post, tidied"));  // staff are not limited
  site.ops.advance(RulesSite::kDay);
  site.requireAccepted(site.ops.edit(site.alice, second, "Another post, the next day"));

  site.requireAccepted(site.ops.remove(site.alice, first));
  CHECK(site.postRecord(first).edits.empty());
  site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::reject, second));
  CHECK(site.postRecord(second).edits.size() == 3);  // a moderator's removal keeps the evidence
}

TEST_CASE("the rate limit's window holds every post the policy allows in it", "[rules][pipeline]") {
  Policy policy;
  policy.ratePostsTrust0 = 100;  // more than the 64 times the window used to keep
  Blog site(policy);
  for (int i = 0; i < 100; ++i) site.post(site.alice, site.key, "Post number " + std::to_string(i));
  site.requireRejected(site.ops.post(site.alice, site.key, "One too many"), ReasonCode::rateLimited);
  CHECK(site.member("alice").standing.recentPostTimes.size() == 100);
  site.ops.advance(static_cast<TimeMs>(policy.rateWindowSeconds) * 1000 + 1);
  site.post(site.alice, site.key, "After the window");
  CHECK(site.member("alice").standing.recentPostTimes.size() == 1);
}

// Issue 33: the brand's own links are not a stranger's links.
TEST_CASE("links to the site's trusted domains count as no link for a new member's limit or the spam score",
          "[rules][pipeline]") {
  Policy policy;
  policy.trustedLinkDomains = {"shop.example"};
  Blog site(policy);
  site.library();
  const std::string ownLinks =
      "Does https://shop.example/p/1 fit like https://www.shop.example/p/2 or https://help.shop.example/sizes ?";
  Outcome up = site.requireAccepted(site.ops.post(site.alice, site.key, ownLinks));
  CHECK(site.stateOf(up.opId) == PostState::visible);
  // A host that only ends in the name, or another site's, is a link as ever.
  const std::string strangers =
      "See https://fakeshop.example/1 and https://shop.example.evil.test/2 and https://c.example/3 for details";
  site.requireHeld(site.ops.post(site.bob, site.key, strangers), ReasonCode::tooManyLinks);
  // The spam score reads the same: own links add no link points.
  CHECK(spamScoreNow(site.engine, "stranger", ownLinks, site.ops.now()) <
        spamScoreNow(site.engine, "stranger", strangers, site.ops.now()));
  Blog untrusted;
  CHECK(spamScoreNow(untrusted.engine, "stranger", ownLinks, untrusted.ops.now()) >
        spamScoreNow(site.engine, "stranger", ownLinks, site.ops.now()));
}

TEST_CASE("trustedLinkDomains is read from and written to the policy's JSON, and checked", "[rules][policy]") {
  Result<Policy> read = parsePolicyJson(R"({"settings":{},"trustedLinkDomains":["shop.example","docs.shop.example"]})");
  REQUIRE(read.ok());
  CHECK(read.value().trustedLinkDomains == std::vector<std::string>{"shop.example", "docs.shop.example"});
  Result<Policy> again = parsePolicyJson(policyToJson(read.value()));
  REQUIRE(again.ok());
  CHECK(again.value() == read.value());
  // A policy without it writes as it did before the list existed.
  CHECK(policyToJson(Policy{}).find("trustedLinkDomains") == std::string::npos);
  for (const char* bad :
       {R"(["Shop.Example"])", R"(["shop.example/path"])", R"([".shop.example"])", R"([""])", R"("shop.example")"}) {
    INFO(bad);
    Result<Policy> refused = parsePolicyJson(std::string(R"({"trustedLinkDomains":)") + bad + "}");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.starts_with("trustedLinkDomains"));
  }
}
