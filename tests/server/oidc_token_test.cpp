// Sign-in with an OpenID Connect provider's RS256 and ES256 tokens (docs/auth.md, "OpenID Connect
// providers"): keys made here with OpenSSL, tokens signed here, JWKS and PEM files in a temp
// directory, a JWKS served over loopback HTTP. The clock and the fetcher are injected: nothing sleeps.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "auth/jwks_fetch.h"
#include "auth/signing.h"
#include "auth/site_config.h"
#include "auth/site_keys.h"
#include "auth/site_token.h"
#include "auth/token.h"

using namespace kring::server;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::string_view kIssuer = "https://tenant.example.com/";
constexpr std::string_view kAudience = "kring-demo";
constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";
constexpr std::string_view kAdminKey = "admin-key-0123456789abcd";

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Key = std::shared_ptr<EVP_PKEY>;

Key rsaKey(unsigned bits) {
  return Key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)), KeyFree{});
}
Key ecKey(const char* curve = "P-256") { return Key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve), KeyFree{}); }

std::string bytesOf(const BIGNUM* n, int width = 0) {
  std::string out(static_cast<std::size_t>(width > 0 ? width : BN_num_bytes(n)), '\0');
  BN_bn2binpad(n, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  return out;
}

std::string bnParam(EVP_PKEY* key, const char* name, int width = 0) {
  BIGNUM* n = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(key, name, &n) == 1);
  std::string out = bytesOf(n, width);
  BN_free(n);
  return out;
}

// The key as a JWK; `extra` adds members (",\"use\":\"enc\"").
std::string jwk(const Key& key, std::string_view kid, std::string_view extra = "") {
  std::string out = "{";
  if (!kid.empty()) out += "\"kid\":\"" + std::string(kid) + "\",";
  if (EVP_PKEY_is_a(key.get(), "RSA")) {
    out += "\"kty\":\"RSA\",\"n\":\"" + base64UrlEncode(bnParam(key.get(), OSSL_PKEY_PARAM_RSA_N)) + "\",\"e\":\"" +
           base64UrlEncode(bnParam(key.get(), OSSL_PKEY_PARAM_RSA_E)) + "\"";
  } else {
    const int width = EVP_PKEY_get_bits(key.get()) > 256 ? 48 : 32;
    out += "\"kty\":\"EC\",\"crv\":\"" + std::string(width == 32 ? "P-256" : "P-384") + "\",\"x\":\"" +
           base64UrlEncode(bnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, width)) + "\",\"y\":\"" +
           base64UrlEncode(bnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, width)) + "\"";
  }
  return out + std::string(extra) + "}";
}

std::string jwks(std::initializer_list<std::string> keys) {
  std::string out = R"({"keys":[)";
  for (const std::string& key : keys) out += (out.back() == '[' ? "" : ",") + key;
  return out + "]}";
}

std::string pem(const Key& key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  REQUIRE(PEM_write_bio_PUBKEY(bio.get(), key.get()) == 1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

// A JWS signature by `key`: PKCS#1 v1.5 for RSA, r||s for EC (OpenSSL signs DER).
std::string signature(const Key& key, std::string_view input) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  REQUIRE(EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1);
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  REQUIRE(EVP_DigestSign(context.get(), nullptr, &length, data, input.size()) == 1);
  std::string out(length, '\0');
  REQUIRE(EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(out.data()), &length, data, input.size()) ==
          1);
  out.resize(length);
  if (!EVP_PKEY_is_a(key.get(), "EC")) return out;
  const auto* der = reinterpret_cast<const unsigned char*>(out.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(length)),
                                                            ECDSA_SIG_free);
  REQUIRE(sig);
  return bytesOf(ECDSA_SIG_get0_r(sig.get()), 32) + bytesOf(ECDSA_SIG_get0_s(sig.get()), 32);
}

std::string signedToken(const Key& key, const json::object& header, const json::object& payload) {
  const std::string input = base64UrlEncode(json::serialize(header)) + "." + base64UrlEncode(json::serialize(payload));
  return input + "." + base64UrlEncode(signature(key, input));
}

json::object header(std::string_view alg, std::string_view kid = "") {
  json::object out{{"alg", alg}, {"typ", "JWT"}};
  if (!kid.empty()) out["kid"] = kid;
  return out;
}

// A provider's token for member u-1, good for ten minutes from `issued`.
json::object claims(std::int64_t issued = kNow) {
  return {{"iss", kIssuer}, {"aud", kAudience}, {"sub", "u-1"}, {"iat", issued}, {"exp", issued + 600}};
}

std::string token(const Key& key, std::string_view alg, std::string_view kid, const json::object& payload = claims()) {
  return signedToken(key, header(alg, kid), payload);
}

