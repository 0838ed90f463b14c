#include "auth/oidc_token.h"

#include "kring/names.h"

#include <boost/json.hpp>

namespace kring::server {

namespace json = boost::json;

namespace {

std::string_view view(const json::string& s) { return {s.data(), s.size()}; }

constexpr std::size_t kMaxKidBytes = 256;

// How much a role may do, for "the strongest": moderators remove posts, staff only speak for the brand.
int rank(Role role) {
  switch (role) {
    case Role::member: return 0;
    case Role::staff: return 1;
    case Role::moderator: return 2;
    case Role::admin: return 3;
  }
  return 0;
}

// The claim at `path`: the whole string as a top-level name first (a URL holds dots), then as a
// dotted path through nested objects.
const json::value* claimAt(const json::object& payload, const std::string& path) {
  if (const json::value* whole = payload.if_contains(path)) return whole;
  const json::object* object = &payload;
  std::string_view rest = path;
  while (true) {
    const std::size_t dot = rest.find('.');
    const std::string_view key = rest.substr(0, dot);
    const json::value* value = object->if_contains(json::string_view(key.data(), key.size()));
    if (value == nullptr || dot == std::string_view::npos) return value;
    if (!value->is_object()) return nullptr;
    object = &value->get_object();
    rest = rest.substr(dot + 1);
  }
}

std::optional<Role> roleOf(std::string_view value, const OidcClaimMapping& mapping) {
  if (mapping.roles.empty()) return parseRole(value);
  auto it = mapping.roles.find(std::string(value));
  if (it == mapping.roles.end()) return std::nullopt;
  return it->second;
}

// Providers' names are not written for Kring: one that does not fit is cut, or the next one taken.
std::string displayName(const json::object& payload, const OidcClaimMapping& mapping, const std::string& subject) {
  for (const std::string& claim : {mapping.name, std::string("preferred_username")}) {
    const json::value* value = payload.if_contains(claim);
    if (value == nullptr || !value->is_string()) continue;
    std::string name = truncateUtf8(view(value->get_string()), kMaxNameBytes);
    if (isPrintableLabel(name, kMaxNameBytes)) return name;
  }
  return truncateUtf8(subject, kMaxNameBytes);
}

bool audienceHolds(const json::value& aud, const std::string& audience) {
  if (aud.is_string()) return view(aud.get_string()) == audience;
  if (!aud.is_array()) return false;
  for (const json::value& item : aud.get_array()) {
    if (item.is_string() && view(item.get_string()) == audience) return true;
  }
  return false;
}

TokenRefusal checkIssuerAndAudience(const json::object& payload, const OidcSettings& settings) {
  const json::value* iss = payload.if_contains("iss");
  if (iss == nullptr) return tokenError(TokenError::missingClaim, "The token has no iss claim.");
  if (!iss->is_string() || view(iss->get_string()) != settings.issuer) {
    return tokenError(TokenError::wrongIssuer, "The token's issuer (iss) is not this site's provider.");
  }
  const json::value* aud = payload.if_contains("aud");
  if (aud == nullptr) return tokenError(TokenError::missingClaim, "The token has no aud claim.");
  if (!audienceHolds(*aud, settings.audience)) {
    return tokenError(TokenError::wrongAudience, "The token's audience (aud) does not include this site.");
  }
  return std::monostate{};
}

}  // namespace

Role mappedRole(const json::object& payload, const OidcClaimMapping& mapping) {
  if (mapping.rolePath.empty()) return Role::member;
  const json::value* value = claimAt(payload, mapping.rolePath);
  Role strongest = Role::member;
  auto consider = [&](const json::value& item) {
    if (!item.is_string()) return;
    if (std::optional<Role> role = roleOf(view(item.get_string()), mapping); role && rank(*role) > rank(strongest)) {
      strongest = *role;
    }
  };
  if (value != nullptr && value->is_array()) {
    for (const json::value& item : value->get_array()) consider(item);
  } else if (value != nullptr) {
    consider(*value);
  }
  return strongest;
}

TokenResult verifyOidcToken(const Jwt& jwt, const OidcSettings& settings, SiteKeys& keys, std::int64_t nowSeconds,
                            const TokenRules& rules) {
  if (jwt.alg != "RS256" && jwt.alg != "ES256") {
    return tokenError(TokenError::unsupportedAlgorithm,
                      "Only RS256 and ES256 tokens are verified with the site's keys.");
  }
  // kid only matters here (an HS256 token's is ignored, as it always was); it is echoed in messages.
  std::string kid;
  if (const json::value* named = jwt.header.if_contains("kid")) {
    if (!named->is_string() || !isPrintableLabel(view(named->get_string()), kMaxKidBytes)) {
      return tokenError(TokenError::malformed, "The token header's kid must be 1 to 256 bytes of printable text.");
    }
    kid = view(named->get_string());
  }
  Result<VerificationKey, KeyError> key = keys.find(kid, nowSeconds);
  if (!key) return tokenError(TokenError::unknownKey, key.error().message);
  if (kid.empty()) kid = "(the only key)";
  // The key decides the algorithm: an RSA key never checks ES256, an encryption key never signs.
  if (!key.value().use.empty() && key.value().use != "sig") {
    return tokenError(TokenError::unknownKey,
                      "The site's key " + kid + " is for \"" + key.value().use + "\", not for signatures (\"sig\").");
  }
  if (key.value().alg != jwt.alg) {
    return tokenError(TokenError::unsupportedAlgorithm,
                      "The token says " + jwt.alg + " but the site's key " + kid + " is for " + key.value().alg + ".");
  }
  if (!verifySignature(key.value(), jwt.alg, jwt.signingInput, jwt.signature)) {
    return tokenError(TokenError::badSignature, "The token's signature does not match.");
  }

  Result<json::object, TokenError> payload = jwtPayload(jwt);
  if (!payload) return payload.error();
  if (TokenRefusal checked = checkIssuerAndAudience(payload.value(), settings); !checked) return checked.error();
  TokenClaims claims;
  if (TokenRefusal read = readSubject(payload.value(), claims); !read) return read.error();
  claims.name = displayName(payload.value(), settings.claims, claims.subject);
  claims.role = mappedRole(payload.value(), settings.claims);
  readContact(payload.value(), claims);
  if (TokenRefusal read = readTimes(payload.value(), claims); !read) return read.error();
  return checkWindow(std::move(claims), nowSeconds, rules);
}

}  // namespace kring::server
