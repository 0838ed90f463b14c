#include "auth/public_key.h"

#include "auth/signing.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <array>
#include <boost/json.hpp>

namespace kring::server {

namespace json = boost::json;

namespace {

// OpenSSL objects freed when they go out of scope.
template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Freer<T, Free>>;
using Bignum = Owned<BIGNUM, BN_free>;
using ParamBuilder = Owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using Params = Owned<OSSL_PARAM, OSSL_PARAM_free>;
using KeyContext = Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using Bio = Owned<BIO, BIO_free_all>;
using DigestContext = Owned<EVP_MD_CTX, EVP_MD_CTX_free>;
using EcSignature = Owned<ECDSA_SIG, ECDSA_SIG_free>;

ErrorOf<KeyError> invalid(std::string message) { return {KeyError::invalid, std::move(message)}; }

PublicKey share(EVP_PKEY* key) { return PublicKey(key, EVP_PKEY_free); }

std::string_view view(const json::string& s) { return {s.data(), s.size()}; }

Bignum bignum(std::string_view bytes) {
  return Bignum(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
}

// Builds a public key of `type` ("RSA", "EC") from parameters; null when OpenSSL refuses them.
PublicKey fromParams(const char* type, const OSSL_PARAM* params) {
  KeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!context || EVP_PKEY_fromdata_init(context.get()) <= 0 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) <= 0) {
    return nullptr;
  }
  PublicKey shared = share(key);
  // fromdata does not promise the point is on the curve (or the modulus sane): check.
  KeyContext check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) <= 0) return nullptr;
  return shared;
}

// The algorithm a key may verify, or why it may verify none.
Result<std::string, KeyError> algorithmFor(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < kMinRsaBits) {
      return invalid("an RSA key of " + std::to_string(bits) + " bits; at least " + std::to_string(kMinRsaBits) +
                     " are needed");
    }
    return std::string("RS256");
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    std::array<char, 64> group{};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(), &length) <= 0 ||
        std::string_view(group.data(), length) != "prime256v1") {
      return invalid("an EC key not on P-256 (ES256 needs P-256)");
    }
    return std::string("ES256");
  }
  return invalid("neither an RSA nor an EC key");
}

std::optional<std::string> member(const json::object& jwk, std::string_view name) {
  const json::value* value = jwk.if_contains(json::string_view(name.data(), name.size()));
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(view(value->get_string()));
}

std::optional<std::string> decodedMember(const json::object& jwk, std::string_view name) {
  std::optional<std::string> text = member(jwk, name);
  return text ? base64UrlDecode(*text) : std::nullopt;
}

Result<PublicKey, KeyError> rsaFromJwk(const json::object& jwk) {
  const std::optional<std::string> n = decodedMember(jwk, "n");
  const std::optional<std::string> e = decodedMember(jwk, "e");
  if (!n || !e || n->empty() || e->empty()) return invalid("an RSA JWK needs n and e in base64url");
  Bignum modulus = bignum(*n);
  Bignum exponent = bignum(*e);
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!modulus || !exponent || !builder ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get())) {
    return invalid("the RSA JWK could not be read");
  }
  Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  PublicKey key = params ? fromParams("RSA", params.get()) : nullptr;
  if (!key) return invalid("the RSA JWK is not a valid key");
  return key;
}

Result<PublicKey, KeyError> ecFromJwk(const json::object& jwk) {
  if (member(jwk, "crv") != "P-256") return invalid("an EC JWK must have crv P-256 (ES256)");
  const std::optional<std::string> x = decodedMember(jwk, "x");
  const std::optional<std::string> y = decodedMember(jwk, "y");
  if (!x || !y || x->size() != 32 || y->size() != 32) return invalid("a P-256 JWK needs x and y of 32 bytes");
  const std::string point = '\x04' + *x + *y;  // uncompressed SEC1 point
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder || !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    return invalid("the EC JWK could not be read");
  }
  Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  PublicKey key = params ? fromParams("EC", params.get()) : nullptr;
  if (!key) return invalid("the EC JWK is not a point on P-256");
  return key;
}

// One JWK: a usable key, or why not.
Result<VerificationKey, KeyError> keyFromJwk(const json::object& jwk) {
  const std::optional<std::string> kty = member(jwk, "kty");
  Result<PublicKey, KeyError> key = kty == "RSA"  ? rsaFromJwk(jwk)
                                    : kty == "EC" ? ecFromJwk(jwk)
                                                  : Result<PublicKey, KeyError>(invalid("kty is neither RSA nor EC"));
  if (!key) return key.error();
  Result<std::string, KeyError> alg = algorithmFor(key.value().get());
  if (!alg) return alg.error();
  VerificationKey out{std::move(key.value()), std::move(alg.value()), member(jwk, "use").value_or("")};
  // A JWK that names its algorithm must name the one its type allows: no RSA key for "HS256".
  if (std::optional<std::string> named = member(jwk, "alg"); named && *named != out.alg) {
    return invalid("its alg " + *named + " is not " + out.alg);
  }
  return out;
}

// ES256's JWS signature is r||s, 32 bytes each; OpenSSL verifies DER.
std::optional<std::string> derFromRaw(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  EcSignature signature(ECDSA_SIG_new());
  Bignum r = bignum(raw.substr(0, 32));
  Bignum s = bignum(raw.substr(32));
  if (!signature || !r || !s || !ECDSA_SIG_set0(signature.get(), r.get(), s.get())) return std::nullopt;
  (void)r.release();  // owned by the signature now
  (void)s.release();
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(signature.get(), &der);
  if (length <= 0) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

}  // namespace

KeySetResult parseJwks(std::string_view text) {
  json::error_code ec;
  json::value document = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !document.is_object()) return invalid("not a JSON object");
  const json::value* keys = document.get_object().if_contains("keys");
  if (keys == nullptr || !keys->is_array()) return invalid("has no \"keys\" array (not a JWKS)");
  KeySet set;
  for (const json::value& item : keys->get_array()) {
    if (!item.is_object()) return invalid("a key in \"keys\" is not an object");
    const json::value* kidValue = item.get_object().if_contains("kid");
    const std::string kid =
        kidValue != nullptr && kidValue->is_string() ? std::string(view(kidValue->get_string())) : "";
    if (set.keys.contains(kid) || set.refused.contains(kid)) continue;  // the first of a kid counts
    Result<VerificationKey, KeyError> key = keyFromJwk(item.get_object());
    if (key) {
      set.keys.emplace(kid, std::move(key.value()));
    } else {
      set.refused.emplace(kid, key.error().message);
    }
  }
  return set;
}

Result<VerificationKey, KeyError> parsePemPublicKey(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* raw = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (raw == nullptr) return invalid("not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  PublicKey key = share(raw);
  Result<std::string, KeyError> alg = algorithmFor(key.get());
  if (!alg) return alg.error();
  return VerificationKey{std::move(key), std::move(alg.value()), "sig"};
}

bool verifySignature(const VerificationKey& key, std::string_view alg, std::string_view input,
                     std::string_view signature) {
  if (!key.key || alg != key.alg) return false;  // the key's type decides the algorithm, never the token
  std::string der;
  if (alg == "ES256") {
    std::optional<std::string> converted = derFromRaw(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  DigestContext context(EVP_MD_CTX_new());
  return context && EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key.key.get()) == 1 &&
         EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

}  // namespace kring::server