// An HS256 token signed with an arbitrary key (the confusion attacks).
std::string hmacToken(std::string_view key, json::object payload,
                      std::string_view headerJson = R"({"alg":"HS256","typ":"JWT"})") {
  const std::string input = base64UrlEncode(headerJson) + "." + base64UrlEncode(json::serialize(payload));
  return input + "." + base64UrlEncode(digestBytes(*hmacSha256(key, input)));
}

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ =
        fs::temp_directory_path() / ("kring-oidc-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Writes `text` to `name`; its mtime is `age` seconds from now, so that a rewrite within one
  // filesystem tick still looks changed.
  std::string write(const std::string& name, const std::string& text, int age = 0) const {
    const fs::path file = path_ / name;
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    fs::last_write_time(file, fs::file_time_type::clock::now() + std::chrono::seconds(age));
    return file.string();
  }

 private:
  fs::path path_;
};

std::string sitesFile(std::string_view oidc) {
  return R"({"sites":[{"id":"shop","allowedOrigins":["*"],"tokenSecret":")" + std::string(kSecret) +
         R"(","adminKey":")" + std::string(kAdminKey) + R"(","oidc":)" + std::string(oidc) + "}]}";
}

std::string oidcWith(std::string_view source, std::string_view extra = "") {
  return R"({"issuer":")" + std::string(kIssuer) + R"(","audience":")" + std::string(kAudience) + "\"," +
         std::string(source) + std::string(extra) + "}";
}

SiteConfig siteFrom(std::string_view oidc) {
  SiteConfigResult parsed = parseSiteConfig(sitesFile(oidc));
  if (!parsed) FAIL(parsed.error().message);
  return parsed.value()[0];
}

