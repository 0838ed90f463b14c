#include "rules/moderation_pipeline.h"

#include <algorithm>

#include "kring/visibility.h"
#include "text/content.h"
#include "text/text.h"

namespace kring {

namespace {

constexpr std::int64_t kHourMs = 3'600'000;

std::string plural(std::uint32_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

void holdOnce(Screening& screening, ReasonCode code, std::string message) {
  if (screening.heldReason != ReasonCode::none) return;
  screening.heldReason = code;
  screening.heldMessage = std::move(message);
}

std::optional<Outcome> checkRateLimit(const OpContext& context) {
  const Policy& policy = context.policy();
  if (!rateLimitApplies(context)) return std::nullopt;
  const MemberEntry& member = context.state.members[context.actor];
  std::int32_t allowed = postsPerWindow(policy, member.trustLevel);
  TimeMs windowStart = context.op.time - static_cast<TimeMs>(policy.rateWindowSeconds) * 1000;
  auto recent = std::count_if(member.recentPostTimes.begin(), member.recentPostTimes.end(),
                              [&](TimeMs time) { return time > windowStart; });
  if (recent < allowed) return std::nullopt;
  return context.reject(ReasonCode::rateLimited,
                        "At trust level " + std::to_string(member.trustLevel) + " you can post " +
                            plural(static_cast<std::uint32_t>(allowed), "time") + " in " +
                            std::to_string(policy.rateWindowSeconds / 60) + " minutes; try again later.");
}

// Edits per UTC day, by trust level: an approved post cannot be rewritten without end.
std::optional<Outcome> checkEditLimit(const OpContext& context) {
  const Policy& policy = context.policy();
  if (context.actor == kNone || context.role() != Role::member) return std::nullopt;
  const MemberEntry& member = context.state.members[context.actor];
  bool newMember = member.trustLevel < policy.newMemberUntilTrustLevel;
  std::int32_t allowed = newMember ? policy.editsPerDayNewMember : policy.editsPerDay;
  std::int32_t today = dayOf(context.op.time);
  auto day = std::find_if(member.days.begin(), member.days.end(), [&](const DayActivity& d) { return d.day == today; });
  std::uint32_t done = day == member.days.end() ? 0 : day->edits;
  if (done < static_cast<std::uint32_t>(allowed)) return std::nullopt;
  return context.reject(ReasonCode::rateLimited,
                        "At trust level " + std::to_string(member.trustLevel) + " you can edit " +
                            plural(static_cast<std::uint32_t>(allowed), "time") + " a day; try again tomorrow.");
}

void checkNewMemberLimits(const OpContext& context, const ContentCounts& counts, Screening& screening) {
  const Policy& policy = context.policy();
  if (context.role() != Role::member || context.trustLevel() >= policy.newMemberUntilTrustLevel) return;
  auto over = [&](std::uint32_t count, std::int32_t limit, ReasonCode code, const char* noun) {
    if (count > static_cast<std::uint32_t>(limit)) {
      holdOnce(screening, code,
               "Held for review: new members may include " + plural(static_cast<std::uint32_t>(limit), noun) +
                   " per post; this one has " + std::to_string(count) + ".");
    }
  };
  over(counts.links, policy.newMemberMaxLinks, ReasonCode::tooManyLinks, "link");
  over(counts.mentions, policy.newMemberMaxMentions, ReasonCode::tooManyMentions, "mention");
  over(counts.images, policy.newMemberMaxImages, ReasonCode::tooManyImages, "image");
}

void checkWatchedWords(const OpContext& context, Screening& screening, const char* what = "post") {
  const auto& words = context.policy().watchedWords;
  if (words.empty()) return;
  std::vector<WatchMatch> matches = findWatchedWords(screening.body, context.state.watchList);
  std::vector<WatchMatch> censored;
  for (const WatchMatch& match : matches) {
    switch (words[match.word].action) {
      case WatchAction::block:
        screening.rejection =
            context.reject(ReasonCode::blockedWord, std::string("The ") + what + " contains \"" +
                                                        words[match.word].word + "\", which this site does not allow.");
        return;
      case WatchAction::censor: censored.push_back(match); break;
      case WatchAction::requireApproval:
        if (context.role() == Role::member) {
          holdOnce(screening, ReasonCode::watchedWordHeld,
                   "Held for review: the post contains a word this site reviews first.");
        }
        break;
      case WatchAction::flag:
        if (context.role() == Role::member) screening.flagForReview = true;
        break;
    }
  }
  if (!censored.empty()) screening.body = censorMatches(screening.body, censored);
}

// A post by the same author with the same text in the duplicate window; a short text must match
// byte for byte.
bool isDuplicate(const OpContext& context, const std::string& body, std::uint64_t fingerprint) {
  const SiteState& state = context.state;  // reads only: marks no post for the next checkpoint
  const std::vector<std::uint32_t>* same = state.postsByFingerprint.find(fingerprint);
  if (same == nullptr || context.actor == kNone || context.policy().duplicateWindowHours == 0) return false;  // 0: off
  TimeMs since = context.op.time - static_cast<TimeMs>(context.policy().duplicateWindowHours) * kHourMs;
  bool inFull = isShortText(body);
  return std::any_of(same->begin(), same->end(), [&](std::uint32_t index) {
    const PostEntry& post = state.posts[index];
    return post.author == context.actor && post.createdAt > since && !post.isRemoved() &&
           (!inFull || post.body == body);
  });
}

// The same text posted by a member other than `author` (kNone: anyone counts as another).
bool repeatedByOthers(const SiteState& state, std::uint32_t author, std::uint64_t fingerprint) {
  const std::vector<std::uint32_t>* same = state.postsByFingerprint.find(fingerprint);
  if (same == nullptr) return false;
  return std::any_of(same->begin(), same->end(),
                     [&](std::uint32_t index) { return author == kNone || state.posts[index].author != author; });
}

}  // namespace

bool rateLimitApplies(const OpContext& context) {
  return context.actor != kNone && context.role() == Role::member &&
         context.reputation() < context.policy().privilegeNoRateLimit;
}

std::int32_t spamPoints(const SiteState& state, std::uint32_t author, TimeMs time, const std::string& body,
                        const ContentCounts& counts, std::uint64_t fingerprint, bool reply) {
  const Policy& policy = state.policy;
  std::int64_t score = static_cast<std::int64_t>(counts.links) * policy.spamPointsPerLink;
  if (counts.links > 0 &&
      static_cast<std::int64_t>(counts.links) * 100 >=
          static_cast<std::int64_t>(std::max<std::uint32_t>(counts.words, 1)) * policy.spamLinkDensityPercent) {
    score += policy.spamLinkDensityPoints;
  }
  const bool repeated = repeatedByOthers(state, author, fingerprint);
  if (repeated) score += policy.spamRepeatedContentPoints;
  TimeMs joinedAt = author == kNone ? time : state.members[author].joinedAt;
  if (time - joinedAt < static_cast<TimeMs>(policy.spamNewAccountHours) * kHourMs) {
    score += policy.spamNewAccountPoints;
  }
  std::uint8_t trustLevel = author == kNone ? 0 : state.members[author].trustLevel;
  if (trustLevel == 0) score += policy.spamTrust0Points;
#ifndef KRING_WIDGET_CORE
  // A replica holds no trained model (it is the site's alone): the widget's build leaves this out.
  const BayesModel& model = state.spamModel;
  if (policy.spamBayesPointsPerBit > 0 &&
      model.spamDecisions >= static_cast<std::uint32_t>(policy.spamBayesMinDecisions) &&
      model.hamDecisions >= static_cast<std::uint32_t>(policy.spamBayesMinDecisions)) {
    // The link and account points stand in for a classifier that has not learned yet; once it has,
    // it judges the words alone (on the SpamAssassin corpus the link points held more honest
    // mailing-list posts than spam they caught: docs/spam-evaluation.md). Text repeated by other
    // members still counts: the classifier cannot see a wave.
    score = repeated ? policy.spamRepeatedContentPoints : 0;
    std::vector<std::string> tokens = spamTokens(body, reply);
    std::int64_t bits = model.logOddsQ16(tokens) * policy.spamBayesPointsPerBit / 65536;
    score += std::clamp<std::int64_t>(bits, -policy.spamBayesMaxPoints, policy.spamBayesMaxPoints);
  }
#else
  static_cast<void>(reply);
#endif
  return static_cast<std::int32_t>(std::clamp<std::int64_t>(score, -1'000'000, 1'000'000));
}

Outcome acceptScreened(OpContext& context, const Screening& screening) {
  Outcome outcome = context.accept();
  if (screening.screenedByServer) {
    outcome.code = ReasonCode::screenedByServer;
    outcome.message = "The server screens the text before it is shown to others.";
  }
  return outcome;
}

Screening screenTitle(const OpContext& context, const std::string& title, bool hostApproved) {
  Screening screening;
  screening.body = withoutBidiControls(title);
  const Limits& limits = context.state.limits;
  if (title.size() > limits.maxTitleBytes) {
    screening.rejection = context.reject(
        ReasonCode::titleTooLong, "The title is longer than " + std::to_string(limits.maxTitleBytes) + " bytes.");
    return screening;
  }
  if (!isValidUtf8(title) || hasControlCharacters(title)) {
    screening.rejection = context.reject(ReasonCode::invalidText, "The title is not printable UTF-8 text.");
    return screening;
  }
  screening.screenedByServer = context.policy().screeningWithheld;
  if (screening.screenedByServer) return screening;
  checkWatchedWords(context, screening, "title");
  if (screening.rejection) return screening;
  // A title shows on the page at once (threads are never held), so a word that would hold a post
  // refuses it; the host vouched for the title it signed.
  if (screening.heldReason == ReasonCode::watchedWordHeld && !hostApproved) {
    screening.rejection = context.reject(ReasonCode::titleNeedsReview,
                                         "The title contains a word this site reviews first; choose another title.");
  }
  screening.heldReason = ReasonCode::none;
  screening.flagForReview = false;  // threads have no flag queue; moderators can edit titles
  return screening;
}

// A new reply, or an edit of one: its block quotes are the post it answers, not the poster's words.
bool isReply(const OpContext& context) {
  if (const auto* post = std::get_if<CreatePost>(&context.op.body)) return !post->parentId.empty();
  if (const auto* edit = std::get_if<EditPost>(&context.op.body)) {
    const std::uint32_t index = context.state.findPost(edit->postId);
    return index != kNone && context.state.posts[index].parent != kNone;
  }
  return false;
}

Screening screenPost(const OpContext& context, const std::string& body, Screen screen) {
  Screening screening;
  screening.body = body;
  if (screen == Screen::newPost && (screening.rejection = checkRateLimit(context))) return screening;
  if (screen == Screen::edit && (screening.rejection = checkEditLimit(context))) return screening;
  ContentCounts counts = countContent(body, context.policy().trustedLinkDomains);
  checkNewMemberLimits(context, counts, screening);
  const Policy& policy = context.policy();
  // A replica holding a non-moderator's policy cannot screen: watched words, duplicates and the
  // spam score are the server's to decide.
  screening.screenedByServer = policy.screeningWithheld;
  if (!screening.screenedByServer) checkWatchedWords(context, screening);
  if (screening.rejection) return screening;
  screening.fingerprint = contentFingerprint(screening.body);

  // An edit is screened like a new post (spam score, pre-moderation), except that it may repeat
  // the member's own recent text.
  if (screen == Screen::newPost && !screening.screenedByServer &&
      isDuplicate(context, screening.body, screening.fingerprint)) {
    screening.rejection =
        context.reject(ReasonCode::duplicateText, "You already posted this text in the last " +
                                                      std::to_string(policy.duplicateWindowHours) + " hours.");
    return screening;
  }
  if (context.role() == Role::member) {
    if (!screening.screenedByServer && spamPoints(context.state, context.actor, context.op.time, screening.body, counts,
                                                  screening.fingerprint, isReply(context)) >= policy.spamHoldScore) {
      holdOnce(screening, ReasonCode::spamSuspected, "Held for review: this post looks like spam to the filter.");
    }
    if (policy.guestPreModerate != 0 && isGuestId(context.op.actor.memberId)) {
      holdOnce(screening, ReasonCode::preModerated, "Held for review: a moderator approves guests' posts first.");
    }
    if (context.trustLevel() < policy.preModerateBelowTrustLevel) {
      holdOnce(screening, ReasonCode::preModerated,
               "Held for review: a moderator approves posts from new members first.");
    }
  }
  return screening;
}

}  // namespace kring
