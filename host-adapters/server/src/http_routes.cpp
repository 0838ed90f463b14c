#include "http_routes.h"

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "export_json.h"
#include "kring/metrics.h"
#include "kring/policy_json.h"
#include "kring/site_records.h"
#include "kring/snapshot.h"

namespace kring::server {

namespace http = boost::beast::http;

namespace {

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

HttpResponse json(const HttpRequest& request, http::status status, const boost::json::value& value) {
  return respond(request, status, boost::json::serialize(value), "application/json");
}

HttpResponse error(const HttpRequest& request, http::status status, std::string_view code, std::string_view message) {
  return json(request, status, boost::json::object{{"error", code}, {"message", message}});
}

std::string_view contentType(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".wasm")) return "application/wasm";
  if (ends(".json")) return "application/json";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  return "application/octet-stream";
}

// Only plain relative paths: no "..", no hidden files, no backslashes.
bool safePath(std::string_view path) {
  if (path.empty() || path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    std::string_view segment = path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (segment.empty() || segment.front() == '.') return false;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return true;
}

HttpResponse file(const HttpRequest& request, const std::string& directory, std::string_view path) {
  if (directory.empty() || !safePath(path)) return error(request, http::status::not_found, "not_found", "No such file.");
  std::ifstream in(directory + "/" + std::string(path), std::ios::binary);
  if (!in) return error(request, http::status::not_found, "not_found", "No such file.");
  std::ostringstream body;
  body << in.rdbuf();
  HttpResponse response = respond(request, http::status::ok, body.str(), contentType(path));
  response.set(http::field::cache_control, "no-cache");
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

HttpResponse admin(Server& server, const HttpRequest& request, std::string_view siteId, std::string_view what) {
  SiteHost* site = server.site(std::string(siteId));
  if (!site) return error(request, http::status::not_found, "unknown_site", "There is no site with this id.");
  std::string expected = "Bearer " + site->config().adminKey;
  std::string_view given = request[http::field::authorization];
  bool allowed = given.size() == expected.size();
  unsigned char difference = 0;
  for (std::size_t i = 0; allowed && i < given.size(); ++i) difference |= given[i] ^ expected[i];
  if (!allowed || difference != 0) {
    return error(request, http::status::unauthorized, "bad_admin_key", "Send the site's admin key as a Bearer token.");
  }
  if (what == "policy") return respond(request, http::status::ok, policyToJson(site->engine().policy()), "application/json");
  if (what == "metrics") {
    std::optional<MetricsWindow> window = metricsWindow(request.target());
    if (!window) {
      return error(request, http::status::bad_request, "bad_window",
                   "Give from and to as milliseconds since 1970 (from < to), and kind as question or discussion.");
    }
    return respond(request, http::status::ok, toJson(computeMetrics(site->engine(), *window)), "application/json");
  }
  if (what == "moderation") return json(request, http::status::ok, moderationQueueJson(exportRecords(site->engine())));
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
  return error(request, http::status::not_found, "not_found", "No such admin resource.");
}

}  // namespace

HttpResponse route(Server& server, const HttpRequest& request) {
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return error(request, http::status::method_not_allowed, "method_not_allowed", "Only GET is served here.");
  }
  std::string_view target = request.target();
  target = target.substr(0, target.find('?'));
  if (target == "/healthz") {
    return json(request, http::status::ok,
                boost::json::object{{"status", server.stopping() ? "stopping" : "ok"},
                                    {"sites", server.sites().size()},
                                    {"connections", server.connections()}});
  }
  constexpr std::string_view kApi = "/api/sites/";
  if (target.substr(0, kApi.size()) == kApi) {
    std::string_view rest = target.substr(kApi.size());
    std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return error(request, http::status::not_found, "not_found", "No such route.");
    return admin(server, request, rest.substr(0, slash), rest.substr(slash + 1));
  }
  constexpr std::string_view kWidget = "/kring/";
  if (target.substr(0, kWidget.size()) == kWidget) {
    return file(request, server.options().widgetDirectory, target.substr(kWidget.size()));
  }
  std::string_view path = target.substr(1);
  if (path.empty() || path.back() == '/') return file(request, server.options().staticDirectory, std::string(path) + "index.html");
  return file(request, server.options().staticDirectory, path);
}

}  // namespace kring::server
