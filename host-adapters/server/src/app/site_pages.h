// The pages the server renders for everyone (docs/server-rendering.md), on the public port:
//   GET /sites/{site}/threads/{thread}  a thread's HTML fragment with its JSON-LD
//   GET /sites/{site}/sitemap.xml       the site's threads, when the sites file gives threadPages
#pragma once

#include <string_view>

#include "app/server.h"
#include "http/http_message.h"

namespace kring::server {

inline constexpr std::string_view kSitePagesPrefix = "/sites/";

// `path` is the target after kSitePagesPrefix, without its query.
HttpResponse sitePage(Server& server, const HttpRequest& request, std::string_view path);

}  // namespace kring::server
