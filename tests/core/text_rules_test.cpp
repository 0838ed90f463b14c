// Text rules in Unicode: blank means blank, names and titles cannot reorder what follows them, and
// short texts are compared in full for duplicates.
#include "rules_fixture.h"

using namespace kring;
using namespace kring::testing;

namespace {

struct Texts : RulesSite {
  std::string key = thread(staff, "/talk");
};

}  // namespace

TEST_CASE("a post made only of Unicode spaces or invisible characters is empty", "[rules][text]") {
  Texts site;
  for (std::string body : {"\u3000", "\u1680 \u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A",
                           "\u205F\u00A0\u202F\u0085\u2028\u2029\v\f", "\u200B", "\u180E", "\uFEFF", "\u2060\u2061",
                           "\u00AD\u034F\u3164", "\u200C\u200D \uFE0F", "\u200E\u202E\u2066", "\U000E0020\U000E007F"}) {
    INFO(body);
    site.requireRejected(site.ops.post(site.alice, site.key, body), ReasonCode::emptyBody);
  }
  // A visible character among them is a post.
  site.post(site.alice, site.key, "\u3000\u200B.\uFEFF");
  site.post(site.alice, site.key, "\u3000\u00E9");
}

TEST_CASE("bidi controls are removed from display names and thread titles", "[rules][text]") {
  Texts site;
  Actor mallory{"mallory", "\u202Eevil name", Role::member};
  site.post(mallory, site.key, "Hello");
  CHECK(site.member("mallory").displayName == "evil name");
  Actor isolated{"mallory", "a\u2066b\u2069c\u200E\u200F\u061Cd\u202A\u202B\u202C\u202D\u2067\u2068", Role::member};
  site.post(isolated, site.key, "Hello again");
  CHECK(site.member("mallory").displayName == "abcd");

  Op created = site.ops.thread(site.staff, "/titled", ThreadKind::discussion, "\u202Etxt.exe - Invoice");
  site.requireAccepted(created);
  CHECK(site.view("/titled").title == "txt.exe - Invoice");
  Op retitle = site.ops.moderateThread(site.moderator, ModerationAction::editTitle, "/titled", "tidy");
  std::get<Moderate>(retitle.body).title = "Invoice \u2067(final)\u2069";
  site.requireAccepted(retitle);
  CHECK(site.view("/titled").title == "Invoice (final)");
  // Other scripts' letters and joiners stay.
  Actor arabic{"samir", "\u0633\u0645\u064A\u0631 \u200D", Role::member};
  site.post(arabic, site.key, "Hello from me");
  CHECK(site.member("samir").displayName == "\u0633\u0645\u064A\u0631 \u200D");
}

TEST_CASE("short texts are compared in full for duplicates: -1, -1.00 and -$1.00 differ", "[rules][text]") {
  Texts site;
  for (std::string body : {"-1", "+1", "-1.00", "-$1.00", "1"}) {
    site.ops.advance(3 * RulesSite::kMinute);
    INFO(body);
    site.post(site.alice, site.key, body);
  }
  site.ops.advance(3 * RulesSite::kMinute);
  site.requireRejected(site.ops.post(site.alice, site.key, "-1.00"), ReasonCode::duplicateText);
  // Longer texts still match on letters and digits alone.
  site.ops.advance(3 * RulesSite::kMinute);
  site.post(site.alice, site.key, "Thanks a lot!");
  site.ops.advance(3 * RulesSite::kMinute);
  site.requireRejected(site.ops.post(site.alice, site.key, "thanks, a lot"), ReasonCode::duplicateText);
}
