// Deliveries the outbox gave up on (docs/notifications.md, "Dead letters"), for the console: listed
// for a site's admins, and tried again on their word. Each call opens a connection of its own to the
// outbox's database, so it may run on any thread; the delivery threads find a retried row within their poll.
#pragma once

#include <cstdint>
#include <string>

#include <string_view>
#include "store/outbox_database.h"

#include <boost/json/value.hpp>

namespace kring::server {

inline constexpr std::size_t kDeadLettersListed = 100;

// {"mails":[{id, kind, recipientId, threadKey, postId, attempts, outcome, createdAt, deadAt}],
//  "webhooks":[{id, url, type, subject, threadKey, attempts, outcome, createdAt, deadAt}],
//  "webhookLog":[{id, url, type, subject, threadKey, state, attempts, outcome, createdAt, doneAt}]}, the
// newest first, up to kDeadLettersListed of each: the dead ones, and the webhook delivery log (every
// state: pending, sent, skipped, dead; doneAt 0 while pending). A mail names its recipient by member
// id, never by address.
boost::json::value deadLettersJson(const OutboxDatabase& database, const std::string& siteId);

// Makes the site's dead row of `kind` ("mail" or "webhook") due again now, for one more try (its
// retry window has passed: a try that fails again leaves it dead, with the new outcome). A webhook
// may be sent again whatever its end (sent, skipped, dead): a replay, with the same webhook-id. A mail
// only when dead: a member is never mailed twice on an admin's click. False when the site has no
// such row (or the webhook is still pending). Throws on a store failure.
bool retryDeadLetter(const OutboxDatabase& database, const std::string& siteId, std::string_view kind, std::int64_t id,
                     std::int64_t now);

}  // namespace kring::server