// A site whose keys come from `fetcher` at jwksUrl.
SiteConfig fetchingSite(JwksFetcher fetcher, std::string_view extra = "") {
  SiteConfig site = siteFrom(oidcWith(R"("jwksUrl":"https://tenant.example.com/.well-known/jwks.json")", extra));
  site.oidcKeys = std::make_shared<SiteKeys>(*site.oidc, std::move(fetcher));
  return site;
}

TokenResult verify(const SiteConfig& site, const std::string& token, std::int64_t now = kNow,
                   const TokenRules& rules = {}) {
  return verifySiteToken(site, token, now, rules);
}

TokenError errorOf(const TokenResult& result) {
  REQUIRE_FALSE(result);
  return result.error().code;
}

// The keys every test shares: generating RSA keys takes a while.
struct Keys {
  Key rsa = rsaKey(2048);
  Key rsa2 = rsaKey(2048);
  Key ec = ecKey();
  Key weak = rsaKey(1024);
  Key p384 = ecKey("P-384");
};
const Keys& keys() {
  static const Keys shared;
  return shared;
}

// A site with an RSA key "r1" and an EC key "e1" in a JWKS file.
struct FileSite {
  TempDir dir;
  std::string path = dir.write("jwks.json", jwks({jwk(keys().rsa, "r1"), jwk(keys().ec, "e1")}));
  SiteConfig site = siteFrom(oidcWith(R"("jwksFile":")" + path + "\""));
};

// One-request-at-a-time HTTP server on 127.0.0.1 that answers each request with `answer`.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::string answer) : answer_(std::move(answer)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener_, 8) == 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackServer() {
    ::shutdown(listener_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    ::close(listener_);
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::string url(std::string_view path = "/jwks.json") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (true) {
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      std::string request;
      char buffer[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t got = ::recv(client, buffer, sizeof buffer, 0);
        if (got <= 0) break;
        request.append(buffer, static_cast<std::size_t>(got));
      }
      ++requests_;
      for (std::size_t sent = 0; sent < answer_.size();) {
        const ssize_t wrote = ::send(client, answer_.data() + sent, answer_.size() - sent, MSG_NOSIGNAL);
        if (wrote <= 0) break;
        sent += static_cast<std::size_t>(wrote);
      }
      ::close(client);
    }
  }

  std::string answer_;
  int listener_ = -1;
  unsigned short port_ = 0;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

std::string httpOk(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("an RS256 token from the site's provider signs in with its claims", "[oidc]") {
  FileSite file;
  json::object payload = claims();
  payload["name"] = "Ada";
  payload["email"] = "ada@shop.example";
  payload["email_verified"] = true;
  payload["locale"] = "nl-NL";
  const TokenResult result = verify(file.site, token(keys().rsa, "RS256", "r1", payload));
  REQUIRE(result);
  CHECK(result.value().subject == "u-1");
  CHECK(result.value().name == "Ada");
  CHECK(result.value().role == kring::Role::member);
  CHECK(result.value().email == "ada@shop.example");
  CHECK(result.value().locale == "nl-NL");
  CHECK(result.value().expiresAt == kNow + 600);
  CHECK(result.value().issuedAt == kNow);

  payload["email_verified"] = false;
  const TokenResult unverified = verify(file.site, token(keys().rsa, "RS256", "r1", payload));
  REQUIRE(unverified);
  CHECK(unverified.value().email.empty());
}

TEST_CASE("an ES256 token's raw r and s signature verifies, and nothing else does", "[oidc]") {
  FileSite file;
  const std::string good = token(keys().ec, "ES256", "e1");
  REQUIRE(verify(file.site, good));

  // A DER signature (what OpenSSL makes) is not a JWS signature.
  const std::string input = good.substr(0, good.rfind('.'));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  REQUIRE(EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, keys().ec.get()) == 1);
  std::string der(128, '\0');
  std::size_t length = der.size();
  REQUIRE(EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(der.data()), &length,
                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1);
  der.resize(length);
  CHECK(errorOf(verify(file.site, input + "." + base64UrlEncode(der))) == TokenError::badSignature);

  // A flipped bit in r, or a short signature.
  std::string raw = *base64UrlDecode(good.substr(good.rfind('.') + 1));
  raw[3] = static_cast<char>(raw[3] ^ 1);
  CHECK(errorOf(verify(file.site, input + "." + base64UrlEncode(raw))) == TokenError::badSignature);
  CHECK(errorOf(verify(file.site, input + "." + base64UrlEncode(raw.substr(0, 63)))) == TokenError::badSignature);
  // Another key's signature.
  CHECK(errorOf(verify(file.site, token(ecKey(), "ES256", "e1"))) == TokenError::badSignature);
}

TEST_CASE("HS256 stays on tokenSecret and its site claim, also on a site with a provider", "[oidc]") {
  FileSite file;
  TokenClaims claims;
  claims.subject = "u-2";
  claims.expiresAt = kNow + 600;
  claims.issuedAt = kNow;
  const TokenResult hs = verify(file.site, signToken(claims, "shop", kSecret));
  REQUIRE(hs);
  CHECK(hs.value().subject == "u-2");
  CHECK(errorOf(verify(file.site, signToken(claims, "docs", kSecret))) == TokenError::wrongSite);
  // site is required for HS256 only: the provider's token above had none.
  CHECK(errorOf(verify(file.site, hmacToken(kSecret, {{"sub", "u-2"}, {"exp", kNow + 600}}))) ==
        TokenError::missingClaim);

  // A site without a provider takes no RS256 token.
  SiteConfig plain = file.site;
  plain.oidc.reset();
  plain.oidcKeys.reset();
  CHECK(errorOf(verify(plain, token(keys().rsa, "RS256", "r1"))) == TokenError::unsupportedAlgorithm);
  CHECK(verify(plain, signToken(claims, "shop", kSecret)));
}

TEST_CASE("the header's kid chooses the key, and no kid means the only key", "[oidc]") {
  FileSite file;
  CHECK(verify(file.site, token(keys().rsa, "RS256", "r1")));
  CHECK(verify(file.site, token(keys().ec, "ES256", "e1")));
  // Signed with r1's key but naming another kid of the same type.
  const std::string other = file.dir.write("two.json", jwks({jwk(keys().rsa, "r1"), jwk(keys().rsa2, "r2")}));
  const SiteConfig two = siteFrom(oidcWith(R"("jwksFile":")" + other + "\""));
  CHECK(errorOf(verify(two, token(keys().rsa, "RS256", "r2"))) == TokenError::badSignature);
  CHECK(verify(two, token(keys().rsa2, "RS256", "r2")));

  const TokenResult unknown = verify(file.site, token(keys().rsa, "RS256", "nope"));
  CHECK(errorOf(unknown) == TokenError::unknownKey);
  CHECK_THAT(unknown.error().message, Contains("no key nope"));

  // A kid is printable text of at most 256 bytes; an HS256 token's kid is ignored, as it always was.
  json::object odd = header("RS256");
  odd["kid"] = 7;
  CHECK(errorOf(verify(file.site, signedToken(keys().rsa, odd, claims()))) == TokenError::malformed);
  odd["kid"] = std::string(257, 'k');
  CHECK(errorOf(verify(file.site, signedToken(keys().rsa, odd, claims()))) == TokenError::malformed);
  json::object hsPayload = claims();
  hsPayload["site"] = "shop";
  CHECK(verify(file.site, hmacToken(kSecret, hsPayload, R"({"alg":"HS256","kid":7})")));

  // No kid: fine with one key, refused with two.
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", ""))) == TokenError::unknownKey);
  const std::string one = file.dir.write("one.json", jwks({jwk(keys().rsa, "")}));
  CHECK(verify(siteFrom(oidcWith(R"("jwksFile":")" + one + "\"")), token(keys().rsa, "RS256", "")));

  // A PEM file names its kid in the sites file.
  const std::string rsaPem = file.dir.write("r.pem", pem(keys().rsa));
  const std::string ecPem = file.dir.write("e.pem", pem(keys().ec));
  const SiteConfig pems =
      siteFrom(oidcWith(R"("publicKeyFiles":{"kid-1":")" + rsaPem + R"(","kid-2":")" + ecPem + "\"}"));
  CHECK(verify(pems, token(keys().rsa, "RS256", "kid-1")));
  CHECK(verify(pems, token(keys().ec, "ES256", "kid-2")));
  CHECK(errorOf(verify(pems, token(keys().ec, "ES256", "kid-1"))) == TokenError::unsupportedAlgorithm);
}

