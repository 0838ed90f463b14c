// The host site's signed tokens: what verifies, and every way a token is refused.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <catch2/catch.hpp>
#include <string>

#include "auth/token.h"

using namespace kring;
using namespace kring::server;
using Catch::Matchers::Contains;

namespace {

constexpr std::string_view kSecret = "a-secret-of-at-least-32-bytes-for-tests";
constexpr std::string_view kSite = "demo";
constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::int64_t kLater = kNow + 600;

// Produced by Node's crypto (createHmac, Buffer's base64url; not by this code), the way the example in
// docs/auth.md signs, with:
//   secret "kring-known-answer-secret-0123456789", header {"typ":"JWT","alg":"HS256"}, payload
//   {"site":"demo","exp":1893456000,"role":"moderator","name":"Zoë Example","sub":"user-42","iat":1700000000}
constexpr std::string_view kNodeSecret = "kring-known-answer-secret-0123456789";
constexpr std::string_view kNodeToken =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9."
    "eyJzaXRlIjoiZGVtbyIsImV4cCI6MTg5MzQ1NjAwMCwicm9sZSI6Im1vZGVyYXRvciIsIm5hbWUiOiJab8OrIEV4YW1wbGUiLCJzdWIiOiJ1c2VyLT"
    "QyIiwiaWF0IjoxNzAwMDAwMDAwfQ."
    "_Z3n1D-NJPmZGoQYgMmRqzSj3jBX1jmmcBsq4e6xtCc";
// Node's crypto again, with the key order signToken writes: {"alg":"HS256","typ":"JWT"} and
// {"sub":"user-42","name":"Zoë Example","role":"moderator","exp":1893456000,"site":"demo"}.
constexpr std::string_view kNodeTokenInSignOrder =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJ1c2VyLTQyIiwibmFtZSI6Ilpvw6sgRXhhbXBsZSIsInJvbGUiOiJtb2RlcmF0b3IiLCJleHAiOjE4OTM0NTYwMDAsInNpdGUiOiJkZW"
    "1vIn0."
    "Uu__8M6udWec02ttVyf_oiILR2TrOMFDbvhykl2Mjq4";

// The tests' own base64url and HMAC, so that tokens with odd contents can still be signed.
std::string base64Url(std::string_view bytes) {
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = buffer << 8 | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[buffer >> bits & 63];
    }
  }
  if (bits > 0) out += alphabet[buffer << (6 - bits) & 63];
  return out;
}

std::string sign(std::string_view signingInput, std::string_view secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size(), digest, &length);
  return base64Url(std::string_view(reinterpret_cast<const char*>(digest), length));
}

// A correctly signed token around any header and payload text.
std::string rawToken(std::string_view header, std::string_view payload, std::string_view secret = kSecret) {
  std::string input = base64Url(header) + "." + base64Url(payload);
  return input + "." + sign(input, secret);
}

std::string tokenWithPayload(std::string_view payload) { return rawToken(R"({"alg":"HS256","typ":"JWT"})", payload); }

TokenClaims claimsOf(std::string subject, std::string name, Role role, std::int64_t expiresAt) {
  TokenClaims claims;
  claims.subject = std::move(subject);
  claims.name = std::move(name);
  claims.role = role;
  claims.expiresAt = expiresAt;
  return claims;
}

TokenClaims alice() { return claimsOf("alice-1", "Alice", Role::member, kLater); }

TokenError errorOf(std::string_view token, std::int64_t now = kNow, std::string_view secret = kSecret,
                   std::string_view site = kSite, const TokenRules& rules = {}) {
  const TokenResult result = verifyToken(token, secret, now, site, rules);
  REQUIRE_FALSE(result);
  CHECK_FALSE(result.error().message.empty());
  return result.error().code;
}

}  // namespace

TEST_CASE("a token signed by signToken verifies with its claims", "[token]") {
  const TokenClaims claims = claimsOf("user-7", "Zoë", Role::staff, kLater);
  const TokenResult result = verifyToken(signToken(claims, kSite, kSecret), kSecret, kNow, kSite);
  REQUIRE(result);
  CHECK(result.value().subject == "user-7");
  CHECK(result.value().name == "Zoë");
  CHECK(result.value().role == Role::staff);
  CHECK(result.value().expiresAt == kLater);
}

