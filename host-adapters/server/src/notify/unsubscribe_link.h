// One-click unsubscribe (RFC 8058): a link signed with a key derived from the site's token secret, so
// that a member leaves a kind of mail (or all of it) without signing in, and nobody else can make them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/site_config.h"
#include "kring/enums.h"

namespace kring::server {

struct Unsubscribe {
  std::string siteId;
  std::string memberId;
  std::optional<NotificationKind> kind;  // nullopt: every kind
};

// https://community.example/unsubscribe?site=…&member=…&kind=…&sig=… (member and sig base64url).
std::string unsubscribeUrl(const SiteConfig& site, const Unsubscribe& request);
// The request a link's query names, when its signature is the site's; nullopt otherwise.
std::optional<Unsubscribe> verifyUnsubscribe(const SiteConfig& site, std::string_view query);

}  // namespace kring::server
