// The host site's signed tokens: JWT, HS256, with the site's secret (docs/auth.md). A site's
// RS256/ES256 tokens from an OpenID Connect provider: oidc_token.h; both: site_token.h.
// A token vouches for one member of one site: claims sub, name, role, exp, site, and nbf and iat
// when present.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kring/limits.h"
#include "kring/reason.h"
#include "kring/types.h"

namespace kring::server {

struct TokenClaims {
  std::string subject;  // the host site's user id: the member id
  std::string name;     // display name; the subject when the token has none
  Role role = Role::member;
  std::int64_t expiresAt = 0;             // seconds since the Unix epoch
  std::optional<std::int64_t> issuedAt;   // iat, when the token has one
  std::optional<std::int64_t> notBefore;  // nbf, when the token has one
  // `email` when `email_verified` is true and it is one plain address; empty otherwise (a token
  // with an unusable address still signs in: the member is simply not mailed).
  std::string email;
  std::string locale;  // `locale` (OpenID Connect's), e.g. "nl-NL"; empty when absent
};

enum class TokenError {
  malformed,
  badSignature,
  expired,
  wrongSite,
  unsupportedAlgorithm,
  missingClaim,
  notYetValid,      // nbf or iat after now (+ leeway)
  tooLong,          // exp further from iat (or now) than the site's maximum lifetime
  reservedSubject,  // sub starts with a prefix only the server gives out (guest:, kring:)
  unknownKey,       // an OpenID Connect token names no key the site has (or one it may not use)
  wrongIssuer,      // iss is not the site's OpenID Connect issuer
  wrongAudience     // aud does not name the site's OpenID Connect audience
};

// Claims when the token is good; otherwise why not, as a code and a message for people.
using TokenResult = Result<TokenClaims, TokenError>;

inline constexpr std::size_t kMaxTokenBytes = 4096;
// A subject and a name the core would take as a member id and display name.
inline constexpr std::size_t kMaxSubjectBytes = Limits{}.maxMemberIdBytes;
inline constexpr std::size_t kMaxNameBytes = Limits{}.maxDisplayNameBytes;
// A site's default maximum token lifetime (sites file: maxTokenLifetimeMinutes).
inline constexpr std::int64_t kDefaultMaxTokenLifetimeMinutes = 24 * 60;

// The clock rules a site applies to its tokens.
struct TokenRules {
  std::int64_t leewaySeconds = 0;  // forgiven clock skew, on nbf, iat and exp alike
  std::int64_t maxLifetimeSeconds = kDefaultMaxTokenLifetimeMinutes * 60;  // exp - iat, or exp - now without iat
};

// Accepts only an HS256 token signed with `secret`, for `expectedSite`, valid at `nowSeconds`
// under `rules`.
TokenResult verifyToken(std::string_view token, std::string_view secret, std::int64_t nowSeconds,
                        std::string_view expectedSite, const TokenRules& rules = {});

// The token verifyToken accepts; for tests, the demo and the docs (host sites sign their own).
// Empty when the secret is empty.
std::string signToken(const TokenClaims& claims, std::string_view site, std::string_view secret);

std::string_view tokenErrorName(TokenError error);

}  // namespace kring::server