TEST_CASE("a token made by Node's crypto verifies (known answer)", "[token]") {
  // Key order differs from signToken's and iat is present: both are fine. It lives for years, so
  // this check allows that.
  const TokenRules years{0, 10LL * 366 * 24 * 3600};
  const TokenResult result = verifyToken(kNodeToken, kNodeSecret, kNow, "demo", years);
  REQUIRE(result);
  CHECK(result.value().subject == "user-42");
  CHECK(result.value().name == "Zoë Example");
  CHECK(result.value().role == Role::moderator);
  CHECK(result.value().expiresAt == 1893456000);

  CHECK(errorOf(kNodeToken, kNow, kSecret, "demo") == TokenError::badSignature);
}

TEST_CASE("signToken writes the same bytes as Node's crypto for the same JSON (known answer)", "[token]") {
  const TokenClaims claims = claimsOf("user-42", "Zoë Example", Role::moderator, 1893456000);
  CHECK(signToken(claims, "demo", kNodeSecret) == kNodeTokenInSignOrder);
}

TEST_CASE("the name defaults to the subject and the role to member", "[token]") {
  const TokenResult result =
      verifyToken(tokenWithPayload(R"({"sub":"bob","exp":1700000600,"site":"demo"})"), kSecret, kNow, kSite);
  REQUIRE(result);
  CHECK(result.value().name == "bob");
  CHECK(result.value().role == Role::member);
}

TEST_CASE("an empty name counts as no name", "[token]") {
  const TokenResult result =
      verifyToken(tokenWithPayload(R"({"sub":"bob","name":"","exp":1700000600,"site":"demo"})"), kSecret, kNow, kSite);
  REQUIRE(result);
  CHECK(result.value().name == "bob");
}

TEST_CASE("a default name is cut to 64 bytes at a character boundary", "[token]") {
  // 63 ASCII bytes then a two-byte character: the name stops before it rather than split it.
  const std::string subject = std::string(63, 'x') + "é" + "tail";
  const TokenResult result = verifyToken(
      tokenWithPayload(R"({"sub":")" + subject + R"(","exp":1700000600,"site":"demo"})"), kSecret, kNow, kSite);
  REQUIRE(result);
  CHECK(result.value().subject == subject);
  CHECK(result.value().name == std::string(63, 'x'));
}

TEST_CASE("each role name maps to its role", "[token]") {
  const auto roleOf = [](std::string_view role) {
    const TokenResult result = verifyToken(
        tokenWithPayload(R"({"sub":"u","exp":1700000600,"site":"demo","role":")" + std::string(role) + "\"}"), kSecret,
        kNow, kSite);
    REQUIRE(result);
    return result.value().role;
  };
  CHECK(roleOf("member") == Role::member);
  CHECK(roleOf("moderator") == Role::moderator);
  CHECK(roleOf("staff") == Role::staff);
  CHECK(roleOf("admin") == Role::admin);
}

TEST_CASE("an unknown or mistyped role is malformed", "[token]") {
  CHECK(errorOf(tokenWithPayload(R"({"sub":"u","exp":1700000600,"site":"demo","role":"owner"})")) ==
        TokenError::malformed);
  CHECK(errorOf(tokenWithPayload(R"({"sub":"u","exp":1700000600,"site":"demo","role":"Admin"})")) ==
        TokenError::malformed);
  CHECK(errorOf(tokenWithPayload(R"({"sub":"u","exp":1700000600,"site":"demo","role":3})")) == TokenError::malformed);
}

TEST_CASE("a tampered payload fails the signature check", "[token]") {
  const std::string token = signToken(alice(), kSite, kSecret);
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  TokenClaims promoted = alice();
  promoted.role = Role::admin;
  const std::string forged = signToken(promoted, kSite, "not-the-site-secret-but-long-enough");
  const std::string forgedPayload = forged.substr(first + 1, forged.find('.', first + 1) - first - 1);

  const std::string tampered = token.substr(0, first + 1) + forgedPayload + token.substr(second);
  CHECK(errorOf(tampered) == TokenError::badSignature);
}

