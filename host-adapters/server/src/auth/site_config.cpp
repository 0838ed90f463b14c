#include "auth/site_config.h"

#include "auth/json_fields.h"

#include "auth/mail_address.h"
#include "auth/oidc_config.h"
#include "auth/site_keys.h"
#include "auth/webhook_signature.h"
#include "kring/names.h"
#include "kring/policy_json.h"
#include "util/clock.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>

namespace kring::server {

namespace json = boost::json;

namespace {

using Problem = FieldProblem;

std::string_view view(json::string_view s) { return fieldView(s); }

Problem at(const std::string& path, std::string_view problem) { return fieldProblem(path, problem); }

// Parses one JSON text; the error gives the line and column, for people editing the file by hand.
Problem parseJson(std::string_view text, json::value& out) {
  json::stream_parser parser;
  json::error_code ec;
  const std::size_t used = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    const std::string_view before = text.substr(0, std::min(used, text.size()));
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t lineStart = before.rfind('\n');
    const std::size_t column = before.size() - (lineStart == std::string_view::npos ? 0 : lineStart + 1) + 1;
    return "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + ec.message();
  }
  out = parser.release();
  return std::nullopt;
}

bool isSiteId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Why `origin` can never equal a browser's Origin header, or nullopt when it can. Browsers send
// scheme://host[:port], lowercase, without the default port and without a path.
std::optional<std::string> originProblem(std::string_view origin) {
  constexpr std::string_view kShape = " (an origin is scheme://host[:port], e.g. \"https://example.com\")";
  std::string_view rest;
  std::string_view defaultPort;
  if (origin.starts_with("https://")) {
    rest = origin.substr(8);
    defaultPort = "443";
  } else if (origin.starts_with("http://")) {
    rest = origin.substr(7);
    defaultPort = "80";
  } else {
    return "must start with http:// or https://" + std::string(kShape);
  }
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return "must not have a path, not even \"/\"" + std::string(kShape);
  }
  if (rest.find('@') != std::string_view::npos) return "must not contain user info" + std::string(kShape);

  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with('[')) {  // IPv6 literal
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return "has an unclosed IPv6 address" + std::string(kShape);
    host = rest.substr(0, close + 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return "has an invalid host" + std::string(kShape);
    port = after.empty() ? after : after.substr(1);
    if (host.size() == 2 || !std::all_of(host.begin() + 1, host.end() - 1, [](char c) {
          return isDigit(c) || (c >= 'a' && c <= 'f') || c == ':' || c == '.';
        })) {
      return "has an invalid IPv6 address (lowercase hex)" + std::string(kShape);
    }
  } else {
    const std::size_t colon = rest.find(':');
    if (colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      if (port.empty()) return "has an empty port" + std::string(kShape);
    }
    if (host.empty()) return "has no host" + std::string(kShape);
    if (std::any_of(host.begin(), host.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      return std::string("must be lowercase: browsers send the host in lowercase");
    }
    if (!std::all_of(host.begin(), host.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || isDigit(c) || c == '-' || c == '.'; })) {
      return "has an invalid host" + std::string(kShape);
    }
  }
  if (rest.size() != host.size() && port.empty()) return "has an empty port" + std::string(kShape);
  if (!port.empty()) {
    if (port.size() > 5 || port.starts_with('0') || !std::all_of(port.begin(), port.end(), isDigit) ||
        std::stoul(std::string(port)) > 65535) {
      return "must have a port from 1 to 65535" + std::string(kShape);
    }
    if (port == defaultPort) {
      return "must leave out the default port " + std::string(defaultPort) + ": browsers do";
    }
  }
  return std::nullopt;
}

Problem requireString(const json::object& object, const std::string& path, std::string_view key, std::string& out) {
  const json::value* value = object.if_contains(json::string_view(key.data(), key.size()));
  if (value == nullptr) return at(path + "." + std::string(key), "missing");
  if (!value->is_string()) return at(path + "." + std::string(key), "must be a string");
  out = view(value->get_string());
  return std::nullopt;
}

Problem readOrigins(const json::object& object, const std::string& path, std::vector<std::string>& out) {
  const std::string field = path + ".allowedOrigins";
  const json::value* value = object.if_contains("allowedOrigins");
  if (value == nullptr) return at(field, "missing");
  if (!value->is_array()) return at(field, "must be an array of origins");
  const json::array& origins = value->get_array();
  for (std::size_t i = 0; i < origins.size(); ++i) {
    const std::string item = field + "[" + std::to_string(i) + "]";
    if (!origins[i].is_string()) return at(item, "must be a string");
    const std::string_view origin = view(origins[i].get_string());
    if (origin != "*") {
      if (std::optional<std::string> problem = originProblem(origin)) return at(item, *problem);
    }
    out.emplace_back(origin);
  }
  return std::nullopt;
}

