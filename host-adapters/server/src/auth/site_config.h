// The sites one server hosts, from a JSON file (--sites):
//   {"sites":[{"id":"demo","allowedOrigins":["http://localhost:8080"],"tokenSecret":"…",
//              "adminKey":"…","guestPosting":true,"maxTokenLifetimeMinutes":1440,
//              "newGuestsPerAddressPerHour":600,"guestPostsPerAddressPerHour":60,"heldGuestPostsInQueue":200,"policy":{},
//              "email":{"smtpUrl":"smtp://mail.example","from":"…","publicUrl":"https://…",…},
//              "oidc":{"issuer":"https://…/","audience":"…","jwksUrl":"https://…/jwks.json"}}]}
// Loading is strict: a typo or a weak secret stops the server at start-up rather than weakening it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/oidc_settings.h"
#include "auth/token.h"
#include "auth/webhook_endpoints.h"
#include "kring/policy.h"
#include "util/startup_error.h"

namespace kring::server {

class SiteKeys;

// "email": members are mailed what notifications.h says they are told (docs/notifications.md).
// How many sends of a site's outbox (mails, webhooks) go at once, unless its sites file says.
inline constexpr std::uint32_t kDefaultOutboxConnections = 4;
inline constexpr std::uint32_t kMostOutboxConnections = 16;

struct MailSettings {
  std::string smtpUrl;     // smtp://host[:port] (STARTTLS) or smtps://host[:port] (TLS)
  bool requireTls = true;  // false only for a loopback smtpUrl: a local sink
  std::string username;    // empty: no AUTH
  std::string password;    // read from "passwordFile", never written in the sites file
  std::string from;        // the envelope sender and From address
  std::string fromName;
  // This server as a member's mail program reaches it (https://, or http:// on loopback): where the
  // one-click unsubscribe link points.
  std::string publicUrl;
  // So that nobody can turn a site into a mailer: what one member and the whole site may be sent.
  std::uint32_t memberMailsPerHour = 20;
  std::uint32_t siteMailsPerDay = 5000;
  // When the mails a member chose to take once a day go (their preferences page).
  std::uint32_t dailyMailHourUtc = 7;
  // "defaults": what a member who has not chosen gets of each kind, a bit per NotificationKind:
  // none of it, or once a day (the rest at once).
  std::uint32_t defaultOff = 0;
  std::uint32_t defaultDaily = 0;
  // SMTP sessions open at once: a relay's round trips, not this server, bound one session's rate.
  std::uint32_t connections = kDefaultOutboxConnections;
};

// What a webhook endpoint may be told of (docs/webhooks.md); notify/webhook_events.h derives them.
inline constexpr std::array<std::string_view, 8> kWebhookEventTypes = {
    "post.created",    "post.held",         "post.approved", "post.removed",
    "answer.accepted", "member.sanctioned", "flag.raised",   "question.unanswered"};
constexpr bool isWebhookEventType(std::string_view type) {
  for (std::string_view known : kWebhookEventTypes) {
    if (known == type) return true;
  }
  return false;
}

// "webhooks": the host's endpoints told of what happens (docs/webhooks.md).
struct WebhookSettings {
  std::vector<WebhookEndpoint> endpoints;  // the sites file's
  // The file's and the console's, as they stand; shared by the copies of this config.
  std::shared_ptr<LiveWebhookEndpoints> live;
  // Hosts (names or addresses) that may resolve to a loopback, private or link-local address: a
  // helpdesk on the host's own network. Nothing else may (no SSRF into the server's network).
  std::vector<std::string> allowPrivateTargets;
  // Requests under way at once (each endpoint's order is not kept: a receiver orders by timestamp).
  std::uint32_t connections = kDefaultOutboxConnections;
};

// The site's endpoints now: the live list, or the file's where a config was made without one.
std::shared_ptr<const WebhookEndpointList> currentEndpoints(const WebhookSettings& webhooks);

// Why `url` cannot be a webhook endpoint's address (nullopt: it can): https:// or http://, at most
// 2,000 bytes, nothing a header or a log line could be split on.
std::optional<std::string> webhookUrlProblem(std::string_view url);

struct SiteConfig {
  std::string id;                           // [a-z0-9-]{1,64}; the `site` claim of its tokens
  std::vector<std::string> allowedOrigins;  // exact origins, or "*" for any
  std::string tokenSecret;                  // HS256 key, at least 32 bytes
  std::string adminKey;                     // for /api/..., at least 24 bytes
  bool guestPosting = false;
  // A guest costs nothing to make: what one address (an IPv6 /64) may do as guests, per hour.
  std::uint32_t newGuestsPerAddressPerHour = 600;
  std::uint32_t guestPostsPerAddressPerHour = 60;
  // Held guest posts the review queue shows, the newest; older ones wait apart as suspected spam.
  std::uint32_t heldGuestPostsInQueue = 200;
  std::int64_t maxTokenLifetimeMinutes = kDefaultMaxTokenLifetimeMinutes;  // longer-lived tokens are refused
  // The page that shows a thread, "{thread}" standing for its key: the sitemap's addresses. Empty: no sitemap.
  std::string threadPages;
  // "language": the few words of the server-rendered pages ("en" or "nl", the widget's languages).
  std::string language = "en";
  Policy policy;                      // "policy": docs/policy.md; defaults when absent
  std::optional<MailSettings> email;  // absent: nobody is mailed
  WebhookSettings webhooks;           // no endpoints: nothing is sent
  // "oidc": RS256/ES256 tokens from the site's OpenID Connect provider (site_token.h); absent: HS256 only.
  std::optional<OidcSettings> oidc;
  // The provider's keys, kept current as tokens need them; shared by the copies of this config.
  std::shared_ptr<SiteKeys> oidcKeys;
};

// The sites, or bad_site_config naming the field: `sites[1].tokenSecret: must be at least 32 bytes`.
using SiteConfigResult = StartupResult<std::vector<SiteConfig>>;

inline constexpr std::size_t kMinTokenSecretBytes = 32;
inline constexpr std::size_t kMinAdminKeyBytes = 24;
inline constexpr std::int64_t kMaxTokenLifetimeLimitMinutes = 366 * 24 * 60;  // a year: the most a site may allow

// Reads the key files of "oidc" sites (a bad one is refused, naming the field); fetches nothing.
SiteConfigResult parseSiteConfig(std::string_view json);
// As parseSiteConfig; errors start with the path. Then fetches each jwksUrl once (start-up): a
// failure is not fatal, the first token for the site fetches again (site_keys.h).
SiteConfigResult loadSiteConfig(const std::string& path);

// Exact match against the list; "*" in it allows any origin.
bool originAllowed(const SiteConfig& site, std::string_view origin);

}  // namespace kring::server
