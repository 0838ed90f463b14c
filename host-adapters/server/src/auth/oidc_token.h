// A site's tokens from an OpenID Connect provider (docs/auth.md, "OpenID Connect providers"):
// RS256 or ES256, verified with the key the header's kid names from the site's SiteKeys; iss and
// aud must be the site's; sub, times, email and locale as for HS256 tokens (jwt.h); the name and the
// role from the claims the site maps.
#pragma once

#include <cstdint>

#include "auth/jwt.h"
#include "auth/oidc_settings.h"
#include "auth/site_keys.h"
#include "auth/token.h"

namespace kring::server {

// `jwt` from splitJwt; its alg must be RS256 or ES256 (anything else is refused).
TokenResult verifyOidcToken(const Jwt& jwt, const OidcSettings& settings, SiteKeys& keys, std::int64_t nowSeconds,
                            const TokenRules& rules);

// The strongest of the roles a provider's value names (a string, or an array of strings) through
// `mapping`; member when it names none.
Role mappedRole(const boost::json::object& payload, const OidcClaimMapping& mapping);

}  // namespace kring::server
