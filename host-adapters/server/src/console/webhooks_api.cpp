#include "console/webhooks_api.h"

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <string>

#include "auth/webhook_signature.h"
#include "http/address_class.h"
#include "observe/logging.h"

namespace kring::server {

namespace http = boost::beast::http;

namespace {

boost::json::object endpointJson(const WebhookEndpoint& endpoint, bool fromFile) {
  boost::json::array events;
  for (const std::string& type : endpoint.events) events.emplace_back(type);
  // Enough of the newest secret to tell it from another, never enough to sign with.
  const std::string hint = endpoint.secrets.empty() ? std::string() : endpoint.secrets.front().substr(0, 10);
  return {{"url", endpoint.url},
          {"events", std::move(events)},
          {"source", fromFile ? "file" : "console"},
          {"secretHint", hint},
          {"secrets", endpoint.secrets.size()}};
}

// The host of an http(s) address: "[::1]" as ::1, lowercased.
std::string hostOf(std::string_view url) {
  url.remove_prefix(url.find("://") + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (std::size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  std::string host;
  if (url.starts_with('[')) {
    host = std::string(url.substr(1, url.find(']') - 1));
  } else {
    host = std::string(url.substr(0, url.find(':')));
  }
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return host;
}

// Why the console may not add `url` for this site (nullopt: it may). What a name resolves to is
// checked again before every connection (webhook_sender.cpp).
std::optional<std::string> consoleUrlProblem(const std::string& url, const WebhookSettings& settings) {
  if (std::optional<std::string> wrong = webhookUrlProblem(url)) return wrong;
  const std::string host = hostOf(url);
  if (host.empty()) return "names no host";
  const auto& allowed = settings.allowPrivateTargets;
  if (std::find(allowed.begin(), allowed.end(), host) != allowed.end()) return std::nullopt;
  if (!url.starts_with("https://")) {
    return "must be an https:// address (http:// only to a host the sites file's allowPrivateTargets names)";
  }
  if (host == "localhost" || host.ends_with(".localhost")) {
    return "is this server's loopback, which the site does not allow (allowPrivateTargets in the sites file)";
  }
  boost::system::error_code error;
  const auto address = boost::asio::ip::make_address(host, error);
  if (!error && classifyAddress(address) != AddressClass::publicAddress) {
    return "is a " + std::string(addressClassName(classifyAddress(address))) +
           " address, which the site does not allow (allowPrivateTargets in the sites file)";
  }
  return std::nullopt;
}

}  // namespace

HttpResponse webhookEndpoints(const ConsoleGate& gate, const SiteConfig& config, const HttpRequest& request,
                              std::int64_t now) {
  const ConsoleGate::ConsoleWebhookStore& store = gate.webhookStore();
  LiveWebhookEndpoints* live = config.webhooks.live.get();
  const bool editable = store.list && live != nullptr;
  const auto endpoints = currentEndpoints(config.webhooks);
  const std::size_t fromFile = live ? live->fromFile() : endpoints->size();
  if (request.method() != http::verb::post) {
    boost::json::array listed;
    for (std::size_t i = 0; i < endpoints->size(); ++i) listed.push_back(endpointJson((*endpoints)[i], i < fromFile));
    boost::json::array types;
    for (std::string_view type : kWebhookEventTypes) types.emplace_back(type);
    return jsonResponse(
        request, http::status::ok,
        boost::json::object{
            {"editable", editable}, {"eventTypes", std::move(types)}, {"endpoints", std::move(listed)}});
  }
  if (!editable) {
    return errorResponse(request, http::status::conflict, "not_editable",
                         "This server keeps no console endpoints; set them in the sites file.");
  }
  boost::system::error_code error;
  const boost::json::value body = boost::json::parse(request.body(), error);
  const boost::json::object* fields = error ? nullptr : body.if_object();
  const boost::json::value* action = fields ? fields->if_contains("action") : nullptr;
  const boost::json::value* urlValue = fields ? fields->if_contains("url") : nullptr;
  if (!action || !action->is_string() || !urlValue || !urlValue->is_string()) {
    return errorResponse(request, http::status::bad_request, "bad_request",
                         "Send JSON {\"action\": \"add\" | \"rotate\" | \"remove\", \"url\": …, \"events\": […]}.");
  }
  const std::string url(urlValue->get_string());
  const std::string siteId = config.id;
  const auto found = std::find_if(endpoints->begin(), endpoints->end(),
                                  [&](const WebhookEndpoint& endpoint) { return endpoint.url == url; });
  const bool inFile = found != endpoints->end() && static_cast<std::size_t>(found - endpoints->begin()) < fromFile;
  try {
    const auto reload = [&] { live->setFromConsole(store.list(siteId)); };
    const auto exists = [&] {
      return errorResponse(request, http::status::conflict, "endpoint_exists",
                           "The site has an endpoint at that address.", "url");
    };
    const auto unknown = [&] {
      return errorResponse(request, http::status::not_found, "unknown_endpoint",
                           "The site has no endpoint at that address.", "url");
    };
    const auto newSecret = [] {
      std::optional<std::string> secret = newWebhookSecret();
      if (!secret) throw std::runtime_error("no random bytes for a secret");
      return *secret;
    };
    if (action->get_string() == "add") {
      if (std::optional<std::string> wrong = consoleUrlProblem(url, config.webhooks)) {
        return errorResponse(request, http::status::bad_request, "invalid_webhook", "The address " + *wrong + ".",
                             "url");
      }
      WebhookEndpoint endpoint{url, {}, {}};
      if (const boost::json::value* events = fields->if_contains("events")) {
        if (!events->is_array())
          return errorResponse(request, http::status::bad_request, "invalid_webhook",
                               "events must be a list of event types.", "events");
        for (const boost::json::value& type : events->get_array()) {
          if (!type.is_string() || !isWebhookEventType(std::string_view(type.get_string()))) {
            return errorResponse(request, http::status::bad_request, "invalid_webhook",
                                 "events holds something that is not an event type (docs/webhooks.md).", "events");
          }
          const std::string name(type.get_string());
          if (std::find(endpoint.events.begin(), endpoint.events.end(), name) == endpoint.events.end())
            endpoint.events.push_back(name);
        }
      }
      if (found != endpoints->end()) {
        return exists();
      }
      if (endpoints->size() >= kMostWebhookEndpoints) {
        return errorResponse(request, http::status::bad_request, "invalid_webhook",
                             "A site has at most " + std::to_string(kMostWebhookEndpoints) + " endpoints.", "url");
      }
      const std::string secret = newSecret();
      endpoint.secrets.push_back(secret);
      if (!store.add(siteId, endpoint, now)) {
        return exists();
      }
      reload();
      logEvent("info", "webhook_endpoint_added", {{"site", siteId}, {"url", url}});
      return jsonResponse(request, http::status::ok,
                          boost::json::object{{"endpoint", endpointJson(endpoint, false)}, {"secret", secret}});
    }
    if (action->get_string() != "rotate" && action->get_string() != "remove") {
      return errorResponse(request, http::status::bad_request, "bad_request", "action is add, rotate or remove.");
    }
    if (found == endpoints->end()) {
      return unknown();
    }
    if (inFile) {
      return errorResponse(request, http::status::conflict, "from_sites_file",
                           "That endpoint is set in the sites file; change it there.", "url");
    }
    if (action->get_string() == "remove") {
      if (!store.remove(siteId, url)) {
        return unknown();
      }
      reload();
      logEvent("info", "webhook_endpoint_removed", {{"site", siteId}, {"url", url}});
      return jsonResponse(request, http::status::ok, boost::json::object{{"removed", url}});
    }
    // Rotation: the new secret signs first, the one before it still signs until the next rotation,
    // so a receiver moves over without losing an event; older ones go.
    const std::string secret = newSecret();
    WebhookEndpoint rotated = *found;
    rotated.secrets = {secret};
    if (!found->secrets.empty()) rotated.secrets.push_back(found->secrets.front());
    if (!store.setSecrets(siteId, url, rotated.secrets)) {
      return unknown();
    }
    reload();
    logEvent("info", "webhook_secret_rotated", {{"site", siteId}, {"url", url}});
    return jsonResponse(request, http::status::ok,
                        boost::json::object{{"endpoint", endpointJson(rotated, false)}, {"secret", secret}});
  } catch (const std::exception& e) {
    return errorResponse(request, http::status::service_unavailable, "store_unavailable", e.what());
  }
}

}  // namespace kring::server
