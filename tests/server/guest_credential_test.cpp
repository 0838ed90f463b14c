// The server's guest credentials: what it issues verifies, and every way one is refused.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "auth/guest_credential.h"

using namespace kring::server;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

constexpr std::string_view kSecret = "a-secret-of-at-least-32-bytes-for-tests";
constexpr std::string_view kSite = "demo";
constexpr std::int64_t kNow = 1'700'000'000;
const std::string kRandomId = "AAECAwQFBgcICQoLDA0ODw";  // bytes 0..15

GuestCredentialError errorOf(std::string_view text, std::int64_t now = kNow, std::string_view secret = kSecret) {
  const GuestCredentialResult result = verifyGuestCredential(text, secret, now, kSite);
  REQUIRE_FALSE(result);
  CHECK_FALSE(result.error().message.empty());
  return result.error().code;
}

}  // namespace

TEST_CASE("a new guest has a random id, the site and 90 days, and its credential verifies", "[guest]") {
  const std::optional<GuestCredential> guest = newGuest(kSite, kNow);
  REQUIRE(guest);
  CHECK(guest->randomId.size() == 22);
  CHECK_THAT(guest->memberId(), StartsWith("guest:"));
  CHECK(guest->expiresAt == kNow + 90 * 24 * 3600);

  const std::string text = signGuestCredential(*guest, kSecret);
  CHECK_THAT(text, StartsWith("kg1." + guest->randomId + ".demo."));
  const GuestCredentialResult verified = verifyGuestCredential(text, kSecret, kNow + 3600, kSite);
  REQUIRE(verified);
  CHECK(verified.value().memberId() == guest->memberId());
  CHECK(verified.value().expiresAt == guest->expiresAt);
}

TEST_CASE("guests get different ids", "[guest]") {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.insert(newGuest(kSite, kNow)->memberId());
  CHECK(ids.size() == 100);
}

TEST_CASE("an expired, forged or foreign guest credential is refused", "[guest]") {
  const std::string good = signGuestCredential(GuestCredential{kRandomId, "demo", kNow + 10}, kSecret);
  CHECK(verifyGuestCredential(good, kSecret, kNow + 9, kSite));
  CHECK(errorOf(good, kNow + 10) == GuestCredentialError::expired);
  CHECK_THAT(verifyGuestCredential(good, kSecret, kNow + 10, kSite).error().message, Contains("expired"));

  // Signed with another secret, or with the site secret itself rather than the derived key.
  CHECK(errorOf(signGuestCredential(GuestCredential{kRandomId, "demo", kNow + 10},
                                    "another-secret-of-32-bytes-at-least!")) == GuestCredentialError::forged);
  // A changed expiry or id breaks the signature.
  std::string longer = good;
  longer.replace(longer.find(std::to_string(kNow + 10)), 10, std::to_string(kNow + 99).substr(0, 10));
  CHECK(errorOf(longer) == GuestCredentialError::forged);
  std::string otherId = good;
  otherId[5] = otherId[5] == 'B' ? 'C' : 'B';
  CHECK(errorOf(otherId) == GuestCredentialError::forged);

  const std::string foreign = signGuestCredential(GuestCredential{kRandomId, "shop", kNow + 10}, kSecret);
  CHECK(errorOf(foreign) == GuestCredentialError::wrongSite);
  CHECK_THAT(verifyGuestCredential(foreign, kSecret, kNow, kSite).error().message, Contains("another site"));
}

TEST_CASE("a guest credential that is not the server's shape is malformed", "[guest]") {
  const std::string good = signGuestCredential(GuestCredential{kRandomId, "demo", kNow + 10}, kSecret);
  CHECK(errorOf("") == GuestCredentialError::malformed);
  CHECK(errorOf("guest:visitor-1") == GuestCredentialError::malformed);
  CHECK(errorOf("kg2" + good.substr(3)) == GuestCredentialError::malformed);
  CHECK(errorOf(good + ".x") == GuestCredentialError::malformed);
  CHECK(errorOf(std::string(300, 'a')) == GuestCredentialError::malformed);
  // A random id of another length, or an expiry with a second spelling.
  CHECK(errorOf(signGuestCredential(GuestCredential{"AAAA", "demo", kNow + 10}, kSecret)) ==
        GuestCredentialError::malformed);
  std::string padded = good;
  padded.insert(padded.find(".demo.") + 6, "0");
  CHECK(errorOf(padded) == GuestCredentialError::malformed);
}