bool isLoopbackUrl(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return false;
  const std::string_view rest = url.substr(scheme + 3);
  for (std::string_view host : {"127.0.0.1", "localhost", "[::1]"}) {
    if (rest.starts_with(host) && (rest.size() == host.size() || rest[host.size()] == ':' || rest[host.size()] == '/'))
      return true;
  }
  return false;
}

Problem readConnections(const json::object& object, const std::string& path, std::uint32_t& connections) {
  const json::value* number = object.if_contains("connections");
  if (number == nullptr) return std::nullopt;
  if (!number->is_int64() || number->get_int64() < 1 || number->get_int64() > kMostOutboxConnections) {
    return at(path + ".connections", "must be a whole number from 1 to " + std::to_string(kMostOutboxConnections));
  }
  connections = static_cast<std::uint32_t>(number->get_int64());
  return std::nullopt;
}

// {"<kind>": "instant" | "daily" | "off", …}: a kind as the preferences page names it.
Problem readMailDefaults(const json::value& value, const std::string& path, MailSettings& mail) {
  if (!value.is_object()) return at(path, "must be an object of kinds (reply, answer, …) and instant, daily or off");
  for (const auto& [name, choice] : value.get_object()) {
    const std::string kindPath = path + "." + std::string(name);
    std::optional<NotificationKind> kind = parseEnum<NotificationKind>(std::string_view(name));
    if (!kind)
      return at(kindPath,
                "is not a kind of mail (reply, answer, answer_accepted, followed_thread, "
                "unanswered_question, post_queued, daily_digest)");
    const std::uint32_t bit = std::uint32_t{1} << static_cast<int>(*kind);
    const std::string_view wanted = choice.is_string() ? view(choice.get_string()) : std::string_view();
    if (wanted == "off") {
      mail.defaultOff |= bit;
    } else if (wanted == "daily" && *kind != NotificationKind::dailyDigest) {
      mail.defaultDaily |= bit;
    } else if (wanted != "instant") {
      return at(kindPath, *kind == NotificationKind::dailyDigest ? "must be instant or off (it is daily already)"
                                                                 : "must be instant, daily or off");
    }
  }
  return std::nullopt;
}

