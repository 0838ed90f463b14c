#include "token.h"

#include "kring/names.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace kring::server {

namespace json = boost::json;

namespace {

using Digest = std::array<unsigned char, 32>;

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto n = std::uint32_t(std::uint8_t(bytes[i])) << 16 | std::uint32_t(std::uint8_t(bytes[i + 1])) << 8 |
                   std::uint32_t(std::uint8_t(bytes[i + 2]));
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += kAlphabet[n >> 6 & 63];
    out += kAlphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    if (rest == 2) n |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    if (rest == 2) out += kAlphabet[n >> 6 & 63];
  }
  return out;
}

int base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Strict: the URL-safe alphabet only, no padding, and unused trailing bits zero, so each byte
// string has exactly one accepted encoding.
std::optional<std::string> base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = base64UrlValue(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6 | std::uint32_t(value)) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char(buffer >> bits & 0xFF);
    }
  }
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

// Nullopt when OpenSSL fails: an unset digest must never be compared against a signature.
std::optional<Digest> hmacSha256(std::string_view secret, std::string_view data) {
  if (secret.empty()) return std::nullopt;  // HMAC() refuses a null key, and no site has an empty secret
  Digest digest{};
  unsigned int length = 0;
  const unsigned char* out =
      HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
  if (out == nullptr || length != digest.size()) return std::nullopt;
  return digest;
}

TokenResult fail(TokenError error, std::string message) {
  TokenResult result;
  result.error = error;
  result.message = std::move(message);
  return result;
}

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

TokenResult readClaims(const json::object& payload, std::int64_t nowSeconds, std::string_view expectedSite) {
  TokenClaims claims;

  const json::value* sub = payload.if_contains("sub");
  if (sub == nullptr) return fail(TokenError::missingClaim, "The token has no sub claim.");
  if (!sub->is_string() || !isLabel(view(sub->get_string()), kMaxSubjectBytes)) {
    return fail(TokenError::malformed, "The sub claim must be 1 to 128 bytes of printable text.");
  }
  claims.subject = view(sub->get_string());

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

  const json::value* exp = payload.if_contains("exp");
  if (exp == nullptr) return fail(TokenError::missingClaim, "The token has no exp claim.");
  if (!exp->is_int64()) {
    return fail(TokenError::malformed, "The exp claim must be an integer number of seconds since the epoch.");
  }
  claims.expiresAt = exp->get_int64();

  const json::value* site = payload.if_contains("site");
  if (site == nullptr) return fail(TokenError::missingClaim, "The token has no site claim.");
  if (!site->is_string()) return fail(TokenError::malformed, "The site claim must be a string.");

  // Site before expiry: a token for another site is a configuration mistake worth naming.
  if (view(site->get_string()) != expectedSite) {
    return fail(TokenError::wrongSite, "The token was issued for another site.");
  }
  if (nowSeconds >= claims.expiresAt) return fail(TokenError::expired, "The token has expired.");

  TokenResult result;
  result.claims = std::move(claims);
  return result;
}

}  // namespace

TokenResult verifyToken(std::string_view token, std::string_view secret, std::int64_t nowSeconds,
                        std::string_view expectedSite) {
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
  const std::optional<Digest> expected = hmacSha256(secret, signingInput);
  if (!expected) return fail(TokenError::badSignature, "The token's signature could not be computed.");
  if (signature->size() != expected->size() ||
      CRYPTO_memcmp(signature->data(), expected->data(), expected->size()) != 0) {
    return fail(TokenError::badSignature, "The token's signature does not match.");
  }

  const std::optional<json::object> claims = parseObject(*payload);
  if (!claims) return fail(TokenError::malformed, "The token payload is not a JSON object.");
  return readClaims(*claims, nowSeconds, expectedSite);
}

std::string signToken(const TokenClaims& claims, std::string_view site, std::string_view secret) {
  json::object payload;
  payload["sub"] = json::string_view(claims.subject.data(), claims.subject.size());
  if (!claims.name.empty()) payload["name"] = json::string_view(claims.name.data(), claims.name.size());
  const std::string_view role = roleName(claims.role);
  payload["role"] = json::string_view(role.data(), role.size());
  payload["exp"] = claims.expiresAt;
  payload["site"] = json::string_view(site.data(), site.size());

  std::string token = base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  token += '.';
  token += base64UrlEncode(json::serialize(payload));
  const std::optional<Digest> digest = hmacSha256(secret, token);
  if (!digest) return {};  // nothing verifies without a secret; an empty token says so
  token += '.';
  token += base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest->data()), digest->size()));
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
  }
  return "malformed";
}

}  // namespace kring::server
