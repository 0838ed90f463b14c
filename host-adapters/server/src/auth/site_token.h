// The one entry point for a site's sign-in tokens (docs/auth.md): the header's alg chooses the
// check. HS256: the site's tokenSecret and its `site` claim (token.h). RS256 and ES256: the site's
// OpenID Connect provider and keys (oidc_token.h), only when the site has one. Anything else,
// "none" in any case included, is refused.
#pragma once

#include <cstdint>
#include <string_view>

#include "auth/site_config.h"
#include "auth/token.h"

namespace kring::server {

TokenResult verifySiteToken(const SiteConfig& site, std::string_view token, std::int64_t nowSeconds,
                            const TokenRules& rules);

}  // namespace kring::server