Problem readEmail(const json::value& value, const std::string& path, MailSettings& mail) {
  if (!value.is_object()) return at(path, "must be an object");
  const json::object& object = value.get_object();
  if (Problem error =
          onlyKnownFields(object, path,
                          {"smtpUrl", "requireTls", "username", "passwordFile", "from", "fromName", "publicUrl",
                           "memberMailsPerHour", "siteMailsPerDay", "dailyMailHourUtc", "connections", "defaults"})) {
    return error;
  }
  if (Problem error = requireString(object, path, "smtpUrl", mail.smtpUrl)) return error;
  if (!(mail.smtpUrl.starts_with("smtp://") || mail.smtpUrl.starts_with("smtps://")) ||
      mail.smtpUrl.find_first_of(" \r\n") != std::string::npos) {
    return at(path + ".smtpUrl", "must be smtp://host[:port] (STARTTLS) or smtps://host[:port]");
  }
  if (const json::value* tls = object.if_contains("requireTls")) {
    if (!tls->is_bool()) return at(path + ".requireTls", "must be true or false");
    mail.requireTls = tls->get_bool();
  }
  if (!mail.requireTls && !isLoopbackUrl(mail.smtpUrl)) {
    return at(path + ".requireTls", "may be false only for an SMTP server on this machine (127.0.0.1, [::1])");
  }
  if (object.contains("username")) {
    if (Problem error = requireString(object, path, "username", mail.username)) return error;
  }
  if (object.contains("passwordFile")) {
    std::string file;
    if (Problem error = requireString(object, path, "passwordFile", file)) return error;
    std::ifstream in(file, std::ios::binary);
    mail.password.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) return at(path + ".passwordFile", file + " cannot be read");
    while (!mail.password.empty() && (mail.password.back() == '\n' || mail.password.back() == '\r'))
      mail.password.pop_back();
    if (mail.password.empty()) return at(path + ".passwordFile", file + " is empty");
  }
  if (Problem error = requireString(object, path, "from", mail.from)) return error;
  if (!mailAddressProblem(mail.from).empty())
    return at(path + ".from", "must be an e-mail address like notify@shop.example");
  if (object.contains("fromName")) {
    if (Problem error = requireString(object, path, "fromName", mail.fromName)) return error;
    if (mail.fromName.size() > 100 || mail.fromName.find_first_of("\r\n") != std::string::npos)
      return at(path + ".fromName", "must be one line of at most 100 bytes");
  }
  if (Problem error = requireString(object, path, "publicUrl", mail.publicUrl)) return error;
  while (mail.publicUrl.ends_with('/')) mail.publicUrl.pop_back();
  if (!(mail.publicUrl.starts_with("https://") ||
        (mail.publicUrl.starts_with("http://") && isLoopbackUrl(mail.publicUrl))) ||
      mail.publicUrl.find_first_of(" \"<>\\?#") != std::string::npos || mail.publicUrl.size() > 500) {
    return at(path + ".publicUrl",
              "must be this server's https:// address as mail readers reach it (http:// only on this machine)");
  }
  for (auto [name, field] : {std::pair{"memberMailsPerHour", &MailSettings::memberMailsPerHour},
                             std::pair{"siteMailsPerDay", &MailSettings::siteMailsPerDay}}) {
    const json::value* number = object.if_contains(name);
    if (number == nullptr) continue;
    if (!number->is_int64() || number->get_int64() < 1 || number->get_int64() > 1'000'000) {
      return at(path + "." + name, "must be a whole number from 1 to 1000000");
    }
    mail.*field = static_cast<std::uint32_t>(number->get_int64());
  }
  if (const json::value* hour = object.if_contains("dailyMailHourUtc")) {
    if (!hour->is_int64() || hour->get_int64() < 0 || hour->get_int64() > 23) {
      return at(path + ".dailyMailHourUtc", "must be an hour of the day, 0 to 23 (UTC)");
    }
    mail.dailyMailHourUtc = static_cast<std::uint32_t>(hour->get_int64());
  }
  if (const json::value* defaults = object.if_contains("defaults")) {
    if (Problem error = readMailDefaults(*defaults, path + ".defaults", mail)) return error;
  }
  return readConnections(object, path, mail.connections);
}

