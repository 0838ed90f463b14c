// A site's community rules: every number of docs/community-rules.md is a named setting with that default,
// plus the watched words. Policy changes are ops (UpdatePolicy), so they are audited and replayed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kring/reason.h"

namespace kring {

// One watched word or phrase. Matched on word boundaries, ignoring case and accents, and seeing
// through simple obfuscation (v.i.a.g.r.a, viaaagra, v1agra).
struct WatchedWord {
  std::string locale;  // "en", "nl", …; "*" applies to every locale
  std::string word;
  WatchAction action = WatchAction::block;

  friend bool operator==(const WatchedWord&, const WatchedWord&) = default;
};

struct Policy {
  // --- Reputation (Stack Overflow's table) ---
  std::int32_t reputationInitial = 1;
  std::int32_t reputationFloor = 1;
  std::int32_t reputationUpvoteReceived = 10;   // question, answer or discussion post
  std::int32_t reputationDownvoteReceived = 2;  // taken from the author
  std::int32_t reputationDownvoteCast = 1;      // taken from a voter who downvotes an answer
  std::int32_t reputationAnswerAccepted = 15;
  std::int32_t reputationAcceptorBonus = 2;
  std::int32_t reputationRemovedAsSpam = 100;  // taken when a post is removed as spam or offensive
  std::int32_t reputationFeaturedPraise = 10;
  std::int32_t reputationDailyVoteCap = 200;  // gained from votes per UTC day
  std::int32_t reputationPairMax = 50;        // one member's up votes and accepts give another, in all

  // --- Privileges by reputation (roles other than member bypass them) ---
  std::int32_t privilegeVoteUp = 15;
  std::int32_t privilegeFlag = 15;
  std::int32_t privilegeComment = 50;  // comment on others' posts in question threads
  std::int32_t privilegeVoteDown = 125;
  std::int32_t privilegeReviewQueue = 500;  // approve or reject held posts
  std::int32_t privilegeNoRateLimit = 1000;
  std::int32_t privilegeEditOthers = 2000;
  std::int32_t privilegeLockThreads = 3000;
  std::int32_t privilegeModeratorTools = 10000;

  // --- Trust levels (Discourse's defaults) ---
  std::int32_t trust1ThreadsEntered = 5;
  std::int32_t trust1PostsRead = 30;
  std::int32_t trust1MinutesReading = 10;
  std::int32_t trust2DaysVisited = 15;
  std::int32_t trust2LikesGiven = 1;
  std::int32_t trust2LikesReceived = 1;
  std::int32_t trust2ThreadsRepliedTo = 3;
  std::int32_t trust2ThreadsEntered = 20;
  std::int32_t trust2PostsRead = 100;
  std::int32_t trust2MinutesReading = 60;
  std::int32_t trust3WindowDays = 100;
  std::int32_t trust3DaysVisitedPercent = 50;
  std::int32_t trust3ThreadsRepliedTo = 10;
  std::int32_t trust3ThreadsViewedPercent = 25;
  std::int32_t trust3ThreadsViewedCap = 500;
  std::int32_t trust3PostsReadPercent = 25;
  std::int32_t trust3PostsReadCap = 20000;
  std::int32_t trust3LikesReceived = 20;
  std::int32_t trust3LikesGiven = 30;
  std::int32_t trust3MaxFlagsUpheldAgainst = 5;   // spam/offensive flags upheld on the member's posts
  std::int32_t trust3SanctionFreeDays = 180;      // not silenced or suspended in this many days
  std::int32_t trust3MinimumDays = 14;            // kept at least this long once reached
  std::int32_t readingMaxSecondsPerDay = 14'400;  // reading time a member earns in a UTC day
  std::int32_t readingMaxThreadsPerDay = 200;     // threads whose reading counts in a UTC day
  std::int32_t readingMaxSecondsPerOp = 3600;     // a batched read op counts at most this much time

  // --- Rate limits by trust level: posts per window ---
  std::int32_t rateWindowSeconds = 600;
  std::int32_t ratePostsTrust0 = 5;
  std::int32_t ratePostsTrust1 = 15;
  std::int32_t ratePostsTrust2 = 30;
  std::int32_t ratePostsTrust3 = 60;
  std::int32_t ratePostsTrust4 = 60;

  // --- New-member limits (below newMemberUntilTrustLevel) ---
  std::int32_t newMemberUntilTrustLevel = 1;
  std::int32_t newMemberMaxLinks = 2;
  std::int32_t newMemberMaxMentions = 2;
  std::int32_t newMemberMaxImages = 1;

