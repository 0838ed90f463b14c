#include "app/site_pages.h"

#include <algorithm>
#include <vector>

#include "auth/site_config.h"
#include "http/static_files.h"
#include "kring/limits.h"

namespace kring::server {

namespace http = boost::beast::http;

namespace {

// Short: a crawler or a reader gets a change within seconds; a cache may keep serving the old page
// for a minute while it asks again. The server's own copy is dropped at once (rendered_pages.h).
constexpr std::string_view kPageCaching = "public, max-age=10, stale-while-revalidate=60";

// A page on another origin reads the site's pages (the loader's first step): only the site's own pages.
void allowSiteOrigin(const HttpRequest& request, const SiteHost& site, HttpResponse& response) {
  response.set(http::field::vary, "Origin, Accept-Encoding");
  std::string_view origin = request[http::field::origin];
  if (!origin.empty() && originAllowed(site.config(), origin)) {
    response.set(http::field::access_control_allow_origin, origin);
  }
}

HttpResponse pageResponse(const HttpRequest& request, const SiteHost& site, const RenderedPage& page,
                          std::string_view type) {
  std::vector<std::string_view> encodings = acceptableEncodings(request[http::field::accept_encoding]);
  const bool gzip = !page.gzipBody.empty() && std::find(encodings.begin(), encodings.end(), "gzip") != encodings.end();
  const std::string& body = gzip ? page.gzipBody : page.body;
  const std::string& etag = gzip ? page.gzipEtag : page.etag;
  const bool unchanged = entityTagMatches(request[http::field::if_none_match], etag);
  HttpResponse response = respond(request, unchanged ? http::status::not_modified : http::status::ok,
                                  unchanged || request.method() == http::verb::head ? std::string() : body, type);
  if (request.method() == http::verb::head && !unchanged) response.content_length(body.size());
  if (gzip) response.set(http::field::content_encoding, "gzip");
  response.set(http::field::etag, etag);
  response.set(http::field::cache_control, kPageCaching);
  allowSiteOrigin(request, site, response);
  return response;
}

HttpResponse notFound(const HttpRequest& request, std::string_view message) {
  return errorResponse(request, http::status::not_found, "not_found", message);
}

}  // namespace

HttpResponse sitePage(Server& server, const HttpRequest& request, std::string_view path) {
  const std::size_t slash = path.find('/');
  if (slash == std::string_view::npos) return notFound(request, "No such route.");
  SiteHost* site = server.site(std::string(path.substr(0, slash)));
  if (site == nullptr) return notFound(request, "No such site.");
  std::string_view rest = path.substr(slash + 1);
  if (rest == "sitemap.xml") {
    SharedPage sitemap = site->sitemap(RenderedPages::Clock::now());
    if (!sitemap) return notFound(request, "This site gives no threadPages in the sites file, so it has no sitemap.");
    return pageResponse(request, *site, *sitemap, "application/xml; charset=utf-8");
  }
  constexpr std::string_view kThreads = "threads/";
  if (!rest.starts_with(kThreads)) return notFound(request, "No such route.");
  std::optional<std::string> threadKey = decodePath(rest.substr(kThreads.size()));
  if (!threadKey || threadKey->empty()) return notFound(request, "No such thread.");
  SharedPage page = site->threadPage(*threadKey);
  if (!page) return notFound(request, "No such thread.");
  return pageResponse(request, *site, *page, "text/html; charset=utf-8");
}

std::optional<std::variant<LiveStreamStart, HttpResponse>> liveStream(Server& server, const HttpRequest& request) {
  std::string_view target = request.target();
  target = target.substr(0, target.find('?'));
  if (!target.starts_with(kSitePagesPrefix)) return std::nullopt;
  std::string_view path = target.substr(kSitePagesPrefix.size());
  constexpr std::string_view kLive = "/live/";
  const std::size_t live = path.find(kLive);
  if (live == std::string_view::npos || path.substr(0, live).find('/') != std::string_view::npos) return std::nullopt;
  if (request.method() != http::verb::get) {
    HttpResponse refusal =
        errorResponse(request, http::status::method_not_allowed, "method_not_allowed", "A live stream is a GET.");
    refusal.set(http::field::allow, "GET");
    return refusal;
  }
  SiteHost* site = server.site(std::string(path.substr(0, live)));
  if (site == nullptr) return notFound(request, "No such site.");
  std::optional<std::string> threadKey = decodePath(path.substr(live + kLive.size()));
  if (!threadKey || !isValidThreadKey(*threadKey, site->engine().limits())) {
    return notFound(request, "No such thread: a thread key is 1 to " +
                                 std::to_string(site->engine().limits().maxThreadKeyBytes) +
                                 " bytes of printable UTF-8.");
  }
  if (server.stopping()) {
    return errorResponse(request, http::status::service_unavailable, "stopping", "The server is stopping.");
  }
  HttpResponse head = respond(request, http::status::ok, {}, "text/event-stream");
  head.erase(http::field::content_length);
  head.keep_alive(false);  // the body ends when the connection does
  head.set(http::field::cache_control, "no-store");
  head.set("X-Accel-Buffering", "no");  // a proxy passes each change on as it comes
  allowSiteOrigin(request, *site, head);
  head.set(http::field::vary, "Origin");
  return LiveStreamStart{std::move(head), site, std::move(*threadKey)};
}

}  // namespace kring::server
