#include "kring/reason.h"

#include <array>

namespace kring {

std::string_view reasonName(ReasonCode code) {
  static constexpr std::array<std::string_view, kReasonCodeCount> kNames = {
      "none",           "malformed_op",       "invalid_id",          "invalid_member",
      "invalid_thread_key", "thread_exists",  "unknown_thread",      "thread_locked",
      "title_too_long", "empty_body",         "body_too_long",       "unknown_post",
      "duplicate_post_id", "post_removed",    "parent_not_in_thread", "too_deep",
      "not_author",     "not_permitted",      "unchanged",           "own_post",
      "already_voted",  "no_vote_to_retract", "not_a_question",      "not_an_answer",
      "already_accepted", "not_accepted",     "invalid_text",        "malformed_snapshot",
      "unsupported_version", "already_applied", "rate_limited", "not_subscribed",
      "insufficient_reputation", "insufficient_trust_level", "member_banned", "member_suspended",
      "member_silenced", "blocked_word", "duplicate_text", "already_flagged",
      "reason_required", "invalid_policy", "already_undone", "unknown_member",
      "too_many_links", "too_many_mentions", "too_many_images", "watched_word_held",
      "spam_suspected", "pre_moderated", "not_pending", "nothing_to_undo",
      "invalid_action", "screened_by_server", "duplicate_action_id",
  };
  auto index = static_cast<std::size_t>(code);
  return index < kNames.size() ? kNames[index] : std::string_view("unknown");
}

}  // namespace kring
