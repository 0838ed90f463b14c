#include "auth/guest_credential.h"

#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <vector>

#include "auth/signing.h"
#include "kring/visibility.h"

namespace kring::server {

namespace {

constexpr std::string_view kVersion = "kg1";
// Domain separation: the same site secret signs host tokens, so credentials get a key of their own.
constexpr std::string_view kKeyLabel = "kring guest credential v1";
constexpr std::size_t kRandomBytes = 16;
constexpr std::size_t kRandomIdChars = 22;  // base64url of 16 bytes
constexpr std::size_t kParts = 5;

std::optional<Digest> credentialKey(std::string_view tokenSecret) { return hmacSha256(tokenSecret, kKeyLabel); }

ErrorOf<GuestCredentialError> fail(GuestCredentialError error, std::string message) {
  return {error, std::move(message)};
}

std::vector<std::string_view> splitDots(std::string_view text) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

// Canonical decimal seconds: digits only, no leading zero, so each credential has one spelling.
std::optional<std::int64_t> parseSeconds(std::string_view text) {
  if (text.empty() || text.size() > 18 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The shape only; nothing here is trusted before the signature checks out.
std::optional<GuestCredential> parse(const std::vector<std::string_view>& parts) {
  if (parts.size() != kParts || parts[0] != kVersion) return std::nullopt;
  const std::optional<std::string> random = base64UrlDecode(parts[1]);
  if (parts[1].size() != kRandomIdChars || !random || random->size() != kRandomBytes) return std::nullopt;
  const std::optional<std::int64_t> expiresAt = parseSeconds(parts[3]);
  if (parts[2].empty() || !expiresAt) return std::nullopt;
  return GuestCredential{std::string(parts[1]), std::string(parts[2]), *expiresAt};
}

std::string signingInput(const GuestCredential& credential) {
  return std::string(kVersion) + "." + credential.randomId + "." + credential.site + "." +
         std::to_string(credential.expiresAt);
}

}  // namespace

std::string GuestCredential::memberId() const { return std::string(kGuestIdPrefix) + randomId; }

std::optional<GuestCredential> newGuest(std::string_view site, std::int64_t nowSeconds) {
  std::array<unsigned char, kRandomBytes> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) return std::nullopt;
  const std::string_view bytes(reinterpret_cast<const char*>(random.data()), random.size());
  return GuestCredential{base64UrlEncode(bytes), std::string(site), nowSeconds + kGuestCredentialLifetimeSeconds};
}

std::string signGuestCredential(const GuestCredential& credential, std::string_view tokenSecret) {
  const std::optional<Digest> key = credentialKey(tokenSecret);
  if (!key) return {};
  std::string text = signingInput(credential);
  const std::optional<Digest> signature = hmacSha256(digestBytes(*key), text);
  if (!signature) return {};
  return text + "." + base64UrlEncode(digestBytes(*signature));
}

GuestCredentialResult verifyGuestCredential(std::string_view text, std::string_view tokenSecret,
                                            std::int64_t nowSeconds, std::string_view expectedSite) {
  if (text.size() > kMaxGuestCredentialBytes) {
    return fail(GuestCredentialError::malformed, "The guest credential is too long to be one.");
  }
  const std::vector<std::string_view> parts = splitDots(text);
  std::optional<GuestCredential> credential = parse(parts);
  if (!credential) return fail(GuestCredentialError::malformed, "The guest credential is not one this server issues.");

  const std::optional<Digest> key = credentialKey(tokenSecret);
  const std::optional<std::string> signature = base64UrlDecode(parts[4]);
  const std::string_view presentedInput = text.substr(0, text.rfind('.'));
  const bool signedHere = key && signature && signatureMatches(digestBytes(*key), presentedInput, *signature);
  // The unsigned site field only explains a refusal: another site's credential (signed with its
  // secret) is a likelier mistake than a forgery, and worth naming.
  if (credential->site != expectedSite) {
    return fail(GuestCredentialError::wrongSite, "The guest credential was issued for another site.");
  }
  if (!signedHere) {
    return fail(GuestCredentialError::forged,
                "The guest credential's signature does not match; it was not issued here.");
  }
  if (nowSeconds >= credential->expiresAt) {
    return fail(GuestCredentialError::expired,
                "The guest credential has expired; connect without one to be a new guest.");
  }
  return std::move(*credential);
}

}  // namespace kring::server