// A list of strings, each checked by `problem` (nullopt: fine).
Problem readStrings(const json::value& value, const std::string& path, std::vector<std::string>& out,
                    const std::function<std::optional<std::string>(std::string_view)>& problem) {
  if (!value.is_array()) return at(path, "must be an array of strings");
  for (std::size_t i = 0; i < value.get_array().size(); ++i) {
    const json::value& item = value.get_array()[i];
    const std::string itemPath = path + "[" + std::to_string(i) + "]";
    if (!item.is_string()) return at(itemPath, "must be a string");
    if (std::optional<std::string> wrong = problem(view(item.get_string()))) return at(itemPath, *wrong);
    out.emplace_back(view(item.get_string()));
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> webhookUrlProblem(std::string_view url) {
  if (!(url.starts_with("https://") || url.starts_with("http://")) || url.size() > 2000 ||
      url.find_first_of(" \"<>\\\r\n") != std::string_view::npos) {
    return "must be an https:// address";
  }
  return std::nullopt;
}

std::shared_ptr<const WebhookEndpointList> currentEndpoints(const WebhookSettings& webhooks) {
  return webhooks.live ? webhooks.live->all() : std::make_shared<const WebhookEndpointList>(webhooks.endpoints);
}

namespace {

Problem readWebhooks(const json::value& value, const std::string& path, WebhookSettings& webhooks) {
  if (!value.is_object()) return at(path, "must be an object");
  const json::object& object = value.get_object();
  if (Problem error = onlyKnownFields(object, path, {"endpoints", "allowPrivateTargets", "connections"})) return error;
  if (Problem error = readConnections(object, path, webhooks.connections)) return error;
  if (const json::value* allowed = object.if_contains("allowPrivateTargets")) {
    if (Problem error =
            readStrings(*allowed, path + ".allowPrivateTargets", webhooks.allowPrivateTargets,
                        [](std::string_view host) -> std::optional<std::string> {
                          if (host.empty() || host.size() > 253 || host.find_first_of("/:@ ") != std::string_view::npos)
                            return "must be a host name or an IPv4 address";
                          return std::nullopt;
                        })) {
      return error;
    }
  }
  const json::value* endpoints = object.if_contains("endpoints");
  if (endpoints == nullptr || !endpoints->is_array()) return at(path + ".endpoints", "must be an array");
  for (std::size_t i = 0; i < endpoints->get_array().size(); ++i) {
    const std::string at_ = path + ".endpoints[" + std::to_string(i) + "]";
    const json::value& item = endpoints->get_array()[i];
    if (!item.is_object()) return at(at_, "must be an object");
    if (Problem error = onlyKnownFields(item.get_object(), at_, {"url", "secrets", "events"})) return error;
    WebhookEndpoint endpoint;
    if (Problem error = requireString(item.get_object(), at_, "url", endpoint.url)) return error;
    if (std::optional<std::string> wrong = webhookUrlProblem(endpoint.url)) return at(at_ + ".url", *wrong);
    const json::value* secrets = item.get_object().if_contains("secrets");
    if (secrets == nullptr) return at(at_ + ".secrets", "missing");
    if (Problem error = readStrings(*secrets, at_ + ".secrets", endpoint.secrets,
                                    [](std::string_view secret) -> std::optional<std::string> {
                                      if (!webhookSecretKey(secret)) {
                                        return "must be whsec_ and the base64 of 24 to 64 random bytes";
                                      }
                                      return std::nullopt;
                                    })) {
      return error;
    }
    if (endpoint.secrets.empty()) return at(at_ + ".secrets", "must hold at least one secret");
    if (const json::value* events = item.get_object().if_contains("events")) {
      if (Problem error = readStrings(*events, at_ + ".events", endpoint.events,
                                      [](std::string_view type) -> std::optional<std::string> {
                                        if (!isWebhookEventType(type)) return "is not an event type (docs/webhooks.md)";
                                        return std::nullopt;
                                      })) {
        return error;
      }
    }
    webhooks.endpoints.push_back(std::move(endpoint));
  }
  return std::nullopt;
}

Problem readSite(const json::value& value, const std::string& path, SiteConfig& site) {
  if (!value.is_object()) return at(path, "must be an object");
  const json::object& object = value.get_object();
  // Unknown fields are refused: a misspelt "guestPosting" would otherwise silently mean false.
  if (Problem error =
          onlyKnownFields(object, path,
                          {"id", "allowedOrigins", "tokenSecret", "adminKey", "guestPosting", "maxTokenLifetimeMinutes",
                           "newGuestsPerAddressPerHour", "guestPostsPerAddressPerHour", "heldGuestPostsInQueue",
                           "threadPages", "language", "policy", "email", "webhooks", "oidc"})) {
    return error;
  }

  if (Problem error = requireString(object, path, "id", site.id)) return error;
  if (!isSiteId(site.id)) return at(path + ".id", "must be 1 to 64 characters of a-z, 0-9 and -");

  if (Problem error = readOrigins(object, path, site.allowedOrigins)) return error;

  if (Problem error = requireString(object, path, "tokenSecret", site.tokenSecret)) return error;
  if (site.tokenSecret.size() < kMinTokenSecretBytes) {
    return at(path + ".tokenSecret", "must be at least " + std::to_string(kMinTokenSecretBytes) + " bytes");
  }

  if (Problem error = requireString(object, path, "adminKey", site.adminKey)) return error;
  if (site.adminKey.size() < kMinAdminKeyBytes) {
    return at(path + ".adminKey", "must be at least " + std::to_string(kMinAdminKeyBytes) + " bytes");
  }

  if (const json::value* guests = object.if_contains("guestPosting")) {
    if (!guests->is_bool()) return at(path + ".guestPosting", "must be true or false");
    site.guestPosting = guests->get_bool();
  }

  if (const json::value* lifetime = object.if_contains("maxTokenLifetimeMinutes")) {
    if (!lifetime->is_int64() || lifetime->get_int64() < 1 || lifetime->get_int64() > kMaxTokenLifetimeLimitMinutes) {
      return at(path + ".maxTokenLifetimeMinutes",
                "must be a whole number of minutes from 1 to " + std::to_string(kMaxTokenLifetimeLimitMinutes));
    }
    site.maxTokenLifetimeMinutes = lifetime->get_int64();
  }

  for (auto [name, field] : {std::pair{"newGuestsPerAddressPerHour", &SiteConfig::newGuestsPerAddressPerHour},
                             std::pair{"guestPostsPerAddressPerHour", &SiteConfig::guestPostsPerAddressPerHour},
                             std::pair{"heldGuestPostsInQueue", &SiteConfig::heldGuestPostsInQueue}}) {
    const json::value* value = object.if_contains(name);
    if (value == nullptr) continue;
    if (!value->is_int64() || value->get_int64() < 1 || value->get_int64() > 1'000'000) {
      return at(path + "." + name, "must be a whole number from 1 to 1000000");
    }
    site.*field = static_cast<std::uint32_t>(value->get_int64());
  }

  if (object.contains("threadPages")) {
    if (Problem error = requireString(object, path, "threadPages", site.threadPages)) return error;
    const std::string_view pages = site.threadPages;
    if (!(pages.starts_with("https://") || pages.starts_with("http://")) ||
        pages.find("{thread}") == std::string_view::npos || pages.find_first_of(" \"<>\\") != std::string_view::npos ||
        pages.size() > 2000) {
      return at(
          path + ".threadPages",
          "must be an http(s) address with {thread} where the thread key goes, like https://shop.example/p/{thread}");
    }
  }

  if (object.contains("language")) {
    if (Problem error = requireString(object, path, "language", site.language)) return error;
    if (site.language != "en" && site.language != "nl") return at(path + ".language", "must be \"en\" or \"nl\"");
  }

  if (const json::value* policy = object.if_contains("policy")) {
    if (!policy->is_object()) return at(path + ".policy", "must be an object");
    Result<Policy> parsed = parsePolicyJson(json::serialize(*policy));
    if (!parsed) return at(path + ".policy", parsed.error().message);
    site.policy = std::move(parsed.value());
  }

  if (const json::value* email = object.if_contains("email")) {
    MailSettings mail;
    if (Problem error = readEmail(*email, path + ".email", mail)) return error;
    if (site.threadPages.empty()) return at(path + ".email", "needs threadPages: every mail links to its post");
    site.email = std::move(mail);
  }
  if (const json::value* webhooks = object.if_contains("webhooks")) {
    if (Problem error = readWebhooks(*webhooks, path + ".webhooks", site.webhooks)) return error;
  }
  site.webhooks.live = std::make_shared<LiveWebhookEndpoints>(site.webhooks.endpoints);
  if (const json::value* oidc = object.if_contains("oidc")) {
    OidcSettings settings;
    if (Problem error = readOidcSettings(*oidc, path + ".oidc", settings)) return error;
    auto keys = std::make_shared<SiteKeys>(settings);
    if (Problem error = keys->loadFiles()) return path + ".oidc." + *error;
    site.oidc = std::move(settings);
    site.oidcKeys = std::move(keys);
  }
  return std::nullopt;
}

Problem readSites(std::string_view text, std::vector<SiteConfig>& out) {
  json::value root;
  if (Problem error = parseJson(text, root)) return error;
  if (!root.is_object()) return std::string("the file must be a JSON object with a \"sites\" array");
  const json::object& top = root.get_object();
  if (Problem error = onlyKnownFields(top, "", {"sites"})) return error;
  const json::value* sites = top.if_contains("sites");
  if (sites == nullptr) return at("sites", "missing");
  if (!sites->is_array()) return at("sites", "must be an array");
  if (sites->get_array().empty()) return at("sites", "must list at least one site");

  for (const json::value& value : sites->get_array()) {
    const std::string path = "sites[" + std::to_string(out.size()) + "]";
    SiteConfig site;
    if (Problem error = readSite(value, path, site)) return error;
    for (std::size_t j = 0; j < out.size(); ++j) {
      if (out[j].id == site.id) {
        return at(path + ".id", "\"" + site.id + "\" is already the id of sites[" + std::to_string(j) + "]");
      }
    }
    out.push_back(std::move(site));
  }
  return std::nullopt;
}

}  // namespace

SiteConfigResult parseSiteConfig(std::string_view json) {
  std::vector<SiteConfig> sites;
  if (Problem problem = readSites(json, sites)) return StartupFailure{StartupError::badSiteConfig, std::move(*problem)};
  return sites;
}

SiteConfigResult loadSiteConfig(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  if (!file) return StartupFailure{StartupError::badSiteConfig, path + ": cannot be read"};
  SiteConfigResult result = parseSiteConfig(text);
  if (!result) return StartupFailure{StartupError::badSiteConfig, path + ": " + result.error().message};
  // The providers' keys before the first token; a provider that is down now is asked again then.
  const std::int64_t now = nowMilliseconds() / 1000;
  for (const SiteConfig& site : result.value()) {
    if (site.oidcKeys) site.oidcKeys->prefetch(now);
  }
  return result;
}

bool originAllowed(const SiteConfig& site, std::string_view origin) {
  return std::any_of(site.allowedOrigins.begin(), site.allowedOrigins.end(),
                     [origin](const std::string& allowed) { return allowed == "*" || allowed == origin; });
}

}  // namespace kring::server
