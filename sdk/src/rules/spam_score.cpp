#include "kring/spam_score.h"

#include <algorithm>
#include <string>

#include "rules/moderation_pipeline.h"
#include "state/engine_access.h"
#include "text/content.h"

namespace kring {

std::int32_t spamScoreNow(const Engine& engine, std::string_view authorId, std::string_view body, TimeMs now,
                          bool reply) {
  const SiteState& state = EngineAccess::state(engine);
  std::string text(body);
  std::int32_t points =
      spamPoints(state, state.findMember(std::string(authorId)), now, text,
                 countContent(text, state.policy.trustedLinkDomains), contentFingerprint(text), reply);
  return std::clamp<std::int32_t>(points, 0, 100);
}

}  // namespace kring