TEST_CASE("a changed signature fails the signature check", "[token]") {
  std::string token = signToken(alice(), kSite, kSecret);
  const std::size_t at = token.rfind('.') + 5;
  token[at] = token[at] == 'A' ? 'B' : 'A';
  CHECK(errorOf(token) == TokenError::badSignature);

  const std::string truncated = token.substr(0, token.rfind('.') + 1) + "AAAA";
  CHECK(errorOf(truncated) == TokenError::badSignature);
  CHECK(errorOf(token.substr(0, token.rfind('.') + 1)) == TokenError::badSignature);
}

TEST_CASE("a token signed with another secret fails the signature check", "[token]") {
  const std::string token = signToken(alice(), kSite, "another-secret-of-at-least-32-bytes!!");
  CHECK(errorOf(token) == TokenError::badSignature);
}

TEST_CASE("an empty secret verifies nothing", "[token]") {
  CHECK(signToken(alice(), kSite, "").empty());
  CHECK(errorOf(signToken(alice(), kSite, kSecret), kNow, "") == TokenError::badSignature);
}

TEST_CASE("a token expires at its exp second", "[token]") {
  const std::string token = signToken(alice(), kSite, kSecret);
  CHECK(verifyToken(token, kSecret, kLater - 1, kSite));
  CHECK(errorOf(token, kLater) == TokenError::expired);
  CHECK(errorOf(token, kLater + 3600) == TokenError::expired);
}

TEST_CASE("a token for another site is refused even with the same secret", "[token]") {
  const std::string token = signToken(alice(), "other-site", kSecret);
  CHECK(errorOf(token) == TokenError::wrongSite);
  CHECK(verifyToken(token, kSecret, kNow, "other-site"));
}

TEST_CASE("only HS256 is accepted", "[token]") {
  const std::string payload = R"({"sub":"u","exp":1700000600,"site":"demo"})";
  // alg none with no signature: the classic downgrade.
  const std::string none = base64Url(R"({"alg":"none","typ":"JWT"})") + "." + base64Url(payload) + ".";
  CHECK(errorOf(none) == TokenError::unsupportedAlgorithm);
  CHECK(errorOf(rawToken(R"({"alg":"none"})", payload)) == TokenError::unsupportedAlgorithm);
  CHECK(errorOf(rawToken(R"({"alg":"HS512","typ":"JWT"})", payload)) == TokenError::unsupportedAlgorithm);
  CHECK(errorOf(rawToken(R"({"alg":"hs256"})", payload)) == TokenError::unsupportedAlgorithm);
  CHECK(errorOf(rawToken(R"({"alg":"HS256","crit":["b64"],"b64":false})", payload)) ==
        TokenError::unsupportedAlgorithm);
}

TEST_CASE("a header without a string alg is malformed", "[token]") {
  const std::string payload = R"({"sub":"u","exp":1700000600,"site":"demo"})";
  CHECK(errorOf(rawToken(R"({"typ":"JWT"})", payload)) == TokenError::malformed);
  CHECK(errorOf(rawToken(R"({"alg":256})", payload)) == TokenError::malformed);
  CHECK(errorOf(rawToken(R"(["HS256"])", payload)) == TokenError::malformed);
}

TEST_CASE("sub, exp and site are required claims", "[token]") {
  CHECK(errorOf(tokenWithPayload(R"({"exp":1700000600,"site":"demo"})")) == TokenError::missingClaim);
  CHECK(errorOf(tokenWithPayload(R"({"sub":"u","site":"demo"})")) == TokenError::missingClaim);
  CHECK(errorOf(tokenWithPayload(R"({"sub":"u","exp":1700000600})")) == TokenError::missingClaim);
}

