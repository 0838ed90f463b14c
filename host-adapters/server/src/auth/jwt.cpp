#include "auth/jwt.h"

#include "auth/mail_address.h"
#include "auth/signing.h"
#include "kring/visibility.h"

#include <boost/json.hpp>
#include <optional>

namespace kring::server {

namespace json = boost::json;

namespace {

std::optional<json::object> parseObject(std::string_view text) {
  json::error_code ec;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

std::string_view view(const json::string& s) { return {s.data(), s.size()}; }

// An optional NumericDate claim (nbf, iat): absent is fine, anything but an integer is not.
bool readSeconds(const json::object& payload, json::string_view key, std::optional<std::int64_t>& out) {
  const json::value* value = payload.if_contains(key);
  if (value == nullptr) return true;
  if (!value->is_int64()) return false;
  out = value->get_int64();
  return true;
}

}  // namespace

bool isPrintableLabel(std::string_view text, std::size_t limit) {
  if (text.empty() || text.size() > limit) return false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return false;
  }
  return true;
}

Result<Jwt, TokenError> splitJwt(std::string_view token) {
  if (token.empty()) return tokenError(TokenError::malformed, "The token is empty.");
  if (token.size() > kMaxTokenBytes) {
    return tokenError(TokenError::malformed, "The token is longer than " + std::to_string(kMaxTokenBytes) + " bytes.");
  }
  const std::size_t firstDot = token.find('.');
  const std::size_t secondDot = firstDot == std::string_view::npos ? firstDot : token.find('.', firstDot + 1);
  if (secondDot == std::string_view::npos || token.find('.', secondDot + 1) != std::string_view::npos) {
    return tokenError(TokenError::malformed, "A token has three dot-separated parts.");
  }
  std::optional<std::string> header = base64UrlDecode(token.substr(0, firstDot));
  std::optional<std::string> payload = base64UrlDecode(token.substr(firstDot + 1, secondDot - firstDot - 1));
  std::optional<std::string> signature = base64UrlDecode(token.substr(secondDot + 1));
  if (!header || !payload || !signature) {
    return tokenError(TokenError::malformed, "A token part is not unpadded base64url.");
  }
  std::optional<json::object> headerObject = parseObject(*header);
  if (!headerObject) return tokenError(TokenError::malformed, "The token header is not a JSON object.");
  const json::value* alg = headerObject->if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return tokenError(TokenError::malformed, "The token header has no alg.");
  // RFC 7515: extensions listed as critical must be understood; this verifier knows none.
  if (headerObject->contains("crit")) {
    return tokenError(TokenError::unsupportedAlgorithm, "The token header lists critical extensions.");
  }
  Jwt jwt;
  jwt.signingInput = token.substr(0, secondDot);
  jwt.alg = view(alg->get_string());
  jwt.header = std::move(*headerObject);
  jwt.payload = std::move(*payload);
  jwt.signature = std::move(*signature);
  return jwt;
}

Result<json::object, TokenError> jwtPayload(const Jwt& jwt) {
  std::optional<json::object> payload = parseObject(jwt.payload);
  if (!payload) return tokenError(TokenError::malformed, "The token payload is not a JSON object.");
  return std::move(*payload);
}

TokenRefusal readSubject(const json::object& payload, TokenClaims& claims) {
  const json::value* sub = payload.if_contains("sub");
  if (sub == nullptr) return tokenError(TokenError::missingClaim, "The token has no sub claim.");
  if (!sub->is_string() || !isPrintableLabel(view(sub->get_string()), kMaxSubjectBytes)) {
    return tokenError(TokenError::malformed, "The sub claim must be 1 to 128 bytes of printable text.");
  }
  claims.subject = view(sub->get_string());
  // Guest ids are minted by the server, kring: names the server's own actors (the admin key's among
  // them) and imported: the authors of imported posts: a host member with one could pass for any.
  if (isReservedMemberId(claims.subject)) {
    return tokenError(
        TokenError::reservedSubject,
        "sub may not start with guest:, kring: or imported: (those ids belong to the server's guests, to the "
        "server and to imported authors).");
  }
  return std::monostate{};
}

void readContact(const json::object& payload, TokenClaims& claims) {
  // Only an address its owner proved is mailed: a host that does not say so is not trusted on it.
  const json::value* email = payload.if_contains("email");
  const json::value* verified = payload.if_contains("email_verified");
  if (email != nullptr && email->is_string() && verified != nullptr && verified->is_bool() && verified->get_bool() &&
      mailAddressProblem(view(email->get_string())).empty()) {
    claims.email = view(email->get_string());
  }
  if (const json::value* locale = payload.if_contains("locale");
      locale != nullptr && locale->is_string() && isPrintableLabel(view(locale->get_string()), 35)) {
    claims.locale = view(locale->get_string());
  }
}

TokenRefusal readTimes(const json::object& payload, TokenClaims& claims) {
  const json::value* exp = payload.if_contains("exp");
  if (exp == nullptr) return tokenError(TokenError::missingClaim, "The token has no exp claim.");
  if (!exp->is_int64()) {
    return tokenError(TokenError::malformed, "The exp claim must be an integer number of seconds since the epoch.");
  }
  claims.expiresAt = exp->get_int64();
  if (!readSeconds(payload, "nbf", claims.notBefore)) {
    return tokenError(TokenError::malformed, "The nbf claim must be an integer number of seconds since the epoch.");
  }
  if (!readSeconds(payload, "iat", claims.issuedAt)) {
    return tokenError(TokenError::malformed, "The iat claim must be an integer number of seconds since the epoch.");
  }
  return std::monostate{};
}

// The leeway forgives clocks that disagree a little; the lifetime bound keeps a host from handing
// out tokens that are as good as passwords.
TokenResult checkWindow(TokenClaims claims, std::int64_t nowSeconds, const TokenRules& rules) {
  const std::int64_t leeway = rules.leewaySeconds;
  if (claims.notBefore && nowSeconds + leeway < *claims.notBefore) {
    return tokenError(TokenError::notYetValid,
                      "The token is not valid yet (its nbf is in the future); check the clocks.");
  }
  if (claims.issuedAt && *claims.issuedAt > nowSeconds + leeway) {
    return tokenError(TokenError::notYetValid, "The token was issued in the future (its iat); check the clocks.");
  }
  if (nowSeconds - leeway >= claims.expiresAt) return tokenError(TokenError::expired, "The token has expired.");
  // iat is at most now + leeway here, so the sum cannot overflow.
  const std::int64_t start = claims.issuedAt.value_or(nowSeconds);
  if (claims.expiresAt > start + rules.maxLifetimeSeconds) {
    return tokenError(TokenError::tooLong,
                      "The token lives longer than this site allows (" + std::to_string(rules.maxLifetimeSeconds / 60) +
                          " minutes from iat, or from now without iat); sign shorter-lived tokens.");
  }
  return claims;
}

}  // namespace kring::server
