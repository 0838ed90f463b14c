// The site's webhook endpoints in the console (docs/webhooks.md, "Endpoints set in the console"), for
// its admins: GET lists the sites file's and the console's; POST {"action": "add" | "rotate" | "remove",
// "url": …} changes the console's, which hold for every event from then on. A new secret is in the
// answer to add and rotate only. Runs on the console's reader thread (console_api.cpp): it reads and
// writes the store.
#pragma once

#include <cstdint>

#include "auth/site_config.h"
#include "console/console_gate.h"
#include "http/http_message.h"

namespace kring::server {

// The most endpoints a site has, the file's and the console's together.
inline constexpr std::size_t kMostWebhookEndpoints = 20;

HttpResponse webhookEndpoints(const ConsoleGate& gate, const SiteConfig& config, const HttpRequest& request,
                              std::int64_t now);

}  // namespace kring::server