TEST_CASE("claims of the wrong type or size are malformed", "[token]") {
  const auto malformed = [](std::string_view payload) {
    return errorOf(tokenWithPayload(payload)) == TokenError::malformed;
  };
  CHECK(malformed(R"({"sub":"","exp":1700000600,"site":"demo"})"));
  CHECK(malformed(R"({"sub":42,"exp":1700000600,"site":"demo"})"));
  CHECK(malformed(R"({"sub":")" + std::string(129, 'u') + R"(","exp":1700000600,"site":"demo"})"));
  CHECK(malformed(R"({"sub":"two\nlines","exp":1700000600,"site":"demo"})"));
  CHECK(malformed(R"({"sub":"u","name":42,"exp":1700000600,"site":"demo"})"));
  CHECK(malformed(R"({"sub":"u","name":"tab\there","exp":1700000600,"site":"demo"})"));
  CHECK(malformed(R"({"sub":"u","name":")" + std::string(65, 'n') + R"(","exp":1700000600,"site":"demo"})"));
  CHECK(malformed(R"({"sub":"u","exp":"1700000600","site":"demo"})"));
  CHECK(malformed(R"({"sub":"u","exp":1700000600.5,"site":"demo"})"));
  CHECK(malformed(R"({"sub":"u","exp":18446744073709551615,"site":"demo"})"));
  CHECK(malformed(R"({"sub":"u","exp":1700000600,"site":["demo"]})"));

  // The limits themselves are fine.
  CHECK(verifyToken(tokenWithPayload(R"({"sub":")" + std::string(128, 'u') + R"(","name":")" + std::string(64, 'n') +
                                     R"(","exp":1700000600,"site":"demo"})"),
                    kSecret, kNow, kSite));
}

TEST_CASE("a token that is not three base64url parts is malformed", "[token]") {
  const std::string good = signToken(alice(), kSite, kSecret);
  CHECK(errorOf("") == TokenError::malformed);
  CHECK(errorOf("a.b") == TokenError::malformed);
  CHECK(errorOf("a.b.c.d") == TokenError::malformed);
  CHECK(errorOf(good + ".") == TokenError::malformed);
  CHECK(errorOf("..") == TokenError::malformed);

  std::string plus = good;
  plus[2] = '+';  // standard base64, not base64url
  CHECK(errorOf(plus) == TokenError::malformed);
  CHECK(errorOf(" " + good) == TokenError::malformed);
  CHECK(errorOf(good.substr(0, good.rfind('.')) + ".abc*") == TokenError::malformed);
}

TEST_CASE("base64url padding and stray trailing bits are refused", "[token]") {
  const std::string payload = base64Url(R"({"sub":"u","exp":1700000600,"site":"demo"})");
  const std::string header = base64Url(R"({"alg":"HS256","x":1})");  // 20 bytes: one '=' in base64
  const std::string padded = header + "=." + payload;
  const TokenResult result = verifyToken(padded + "." + sign(padded, kSecret), kSecret, kNow, kSite);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == TokenError::malformed);
  CHECK_THAT(result.error().message, Contains("base64url"));

  CHECK_THAT(verifyToken("e30=.e30.AAAA", kSecret, kNow, kSite).error().message, Contains("base64url"));
  // "e30" is {}; "e31" decodes to the same bytes with a stray bit set, a second spelling.
  CHECK_THAT(verifyToken("e31.e30.AAAA", kSecret, kNow, kSite).error().message, Contains("base64url"));
  CHECK_THAT(verifyToken("e30.e30.AAAA", kSecret, kNow, kSite).error().message, !Contains("base64url"));
  // Five characters cannot end a base64 text.
  CHECK_THAT(verifyToken("e30.e30.AAAAA", kSecret, kNow, kSite).error().message, Contains("base64url"));
}

TEST_CASE("a payload that is not a JSON object is malformed, even when signed", "[token]") {
  CHECK(errorOf(tokenWithPayload("not json")) == TokenError::malformed);
  CHECK(errorOf(tokenWithPayload(R"(["sub","u"])")) == TokenError::malformed);
  CHECK(errorOf(tokenWithPayload(R"("a string")")) == TokenError::malformed);
  CHECK(errorOf(tokenWithPayload(R"({"sub":"u","exp":1700000600,"site":"demo"} trailing)")) == TokenError::malformed);
  CHECK(errorOf(tokenWithPayload("{\"sub\":\"\xC3\x28\",\"exp\":1700000600,\"site\":\"demo\"}")) ==
        TokenError::malformed);  // invalid UTF-8
}