TEST_CASE("algorithm confusion is refused", "[oidc]") {
  FileSite file;
  const std::string rsaPem = file.dir.write("r.pem", pem(keys().rsa));
  const SiteConfig pemSite = siteFrom(oidcWith(R"("publicKeyFiles":{"k":")" + rsaPem + "\"}"));

  SECTION("alg none, in any case, and other algorithms") {
    for (const char* alg : {"none", "None", "NONE", "nOnE", "rs256", "RS512", "PS256", "ES384", "HS512", "EdDSA"}) {
      const std::string input =
          base64UrlEncode(json::serialize(header(alg, "r1"))) + "." + base64UrlEncode(json::serialize(claims()));
      CHECK(errorOf(verify(file.site, input + ".")) == TokenError::unsupportedAlgorithm);
      CHECK(errorOf(verify(file.site, input + "." + base64UrlEncode(signature(keys().rsa, input)))) ==
            TokenError::unsupportedAlgorithm);
    }
  }
  SECTION("HS256 with the public key as the HMAC key") {
    json::object payload = claims();
    payload["site"] = "shop";
    CHECK(errorOf(verify(pemSite, hmacToken(pem(keys().rsa), payload))) == TokenError::badSignature);
    CHECK(errorOf(verify(file.site, hmacToken(jwk(keys().rsa, "r1"), payload))) == TokenError::badSignature);
    std::ifstream in(file.path);
    const std::string wholeJwks{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    CHECK(errorOf(verify(file.site, hmacToken(wholeJwks, payload))) == TokenError::badSignature);
  }
  SECTION("the key's type must be the header's algorithm's") {
    // RS256 naming the EC key, ES256 naming the RSA key: even when signed by that very key.
    CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "e1"))) == TokenError::unsupportedAlgorithm);
    CHECK(errorOf(verify(file.site, token(keys().ec, "RS256", "e1"))) == TokenError::unsupportedAlgorithm);
    CHECK(errorOf(verify(file.site, token(keys().ec, "ES256", "r1"))) == TokenError::unsupportedAlgorithm);
    CHECK(errorOf(verify(file.site, token(keys().rsa, "ES256", "r1"))) == TokenError::unsupportedAlgorithm);
  }
  SECTION("an ES256 key must be on P-256") {
    const std::string path = file.dir.write("p384.json", jwks({jwk(keys().p384, "p3"), jwk(keys().rsa, "r1")}));
    const TokenResult result =
        verify(siteFrom(oidcWith(R"("jwksFile":")" + path + "\"")), token(keys().p384, "ES256", "p3"));
    CHECK(errorOf(result) == TokenError::unknownKey);
    CHECK_THAT(result.error().message, Contains("P-256"));
    const std::string p384Pem = file.dir.write("p384.pem", pem(keys().p384));
    CHECK_THAT(parseSiteConfig(sitesFile(oidcWith(R"("publicKeyFiles":{"k":")" + p384Pem + "\"}"))).error().message,
               StartsWith("sites[0].oidc.publicKeyFiles.k: ") && Contains("P-256"));
  }
  SECTION("a JWK for encryption, or for another algorithm, verifies nothing") {
    const std::string path = file.dir.write(
        "uses.json",
        jwks({jwk(keys().rsa, "enc", R"(,"use":"enc")"), jwk(keys().rsa, "sig", R"(,"use":"sig")"),
              jwk(keys().rsa, "rs512", R"(,"alg":"RS512")"), jwk(keys().rsa, "hs", R"(,"alg":"HS256")"),
              jwk(keys().ec, "es-as-rs", R"(,"alg":"RS256")"), jwk(keys().rsa, "rs", R"(,"alg":"RS256")")}));
    const SiteConfig site = siteFrom(oidcWith(R"("jwksFile":")" + path + "\""));
    const TokenResult enc = verify(site, token(keys().rsa, "RS256", "enc"));
    CHECK(errorOf(enc) == TokenError::unknownKey);
    CHECK_THAT(enc.error().message, Contains("not for signatures"));
    CHECK(verify(site, token(keys().rsa, "RS256", "sig")));
    CHECK(verify(site, token(keys().rsa, "RS256", "rs")));
    for (const char* kid : {"rs512", "hs", "es-as-rs"}) {
      const TokenResult refused = verify(site, token(keys().rsa, "RS256", kid));
      CHECK(errorOf(refused) == TokenError::unknownKey);
      CHECK_THAT(refused.error().message, Contains("was refused") && Contains("alg"));
    }
  }
  SECTION("critical header extensions") {
    json::object withCrit = header("RS256", "r1");
    withCrit["crit"] = json::array{"exp"};
    CHECK(errorOf(verify(file.site, signedToken(keys().rsa, withCrit, claims()))) == TokenError::unsupportedAlgorithm);
  }
}

