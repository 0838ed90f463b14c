// The public keys that verify a site's RS256 and ES256 tokens: read from a JWKS document (RFC 7517)
// or PEM files, and the signature check itself. Only keys fit for their algorithm are kept: RSA of
// at least 2048 bits for RS256, EC on P-256 for ES256.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kring/reason.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace kring::server {

using PublicKey = std::shared_ptr<EVP_PKEY>;  // freed with EVP_PKEY_free

struct VerificationKey {
  PublicKey key;
  std::string alg;  // "RS256" or "ES256": what the key's type allows (a JWK's alg must agree)
  std::string use;  // a JWK's "use" when given; anything but "sig" never verifies
};

// What a source held: usable keys by kid ("" for a key without one), and why others were left out.
struct KeySet {
  std::map<std::string, VerificationKey> keys;
  std::map<std::string, std::string> refused;  // kid → reason (a weak RSA key, a foreign curve, …)
};

enum class KeyError { unreadable, invalid };
using KeySetResult = Result<KeySet, KeyError>;

inline constexpr int kMinRsaBits = 2048;

// A JWKS document: {"keys":[…]}. Keys of other types (oct, OKP) or unfit ones are listed in
// `refused`; a document that is not a JWKS at all is an error.
KeySetResult parseJwks(std::string_view json);
// One PEM public key (SubjectPublicKeyInfo); an unfit key is an error, with why.
Result<VerificationKey, KeyError> parsePemPublicKey(std::string_view pem);

// Whether `signature` (a JWS signature: PKCS#1 v1.5 for RS256, raw r||s for ES256) signs `input`
// under `key` with `alg`. False too when alg and the key's type disagree.
bool verifySignature(const VerificationKey& key, std::string_view alg, std::string_view input,
                     std::string_view signature);

}  // namespace kring::server