TEST_CASE("a token longer than 4096 bytes is malformed, one of 4096 is not", "[token]") {
  const auto tokenOfSize = [](std::size_t size) {
    // Grow ignored fields until the token is exactly `size` bytes. Unpadded base64 never has a
    // length of 4k+1, so the header and the payload both grow to reach every size.
    for (std::size_t headerPad = 0; headerPad < 4; ++headerPad) {
      for (std::size_t pad = 0; pad < size; ++pad) {
        std::string token =
            rawToken(R"({"alg":"HS256","h":")" + std::string(headerPad, 'h') + "\"}",
                     R"({"sub":"u","exp":1700000600,"site":"demo","pad":")" + std::string(pad, 'p') + "\"}");
        if (token.size() == size) return token;
        if (token.size() > size) break;
      }
    }
    FAIL("no padding gives a token of " << size << " bytes");
    return std::string();
  };
  CHECK(verifyToken(tokenOfSize(kMaxTokenBytes), kSecret, kNow, kSite));
  CHECK(errorOf(tokenOfSize(kMaxTokenBytes + 1)) == TokenError::malformed);
  CHECK(errorOf(std::string(100000, 'a')) == TokenError::malformed);
}

TEST_CASE("token errors have stable names", "[token]") {
  CHECK(tokenErrorName(TokenError::badSignature) == "bad_signature");
  CHECK(tokenErrorName(TokenError::unsupportedAlgorithm) == "unsupported_algorithm");
  CHECK(tokenErrorName(TokenError::missingClaim) == "missing_claim");
  CHECK(tokenErrorName(TokenError::notYetValid) == "not_yet_valid");
  CHECK(tokenErrorName(TokenError::tooLong) == "too_long");
  CHECK(tokenErrorName(TokenError::reservedSubject) == "reserved_subject");
}

TEST_CASE("a sub starting with guest: is refused, so no host member can pass for a guest", "[token]") {
  const TokenResult result =
      verifyToken(tokenWithPayload(R"({"sub":"guest:x","exp":1700000600,"site":"demo"})"), kSecret, kNow, kSite);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == TokenError::reservedSubject);
  CHECK_THAT(result.error().message, Contains("sub may not start with guest:"));
  // Only the prefix is reserved.
  CHECK(verifyToken(tokenWithPayload(R"({"sub":"guest","exp":1700000600,"site":"demo"})"), kSecret, kNow, kSite));
  CHECK(verifyToken(tokenWithPayload(R"({"sub":"my-guest:x","exp":1700000600,"site":"demo"})"), kSecret, kNow, kSite));
}

TEST_CASE("a token is refused before its nbf, within the leeway it is not", "[token]") {
  const std::string token = tokenWithPayload(R"({"sub":"u","nbf":1700000060,"exp":1700000600,"site":"demo"})");
  CHECK(errorOf(token) == TokenError::notYetValid);
  CHECK_THAT(verifyToken(token, kSecret, kNow, kSite).error().message, Contains("nbf"));
  CHECK(errorOf(token, kNow, kSecret, kSite, TokenRules{59}) == TokenError::notYetValid);
  CHECK(verifyToken(token, kSecret, kNow, kSite, TokenRules{60}));
  CHECK(verifyToken(token, kSecret, kNow + 60, kSite));
  CHECK(errorOf(tokenWithPayload(R"({"sub":"u","nbf":"soon","exp":1700000600,"site":"demo"})")) ==
        TokenError::malformed);
}

TEST_CASE("a token issued in the future is refused, within the leeway it is not", "[token]") {
  const std::string token = tokenWithPayload(R"({"sub":"u","iat":1700000030,"exp":1700000600,"site":"demo"})");
  CHECK(errorOf(token) == TokenError::notYetValid);
  CHECK_THAT(verifyToken(token, kSecret, kNow, kSite).error().message, Contains("iat"));
  CHECK(verifyToken(token, kSecret, kNow, kSite, TokenRules{30}));
  CHECK(verifyToken(token, kSecret, kNow + 30, kSite));
  CHECK(errorOf(tokenWithPayload(R"({"sub":"u","iat":1.5,"exp":1700000600,"site":"demo"})")) == TokenError::malformed);
}

