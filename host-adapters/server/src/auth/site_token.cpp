#include "auth/site_token.h"

#include "auth/jwt.h"
#include "auth/oidc_token.h"
#include "auth/site_keys.h"

namespace kring::server {

TokenResult verifySiteToken(const SiteConfig& site, std::string_view token, std::int64_t nowSeconds,
                            const TokenRules& rules) {
  Result<Jwt, TokenError> jwt = splitJwt(token);
  if (!jwt) return jwt.error();
  const std::string& alg = jwt.value().alg;
  if (alg == "HS256") return verifyToken(token, site.tokenSecret, nowSeconds, site.id, rules);
  if (alg == "RS256" || alg == "ES256") {
    if (!site.oidc || !site.oidcKeys) {
      return tokenError(TokenError::unsupportedAlgorithm,
                        "This site takes HS256 tokens only (it has no OpenID Connect provider).");
    }
    return verifyOidcToken(jwt.value(), *site.oidc, *site.oidcKeys, nowSeconds, rules);
  }
  return tokenError(TokenError::unsupportedAlgorithm,
                    site.oidc ? "Only HS256, RS256 and ES256 tokens are accepted." : "Only HS256 tokens are accepted.");
}

}  // namespace kring::server
