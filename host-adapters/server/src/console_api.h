// The console API under /api/sites/{site}/ (docs/console.md): what a site's moderators and admins
// read and do, behind consoleAccess.
#pragma once

#include <string_view>

#include "http_routes.h"

namespace kring::server {

// `what` is the path after the site's id ("moderation", "members/ann"), still percent-encoded.
// POSTs of ops answer through `later` once the op is applied.
// `client` is the asking address (console_access.h).
HttpResponse consoleApi(Server& server, const HttpRequest& request, std::string_view siteId, std::string_view what,
                        LaterResponse& later, const std::string& client);

}  // namespace kring::server
