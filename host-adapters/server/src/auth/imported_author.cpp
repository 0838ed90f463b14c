#include "auth/imported_author.h"

#include <stdexcept>

#include "auth/signing.h"
#include "kring/visibility.h"

namespace kring::server {

namespace {

// Domain separation: the same secret signs host tokens and guest credentials.
constexpr std::string_view kKeyLabel = "kring imported author v1";
constexpr std::size_t kHexDigits = 24;  // 96 bits: no two authors of a site meet by chance

std::string keyedId(const SiteConfig& site, std::string_view material) {
  const std::optional<Digest> key = hmacSha256(site.tokenSecret, kKeyLabel);
  const std::optional<Digest> digest = key ? hmacSha256(digestBytes(*key), material) : std::nullopt;
  if (!digest) throw std::runtime_error("HMAC-SHA256 failed for an imported author's id");
  constexpr char kHex[] = "0123456789abcdef";
  std::string id(kImportedIdPrefix);
  for (std::size_t i = 0; i < kHexDigits / 2; ++i) {
    id += kHex[(*digest)[i] >> 4];
    id += kHex[(*digest)[i] & 0x0F];
  }
  return id;
}

std::string_view trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string importedAuthorIdForEmail(const SiteConfig& site, std::string_view email) {
  return keyedId(site, "email\n" + lowered(trimmed(email)));
}

std::string importedAuthorIdForName(const SiteConfig& site, std::string_view source, std::string_view username,
                                    std::string_view name) {
  if (!trimmed(username).empty()) {
    return keyedId(site, "account\n" + std::string(source) + "\n" + lowered(trimmed(username)));
  }
  return keyedId(site, "name\n" + std::string(source) + "\n" + std::string(trimmed(name)));
}

}  // namespace kring::server
