// The signing primitives that the host's tokens and the server's guest credentials share:
// strict base64url (and standard base64) and HMAC-SHA256 with a constant-time check.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace kring::server {

using Digest = std::array<unsigned char, 32>;

std::string base64UrlEncode(std::string_view bytes);
// Strict: the URL-safe alphabet only, no padding, and unused trailing bits zero, so each byte
// string has exactly one accepted encoding.
std::optional<std::string> base64UrlDecode(std::string_view text);
// Standard base64 (RFC 4648 section 4: '+' and '/', with '=' padding), as Standard Webhooks writes it.
// As strict: padding required, nothing else.
std::string base64Encode(std::string_view bytes);
std::optional<std::string> base64Decode(std::string_view text);

// Nullopt when OpenSSL fails or the key is empty: an unset digest must never be compared.
std::optional<Digest> hmacSha256(std::string_view key, std::string_view data);
std::string_view digestBytes(const Digest& digest);

// True when `signature` (raw bytes) is HMAC-SHA256(key, signingInput); compared in constant time.
bool signatureMatches(std::string_view key, std::string_view signingInput, std::string_view signature);

// A key compared in constant time: how much of a guess matched must not show in an answer's timing.
bool sameSecret(std::string_view given, std::string_view expected);

}  // namespace kring::server
