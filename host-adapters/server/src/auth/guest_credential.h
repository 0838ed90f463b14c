// Guest identities the server issues (docs/auth.md, "Guests"). A guest's member id is
// `guest:<random>`; the credential that proves it is signed by the server, so a visitor keeps
// their identity across visits and nobody else can take it by naming it.
//
//   kg1.<random>.<site>.<expiresAt>.<signature>
//
// <random> is 16 random bytes in base64url (22 characters), <expiresAt> seconds since the epoch,
// <signature> base64url(HMAC-SHA256(key, everything before the last dot)) with
// key = HMAC-SHA256(site tokenSecret, "kring guest credential v1"): a credential can never pass
// for a host token, nor a token for a credential.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kring/reason.h"

namespace kring::server {

inline constexpr std::int64_t kGuestCredentialLifetimeSeconds = 90LL * 24 * 60 * 60;  // 90 days
inline constexpr std::size_t kMaxGuestCredentialBytes = 256;

struct GuestCredential {
  std::string randomId;  // 22 base64url characters (16 bytes); the member id is guest:<randomId>
  std::string site;
  std::int64_t expiresAt = 0;  // seconds since the Unix epoch

  std::string memberId() const;
};

enum class GuestCredentialError { malformed, forged, wrongSite, expired };

using GuestCredentialResult = Result<GuestCredential, GuestCredentialError>;

// A new guest of `site`: a fresh random id, good for kGuestCredentialLifetimeSeconds.
// Nullopt when the system has no randomness to give.
std::optional<GuestCredential> newGuest(std::string_view site, std::int64_t nowSeconds);

// The credential text. Also for tests, which need expired and foreign ones. Empty without a secret.
std::string signGuestCredential(const GuestCredential& credential, std::string_view tokenSecret);

// The guest it proves when signed with this site's secret, for `expectedSite`, unexpired at `nowSeconds`.
GuestCredentialResult verifyGuestCredential(std::string_view text, std::string_view tokenSecret,
                                            std::int64_t nowSeconds, std::string_view expectedSite);

}  // namespace kring::server
