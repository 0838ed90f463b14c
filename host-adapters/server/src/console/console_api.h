// The console API under /api/sites/{site}/ (docs/console.md): what a site's moderators and admins
// read and do, behind consoleAccess.
#pragma once

#include <string_view>

#include "auth/token.h"
#include "console/console_gate.h"
#include "http/http_message.h"
#include "sync/site_host.h"

namespace kring::server {

// One request to `site` (null: there is no site with the asked id), its tokens checked by `rules`.
// `what` is the path after the site's id ("moderation", "members/ann"), still percent-encoded.
// POSTs of ops answer through `later` once the op is applied, reads once the reader has answered.
// `client` is the asking address (console_access.h); `connections` the server's, for `stats`.
HttpResponse consoleApi(ConsoleGate& gate, SiteHost* site, const TokenRules& rules, std::size_t connections,
                        const HttpRequest& request, std::string_view what, LaterResponse& later,
                        const std::string& client);

}  // namespace kring::server