TEST_CASE("the leeway also keeps a token good past its exp", "[token]") {
  const std::string token = signToken(alice(), kSite, kSecret);
  CHECK(verifyToken(token, kSecret, kLater + 29, kSite, TokenRules{30}));
  CHECK(errorOf(token, kLater + 30, kSecret, kSite, TokenRules{30}) == TokenError::expired);
}

TEST_CASE("a token that lives longer than the site allows is refused", "[token]") {
  // From iat when the token has one: a day by default.
  const std::string day = tokenWithPayload(R"({"sub":"u","iat":1700000000,"exp":1700086400,"site":"demo"})");
  CHECK(verifyToken(day, kSecret, kNow, kSite));
  const std::string longer = tokenWithPayload(R"({"sub":"u","iat":1700000000,"exp":1700086401,"site":"demo"})");
  CHECK(errorOf(longer) == TokenError::tooLong);
  CHECK_THAT(verifyToken(longer, kSecret, kNow, kSite).error().message,
             Contains("longer than this site allows (1440 minutes"));
  // An old iat counts too: the token was minted to live that long, whatever is left of it now.
  CHECK(errorOf(longer, kNow + 86000) == TokenError::tooLong);
  // From now without iat.
  const std::string noIat = tokenWithPayload(R"({"sub":"u","exp":1700000601,"site":"demo"})");
  CHECK(errorOf(noIat, kNow, kSecret, kSite, TokenRules{0, 600}) == TokenError::tooLong);
  CHECK(verifyToken(noIat, kSecret, kNow + 1, kSite, TokenRules{0, 600}));
}

TEST_CASE("signToken writes iat and nbf when given", "[token]") {
  TokenClaims claims = alice();
  claims.issuedAt = kNow - 5;
  claims.notBefore = kNow + 10;
  const std::string token = signToken(claims, kSite, kSecret);
  CHECK(errorOf(token) == TokenError::notYetValid);
  const TokenResult later = verifyToken(token, kSecret, kNow + 10, kSite);
  REQUIRE(later);
  CHECK(later.value().issuedAt == kNow - 5);
  CHECK(later.value().notBefore == kNow + 10);
}

TEST_CASE("an address is kept only when the host says it is verified, and only a plain one", "[token]") {
  auto emailOf = [](std::string_view claims) {
    const std::string payload =
        R"({"sub":"u1","site":"demo","exp":)" + std::to_string(kLater) + std::string(claims) + "}";
    const TokenResult result = verifyToken(tokenWithPayload(payload), kSecret, kNow, kSite);
    REQUIRE(result);  // an unusable address never stops a sign-in
    return result.value().email;
  };
  CHECK(emailOf(R"(,"email":"ann@example.com","email_verified":true)") == "ann@example.com");
  CHECK(emailOf(R"(,"email":"ann@example.com")").empty());
  CHECK(emailOf(R"(,"email":"ann@example.com","email_verified":false)").empty());
  CHECK(emailOf(R"(,"email":"ann@example.com","email_verified":"true")").empty());
  // Nothing that could add a recipient or a header.
  CHECK(emailOf(R"(,"email":"ann@example.com, eve@example.com","email_verified":true)").empty());
  CHECK(emailOf(R"(,"email":"ann@example.com\r\nBcc: eve@example.com","email_verified":true)").empty());
  CHECK(emailOf(R"(,"email":"<ann@example.com>","email_verified":true)").empty());
  CHECK(emailOf(R"(,"email":"ann@x@example.com","email_verified":true)").empty());
  CHECK(emailOf(R"(,"email":42,"email_verified":true)").empty());
  const TokenResult located = verifyToken(
      tokenWithPayload(R"({"sub":"u1","site":"demo","exp":)" + std::to_string(kLater) + R"(,"locale":"nl-NL"})"),
      kSecret, kNow, kSite);
  REQUIRE(located);
  CHECK(located.value().locale == "nl-NL");
}
