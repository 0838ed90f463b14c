// What every signed-token path shares (token.h's HS256, oidc_token.h's RS256/ES256): the JWT's
// shape, and the claims each path reads alike. Nothing read here is trusted before the caller has
// checked the signature over `signingInput`.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/token.h"
#include "util/utf8_text.h"  // truncateUtf8, which the token readers use

namespace kring::server {

struct Jwt {
  std::string_view signingInput;  // header.payload, as signed (a view into the token)
  boost::json::object header;
  std::string alg;        // the header's alg, as written
  std::string payload;    // decoded, not parsed
  std::string signature;  // raw bytes
};

using TokenRefusal = StatusOf<TokenError>;

inline ErrorOf<TokenError> tokenError(TokenError error, std::string message) { return {error, std::move(message)}; }

// Size, three unpadded base64url parts, a JSON-object header with a string alg and no crit.
Result<Jwt, TokenError> splitJwt(std::string_view token);
// The payload as a JSON object; only after the signature checked out.
Result<boost::json::object, TokenError> jwtPayload(const Jwt& jwt);

// sub: 1..kMaxSubjectBytes printable bytes, no reserved prefix.
TokenRefusal readSubject(const boost::json::object& payload, TokenClaims& claims);
// email (only with email_verified true and one plain address) and locale; never refuses.
void readContact(const boost::json::object& payload, TokenClaims& claims);
// exp required; nbf and iat integers when present.
TokenRefusal readTimes(const boost::json::object& payload, TokenClaims& claims);
// nbf, iat and exp against the clock and the site's rules; the claims when the window holds.
TokenResult checkWindow(TokenClaims claims, std::int64_t nowSeconds, const TokenRules& rules);

// Text a name or label may be: 1..limit bytes, no control characters.
bool isPrintableLabel(std::string_view text, std::size_t limit);

}  // namespace kring::server
