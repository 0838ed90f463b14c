// Outgoing webhook signatures as the Standard Webhooks specification (https://www.standardwebhooks.com/) defines
// them, so that a receiver can check a delivery with any of the specification's libraries: HMAC-SHA256 over
// `id.timestamp.body`, sent in the `webhook-signature` header as "v1," + standard base64, one entry per key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/signing.h"

namespace kring::server {

// The key bytes of a secret written as shown to endpoint owners: "whsec_" + standard base64 of 24 to 64 random
// bytes. Nullopt when the prefix is missing, the base64 is malformed or the key is shorter or longer.
std::optional<std::string> webhookSecretKey(std::string_view secret);
// A new secret as endpoint owners are shown it: "whsec_" and the base64 of 32 random bytes (nullopt if
// the system's random source fails).
std::optional<std::string> newWebhookSecret();

// "v1," + base64 of HMAC-SHA256(keyBytes, messageId + "." + timestamp + "." + body), timestamp in decimal
// Unix seconds. The id is server-made and must not contain '.', which would let two (id, timestamp) pairs
// sign the same bytes. Throws std::invalid_argument for an empty key or an id with '.', std::runtime_error
// when OpenSSL fails.
std::string webhookSignature(std::string_view keyBytes, std::string_view messageId, std::int64_t timestampSeconds,
                             std::string_view body);

// The `webhook-signature` header value: one signature per key, space-separated, in the order given. While a
// secret rotates, the old and the new key both sign, so receivers that know either keep accepting deliveries.
// Empty when `keys` is empty: the caller must not send an unsigned webhook. Throws as webhookSignature.
std::string webhookSignatureHeader(const std::vector<std::string>& keys, std::string_view messageId,
                                   std::int64_t timestampSeconds, std::string_view body);

// What a receiver does, here for tests and to keep the documentation honest: true when any "v1,..." entry of
// `header` is the signature under keyBytes (compared in constant time; other versions such as "v1a" are
// skipped) and the timestamp is within toleranceSeconds of nowSeconds either way (a replay guard). False,
// never a throw, for anything malformed.
bool webhookSignatureValid(std::string_view header, std::string_view keyBytes, std::string_view messageId,
                           std::int64_t timestampSeconds, std::string_view body, std::int64_t nowSeconds,
                           std::int64_t toleranceSeconds = 300);

}  // namespace kring::server
