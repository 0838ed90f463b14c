#include "auth/token.h"

#include "auth/mail_address.h"
#include "auth/signing.h"
#include "kring/names.h"
#include "kring/visibility.h"

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace kring::server {

namespace json = boost::json;

namespace {

ErrorOf<TokenError> fail(TokenError error, std::string message) { return {error, std::move(message)}; }

std::optional<json::object> parseObject(std::string_view text) {
  json::error_code ec;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

bool hasControlCharacters(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

// At most `limit` bytes, cut at a character boundary (the text is valid UTF-8).
std::string truncateUtf8(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string_view view(const json::string& s) { return {s.data(), s.size()}; }

// A single-line label of 1..limit bytes (JSON parsing already refused invalid UTF-8).
bool isLabel(std::string_view text, std::size_t limit) {
  return !text.empty() && text.size() <= limit && !hasControlCharacters(text);
}

// An optional NumericDate claim (nbf, iat): absent is fine, anything but an integer is not.
bool readSeconds(const json::object& payload, json::string_view key, std::optional<std::int64_t>& out) {
  const json::value* value = payload.if_contains(key);
  if (value == nullptr) return true;
  if (!value->is_int64()) return false;
  out = value->get_int64();
  return true;
}

// Each reader fills its claims, or says why the token is refused.
using Refusal = StatusOf<TokenError>;

Refusal readIdentity(const json::object& payload, TokenClaims& claims) {
  const json::value* sub = payload.if_contains("sub");
  if (sub == nullptr) return fail(TokenError::missingClaim, "The token has no sub claim.");
  if (!sub->is_string() || !isLabel(view(sub->get_string()), kMaxSubjectBytes)) {
    return fail(TokenError::malformed, "The sub claim must be 1 to 128 bytes of printable text.");
  }
  claims.subject = view(sub->get_string());
  // Guest ids are minted by the server, and kring: names the server's own actors (the admin key's
  // among them): a host member with one could pass for either.
  if (isReservedMemberId(claims.subject)) {
    return fail(TokenError::reservedSubject,
                "sub may not start with guest: or kring: (those ids belong to the server's guests and to the server).");
  }

  if (const json::value* name = payload.if_contains("name")) {
    if (!name->is_string() || (!name->get_string().empty() && !isLabel(view(name->get_string()), kMaxNameBytes))) {
      return fail(TokenError::malformed, "The name claim must be at most 64 bytes of printable text.");
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
      return fail(TokenError::malformed, "The role claim must be \"member\", \"moderator\", \"staff\" or \"admin\".");
    }
    claims.role = *parsed;
  }

  // Only an address its owner proved is mailed: a host that does not say so is not trusted on it.
  const json::value* email = payload.if_contains("email");
  const json::value* verified = payload.if_contains("email_verified");
  if (email != nullptr && email->is_string() && verified != nullptr && verified->is_bool() && verified->get_bool() &&
      mailAddressProblem(view(email->get_string())).empty()) {
    claims.email = view(email->get_string());
  }
  if (const json::value* locale = payload.if_contains("locale");
      locale != nullptr && locale->is_string() && isLabel(view(locale->get_string()), 35)) {
    claims.locale = view(locale->get_string());
  }
  return std::monostate{};
}

Refusal readTimes(const json::object& payload, TokenClaims& claims) {
  const json::value* exp = payload.if_contains("exp");
  if (exp == nullptr) return fail(TokenError::missingClaim, "The token has no exp claim.");
  if (!exp->is_int64()) {
    return fail(TokenError::malformed, "The exp claim must be an integer number of seconds since the epoch.");
  }
  claims.expiresAt = exp->get_int64();
  if (!readSeconds(payload, "nbf", claims.notBefore)) {
    return fail(TokenError::malformed, "The nbf claim must be an integer number of seconds since the epoch.");
  }
  if (!readSeconds(payload, "iat", claims.issuedAt)) {
    return fail(TokenError::malformed, "The iat claim must be an integer number of seconds since the epoch.");
  }
  return std::monostate{};
}

// The token's window against the server's clock. The leeway forgives clocks that disagree a
// little; the lifetime bound keeps a host from handing out tokens that are as good as passwords.
TokenResult checkWindow(TokenClaims claims, std::int64_t nowSeconds, const TokenRules& rules) {
  const std::int64_t leeway = rules.leewaySeconds;
  if (claims.notBefore && nowSeconds + leeway < *claims.notBefore) {
    return fail(TokenError::notYetValid, "The token is not valid yet (its nbf is in the future); check the clocks.");
  }
  if (claims.issuedAt && *claims.issuedAt > nowSeconds + leeway) {
    return fail(TokenError::notYetValid, "The token was issued in the future (its iat); check the clocks.");
  }
  if (nowSeconds - leeway >= claims.expiresAt) return fail(TokenError::expired, "The token has expired.");
  // iat is at most now + leeway here, so the sum cannot overflow.
  const std::int64_t start = claims.issuedAt.value_or(nowSeconds);
  if (claims.expiresAt > start + rules.maxLifetimeSeconds) {
    return fail(TokenError::tooLong, "The token lives longer than this site allows (" +
                                         std::to_string(rules.maxLifetimeSeconds / 60) +
                                         " minutes from iat, or from now without iat); sign shorter-lived tokens.");
  }
  return std::move(claims);
}

TokenResult readClaims(const json::object& payload, std::int64_t nowSeconds, std::string_view expectedSite,
                       const TokenRules& rules) {
  TokenClaims claims;
  if (Refusal read = readIdentity(payload, claims); !read) return read.error();
  if (Refusal read = readTimes(payload, claims); !read) return read.error();

  const json::value* site = payload.if_contains("site");
  if (site == nullptr) return fail(TokenError::missingClaim, "The token has no site claim.");
  if (!site->is_string()) return fail(TokenError::malformed, "The site claim must be a string.");
  // Site before the clock: a token for another site is a configuration mistake worth naming.
  if (view(site->get_string()) != expectedSite) {
    return fail(TokenError::wrongSite, "The token was issued for another site.");
  }
  return checkWindow(std::move(claims), nowSeconds, rules);
}

}  // namespace

TokenResult verifyToken(std::string_view token, std::string_view secret, std::int64_t nowSeconds,
                        std::string_view expectedSite, const TokenRules& rules) {
  if (token.empty()) return fail(TokenError::malformed, "The token is empty.");
  if (token.size() > kMaxTokenBytes) {
    return fail(TokenError::malformed, "The token is longer than " + std::to_string(kMaxTokenBytes) + " bytes.");
  }
  const std::size_t firstDot = token.find('.');
  const std::size_t secondDot = firstDot == std::string_view::npos ? firstDot : token.find('.', firstDot + 1);
  if (secondDot == std::string_view::npos || token.find('.', secondDot + 1) != std::string_view::npos) {
    return fail(TokenError::malformed, "A token has three dot-separated parts.");
  }
  const std::string_view signingInput = token.substr(0, secondDot);
  const std::optional<std::string> header = base64UrlDecode(token.substr(0, firstDot));
  const std::optional<std::string> payload = base64UrlDecode(token.substr(firstDot + 1, secondDot - firstDot - 1));
  const std::optional<std::string> signature = base64UrlDecode(token.substr(secondDot + 1));
  if (!header || !payload || !signature) {
    return fail(TokenError::malformed, "A token part is not unpadded base64url.");
  }

  const std::optional<json::object> headerObject = parseObject(*header);
  if (!headerObject) return fail(TokenError::malformed, "The token header is not a JSON object.");
  const json::value* alg = headerObject->if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return fail(TokenError::malformed, "The token header has no alg.");
  if (alg->get_string() != "HS256") {
    return fail(TokenError::unsupportedAlgorithm, "Only HS256 tokens are accepted.");
  }
  // RFC 7515: extensions listed as critical must be understood; this verifier knows none.
  if (headerObject->contains("crit")) {
    return fail(TokenError::unsupportedAlgorithm, "The token header lists critical extensions.");
  }

  // Nothing in the payload is trusted, or even parsed, before the signature checks out.
  if (secret.empty()) return fail(TokenError::badSignature, "The site has no token secret.");
  if (!signatureMatches(secret, signingInput, *signature)) {
    return fail(TokenError::badSignature, "The token's signature does not match.");
  }

  const std::optional<json::object> claims = parseObject(*payload);
  if (!claims) return fail(TokenError::malformed, "The token payload is not a JSON object.");
  return readClaims(*claims, nowSeconds, expectedSite, rules);
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
  }
  return "malformed";
}

}  // namespace kring::server
