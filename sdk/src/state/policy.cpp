#include "kring/policy.h"

#include <algorithm>
#include <array>

#include "text/text.h"

namespace kring {

namespace {

constexpr std::int32_t kAmount = 100'000;  // any reputation amount or threshold
constexpr std::int32_t kCount = 1'000'000;

// The widget's copy of the core has no use for the descriptions (docs, tests and native tools read
// them): 1 KB gzip of the budgeted widget.
#ifdef KRING_WIDGET_CORE
#define KRING_DESCRIPTION(text) std::string_view()
#else
#define KRING_DESCRIPTION(text) text
#endif
#define KRING_SETTING(name, minimum, maximum, description) \
  PolicySetting { #name, &Policy::name, minimum, maximum, KRING_DESCRIPTION(description), false }
#define KRING_SCREENING(name, minimum, maximum, description) \
  PolicySetting { #name, &Policy::name, minimum, maximum, KRING_DESCRIPTION(description), true }
#define KRING_SETTING_SINCE(name, minimum, maximum, formerly, description) \
  PolicySetting { #name, &Policy::name, minimum, maximum, KRING_DESCRIPTION(description), false, formerly }
#define KRING_SCREENING_SINCE(name, minimum, maximum, formerly, description) \
  PolicySetting { #name, &Policy::name, minimum, maximum, KRING_DESCRIPTION(description), true, formerly }

const std::array kSettings = {
    KRING_SETTING(reputationInitial, 1, kAmount, "reputation a new member starts with"),
    KRING_SETTING(reputationFloor, 1, kAmount, "reputation never falls below this"),
    KRING_SETTING(reputationUpvoteReceived, 0, kAmount, "gained when a post is voted up"),
    KRING_SETTING(reputationDownvoteReceived, 0, kAmount, "lost when a post is voted down"),
    KRING_SETTING(reputationDownvoteCast, 0, kAmount, "paid by a member who votes an answer down"),
    KRING_SETTING(reputationAnswerAccepted, 0, kAmount, "gained when an answer is accepted"),
    KRING_SETTING(reputationAcceptorBonus, 0, kAmount, "gained by the member who accepts someone's answer"),
    KRING_SETTING(reputationRemovedAsSpam, 0, kAmount, "lost when a post is removed as spam or offensive"),
    KRING_SETTING(reputationFeaturedPraise, 0, kAmount, "gained when a moderator features a post"),
    KRING_SETTING(reputationDailyVoteCap, 0, kAmount, "most reputation gained from votes in one UTC day"),
    KRING_SETTING_SINCE(reputationPairMax, 0, kAmount, kAmount,
                        "most reputation one member's up votes and accepts give another member, in all"),
    KRING_SETTING(privilegeVoteUp, 0, kAmount, "reputation needed to vote up"),
    KRING_SETTING(privilegeFlag, 0, kAmount, "reputation needed to flag"),
    KRING_SETTING(privilegeComment, 0, kAmount, "reputation needed to comment on others' posts in Q&A"),
    KRING_SETTING(privilegeVoteDown, 0, kAmount, "reputation needed to vote down"),
    KRING_SETTING(privilegeReviewQueue, 0, kAmount, "reputation needed to approve or reject held posts"),
    KRING_SETTING(privilegeNoRateLimit, 0, kAmount, "reputation that lifts the post rate limit"),
    KRING_SETTING(privilegeEditOthers, 0, kAmount, "reputation needed to edit others' posts"),
    KRING_SETTING(privilegeLockThreads, 0, kAmount, "reputation needed to lock and unlock threads"),
    KRING_SETTING(privilegeModeratorTools, 0, kAmount, "reputation at which the widget shows moderator tools"),
    KRING_SETTING(trust1ThreadsEntered, 0, kCount, "TL1: threads entered"),
    KRING_SETTING(trust1PostsRead, 0, kCount, "TL1: posts read"),
    KRING_SETTING(trust1MinutesReading, 0, kCount, "TL1: minutes spent reading"),
    KRING_SETTING(trust2DaysVisited, 0, kCount, "TL2: days visited"),
    KRING_SETTING(trust2LikesGiven, 0, kCount, "TL2: up votes given"),
    KRING_SETTING(trust2LikesReceived, 0, kCount, "TL2: up votes received"),
    KRING_SETTING(trust2ThreadsRepliedTo, 0, kCount, "TL2: distinct threads replied in"),
    KRING_SETTING(trust2ThreadsEntered, 0, kCount, "TL2: threads entered"),
    KRING_SETTING(trust2PostsRead, 0, kCount, "TL2: posts read"),
    KRING_SETTING(trust2MinutesReading, 0, kCount, "TL2: minutes spent reading"),
    KRING_SETTING(trust3WindowDays, 1, 3650, "TL3: days the criteria look back over"),
    KRING_SETTING(trust3DaysVisitedPercent, 0, 100, "TL3: percent of the window's days visited"),
    KRING_SETTING(trust3ThreadsRepliedTo, 0, kCount, "TL3: distinct threads replied in within the window"),
    KRING_SETTING(trust3ThreadsViewedPercent, 0, 100, "TL3: percent of the window's new threads entered"),
    KRING_SETTING(trust3ThreadsViewedCap, 0, kCount, "TL3: cap on the threads-entered requirement"),
    KRING_SETTING(trust3PostsReadPercent, 0, 100, "TL3: percent of the window's new posts read"),
    KRING_SETTING(trust3PostsReadCap, 0, kCount, "TL3: cap on the posts-read requirement"),
    KRING_SETTING(trust3LikesReceived, 0, kCount, "TL3: up votes received within the window"),
    KRING_SETTING(trust3LikesGiven, 0, kCount, "TL3: up votes given within the window"),
    KRING_SETTING(trust3MaxFlagsUpheldAgainst, 0, kCount, "TL3: most upheld spam/offensive flags on own posts"),
    KRING_SETTING(trust3SanctionFreeDays, 0, 3650, "TL3: days since the last silence or suspension"),
    KRING_SETTING(trust3MinimumDays, 0, 3650, "TL3: days kept at least once reached"),
    KRING_SETTING(readingMaxSecondsPerOp, 0, 86'400, "most reading time one reading op counts"),
    KRING_SETTING(readingMaxSecondsPerDay, 0, 86'400, "most reading time counted for a member in a UTC day"),
    KRING_SETTING(readingMaxThreadsPerDay, 1, 10'000, "threads whose reading counts for a member in a UTC day"),
    KRING_SETTING(rateWindowSeconds, 1, 86'400, "the rate limit's window"),
    KRING_SETTING(ratePostsTrust0, 1, kCount, "posts per window at TL0"),
    KRING_SETTING(ratePostsTrust1, 1, kCount, "posts per window at TL1"),
    KRING_SETTING(ratePostsTrust2, 1, kCount, "posts per window at TL2"),
    KRING_SETTING(ratePostsTrust3, 1, kCount, "posts per window at TL3"),
    KRING_SETTING(ratePostsTrust4, 1, kCount, "posts per window at TL4"),
    KRING_SETTING(newMemberUntilTrustLevel, 0, 4, "new-member limits apply below this trust level"),
    KRING_SETTING(newMemberMaxLinks, 0, kCount, "links a new member may post before the post is held"),
    KRING_SETTING(newMemberMaxMentions, 0, kCount, "mentions a new member may post before the post is held"),
    KRING_SETTING(newMemberMaxImages, 0, kCount, "images a new member may post before the post is held"),
    KRING_SCREENING(duplicateWindowHours, 0, 8760, "hours in which the same text from one member is refused; 0 off"),
    KRING_SCREENING(spamHoldScore, 1, kCount, "spam score at which a post is held"),
    KRING_SCREENING(spamPointsPerLink, 0, kCount, "spam points per link"),
    KRING_SCREENING(spamLinkDensityPercent, 0, 100, "links per 100 words at which density counts"),
    KRING_SCREENING(spamLinkDensityPoints, 0, kCount, "spam points for link density"),
    KRING_SCREENING(spamRepeatedContentPoints, 0, kCount, "spam points when another member posted the same text"),
    KRING_SCREENING(spamNewAccountHours, 0, 8760, "hours an account counts as new"),
    KRING_SCREENING(spamNewAccountPoints, 0, kCount, "spam points for a new account"),
    KRING_SCREENING(spamTrust0Points, 0, kCount, "spam points for a TL0 author"),
    KRING_SCREENING(spamBayesPointsPerBit, 0, 1000, "spam points per bit of the classifier's log-odds"),
    KRING_SCREENING(spamBayesMaxPoints, 0, kCount, "bound on the classifier's points, either sign"),
    KRING_SCREENING(spamBayesMinDecisions, 0, kCount,
                    "spam and ham decisions each before the classifier counts (and the link and account points "
                    "stop counting)"),
    KRING_SETTING(preModerateBelowTrustLevel, 0, 5, "posts below this trust level wait for approval; 0 off"),
    KRING_SETTING(guestPreModerate, 0, 1, "1: every guest's post waits for approval; 0 guests post like TL0 members"),
    KRING_SETTING(editMaxPerPost, 1, 1000, "edits a post takes in all (its history keeps each)"),
    KRING_SETTING(editsPerDayNewMember, 0, kCount, "edits per UTC day by a member below newMemberUntilTrustLevel"),
    KRING_SETTING(editsPerDay, 0, kCount, "edits per UTC day by other members; staff are not limited"),
    KRING_SETTING_SINCE(
        threadCreateMinTrustLevel, 0, 5, 0,
        "trust level a member needs to create a thread without the host's approval; 5: only staff and the host"),
    KRING_SETTING(silenceBlocksVoting, 0, 1, "1: a silenced member cannot vote"),
    KRING_SETTING(silenceBlocksFlagging, 0, 1, "1: a silenced member cannot flag"),
    KRING_SETTING(flagWeightTrust1, 0, 1000, "weight of a TL1 member's flag"),
    KRING_SETTING(flagWeightTrust2, 0, 1000, "weight of a TL2 member's flag"),
    KRING_SETTING(flagWeightTrust3, 0, 1000, "weight of a TL3 member's flag"),
    KRING_SETTING(flagWeightTrust4, 0, 1000, "weight of a TL4 member's flag"),
    KRING_SETTING(flagWeightStaff, 0, 1000, "weight of a moderator's, staff's or admin's flag"),
    KRING_SETTING(flagHideScore, 1, kCount, "flag weight at which a post is hidden pending review"),
    KRING_SETTING(flagFullWeightAfterDays, 0, 365, "days before a member's flags weigh (younger: queue only)"),
    KRING_SETTING(flagSpamSilenceMembers, 1, 1000, "distinct spam flaggers that silence a TL0 author"),
    KRING_SETTING_SINCE(unansweredAlertMinutes, 0, 7 * 24 * 60, 0,
                        "minutes a question waits unanswered before staff and moderators are told; 0 off"),
    KRING_SETTING_SINCE(staffDigestHourUtc, -1, 23, -1,
                        "hour of the day (UTC) from which staff and moderators get the day's digest; -1 off"),
    KRING_SCREENING(spamHamTrustLevel, 0, 5,
                    "visible posts from this trust level up, and staff's, train the classifier as ham; 5: staff only"),
    KRING_SCREENING_SINCE(spamHamPostsPerDay, 0, 1000, 0,
                          "a member's first posts of a UTC day that can train the classifier as ham; 0 off"),
    KRING_SCREENING_SINCE(spamHamAfterMinutes, 0, 30 * 24 * 60, 0,
                          "minutes a visible post stands unflagged before it trains the classifier as ham; 0 off"),
};

#undef KRING_SETTING
#undef KRING_SCREENING
#undef KRING_SCREENING_SINCE

constexpr std::size_t kMaxWatchedWords = 5000;
constexpr std::size_t kMaxWatchedWordBytes = 100;

Status invalid(std::string field, std::string reason) {
  return Error{ReasonCode::invalidPolicy, field + ": " + reason};
}

bool isLocale(const std::string& locale) {
  if (locale == "*") return true;
  if (locale.size() < 2 || locale.size() > 8) return false;
  for (char c : locale) {
    if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::span<const PolicySetting> policySettings() { return kSettings; }

Status validatePolicy(const Policy& policy) {
  for (const PolicySetting& setting : kSettings) {
    std::int32_t value = policy.*(setting.field);
    if (value < setting.minimum || value > setting.maximum) {
      return invalid(std::string(setting.name), "must be between " + std::to_string(setting.minimum) + " and " +
                                                    std::to_string(setting.maximum) + " (got " + std::to_string(value) +
                                                    ")");
    }
  }
  if (policy.reputationFloor > policy.reputationInitial) {
    return invalid("reputationFloor",
                   "must not be above reputationInitial (" + std::to_string(policy.reputationInitial) + ")");
  }
  constexpr std::size_t kMaxTrustedDomains = 50;
  if (policy.trustedLinkDomains.size() > kMaxTrustedDomains) {
    return invalid("trustedLinkDomains", "at most " + std::to_string(kMaxTrustedDomains) + " hosts");
  }
  for (std::size_t i = 0; i < policy.trustedLinkDomains.size(); ++i) {
    const std::string& host = policy.trustedLinkDomains[i];
    const bool plain = !host.empty() && host.size() <= 253 && host.front() != '.' && host.back() != '.' &&
                       std::all_of(host.begin(), host.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
                       });
    if (!plain) {
      return invalid("trustedLinkDomains[" + std::to_string(i) + "]",
                     "must be a lower-case host name such as \"shop.example\"");
    }
  }
  if (policy.watchedWords.size() > kMaxWatchedWords) {
    return invalid("watchedWords", "at most " + std::to_string(kMaxWatchedWords) + " entries");
  }
  for (std::size_t i = 0; i < policy.watchedWords.size(); ++i) {
    const WatchedWord& entry = policy.watchedWords[i];
    std::string at = "watchedWords[" + std::to_string(i) + "]";
    if (isBlank(entry.word)) return invalid(at + ".word", "must not be empty");
    if (entry.word.size() > kMaxWatchedWordBytes) {
      return invalid(at + ".word", "must be at most " + std::to_string(kMaxWatchedWordBytes) + " bytes");
    }
    if (!isValidUtf8(entry.word) || hasControlCharacters(entry.word)) {
      return invalid(at + ".word", "must be printable UTF-8");
    }
    if (!isLocale(entry.locale)) return invalid(at + ".locale", "must be \"*\" or a language tag such as \"en\"");
    if (static_cast<std::uint8_t>(entry.action) > static_cast<std::uint8_t>(WatchAction::flag)) {
      return invalid(at + ".action", "unknown action");
    }
  }
  return okStatus();
}

std::int32_t postsPerWindow(const Policy& policy, std::uint8_t trustLevel) {
  switch (trustLevel) {
    case 0: return policy.ratePostsTrust0;
    case 1: return policy.ratePostsTrust1;
    case 2: return policy.ratePostsTrust2;
    case 3: return policy.ratePostsTrust3;
    default: return policy.ratePostsTrust4;
  }
}

std::int32_t flagWeight(const Policy& policy, std::uint8_t trustLevel, bool hasStaffRole) {
  if (hasStaffRole) return policy.flagWeightStaff;
  switch (trustLevel) {
    case 0: return 0;
    case 1: return policy.flagWeightTrust1;
    case 2: return policy.flagWeightTrust2;
    case 3: return policy.flagWeightTrust3;
    default: return policy.flagWeightTrust4;
  }
}

}  // namespace kring