TEST_CASE("RSA keys under 2048 bits are refused when loaded", "[oidc]") {
  TempDir dir;
  const std::string path = dir.write("weak.json", jwks({jwk(keys().weak, "weak"), jwk(keys().rsa, "r1")}));
  const SiteConfig site = siteFrom(oidcWith(R"("jwksFile":")" + path + "\""));
  const TokenResult weak = verify(site, token(keys().weak, "RS256", "weak"));
  CHECK(errorOf(weak) == TokenError::unknownKey);
  CHECK_THAT(weak.error().message, Contains("1024 bits") && Contains("2048"));
  CHECK(verify(site, token(keys().rsa, "RS256", "r1")));

  // A source with nothing but a weak key, or a weak PEM key, stops the server at start-up.
  const std::string onlyWeak = dir.write("only-weak.json", jwks({jwk(keys().weak, "weak")}));
  CHECK_THAT(parseSiteConfig(sitesFile(oidcWith(R"("jwksFile":")" + onlyWeak + "\""))).error().message,
             StartsWith("sites[0].oidc.jwksFile: ") && Contains("1024 bits"));
  const std::string weakPem = dir.write("weak.pem", pem(keys().weak));
  CHECK(parseSiteConfig(sitesFile(oidcWith(R"("publicKeyFiles":{"old":")" + weakPem + "\"}"))).error().message ==
        "sites[0].oidc.publicKeyFiles.old: " + weakPem + " is an RSA key of 1024 bits; at least 2048 are needed");
}

TEST_CASE("iss and aud must be the site's provider's", "[oidc]") {
  FileSite file;
  json::object payload = claims();
  payload["iss"] = "https://tenant.example.com";  // no trailing slash: exact match only
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload))) == TokenError::wrongIssuer);
  payload.erase("iss");
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload))) == TokenError::missingClaim);

  payload = claims();
  payload["aud"] = json::array{"other", kAudience};
  CHECK(verify(file.site, token(keys().rsa, "RS256", "r1", payload)));
  payload["aud"] = json::array{"other", "kring-demo-2"};
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload))) == TokenError::wrongAudience);
  payload["aud"] = "kring";
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload))) == TokenError::wrongAudience);
  payload.erase("aud");
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload))) == TokenError::missingClaim);
}

TEST_CASE("a provider's token obeys the site's clock rules", "[oidc]") {
  FileSite file;
  json::object payload = claims();
  payload.erase("exp");
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload))) == TokenError::missingClaim);

  const std::string good = token(keys().rsa, "RS256", "r1");
  CHECK(errorOf(verify(file.site, good, kNow + 600)) == TokenError::expired);
  CHECK(verify(file.site, good, kNow + 600, TokenRules{30, 24 * 3600}));
  CHECK(errorOf(verify(file.site, good, kNow - 5)) == TokenError::notYetValid);  // iat in the future

  payload = claims();
  payload["nbf"] = kNow + 60;
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload))) == TokenError::notYetValid);
  CHECK(verify(file.site, token(keys().rsa, "RS256", "r1", payload), kNow, TokenRules{60, 24 * 3600}));

  // The site's longest lifetime: an hour-long token on a site that allows 15 minutes.
  payload = claims();
  payload["exp"] = kNow + 3600;
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload), kNow, TokenRules{0, 15 * 60})) ==
        TokenError::tooLong);
  payload["exp"] = "soon";
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload))) == TokenError::malformed);
}

