// Internal: the moderation pipeline a post (or an edit) passes before it is stored, in the order of
// docs/community-rules.md: member state (checkAdmission, for every op) → rate limit → new-member limits →
// watched words → duplicates → spam score → site mode.
#pragma once

#include <optional>
#include <string>

#include "rules/op_context.h"
#include "text/content.h"

namespace kring {

struct Screening {
  std::optional<Outcome> rejection;
  ReasonCode heldReason = ReasonCode::none;  // none: the post goes up visible
  std::string heldMessage;
  std::string body;            // censored where a watched word says so
  bool flagForReview = false;  // a watched word with the flag action
  std::uint64_t fingerprint = 0;
  bool screenedByServer = false;  // a replica without the screening policy skipped those stages
};

enum class Screen { newPost, edit };

// Whether the post rate limit applies to the op's actor: plain members below privilegeNoRateLimit.
// Only their post times are recorded: staff, or a member the limit lets pass, carry no window
// (which would grow with every post and be rewritten with the member at each checkpoint).
bool rateLimitApplies(const OpContext& context);

// Runs every stage; the first rejection wins, else the first stage that holds.
Screening screenPost(const OpContext& context, const std::string& body, Screen screen);

// A thread's title: length, printable UTF-8 and the watched words. Block and censor apply to
// everyone; a word that would hold a post refuses a plain member's title (titleNeedsReview) unless
// the host approved it. Never holds: `body` is the title to store.
Screening screenTitle(const OpContext& context, const std::string& title, bool hostApproved);

// The spam score stage's points for `body` written by `author` (kNone: a newcomer) at `time`: link
// points and density, text others posted, account age, TL0; once the naive Bayes has learned enough
// (policy.spamBayesMinDecisions of each kind), its points and the text others posted alone (a reply's
// quotes left out: spamTokens). A member's post is held at policy.spamHoldScore.
std::int32_t spamPoints(const SiteState& state, std::uint32_t author, TimeMs time, const std::string& body,
                        const ContentCounts& counts, std::uint64_t fingerprint, bool reply);

// Accepts the op; a prediction that left stages to the server says so (screened_by_server).
Outcome acceptScreened(OpContext& context, const Screening& screening);

}  // namespace kring
