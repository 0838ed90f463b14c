#include "auth/token.h"

#include "auth/jwt.h"
#include "auth/signing.h"
#include "kring/names.h"

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace kring::server {

namespace json = boost::json;

namespace {

std::string_view view(const json::string& s) { return {s.data(), s.size()}; }

// name and role as a host signs them: strict, since the host chose both for Kring.
TokenRefusal readNameAndRole(const json::object& payload, TokenClaims& claims) {
  if (const json::value* name = payload.if_contains("name")) {
    if (!name->is_string() ||
        (!name->get_string().empty() && !isPrintableLabel(view(name->get_string()), kMaxNameBytes))) {
      return tokenError(TokenError::malformed, "The name claim must be at most 64 bytes of printable text.");
    }
    claims.name = view(name->get_string());
  }
  if (claims.name.empty()) {
    // A subject may be longer than a display name may be; the engine would refuse the name.
    claims.name = truncateUtf8(claims.subject, kMaxNameBytes);
  }
  if (const json::value* role = payload.if_contains("role")) {
    std::optional<Role> parsed = role->is_string() ? parseRole(view(role->get_string())) : std::nullopt;
    if (!parsed) {
      return tokenError(TokenError::malformed,
                        "The role claim must be \"member\", \"moderator\", \"staff\" or \"admin\".");
    }
    claims.role = *parsed;
  }
  return std::monostate{};
}

TokenResult readClaims(const json::object& payload, std::int64_t nowSeconds, std::string_view expectedSite,
                       const TokenRules& rules) {
  TokenClaims claims;
  if (TokenRefusal read = readSubject(payload, claims); !read) return read.error();
  if (TokenRefusal read = readNameAndRole(payload, claims); !read) return read.error();
  readContact(payload, claims);
  if (TokenRefusal read = readTimes(payload, claims); !read) return read.error();

  const json::value* site = payload.if_contains("site");
  if (site == nullptr) return tokenError(TokenError::missingClaim, "The token has no site claim.");
  if (!site->is_string()) return tokenError(TokenError::malformed, "The site claim must be a string.");
  // Site before the clock: a token for another site is a configuration mistake worth naming.
  if (view(site->get_string()) != expectedSite) {
    return tokenError(TokenError::wrongSite, "The token was issued for another site.");
  }
  return checkWindow(std::move(claims), nowSeconds, rules);
}

}  // namespace

TokenResult verifyToken(std::string_view token, std::string_view secret, std::int64_t nowSeconds,
                        std::string_view expectedSite, const TokenRules& rules) {
  Result<Jwt, TokenError> jwt = splitJwt(token);
  if (!jwt) return jwt.error();
  if (jwt.value().alg != "HS256") {
    return tokenError(TokenError::unsupportedAlgorithm, "Only HS256 tokens are accepted.");
  }
  // Nothing in the payload is trusted, or even parsed, before the signature checks out.
  if (secret.empty()) return tokenError(TokenError::badSignature, "The site has no token secret.");
  if (!signatureMatches(secret, jwt.value().signingInput, jwt.value().signature)) {
    return tokenError(TokenError::badSignature, "The token's signature does not match.");
  }
  Result<json::object, TokenError> payload = jwtPayload(jwt.value());
  if (!payload) return payload.error();
  return readClaims(payload.value(), nowSeconds, expectedSite, rules);
}

std::string signToken(const TokenClaims& claims, std::string_view site, std::string_view secret) {
  json::object payload;
  payload["sub"] = json::string_view(claims.subject.data(), claims.subject.size());
  if (!claims.name.empty()) payload["name"] = json::string_view(claims.name.data(), claims.name.size());
  const std::string_view role = roleName(claims.role);
  payload["role"] = json::string_view(role.data(), role.size());
  payload["exp"] = claims.expiresAt;
  payload["site"] = json::string_view(site.data(), site.size());
  if (claims.issuedAt) payload["iat"] = *claims.issuedAt;
  if (claims.notBefore) payload["nbf"] = *claims.notBefore;
  if (!claims.email.empty()) {
    payload["email"] = json::string_view(claims.email.data(), claims.email.size());
    payload["email_verified"] = true;
  }
  if (!claims.locale.empty()) payload["locale"] = json::string_view(claims.locale.data(), claims.locale.size());

  std::string token = base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  token += '.';
  token += base64UrlEncode(json::serialize(payload));
  const std::optional<Digest> digest = hmacSha256(secret, token);
  if (!digest) return {};  // nothing verifies without a secret; an empty token says so
  token += '.';
  token += base64UrlEncode(digestBytes(*digest));
  return token;
}

std::string_view tokenErrorName(TokenError error) {
  switch (error) {
    case TokenError::malformed: return "malformed";
    case TokenError::badSignature: return "bad_signature";
    case TokenError::expired: return "expired";
    case TokenError::wrongSite: return "wrong_site";
    case TokenError::unsupportedAlgorithm: return "unsupported_algorithm";
    case TokenError::missingClaim: return "missing_claim";
    case TokenError::notYetValid: return "not_yet_valid";
    case TokenError::tooLong: return "too_long";
    case TokenError::reservedSubject: return "reserved_subject";
    case TokenError::unknownKey: return "unknown_key";
    case TokenError::wrongIssuer: return "wrong_issuer";
    case TokenError::wrongAudience: return "wrong_audience";
  }
  return "malformed";
}

}  // namespace kring::server