TEST_CASE("sub follows the same rules as for HS256 tokens", "[oidc]") {
  FileSite file;
  json::object payload = claims();
  for (const char* reserved : {"guest:abc", "kring:console"}) {
    payload["sub"] = reserved;
    CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload))) == TokenError::reservedSubject);
  }
  payload["sub"] = std::string(129, 'a');
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload))) == TokenError::malformed);
  payload["sub"] = "a\nb";
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload))) == TokenError::malformed);
  payload.erase("sub");
  CHECK(errorOf(verify(file.site, token(keys().rsa, "RS256", "r1", payload))) == TokenError::missingClaim);
}

TEST_CASE("the display name comes from the mapped claim, then preferred_username, then sub", "[oidc]") {
  TempDir dir;
  const std::string path = dir.write("jwks.json", jwks({jwk(keys().rsa, "r1")}));
  const SiteConfig byDefault = siteFrom(oidcWith(R"("jwksFile":")" + path + "\""));
  const SiteConfig byNickname = siteFrom(oidcWith(R"("jwksFile":")" + path + "\"", R"(,"claims":{"name":"nickname"})"));
  auto nameOf = [](const SiteConfig& site, const json::object& payload) {
    const TokenResult result = verify(site, token(keys().rsa, "RS256", "r1", payload));
    REQUIRE(result);
    return result.value().name;
  };
  json::object payload = claims();
  payload["sub"] = "auth0|" + std::string(100, 'x');
  CHECK(nameOf(byDefault, payload) == ("auth0|" + std::string(100, 'x')).substr(0, 64));
  payload["preferred_username"] = "ada.l";
  CHECK(nameOf(byDefault, payload) == "ada.l");
  payload["name"] = "Ada Lovelace";
  CHECK(nameOf(byDefault, payload) == "Ada Lovelace");
  CHECK(nameOf(byNickname, payload) == "ada.l");
  payload["nickname"] = "Countess";
  CHECK(nameOf(byNickname, payload) == "Countess");
  payload["name"] = std::string(70, 'n');  // cut, not refused: the provider did not write it for Kring
  CHECK(nameOf(byDefault, payload) == std::string(64, 'n'));
  payload["name"] = "tab\tname";
  CHECK(nameOf(byDefault, payload) == "ada.l");
}

TEST_CASE("the role comes from rolePath through the site's role map", "[oidc]") {
  TempDir dir;
  const std::string path = dir.write("jwks.json", jwks({jwk(keys().rsa, "r1")}));
  constexpr std::string_view kMap = R"("roles":{"admin":"admin","support":"staff","mods":"moderator"})";
  auto roleOf = [&](std::string_view claimsJson, const json::object& payload) {
    const SiteConfig site = siteFrom(oidcWith(R"("jwksFile":")" + path + "\"", claimsJson));
    const TokenResult result = verify(site, token(keys().rsa, "RS256", "r1", payload));
    REQUIRE(result);
    return result.value().role;
  };
  const std::string auth0 = R"(,"claims":{"rolePath":"https://shop.example/roles",)" + std::string(kMap) + "}";
  const std::string keycloak = R"(,"claims":{"rolePath":"realm_access.roles",)" + std::string(kMap) + "}";

  json::object payload = claims();
  CHECK(roleOf(auth0, payload) == kring::Role::member);  // absent
  payload["https://shop.example/roles"] = json::array{"support"};
  CHECK(roleOf(auth0, payload) == kring::Role::staff);
  payload["https://shop.example/roles"] = json::array{"support", "mods", "shopper"};
  CHECK(roleOf(auth0, payload) == kring::Role::moderator);  // the strongest
  payload["https://shop.example/roles"] = json::array{"shopper", "admin", "mods"};
  CHECK(roleOf(auth0, payload) == kring::Role::admin);
  payload["https://shop.example/roles"] = "mods";  // a single string
  CHECK(roleOf(auth0, payload) == kring::Role::moderator);
  payload["https://shop.example/roles"] = json::array{"moderator", "shopper"};  // not in the map
  CHECK(roleOf(auth0, payload) == kring::Role::member);
  payload["https://shop.example/roles"] = 7;
  CHECK(roleOf(auth0, payload) == kring::Role::member);

  payload = claims();
  payload["realm_access"] = json::object{{"roles", json::array{"offline_access", "mods"}}};
  CHECK(roleOf(keycloak, payload) == kring::Role::moderator);
  payload["realm_access"] = json::object{{"other", json::array{"admin"}}};
  CHECK(roleOf(keycloak, payload) == kring::Role::member);
  // A top-level claim named with dots is tried whole first.
  payload["realm_access.roles"] = json::array{"admin"};
  CHECK(roleOf(keycloak, payload) == kring::Role::admin);

  // Without a map, values that are Kring's role names are taken as they are.
  payload = claims();
  payload["groups"] = json::array{"staff", "editors"};
  CHECK(roleOf(R"(,"claims":{"rolePath":"groups"})", payload) == kring::Role::staff);
  // Without rolePath, a provider's "role" claim means nothing: every member is a member.
  payload["role"] = "admin";
  CHECK(roleOf("", payload) == kring::Role::member);
}

