#include "http_routes.h"

#include <boost/json.hpp>

#include <optional>

#include "clock.h"
#include "export_json.h"
#include "kring/names.h"
#include "kring/metrics.h"
#include "kring/policy_json.h"
#include "kring/site_records.h"
#include "kring/snapshot.h"
#include "kring/visibility.h"
#include "site_config.h"
#include "static_files.h"
#include "token.h"

namespace kring::server {

namespace http = boost::beast::http;

HttpResponse respond(const HttpRequest& request, http::status status, std::string body, std::string_view type) {
  HttpResponse response(status, request.version());
  response.set(http::field::server, "kring-server");
  response.set(http::field::content_type, type);
  response.set("X-Content-Type-Options", "nosniff");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

HttpResponse errorResponse(const HttpRequest& request, http::status status, std::string_view code,
                           std::string_view message) {
  return respond(request, status, boost::json::serialize(boost::json::object{{"error", code}, {"message", message}}),
                 "application/json");
}

namespace {

std::size_t snapshotCacheBytes(const Server& server) {
  std::size_t bytes = 0;
  for (const auto& [id, site] : server.sites()) bytes += site->snapshotCache().bytes();
  return bytes;
}

std::size_t rememberedOpIds(const Server& server) {
  std::size_t ids = 0;
  for (const auto& [id, site] : server.sites()) ids += site->rememberedOpIds();
  return ids;
}

HttpResponse json(const HttpRequest& request, http::status status, const boost::json::value& value) {
  return respond(request, status, boost::json::serialize(value), "application/json");
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
  addCors(response, origin);
  return response;
}

// ?from=…&to=…[&kind=question|discussion]. Both ends are required, so a report can be
// reproduced from its URL.
std::optional<MetricsWindow> metricsWindow(std::string_view target) {
  std::size_t query = target.find('?');
  if (query == std::string_view::npos) return std::nullopt;
  MetricsWindow window;
  bool hasFrom = false, hasTo = false;
  std::string_view rest = target.substr(query + 1);
  while (!rest.empty()) {
    std::string_view pair = rest.substr(0, rest.find('&'));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    std::string_view name = pair.substr(0, equals);
    std::string_view value = pair.substr(equals + 1);
    auto number = [&](TimeMs& out) {
      if (value.empty() || value.size() > 15) return false;
      out = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return false;
        out = out * 10 + (c - '0');
      }
      return true;
    };
    if (name == "from") {
      if (!(hasFrom = number(window.from))) return std::nullopt;
    } else if (name == "to") {
      if (!(hasTo = number(window.to))) return std::nullopt;
    } else if (name == "kind") {
      if (value == "question") {
        window.kind = ThreadKind::question;
      } else if (value == "discussion") {
        window.kind = ThreadKind::discussion;
      } else {
        return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
  }
  if (!hasFrom || !hasTo || window.from >= window.to) return std::nullopt;
  return window;
}

// POST {key, kind, title}: the site creates the thread itself (host-approved), before anyone can
// take its key. 201 with the thread, or the core's reason (409 thread_exists, 400 for the rest).
HttpResponse createThread(SiteHost& site, const HttpRequest& request) {
  boost::json::error_code ec;
  boost::json::value body = boost::json::parse(request.body(), ec);
  const boost::json::object* fields = ec ? nullptr : body.if_object();
  auto text = [&](const char* name) -> std::optional<std::string> {
    const boost::json::value* value = fields ? fields->if_contains(name) : nullptr;
    if (!value || !value->is_string()) return std::nullopt;
    return std::string(value->get_string());
  };
  std::optional<std::string> key = text("key"), title = text("title"), kindName = text("kind");
  std::optional<ThreadKind> kind = kindName ? parseEnum<ThreadKind>(*kindName) : std::optional(ThreadKind::discussion);
  if (!key || !title || !kind) {
    return errorResponse(request, http::status::bad_request, "bad_request",
                         "Send JSON {\"key\": …, \"title\": …, \"kind\": \"discussion\" | \"question\"}.");
  }
  Outcome outcome = site.createThreadAsHost(CreateThread{*key, *kind, *title}, nowMilliseconds());
  if (!outcome.stored()) {
    return errorResponse(request, outcome.code == ReasonCode::threadExists ? http::status::conflict : http::status::bad_request,
                         reasonName(outcome.code), outcome.message);
  }
  return json(request, http::status::created,
              boost::json::object{{"key", *key}, {"kind", threadKindName(*kind)}, {"title", *title}, {"opId", outcome.opId}});
}

// Who is asking the console API: the site's admin key speaks as an admin; a host token (the host's own
// sign-in) as the member it names, who must be a moderator or an admin (docs/operations.md).
enum class ConsoleRole { moderator, admin };
struct ConsoleAccess {
  std::optional<ConsoleRole> role;
  std::optional<HttpResponse> refusal;
};

bool sameSecret(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < given.size(); ++i) difference |= given[i] ^ expected[i];
  return difference == 0;
}

ConsoleAccess consoleAccess(const Server& server, const SiteHost& site, const HttpRequest& request) {
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view given = request[http::field::authorization];
  if (given.substr(0, kBearer.size()) != kBearer) {
    return {std::nullopt, errorResponse(request, http::status::unauthorized, "credentials_required",
                                        "Send the site's admin key, or a moderator's or admin's token, as a Bearer token.")};
  }
  std::string_view credential = given.substr(kBearer.size());
  const SiteConfig& config = site.config();
  if (sameSecret(credential, config.adminKey)) return {ConsoleRole::admin, std::nullopt};
  TokenResult verified = verifyToken(credential, config.tokenSecret, nowMilliseconds() / 1000, config.id,
                                     server.tokenRules(config));
  if (!verified) {
    return {std::nullopt, errorResponse(request, http::status::unauthorized, "bad_credentials",
                                        "Neither the site's admin key nor a valid token: " + verified.message)};
  }
  Role role = effectiveRole(site.engine(), Actor{verified.claims->subject, verified.claims->name, verified.claims->role});
  if (role == Role::admin) return {ConsoleRole::admin, std::nullopt};
  if (role == Role::moderator) return {ConsoleRole::moderator, std::nullopt};
  return {std::nullopt, errorResponse(request, http::status::forbidden, "not_a_moderator",
                                      "The console is for the site's moderators and admins.")};
}

HttpResponse admin(Server& server, const HttpRequest& request, std::string_view siteId, std::string_view what) {
  SiteHost* site = server.site(std::string(siteId));
  if (!site) return errorResponse(request, http::status::not_found, "unknown_site", "There is no site with this id.");
  ConsoleAccess access = consoleAccess(server, *site, request);
  if (!access.role) return std::move(*access.refusal);
  // Moderators read what they moderate with; the whole site's data and its threads are the admins'.
  const bool adminsOnly = what == "export" || what == "snapshot" || what == "threads";
  if (adminsOnly && access.role != ConsoleRole::admin) {
    return errorResponse(request, http::status::forbidden, "admins_only", "Only the site's admins may use this.");
  }
  if (what == "threads" && request.method() == http::verb::post) return createThread(*site, request);
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return errorResponse(request, http::status::method_not_allowed, "method_not_allowed", "Only POST creates threads.");
  }
  if (what == "policy") return respond(request, http::status::ok, policyToJson(site->engine().policy()), "application/json");
  if (what == "metrics") {
    std::optional<MetricsWindow> window = metricsWindow(request.target());
    if (!window) {
      return errorResponse(request, http::status::bad_request, "bad_window",
                   "Give from and to as milliseconds since 1970 (from < to), and kind as question or discussion.");
    }
    return respond(request, http::status::ok, toJson(computeMetrics(site->engine(), *window)), "application/json");
  }
  if (what == "moderation") return json(request, http::status::ok, moderationQueueJson(exportRecords(site->engine())));
  if (what == "unanswered") {
    return respond(request, http::status::ok,
                   toJson(unansweredStarters(site->engine(), std::nullopt), nowMilliseconds()), "application/json");
  }
  if (what == "audit") {
    return json(request, http::status::ok, boost::json::value(auditJson(exportRecords(site->engine()))));
  }
  if (what == "snapshot") {
    Bytes snapshot = encodeSiteSnapshot(site->engine());
    return respond(request, http::status::ok, std::string(snapshot.begin(), snapshot.end()), "application/octet-stream");
  }
  if (what == "export") {
    HttpResponse response = json(request, http::status::ok, exportJson(exportRecords(site->engine())));
    response.set(http::field::content_disposition, "attachment; filename=\"" + site->config().id + "-export.json\"");
    return response;
  }
  if (what == "stats") {
    return json(request, http::status::ok,
                boost::json::object{{"site", site->config().id},
                                    {"committedSequence", site->committedSequence()},
                                    {"trackedThreads", site->trackedThreads()},
                                    {"connections", server.connections()}});
  }
  return errorResponse(request, http::status::not_found, "not_found", "No such admin resource.");
}

}  // namespace

HttpResponse route(Server& server, const HttpRequest& request) {
  std::string_view target = request.target();
  target = target.substr(0, target.find('?'));
  constexpr std::string_view kWidget = "/kring/";
  const bool isWidget = target.substr(0, kWidget.size()) == kWidget;
  const bool isOptions = isWidget && request.method() == http::verb::options;
  constexpr std::string_view kApi = "/api/sites/";
  const bool isAdminPost = request.method() == http::verb::post && target.substr(0, kApi.size()) == kApi;
  if (request.method() != http::verb::get && request.method() != http::verb::head && !isOptions && !isAdminPost) {
    HttpResponse refused =
        errorResponse(request, http::status::method_not_allowed, "method_not_allowed", "Only GET and HEAD are served here.");
    refused.set(http::field::allow, isWidget ? "GET, HEAD, OPTIONS" : "GET, HEAD");
    return refused;
  }
  if (isWidget) return widget(server, request, target.substr(kWidget.size()));
  if (target == "/healthz") {
    return json(request, http::status::ok,
                boost::json::object{{"status", server.stopping() ? "stopping" : "ok"},
                                    {"sites", server.sites().size()},
                                    {"connections", server.connections()},
                                    {"memberBudgets", server.memberBudgets()},
                                    {"snapshotCacheBytes", snapshotCacheBytes(server)},
                                    {"rememberedOpIds", rememberedOpIds(server)}});
  }
  if (target.substr(0, kApi.size()) == kApi) {
    std::string_view rest = target.substr(kApi.size());
    std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return errorResponse(request, http::status::not_found, "not_found", "No such route.");
    return admin(server, request, rest.substr(0, slash), rest.substr(slash + 1));
  }
  std::string_view path = target.substr(1);
  if (path.empty() || path.back() == '/') {
    return staticFiles().serve(request, server.options().staticDirectory, std::string(path) + "index.html");
  }
  return staticFiles().serve(request, server.options().staticDirectory, path);
}

}  // namespace kring::server
