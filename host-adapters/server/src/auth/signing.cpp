#include "auth/signing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>

namespace kring::server {

namespace {

constexpr std::string_view kUrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kStandardAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int valueIn(std::string_view alphabet, char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == alphabet[62]) return 62;
  if (c == alphabet[63]) return 63;
  return -1;
}

std::string encode(std::string_view bytes, std::string_view alphabet, bool padded) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto n = std::uint32_t(std::uint8_t(bytes[i])) << 16 | std::uint32_t(std::uint8_t(bytes[i + 1])) << 8 |
                   std::uint32_t(std::uint8_t(bytes[i + 2]));
    out += alphabet[n >> 18 & 63];
    out += alphabet[n >> 12 & 63];
    out += alphabet[n >> 6 & 63];
    out += alphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    if (rest == 2) n |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
    out += alphabet[n >> 18 & 63];
    out += alphabet[n >> 12 & 63];
    if (rest == 2) out += alphabet[n >> 6 & 63];
    if (padded) out.append(3 - rest, '=');
  }
  return out;
}

// Strict: only the alphabet (and with `padded`, the '=' that make the length a multiple of 4), and
// unused trailing bits zero, so each byte string has exactly one accepted encoding.
std::optional<std::string> decode(std::string_view text, std::string_view alphabet, bool padded) {
  if (padded) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
    text.remove_suffix(padding);
  }
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = valueIn(alphabet, c);
    if (value < 0) return std::nullopt;  // also a third '=', or one before the end
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

}  // namespace

std::string base64UrlEncode(std::string_view bytes) { return encode(bytes, kUrlAlphabet, false); }
std::optional<std::string> base64UrlDecode(std::string_view text) { return decode(text, kUrlAlphabet, false); }
std::string base64Encode(std::string_view bytes) { return encode(bytes, kStandardAlphabet, true); }
std::optional<std::string> base64Decode(std::string_view text) { return decode(text, kStandardAlphabet, true); }

std::optional<Digest> hmacSha256(std::string_view key, std::string_view data) {
  if (key.empty()) return std::nullopt;  // HMAC() refuses a null key, and no site has an empty secret
  Digest digest{};
  unsigned int length = 0;
  const unsigned char* out =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), digest.data(), &length);
  if (out == nullptr || length != digest.size()) return std::nullopt;
  return digest;
}

std::string_view digestBytes(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

bool signatureMatches(std::string_view key, std::string_view signingInput, std::string_view signature) {
  const std::optional<Digest> expected = hmacSha256(key, signingInput);
  return expected && signature.size() == expected->size() &&
         CRYPTO_memcmp(signature.data(), expected->data(), expected->size()) == 0;
}

bool sameSecret(std::string_view given, std::string_view expected) {
  return given.size() == expected.size() && CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace kring::server