TEST_CASE("key files are read again when they change, at most once a second", "[oidc]") {
  TempDir dir;
  const std::string path = dir.write("jwks.json", jwks({jwk(keys().rsa, "kid-1")}));
  const SiteConfig site = siteFrom(oidcWith(R"("jwksFile":")" + path + "\""));
  CHECK(verify(site, token(keys().rsa, "RS256", "kid-1"), kNow));
  CHECK(errorOf(verify(site, token(keys().rsa2, "RS256", "kid-2"), kNow)) == TokenError::unknownKey);

  dir.write("jwks.json", jwks({jwk(keys().rsa2, "kid-2")}), 10);
  // Within the same second the file is not looked at again.
  CHECK(errorOf(verify(site, token(keys().rsa2, "RS256", "kid-2"), kNow)) == TokenError::unknownKey);
  CHECK(verify(site, token(keys().rsa2, "RS256", "kid-2"), kNow + 1));
  CHECK(errorOf(verify(site, token(keys().rsa, "RS256", "kid-1"), kNow + 1)) == TokenError::unknownKey);

  // A broken rewrite keeps the last good keys.
  dir.write("jwks.json", "{\"keys\":[", 20);
  CHECK(verify(site, token(keys().rsa2, "RS256", "kid-2"), kNow + 2));
  CHECK_THAT(site.oidcKeys->lastProblem(), Contains("not a JWKS"));

  // A PEM file too.
  const std::string pemPath = dir.write("k.pem", pem(keys().rsa));
  const SiteConfig pemSite = siteFrom(oidcWith(R"("publicKeyFiles":{"k":")" + pemPath + "\"}"));
  CHECK(verify(pemSite, token(keys().rsa, "RS256", "k"), kNow));
  dir.write("k.pem", pem(keys().ec), 10);
  CHECK(verify(pemSite, token(keys().ec, "ES256", "k"), kNow + 1));
  CHECK(errorOf(verify(pemSite, token(keys().rsa, "RS256", "k"), kNow + 1)) == TokenError::unsupportedAlgorithm);
}

TEST_CASE("an unknown kid fetches the JWKS again, at most once a minute", "[oidc]") {
  int fetches = 0;
  std::string published = jwks({jwk(keys().rsa, "kid-1")});
  bool down = false;
  const SiteConfig site = fetchingSite([&](const std::string& url) -> FetchResult {
    CHECK(url == "https://tenant.example.com/.well-known/jwks.json");
    ++fetches;
    if (down) return kring::ErrorOf<FetchError>{FetchError::failed, "connection refused"};
    return published;
  });

  // The first token fetches.
  CHECK(verify(site, token(keys().rsa, "RS256", "kid-1"), kNow));
  CHECK(fetches == 1);
  CHECK(verify(site, token(keys().rsa, "RS256", "kid-1"), kNow + 5));
  CHECK(fetches == 1);

  // Forged kids: one fetch a minute however many tokens name them.
  for (int i = 0; i < 50; ++i) {
    CHECK(errorOf(verify(site, token(keys().rsa, "RS256", "forged-" + std::to_string(i)), kNow + 10)) ==
          TokenError::unknownKey);
  }
  CHECK(fetches == 1);
  CHECK(errorOf(verify(site, token(keys().rsa, "RS256", "forged"), kNow + 60)) == TokenError::unknownKey);
  CHECK(fetches == 2);
  CHECK(errorOf(verify(site, token(keys().rsa, "RS256", "forged"), kNow + 119)) == TokenError::unknownKey);
  CHECK(fetches == 2);

  // The provider rotates: the new kid is fetched (a minute after the last fetch) and accepted.
  published = jwks({jwk(keys().rsa, "kid-1"), jwk(keys().ec, "kid-2")});
  CHECK(verify(site, token(keys().ec, "ES256", "kid-2"), kNow + 120));
  CHECK(fetches == 3);

  // A failed fetch keeps the last good keys.
  down = true;
  CHECK(errorOf(verify(site, token(keys().rsa, "RS256", "kid-3"), kNow + 200)) == TokenError::unknownKey);
  CHECK(fetches == 4);
  CHECK_THAT(site.oidcKeys->lastProblem(), Contains("connection refused"));
  CHECK(verify(site, token(keys().ec, "ES256", "kid-2"), kNow + 201));
  CHECK(verify(site, token(keys().rsa, "RS256", "kid-1"), kNow + 201));
  CHECK(fetches == 4);

  // Keys an hour old are fetched again on the next token: a key the provider dropped stops working.
  down = false;
  published = jwks({jwk(keys().ec, "kid-2")});
  CHECK(verify(site, token(keys().rsa, "RS256", "kid-1", claims(kNow + 3000)), kNow + 3000));
  CHECK(fetches == 4);
  const std::int64_t hourLater = kNow + 120 + 3600;
  CHECK(errorOf(verify(site, token(keys().rsa, "RS256", "kid-1", claims(hourLater)), hourLater)) ==
        TokenError::unknownKey);
  CHECK(verify(site, token(keys().ec, "ES256", "kid-2", claims(hourLater)), hourLater));
  CHECK(fetches == 5);
}

