// The pages the server renders for everyone (docs/server-rendering.md), on the public port:
//   GET /sites/{site}/threads/{thread}  a thread's HTML fragment with its JSON-LD
//   GET /sites/{site}/sitemap.xml       the site's threads, when the sites file gives threadPages
//   GET /sites/{site}/live/{thread}     the thread page's changes as they commit (text/event-stream)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "app/server.h"
#include "http/http_message.h"

namespace kring::server {

inline constexpr std::string_view kSitePagesPrefix = "/sites/";

// `path` is the target after kSitePagesPrefix, without its query.
HttpResponse sitePage(Server& server, const HttpRequest& request, std::string_view path);

// A live stream to open: the headers to write first, and the thread the reader follows.
struct LiveStreamStart {
  HttpResponse head;
  SiteHost* site = nullptr;
  std::string threadKey;
};
// A GET of /sites/{site}/live/{thread}: the stream to open, or the answer that refuses it;
// nullopt for any other request. The thread need not exist yet (a valid key): its first post reaches the reader.
std::optional<std::variant<LiveStreamStart, HttpResponse>> liveStream(Server& server, const HttpRequest& request);

}  // namespace kring::server
