// Webhook endpoints a site's admins set in the console (docs/webhooks.md), kept in the outbox's
// database (its webhook_endpoints table) beside the rows that go to them. Each call opens a connection
// of its own, so it may run on any thread; each throws on a store failure.
#pragma once

#include <cstdint>
#include <string>

#include "store/outbox_database.h"

#include "auth/webhook_endpoints.h"

namespace kring::server {

// The site's console endpoints, oldest first.
WebhookEndpointList consoleWebhooks(const OutboxDatabase& database, const std::string& siteId);
// The same through a connection the caller has.
WebhookEndpointList consoleWebhooks(OutboxConnection& db, const std::string& siteId);
// False when the site has one at that address already.
bool addConsoleWebhook(const OutboxDatabase& database, const std::string& siteId, const WebhookEndpoint& endpoint,
                       std::int64_t now);
// The endpoint's secrets replaced (rotation); false when the site has no console endpoint there.
bool setConsoleWebhookSecrets(const OutboxDatabase& database, const std::string& siteId, const std::string& url,
                              const std::vector<std::string>& secrets);
// False when the site has no console endpoint there.
bool removeConsoleWebhook(const OutboxDatabase& database, const std::string& siteId, const std::string& url);

}  // namespace kring::server