TEST_CASE("a failed start-up fetch is not fatal: the first token fetches again", "[oidc]") {
  int fetches = 0;
  bool down = true;
  const SiteConfig site = fetchingSite([&](const std::string&) -> FetchResult {
    ++fetches;
    if (down) return kring::ErrorOf<FetchError>{FetchError::failed, "timed out"};
    return jwks({jwk(keys().rsa, "kid-1")});
  });
  site.oidcKeys->prefetch(kNow);
  CHECK(fetches == 1);
  CHECK_THAT(site.oidcKeys->lastProblem(), Contains("timed out"));
  const TokenResult early = verify(site, token(keys().rsa, "RS256", "kid-1"), kNow + 1);
  CHECK(errorOf(early) == TokenError::unknownKey);
  CHECK_THAT(early.error().message, Contains("timed out"));
  CHECK(fetches == 1);
  down = false;
  CHECK(verify(site, token(keys().rsa, "RS256", "kid-1"), kNow + 60));
  CHECK(fetches == 2);
  CHECK(site.oidcKeys->lastProblem().empty());
}

TEST_CASE("a JWKS is fetched over loopback HTTP from a host allowHttpJwksFrom names", "[oidc]") {
  LoopbackServer server(httpOk(jwks({jwk(keys().rsa, "kid-1"), jwk(keys().ec, "kid-2")})));
  const std::string oidc = oidcWith(R"("jwksUrl":")" + server.url() + "\"", R"(,"allowHttpJwksFrom":["127.0.0.1"])");
  const SiteConfig site = siteFrom(oidc);
  CHECK(server.requests() == 0);  // parsing fetches nothing
  CHECK(verify(site, token(keys().rsa, "RS256", "kid-1"), kNow));
  CHECK(verify(site, token(keys().ec, "ES256", "kid-2"), kNow));
  CHECK(server.requests() == 1);

  // loadSiteConfig fetches at start-up.
  TempDir dir;
  const SiteConfigResult loaded = loadSiteConfig(dir.write("sites.json", sitesFile(oidc)));
  REQUIRE(loaded);
  CHECK(server.requests() == 2);
  CHECK(loaded.value()[0].oidcKeys->lastProblem().empty());

  // Plain http elsewhere is refused, in the sites file and by the fetch itself.
  CHECK_THAT(parseSiteConfig(sitesFile(oidcWith(R"("jwksUrl":")" + server.url() + "\""))).error().message,
             StartsWith("sites[0].oidc.jwksUrl: must be an https:// address"));
  CHECK_FALSE(fetchJwks(server.url(), {}));
  CHECK(fetchJwks(server.url(), {"127.0.0.1"}));
  CHECK(server.requests() == 3);
}

TEST_CASE("a JWKS fetch follows no redirect and reads at most 1 MiB", "[oidc]") {
  LoopbackServer redirect(
      "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/jwks.json\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n");
  const FetchResult moved = fetchJwks(redirect.url(), {"127.0.0.1"});
  REQUIRE_FALSE(moved);
  CHECK_THAT(moved.error().message, Contains("302"));

  LoopbackServer huge(httpOk(std::string(kMaxJwksBytes + 10, ' ')));
  const FetchResult tooLarge = fetchJwks(huge.url(), {"127.0.0.1"});
  REQUIRE_FALSE(tooLarge);

  LoopbackServer missing("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  const FetchResult notFound = fetchJwks(missing.url(), {"127.0.0.1"});
  REQUIRE_FALSE(notFound);
  CHECK_THAT(notFound.error().message, Contains("404"));
}

TEST_CASE("the new token errors have names", "[oidc]") {
  CHECK(tokenErrorName(TokenError::unknownKey) == "unknown_key");
  CHECK(tokenErrorName(TokenError::wrongIssuer) == "wrong_issuer");
  CHECK(tokenErrorName(TokenError::wrongAudience) == "wrong_audience");
}
