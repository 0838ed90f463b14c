// The host site's signed tokens: JWT, HS256 only, with the site's secret (docs/auth.md).
// A token vouches for one member of one site: claims sub, name, role, exp and site.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kring/types.h"

namespace kring::server {

struct TokenClaims {
  std::string subject;  // the host site's user id: the member id
  std::string name;     // display name; the subject when the token has none
  Role role = Role::member;
  std::int64_t expiresAt = 0;  // seconds since the Unix epoch
};

enum class TokenError { malformed, badSignature, expired, wrongSite, unsupportedAlgorithm, missingClaim };

// Claims when the token is good; otherwise why not, as a code and a message for people.
struct TokenResult {
  std::optional<TokenClaims> claims;
  TokenError error = TokenError::malformed;  // meaningful only without claims
  std::string message;

  explicit operator bool() const { return claims.has_value(); }
};

inline constexpr std::size_t kMaxTokenBytes = 4096;
inline constexpr std::size_t kMaxSubjectBytes = 128;  // = Limits::maxMemberIdBytes
inline constexpr std::size_t kMaxNameBytes = 64;      // = Limits::maxDisplayNameBytes

// Accepts only an HS256 token signed with `secret`, for `expectedSite`, not expired at `nowSeconds`.
TokenResult verifyToken(std::string_view token, std::string_view secret, std::int64_t nowSeconds,
                        std::string_view expectedSite);

// The token verifyToken accepts; for tests, the demo and the docs (host sites sign their own).
// Empty when the secret is empty.
std::string signToken(const TokenClaims& claims, std::string_view site, std::string_view secret);

std::string_view tokenErrorName(TokenError error);

}  // namespace kring::server
