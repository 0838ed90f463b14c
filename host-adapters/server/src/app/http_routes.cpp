#include "app/http_routes.h"

#include "util/clock.h"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <optional>

#include "app/metrics_text.h"
#include "app/site_pages.h"
#include "auth/signing.h"
#include "auth/site_config.h"
#include "console/console_api.h"
#include "http/query_string.h"
#include "http/static_files.h"
#include "kring/names.h"
#include "notify/mail_delivery.h"
#include "notify/preferences_page.h"
#include "observe/logging.h"
#include "render/html_text.h"

namespace kring::server {

namespace http = boost::beast::http;

namespace {

std::size_t snapshotCacheBytes(const Server& server) {
  std::size_t bytes = 0;
  for (const auto& [id, site] : server.sites()) bytes += site->snapshotCache().bytes();
  return bytes;
}

// Readers following threads on the light path (sync/live_threads.h): each holds a connection.
std::size_t liveReaders(const Server& server) {
  std::size_t readers = 0;
  for (const auto& [id, site] : server.sites()) readers += site->liveThreads().readers();
  return readers;
}

std::size_t rememberedOpIds(const Server& server) {
  std::size_t ids = 0;
  for (const auto& [id, site] : server.sites()) ids += site->rememberedOpIds();
  return ids;
}

// One cache of ETags for both directories: keyed by full path, bounded by the files that exist.
StaticFiles& staticFiles() {
  static StaticFiles files;
  return files;
}

// The request's Origin when some site allows it: a page embedding the widget loads its module
// scripts and wasm in CORS mode, so each needs Access-Control-Allow-Origin for that page's origin.
std::optional<std::string> corsOrigin(Server& server, const HttpRequest& request) {
  std::string_view origin = request[http::field::origin];
  if (origin.empty()) return std::nullopt;
  for (const auto& [id, site] : server.sites()) {
    if (originAllowed(site->config(), origin)) return std::string(origin);
  }
  return std::nullopt;
}

// Every widget response varies by Origin, allowed or not, so a shared cache never hands one
// page's answer (with or without the CORS header) to another.
void addCors(HttpResponse& response, const std::optional<std::string>& origin) {
  std::string_view vary = response[http::field::vary];
  response.set(http::field::vary, vary.empty() ? std::string("Origin") : std::string(vary) + ", Origin");
  if (origin) response.set(http::field::access_control_allow_origin, *origin);
}

constexpr std::string_view kLoaderFile = "kring.js";

HttpResponse widget(Server& server, const HttpRequest& request, std::string_view path) {
  std::optional<std::string> origin = corsOrigin(server, request);
  if (request.method() == http::verb::options) {
    // A preflight. GET and HEAD of a module script or the wasm need none; a host's own fetch() with
    // extra headers might.
    if (!request[http::field::origin].empty() && !origin) {
      HttpResponse refused = errorResponse(request, http::status::forbidden, "origin_not_allowed",
                                           "No site on this server lists this page's origin in allowedOrigins.");
      addCors(refused, origin);
      return refused;
    }
    HttpResponse response(http::status::no_content, request.version());
    response.set(http::field::server, "kring-server");
    response.set(http::field::allow, "GET, HEAD, OPTIONS");
    response.keep_alive(request.keep_alive());
    if (origin) {
      response.set(http::field::access_control_allow_methods, "GET, HEAD");
      std::string_view asked = request[http::field::access_control_request_headers];
      if (!asked.empty()) response.set(http::field::access_control_allow_headers, asked);  // files carry no secrets
      response.set(http::field::access_control_max_age, "86400");
    }
    addCors(response, origin);
    return response;
  }
  HttpResponse response = staticFiles().serve(request, server.options().widgetDirectory, path);
  // The loader runs on any page, so that a page no site allows is told so in its element; the
  // widget and the core it would load stay with the origins some site allows.
  if (path == kLoaderFile) {
    addCors(response, std::string("*"));
    return response;
  }
  if (!origin && !request[http::field::origin].empty()) server.noteRefusedOrigin(request[http::field::origin]);
  addCors(response, origin);
  return response;
}

// The console (docs/console.md) from <widget-dir>/console/: it holds the moderators' credential, so no
// page may frame it (clickjacking) and it runs only its own scripts.
HttpResponse consolePage(Server& server, const HttpRequest& request, std::string_view path) {
  const std::string& widgets = server.options().widgetDirectory;
  const std::string directory = widgets.empty() ? std::string() : widgets + "/console";
  const std::string file = path.empty() || path.back() == '/' ? std::string(path) + "index.html" : std::string(path);
  HttpResponse response = staticFiles().serve(request, directory, file);
  response.set("X-Frame-Options", "DENY");
  response.set("Content-Security-Policy",
               "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
  // Asked again on every visit (mostly a 304), so a new console build reaches the next visit at once.
  if (file.ends_with("index.html")) response.set(http::field::cache_control, "no-cache");
  return response;
}

// /metrics: open on the admin listener; on the public port only with the metrics key, when one is set.
HttpResponse metrics(Server& server, const HttpRequest& request, Listener listener) {
  if (listener == Listener::publicPort) {
    const std::string& key = server.options().metricsKey;
    if (key.empty()) return errorResponse(request, http::status::not_found, "not_found", "No such route.");
    constexpr std::string_view kBearer = "Bearer ";
    std::string_view given = request[http::field::authorization];
    if (!given.starts_with(kBearer) || !sameSecret(given.substr(kBearer.size()), key)) {
      HttpResponse refused = errorResponse(request, http::status::unauthorized, "bad_credentials",
                                           "Send the metrics key (--metrics-key-file) as a Bearer token.");
      refused.set(http::field::www_authenticate, "Bearer");
      return refused;
    }
  }
  return respond(request, http::status::ok, prometheusText(server), kPrometheusContentType);
}

// One-click unsubscribe (RFC 8058, docs/notifications.md). A GET (a person, or a mail scanner
// following links) shows a button; only a POST, which mail programs send on their own, acts. The link
// for every kind (each mail's footer) is the member's preferences page: each kind at once, once a
// day or never, and a button that stops them all.
HttpResponse unsubscribe(Server& server, const HttpRequest& request, LaterResponse& later, const std::string& client) {
  auto page = [](const HttpRequest& head, PreferencesPage words, http::status status, PageSays says, bool button,
                 const std::string& form = {}) {
    HttpResponse response =
        respond(head, status, words.html(says, head.target(), button, form), "text/html; charset=utf-8");
    response.set(http::field::cache_control, "no-store");
    response.set("Referrer-Policy", "no-referrer");
    // A form that posts to itself and inline styles; nothing else loads, and no other page frames it.
    response.set("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    return response;
  };
  if (!server.allowUnsubscribe(client, nowMilliseconds())) {
    HttpResponse refused = page(request, {}, http::status::too_many_requests, PageSays::tooMany, false);
    refused.set(http::field::retry_after, "3600");
    return refused;
  }
  std::string siteId;
  if (std::optional<QueryParameters> query = parseQuery(request.target())) {
    for (const auto& [name, value] : *query) {
      if (name == "site") siteId = value;
    }
  }
  SiteHost* site = server.site(siteId);
  std::optional<Unsubscribe> wanted = site ? verifyUnsubscribe(site->config(), request.target()) : std::nullopt;
  if (!wanted) {
    PreferencesPage words = PreferencesPage::of(std::nullopt, site ? site->config().language : std::string());
    return page(request, words, http::status::bad_request, PageSays::invalid, false);
  }
  const std::string language = site->config().language;
  const MailSettings mail = site->config().email.value_or(MailSettings{});
  MailDelivery* delivery = server.mailDelivery();
  if (delivery == nullptr) {
    const PreferencesPage words = PreferencesPage::of(std::nullopt, language);
    if (request.method() != http::verb::post && wanted->kind) {
      return page(request, words, http::status::ok, PageSays::ask, true);
    }
    return page(request, words, http::status::service_unavailable, PageSays::later, false);
  }
  // In the member's mails' language, read off the io thread (contact_reader.h). A store that cannot be
  // read leaves the site's language, and the unsubscribe itself still goes to the delivery thread.
  auto answer = [&server, request, wanted = *wanted, language, mail, page, respond = later.take()](
                    std::optional<StoredContact> contact, bool contactRead) mutable {
    const PreferencesPage words = PreferencesPage::of(contact, language);
    const bool preferences = !wanted.kind;
    if (request.method() != http::verb::post) {
      if (!preferences) return respond(page(request, words, http::status::ok, PageSays::ask, true));
      // Not a form that would show the defaults for the member's own choices, and save them over those.
      if (!contactRead) {
        return respond(page(request, words, http::status::service_unavailable, PageSays::later, false));
      }
      const StoredContact taken = withSiteDefaults(contact, mail);
      return respond(
          page(request, words, http::status::ok, PageSays::choose, true, words.form(request.target(), taken)));
    }
    MailDelivery* delivery = server.mailDelivery();
    if (delivery == nullptr) {
      return respond(page(request, words, http::status::service_unavailable, PageSays::later, false));
    }
    // The store's answer, on the io thread.
    auto answerLater = [&io = server.io(), head = headOf(request), respond, page, words](PageSays done) {
      return [&io, head, respond, page, words, done](bool stored) {
        boost::asio::post(io, [head, respond, page, words, stored, done] {
          respond(stored ? page(head, words, http::status::ok, done, false)
                         : page(head, words, http::status::service_unavailable, PageSays::failed, false));
        });
      };
    };
    if (preferences && request.body().find("List-Unsubscribe=One-Click") == std::string::npos) {
      std::optional<MailChoices> choices = readChoices(wanted, request.body());
      if (!choices) return respond(page(request, words, http::status::bad_request, PageSays::notOurs, false));
      return delivery->choose(std::move(*choices), answerLater(PageSays::saved));
    }
    delivery->unsubscribe(wanted, answerLater(PageSays::unsubscribed));
  };
  delivery->readContactLater(
      wanted->siteId, wanted->memberId,
      [&io = server.io(), answer = std::move(answer)](std::optional<StoredContact> contact, bool read) mutable {
        boost::asio::post(io, [answer = std::move(answer), contact = std::move(contact), read]() mutable {
          answer(std::move(contact), read);
        });
      });
  return {};
}

// What a separate admin listener takes off the public port.
bool isLoopback(const std::string& client) {
  std::optional<boost::asio::ip::address> address = parseAddress(client);
  return address && address->is_loopback();
}

bool adminOnly(std::string_view target) {
  return target == "/metrics" || target.starts_with("/api/") || target == "/console" || target.starts_with("/console/");
}

}  // namespace

HttpResponse route(Server& server, const HttpRequest& request, LaterResponse& later, Listener listener,
                   const std::string& client) {
  std::string_view target = request.target();
  target = target.substr(0, target.find('?'));
  constexpr std::string_view kWidget = "/kring/";
  const bool isWidget = target.substr(0, kWidget.size()) == kWidget;
  const bool isOptions = isWidget && request.method() == http::verb::options;
  constexpr std::string_view kApi = "/api/sites/";
  const bool isAdminPost = request.method() == http::verb::post && target.substr(0, kApi.size()) == kApi;
  constexpr std::string_view kUnsubscribe = "/unsubscribe";
  if (target == kUnsubscribe && (request.method() == http::verb::get || request.method() == http::verb::post)) {
    return unsubscribe(server, request, later, client);
  }
  if (request.method() != http::verb::get && request.method() != http::verb::head && !isOptions && !isAdminPost) {
    HttpResponse refused = errorResponse(request, http::status::method_not_allowed, "method_not_allowed",
                                         "Only GET and HEAD are served here.");
    refused.set(http::field::allow, isWidget ? "GET, HEAD, OPTIONS" : "GET, HEAD");
    return refused;
  }
  if (listener == Listener::publicPort && server.options().adminListener && adminOnly(target)) {
    return errorResponse(request, http::status::not_found, "not_found", "No such route.");
  }
  // Without an admin listener the console and its API are for this machine (an SSH tunnel, a proxy's
  // allow-list in front of it) unless the operator said otherwise.
  if (listener == Listener::publicPort && !server.options().adminListener && !server.options().publicAdmin &&
      adminOnly(target) && target != "/metrics" && !isLoopback(client)) {
    return errorResponse(request, http::status::forbidden, "admin_not_public",
                         "The console and its API answer on this machine only: use --admin-port, or --public-admin.");
  }
  if (target == "/metrics") return metrics(server, request, listener);
  if (isWidget) return widget(server, request, target.substr(kWidget.size()));
  constexpr std::string_view kConsole = "/console";
  if (target == kConsole) return consolePage(server, request, "");
  if (target.starts_with(kConsole) && target[kConsole.size()] == '/') {
    return consolePage(server, request, target.substr(kConsole.size() + 1));
  }
  if (target == "/healthz") {
    // 200 even while the store refuses writes: reads and live connections go on, and a restart would
    // not bring the store back (docs/operations.md, "Faults").
    StoreHealth::State store = server.storeHealth() ? server.storeHealth()->state() : StoreHealth::State{};
    boost::json::object storeState{{"writable", store.writable}};
    if (!store.writable) {
      storeState["error"] = store.error;
      storeState["unwritableSinceMs"] = store.sinceMs;
    }
    const char* status = server.stopping() ? "stopping" : store.writable ? "ok" : "store_unavailable";
    return jsonResponse(request, http::status::ok,
                        boost::json::object{{"status", status},
                                            {"store", std::move(storeState)},
                                            {"sites", server.sites().size()},
                                            {"connections", server.connections()},
                                            {"memberBudgets", server.memberBudgets()},
                                            {"snapshotCacheBytes", snapshotCacheBytes(server)},
                                            {"liveReaders", liveReaders(server)},
                                            {"rememberedOpIds", rememberedOpIds(server)}});
  }
  if (target.substr(0, kApi.size()) == kApi) {
    std::string_view rest = target.substr(kApi.size());
    std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos)
      return errorResponse(request, http::status::not_found, "not_found", "No such route.");
    SiteHost* site = server.site(std::string(rest.substr(0, slash)));
    return consoleApi(server.console(), site, site ? server.tokenRules(site->config()) : TokenRules{},
                      server.connections(), request, rest.substr(slash + 1), later, client);
  }
  if (target.starts_with(kSitePagesPrefix)) return sitePage(server, request, target.substr(kSitePagesPrefix.size()));
  std::string_view path = target.substr(1);
  if (path.empty() || path.back() == '/') {
    return staticFiles().serve(request, server.options().staticDirectory, std::string(path) + "index.html");
  }
  return staticFiles().serve(request, server.options().staticDirectory, path);
}

}  // namespace kring::server
