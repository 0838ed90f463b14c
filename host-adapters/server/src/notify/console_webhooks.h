// Webhook endpoints a site's admins set in the console (docs/webhooks.md), kept in the SQLite store's
// webhook_endpoints table beside the outbox that delivers to them. Each call opens a connection of
// its own to the store's file, so it may run on any thread; each throws on a store failure.
#pragma once

#include <cstdint>
#include <string>

#include "auth/webhook_endpoints.h"

namespace kring::server {

// The site's console endpoints, oldest first.
WebhookEndpointList consoleWebhooks(const std::string& databasePath, const std::string& siteId);
// False when the site has one at that address already.
bool addConsoleWebhook(const std::string& databasePath, const std::string& siteId, const WebhookEndpoint& endpoint,
                       std::int64_t now);
// The endpoint's secrets replaced (rotation); false when the site has no console endpoint there.
bool setConsoleWebhookSecrets(const std::string& databasePath, const std::string& siteId, const std::string& url,
                              const std::vector<std::string>& secrets);
// False when the site has no console endpoint there.
bool removeConsoleWebhook(const std::string& databasePath, const std::string& siteId, const std::string& url);

}  // namespace kring::server