  // --- Duplicates and spam score ---
  std::int32_t duplicateWindowHours = 24;  // same author, same text: refused
  std::int32_t spamHoldScore = 60;         // held as spam at or above this score
  std::int32_t spamPointsPerLink = 8;
  std::int32_t spamLinkDensityPercent = 10;  // links per 100 words at which density counts
  std::int32_t spamLinkDensityPoints = 25;
  std::int32_t spamRepeatedContentPoints = 40;  // the same text posted by another member
  std::int32_t spamNewAccountHours = 24;
  std::int32_t spamNewAccountPoints = 15;
  std::int32_t spamTrust0Points = 10;       // TL0 posts are screened harder
  std::int32_t spamBayesPointsPerBit = 4;   // per bit of log-odds from the naive Bayes
  std::int32_t spamBayesMaxPoints = 80;     // bound on the Bayes part, both signs
  std::int32_t spamBayesMinDecisions = 10;  // each of spam and ham before Bayes counts
  // Ham learned without a moderator's click: posts that go up visible from members at or above this
  // trust level, and from staff, moderators and admins, train the classifier as ham ...
  std::int32_t spamHamTrustLevel = 2;  // 5: staff, moderators and admins only
  // ... but only a member's first this many posts of a UTC day, so no one member steers it; 0 off.
  std::int32_t spamHamPostsPerDay = 5;
  // Any member's visible post that stood this long without an open or upheld flag trains it as ham
  // too (the same daily cap), at the server's next check (CheckAlerts); 0 off.
  std::int32_t spamHamAfterMinutes = 24 * 60;

  // --- Site mode ---
  std::int32_t preModerateBelowTrustLevel = 0;  // 0: post-moderation; n: hold posts below TLn
  std::int32_t guestPreModerate = 1;            // 1: every guest's post waits for approval

  // --- Edits (screened like posts; the history holds each edit, so it is bounded by the first) ---
  std::int32_t editMaxPerPost = 20;        // edits a post takes, moderators' included
  std::int32_t editsPerDayNewMember = 10;  // below newMemberUntilTrustLevel
  std::int32_t editsPerDay = 100;          // members at or above it; staff are not limited

  // --- Threads (a key is taken by whoever creates it first: guests and fresh accounts may not) ---
  std::int32_t threadCreateMinTrustLevel = 1;  // plain members below it need the host's approval

  // --- Sanctions (banned and suspended members take no op at all; silenced ones do not post) ---
  std::int32_t silenceBlocksVoting = 1;    // 1: a silenced member cannot vote
  std::int32_t silenceBlocksFlagging = 1;  // 1: a silenced member cannot flag

  // --- Flags ---
  std::int32_t flagWeightTrust1 = 1;  // TL0 cannot flag
  std::int32_t flagWeightTrust2 = 2;
  std::int32_t flagWeightTrust3 = 3;
  std::int32_t flagWeightTrust4 = 4;
  std::int32_t flagWeightStaff = 5;          // moderators, staff, admins
  std::int32_t flagHideScore = 5;            // hidden pending review at or above this
  std::int32_t flagFullWeightAfterDays = 7;  // younger accounts' flags weigh nothing
  std::int32_t flagSpamSilenceMembers = 3;   // distinct spam flaggers that silence a TL0 author

  // --- Alerts (the server's scheduled CheckAlerts op) ---
  std::int32_t unansweredAlertMinutes = 120;  // staff and moderators hear of a question unanswered this long; 0 off
  std::int32_t staffDigestHourUtc = 7;        // the staff's daily digest from this hour (UTC); -1 off

  std::vector<WatchedWord> watchedWords;
  // The site's own hosts (its shop, its docs): a link to one of them, or to a subdomain, counts as no
  // link for spam points and new members' link limits. Lower-case host names.
  std::vector<std::string> trustedLinkDomains;

  // A non-moderator's copy (projectPolicy): the screening settings keep their defaults, the watched
  // words are left out, and a prediction leaves those stages to the server (screened_by_server).
  bool screeningWithheld = false;

  friend bool operator==(const Policy&, const Policy&) = default;
};

// One named integer setting of the policy: the name used in JSON ("reputationFloor") and on the
// wire, and its accepted range.
struct PolicySetting {
  std::string_view name;
  std::int32_t Policy::*field;
  std::int32_t minimum;
  std::int32_t maximum;
  std::string_view description;  // empty in the widget's copy of the core
  bool screening = false;        // tells a spammer how to pass: moderators only (visibility.h)
  // For a setting added after policies were first stored: the value that keeps what a stored policy
  // without it meant (its op log replays as it was applied). A setting absent from JSON takes the default.
  std::optional<std::int32_t> formerly = std::nullopt;
};

// Every integer setting, in a fixed order (the order of the wire form and of the JSON output).
std::span<const PolicySetting> policySettings();

// Checks ranges and cross-field rules (e.g. the floor is at most the initial reputation) and
// the watched words. The error message names the field and the reason.
Status validatePolicy(const Policy& policy);

// The policy as JSON: every setting in table order and every watched word (a projected policy: its
// settings and "screeningWithheld": true). parsePolicyJson (kring/policy_json.h) reads it back equal.
//   {"settings": {"privilegeVoteUp": 15, ...}, "watchedWords": [{"locale": "en", "word": "…", "action": "flag"}]}
std::string policyToJson(const Policy& policy);

// The number of posts a member of this trust level may make per rate window.
std::int32_t postsPerWindow(const Policy& policy, std::uint8_t trustLevel);
// The weight a flag carries; 0 means the member cannot flag.
std::int32_t flagWeight(const Policy& policy, std::uint8_t trustLevel, bool hasStaffRole);

}  // namespace kring
