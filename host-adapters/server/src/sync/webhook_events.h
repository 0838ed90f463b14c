// What an op tells the host's webhook endpoints (docs/webhooks.md). An event names its type and
// subject (a post or a member); its payload is read from the site when it is delivered, so what was
// erased since is not sent.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kring/engine.h"
#include "kring/op.h"
#include "kring/outcome.h"

namespace kring::server {

struct WebhookEvent {
  std::string type;     // one of kWebhookEventTypes (auth/site_config.h)
  std::string subject;  // the post, or for member.sanctioned the member
  std::string threadKey;
};

// post.created (visible) or post.held (held for review) for a new post, post.approved and
// post.removed for a moderator's decision on one, answer.accepted, member.sanctioned (silenced,
// suspended, banned), flag.raised, and question.unanswered (a question the scheduled check found
// waiting past the policy's unansweredAlertMinutes).
std::vector<WebhookEvent> webhookEvents(const Op& op, const Outcome& outcome);

// {"type","timestamp","data":{…}} as the site holds the subject now; nullopt when it is gone.
// `pageTemplate`: the site's threadPages, for the post's url (none when empty).
std::optional<std::string> webhookPayload(const Engine& engine, const WebhookEvent& event, TimeMs now,
                                          const std::string& pageTemplate);

}  // namespace kring::server
