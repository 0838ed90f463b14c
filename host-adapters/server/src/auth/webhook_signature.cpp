#include "auth/webhook_signature.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "auth/signing.h"

namespace kring::server {

namespace {

constexpr std::string_view kSecretPrefix = "whsec_";
constexpr std::string_view kSignatureVersion = "v1,";
constexpr std::size_t kShortestKey = 24;  // the specification's bounds: 192 to 512 bits
constexpr std::size_t kLongestKey = 64;

std::string signingInput(std::string_view messageId, std::int64_t timestampSeconds, std::string_view body) {
  std::string input;
  input.reserve(messageId.size() + body.size() + 24);
  input += messageId;
  input += '.';
  input += std::to_string(timestampSeconds);
  input += '.';
  input += body;
  return input;
}

// The distance between two instants without signed overflow: the magnitude always fits in 64 unsigned bits.
std::uint64_t secondsApart(std::int64_t first, std::int64_t second) {
  const auto a = static_cast<std::uint64_t>(first);
  const auto b = static_cast<std::uint64_t>(second);
  return first >= second ? a - b : b - a;
}

}  // namespace

std::optional<std::string> webhookSecretKey(std::string_view secret) {
  if (!secret.starts_with(kSecretPrefix)) return std::nullopt;
  std::optional<std::string> key = base64Decode(secret.substr(kSecretPrefix.size()));
  if (!key || key->size() < kShortestKey || key->size() > kLongestKey) return std::nullopt;
  return key;
}

std::string webhookSignature(std::string_view keyBytes, std::string_view messageId, std::int64_t timestampSeconds,
                             std::string_view body) {
  if (keyBytes.empty()) throw std::invalid_argument("webhook signing key is empty");
  if (messageId.find('.') != std::string_view::npos) throw std::invalid_argument("webhook message id contains '.'");
  const std::optional<Digest> digest = hmacSha256(keyBytes, signingInput(messageId, timestampSeconds, body));
  if (!digest) throw std::runtime_error("HMAC-SHA256 failed for a webhook signature");
  return std::string(kSignatureVersion) + base64Encode(digestBytes(*digest));
}

std::string webhookSignatureHeader(const std::vector<std::string>& keys, std::string_view messageId,
                                   std::int64_t timestampSeconds, std::string_view body) {
  std::string header;
  for (const std::string& key : keys) {
    if (!header.empty()) header += ' ';
    header += webhookSignature(key, messageId, timestampSeconds, body);
  }
  return header;
}

bool webhookSignatureValid(std::string_view header, std::string_view keyBytes, std::string_view messageId,
                           std::int64_t timestampSeconds, std::string_view body, std::int64_t nowSeconds,
                           std::int64_t toleranceSeconds) {
  if (toleranceSeconds < 0 || secondsApart(timestampSeconds, nowSeconds) > std::uint64_t(toleranceSeconds)) {
    return false;
  }
  if (keyBytes.empty() || messageId.find('.') != std::string_view::npos) return false;
  const std::optional<Digest> expected = hmacSha256(keyBytes, signingInput(messageId, timestampSeconds, body));
  if (!expected) return false;
  bool matched = false;
  while (!header.empty()) {
    const std::size_t space = header.find(' ');
    const std::string_view entry = header.substr(0, space);
    header = space == std::string_view::npos ? std::string_view() : header.substr(space + 1);
    if (!entry.starts_with(kSignatureVersion)) continue;
    const std::optional<std::string> signature = base64Decode(entry.substr(kSignatureVersion.size()));
    // No early return: every entry costs the same whichever one matches.
    if (signature && sameSecret(*signature, digestBytes(*expected))) matched = true;
  }
  return matched;
}

std::optional<std::string> newWebhookSecret() {
  std::array<unsigned char, 32> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) return std::nullopt;
  return std::string(kSecretPrefix) +
         base64Encode(std::string_view(reinterpret_cast<const char*>(random.data()), random.size()));
}

}  // namespace kring::server
