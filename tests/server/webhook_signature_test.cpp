// Outgoing webhooks: signatures as the Standard Webhooks libraries compute and check them (the known answer
// below is the one those libraries test against), and the SSRF guard's address classes at each range's edges.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "auth/webhook_signature.h"
#include "http/address_class.h"

using namespace kring::server;

namespace {

// From standard-webhooks/standard-webhooks: libraries/go/webhook_test.go TestWebhookSign,
// libraries/javascript/src/webhook.test.ts, libraries/csharp/.../WebhookTest.cs and the Java TestScenario.
constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kMessageId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kTimestamp = 1614265330;
constexpr std::string_view kBody = R"({"test": 2432232314})";
constexpr std::string_view kExpected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::string knownKey() {
  const std::optional<std::string> key = webhookSecretKey(kSecret);
  REQUIRE(key);
  return *key;
}

std::string secretOfLength(std::size_t bytes) { return "whsec_" + base64Encode(std::string(bytes, '\x5a')); }

AddressClass classOf(const char* text) { return classifyAddress(boost::asio::ip::make_address(text)); }

}  // namespace

TEST_CASE("Standard base64 matches the RFC 4648 vectors and decodes strictly", "[webhook]") {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [bytes, text] : vectors) {
    CHECK(base64Encode(bytes) == text);
    CHECK(base64Decode(text) == bytes);
  }
  CHECK(base64Encode("\xfb\xff") == "+/8=");
  CHECK(base64Decode("+/8=") == std::string("\xfb\xff"));

  CHECK_FALSE(base64Decode("Zg"));        // padding required
  CHECK_FALSE(base64Decode("Zg="));       // length not a multiple of four
  CHECK_FALSE(base64Decode("Zh=="));      // unused bits set: not the one encoding of "f"
  CHECK_FALSE(base64Decode("Z==="));      // three '='
  CHECK_FALSE(base64Decode("Zg==Zm9v"));  // '=' before the end
  CHECK_FALSE(base64Decode("-_8="));      // the base64url alphabet
  CHECK_FALSE(base64Decode("Zm9 v"));     // whitespace
}

TEST_CASE("A webhook secret is whsec_ and the base64 of 24 to 64 key bytes", "[webhook]") {
  CHECK(knownKey().size() == 24);
  CHECK(webhookSecretKey(secretOfLength(64)) == std::string(64, '\x5a'));
  CHECK(webhookSecretKey(secretOfLength(32)) == std::string(32, '\x5a'));

  CHECK_FALSE(webhookSecretKey(secretOfLength(23)));
  CHECK_FALSE(webhookSecretKey(secretOfLength(65)));
  CHECK_FALSE(webhookSecretKey("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));        // no prefix
  CHECK_FALSE(webhookSecretKey("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));  // prefix is case-sensitive
  CHECK_FALSE(webhookSecretKey("whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));   // an asymmetric secret key
  CHECK_FALSE(webhookSecretKey("whsec_"));
  CHECK_FALSE(webhookSecretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS"));    // truncated: bad length
  CHECK_FALSE(webhookSecretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-w"));   // base64url character
  CHECK_FALSE(webhookSecretKey(" whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));  // stray whitespace
}

TEST_CASE("The known-answer vector of the Standard Webhooks libraries", "[webhook]") {
  const std::string key = knownKey();
  CHECK(webhookSignature(key, kMessageId, kTimestamp, kBody) == kExpected);
  CHECK(webhookSignatureHeader({key}, kMessageId, kTimestamp, kBody) == kExpected);
  CHECK(webhookSignatureValid(kExpected, key, kMessageId, kTimestamp, kBody, kTimestamp));
}

TEST_CASE("While a secret rotates both keys sign and either verifies", "[webhook]") {
  const std::string oldKey = knownKey();
  const std::string newKey = *webhookSecretKey(secretOfLength(32));
  const std::string header = webhookSignatureHeader({oldKey, newKey}, kMessageId, kTimestamp, kBody);
  CHECK(header == std::string(kExpected) + " " + webhookSignature(newKey, kMessageId, kTimestamp, kBody));
  CHECK(header.find(' ') != std::string::npos);
  CHECK(webhookSignatureValid(header, oldKey, kMessageId, kTimestamp, kBody, kTimestamp));
  CHECK(webhookSignatureValid(header, newKey, kMessageId, kTimestamp, kBody, kTimestamp));

  const std::string otherKey = *webhookSecretKey(secretOfLength(40));
  CHECK_FALSE(webhookSignatureValid(header, otherKey, kMessageId, kTimestamp, kBody, kTimestamp));
  CHECK(webhookSignatureHeader({}, kMessageId, kTimestamp, kBody).empty());
}

TEST_CASE("A changed body, id or timestamp is refused", "[webhook]") {
  const std::string key = knownKey();
  const std::string header = std::string(kExpected);
  CHECK_FALSE(webhookSignatureValid(header, key, kMessageId, kTimestamp, R"({"test": 2432232315})", kTimestamp));
  CHECK_FALSE(webhookSignatureValid(header, key, kMessageId, kTimestamp, R"({"test":2432232314})", kTimestamp));
  CHECK_FALSE(webhookSignatureValid(header, key, kMessageId, kTimestamp, "", kTimestamp));
  CHECK_FALSE(webhookSignatureValid(header, key, "msg_p5jXN8AQM9LWM0D4loKWxJeK", kTimestamp, kBody, kTimestamp));
  CHECK_FALSE(webhookSignatureValid(header, key, kMessageId, kTimestamp + 1, kBody, kTimestamp));
  CHECK_FALSE(webhookSignatureValid(header, key.substr(1), kMessageId, kTimestamp, kBody, kTimestamp));
}

TEST_CASE("Malformed or foreign signature entries are refused", "[webhook]") {
  const std::string key = knownKey();
  const auto valid = [&](std::string_view header) {
    return webhookSignatureValid(header, key, kMessageId, kTimestamp, kBody, kTimestamp);
  };
  CHECK_FALSE(valid(""));
  CHECK_FALSE(valid("v1,"));
  CHECK_FALSE(valid("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));      // no version
  CHECK_FALSE(valid("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));   // another version (Java TestScenario)
  CHECK_FALSE(valid("v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));  // the asymmetric identifier
  CHECK_FALSE(valid("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLawdd"));    // the C# library's broken one
  CHECK_FALSE(valid("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE"));    // padding dropped
  CHECK_FALSE(valid("v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE="));   // base64url
  CHECK_FALSE(valid("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=x"));
  CHECK_FALSE(valid("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ"));  // a prefix of the digest

  // Entries the receiver does not understand sit beside the one it does.
  CHECK(valid("v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg== " +
              std::string(kExpected)));
  CHECK(valid("v1,bm9wZQ== " + std::string(kExpected) + " v2,abc"));
  CHECK(valid("  " + std::string(kExpected) + "  "));
}

TEST_CASE("A timestamp outside the tolerance is refused either way", "[webhook]") {
  const std::string key = knownKey();
  const auto validAt = [&](std::int64_t now, std::int64_t tolerance) {
    return webhookSignatureValid(kExpected, key, kMessageId, kTimestamp, kBody, now, tolerance);
  };
  CHECK(validAt(kTimestamp + 300, 300));
  CHECK(validAt(kTimestamp - 300, 300));
  CHECK_FALSE(validAt(kTimestamp + 301, 300));                                                    // too old: a replay
  CHECK_FALSE(validAt(kTimestamp - 301, 300));                                                    // too new
  CHECK(webhookSignatureValid(kExpected, key, kMessageId, kTimestamp, kBody, kTimestamp + 299));  // default 300
  CHECK_FALSE(webhookSignatureValid(kExpected, key, kMessageId, kTimestamp, kBody, kTimestamp + 301));
  CHECK(validAt(kTimestamp, 0));
  CHECK_FALSE(validAt(kTimestamp + 1, 0));
  CHECK_FALSE(validAt(kTimestamp, -1));
  CHECK_FALSE(validAt(std::numeric_limits<std::int64_t>::min(), 300));  // no overflow into "close"
  CHECK_FALSE(validAt(std::numeric_limits<std::int64_t>::max(), 300));
  CHECK(validAt(std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max()));
}

TEST_CASE("Signing refuses an empty key and an id with a full stop", "[webhook]") {
  const std::string key = knownKey();
  CHECK_THROWS_AS(webhookSignature("", kMessageId, kTimestamp, kBody), std::invalid_argument);
  CHECK_THROWS_AS(webhookSignature(key, "msg.1", kTimestamp, kBody), std::invalid_argument);
  CHECK_THROWS_AS(webhookSignatureHeader({key, ""}, kMessageId, kTimestamp, kBody), std::invalid_argument);
  CHECK_FALSE(webhookSignatureValid(kExpected, "", kMessageId, kTimestamp, kBody, kTimestamp));
  // "msg" + "." + "1.2" signs the same bytes as "msg.1" + "." + "2": such ids never verify.
  const std::string shifted = webhookSignature(key, "msg", 1, "2.body");
  CHECK_FALSE(webhookSignatureValid(shifted, key, "msg.1", 2, "body", 2));
}

TEST_CASE("IPv4 private, loopback, link-local and carrier-grade NAT ranges", "[webhook][address]") {
  CHECK(classOf("10.0.0.0") == AddressClass::privateNetwork);
  CHECK(classOf("10.255.255.255") == AddressClass::privateNetwork);
  CHECK(classOf("9.255.255.255") == AddressClass::publicAddress);
  CHECK(classOf("11.0.0.0") == AddressClass::publicAddress);

  CHECK(classOf("172.15.255.255") == AddressClass::publicAddress);
  CHECK(classOf("172.16.0.0") == AddressClass::privateNetwork);
  CHECK(classOf("172.20.1.2") == AddressClass::privateNetwork);
  CHECK(classOf("172.31.255.255") == AddressClass::privateNetwork);
  CHECK(classOf("172.32.0.0") == AddressClass::publicAddress);

  CHECK(classOf("192.167.255.255") == AddressClass::publicAddress);
  CHECK(classOf("192.168.0.0") == AddressClass::privateNetwork);
  CHECK(classOf("192.168.255.255") == AddressClass::privateNetwork);
  CHECK(classOf("192.169.0.0") == AddressClass::publicAddress);

  CHECK(classOf("100.63.255.255") == AddressClass::publicAddress);
  CHECK(classOf("100.64.0.0") == AddressClass::privateNetwork);
  CHECK(classOf("100.127.255.255") == AddressClass::privateNetwork);
  CHECK(classOf("100.128.0.0") == AddressClass::publicAddress);

  CHECK(classOf("127.0.0.1") == AddressClass::loopback);
  CHECK(classOf("127.255.255.255") == AddressClass::loopback);
  CHECK(classOf("126.255.255.255") == AddressClass::publicAddress);
  CHECK(classOf("128.0.0.0") == AddressClass::publicAddress);

  CHECK(classOf("169.254.169.254") == AddressClass::linkLocal);  // cloud metadata service
  CHECK(classOf("169.254.0.0") == AddressClass::linkLocal);
  CHECK(classOf("169.254.255.255") == AddressClass::linkLocal);
  CHECK(classOf("169.253.255.255") == AddressClass::publicAddress);
  CHECK(classOf("169.255.0.0") == AddressClass::publicAddress);
}

TEST_CASE("IPv4 unspecified, multicast and reserved ranges", "[webhook][address]") {
  CHECK(classOf("0.0.0.0") == AddressClass::unspecified);
  CHECK(classOf("0.0.0.1") == AddressClass::reserved);
  CHECK(classOf("0.255.255.255") == AddressClass::reserved);
  CHECK(classOf("1.0.0.0") == AddressClass::publicAddress);

  CHECK(classOf("192.0.0.0") == AddressClass::reserved);
  CHECK(classOf("192.0.0.255") == AddressClass::reserved);
  CHECK(classOf("192.0.1.0") == AddressClass::publicAddress);
  CHECK(classOf("192.0.2.0") == AddressClass::reserved);
  CHECK(classOf("192.0.2.255") == AddressClass::reserved);
  CHECK(classOf("192.0.3.0") == AddressClass::publicAddress);
  CHECK(classOf("198.17.255.255") == AddressClass::publicAddress);
  CHECK(classOf("198.18.0.0") == AddressClass::reserved);
  CHECK(classOf("198.19.255.255") == AddressClass::reserved);
  CHECK(classOf("198.20.0.0") == AddressClass::publicAddress);
  CHECK(classOf("198.51.100.7") == AddressClass::reserved);
  CHECK(classOf("198.51.101.0") == AddressClass::publicAddress);
  CHECK(classOf("203.0.113.200") == AddressClass::reserved);
  CHECK(classOf("203.0.112.255") == AddressClass::publicAddress);
  CHECK(classOf("203.0.114.0") == AddressClass::publicAddress);

  CHECK(classOf("223.255.255.255") == AddressClass::publicAddress);
  CHECK(classOf("224.0.0.0") == AddressClass::multicast);
  CHECK(classOf("239.255.255.255") == AddressClass::multicast);
  CHECK(classOf("240.0.0.0") == AddressClass::reserved);
  CHECK(classOf("255.255.255.254") == AddressClass::reserved);
  CHECK(classOf("255.255.255.255") == AddressClass::reserved);

  CHECK(classOf("8.8.8.8") == AddressClass::publicAddress);
  CHECK(classOf("1.1.1.1") == AddressClass::publicAddress);
}

TEST_CASE("IPv6 ranges", "[webhook][address]") {
  CHECK(classOf("::") == AddressClass::unspecified);
  CHECK(classOf("::1") == AddressClass::loopback);
  CHECK(classOf("fc00::") == AddressClass::privateNetwork);
  CHECK(classOf("fd12:3456:789a::1") == AddressClass::privateNetwork);
  CHECK(classOf("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == AddressClass::privateNetwork);
  CHECK(classOf("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == AddressClass::publicAddress);
  CHECK(classOf("fe80::1") == AddressClass::linkLocal);
  CHECK(classOf("fe80::1%1") == AddressClass::linkLocal);  // with a scope id
  CHECK(classOf("febf:ffff::1") == AddressClass::linkLocal);
  CHECK(classOf("fe7f:ffff::1") == AddressClass::publicAddress);
  CHECK(classOf("ff02::1") == AddressClass::multicast);
  CHECK(classOf("ff00::") == AddressClass::multicast);
  CHECK(classOf("2001:db8::1") == AddressClass::reserved);
  CHECK(classOf("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff") == AddressClass::reserved);
  CHECK(classOf("2001:db9::1") == AddressClass::publicAddress);
  CHECK(classOf("100::") == AddressClass::reserved);
  CHECK(classOf("100::ffff:ffff:ffff:ffff") == AddressClass::reserved);
  CHECK(classOf("100:0:0:1::") == AddressClass::publicAddress);
  CHECK(classOf("2606:4700::1111") == AddressClass::publicAddress);
  CHECK(classOf("2001:4860:4860::8888") == AddressClass::publicAddress);
}

TEST_CASE("IPv6 addresses that carry an IPv4 address are classified by it", "[webhook][address]") {
  CHECK(classOf("::ffff:127.0.0.1") == AddressClass::loopback);
  CHECK(classOf("::ffff:7f00:1") == AddressClass::loopback);
  CHECK(classOf("::ffff:10.0.0.1") == AddressClass::privateNetwork);
  CHECK(classOf("::ffff:169.254.169.254") == AddressClass::linkLocal);
  CHECK(classOf("::ffff:0.0.0.0") == AddressClass::unspecified);
  CHECK(classOf("::ffff:224.0.0.1") == AddressClass::multicast);
  CHECK(classOf("::ffff:8.8.8.8") == AddressClass::publicAddress);

  CHECK(classOf("::127.0.0.1") == AddressClass::loopback);  // IPv4-compatible
  CHECK(classOf("::10.1.2.3") == AddressClass::privateNetwork);
  CHECK(classOf("::8.8.8.8") == AddressClass::publicAddress);

  CHECK(classOf("64:ff9b::127.0.0.1") == AddressClass::loopback);  // NAT64
  CHECK(classOf("64:ff9b::192.168.1.1") == AddressClass::privateNetwork);
  CHECK(classOf("64:ff9b::a9fe:a9fe") == AddressClass::linkLocal);
  CHECK(classOf("64:ff9b::8.8.8.8") == AddressClass::publicAddress);
  CHECK(classOf("64:ff9b:1::8.8.8.8") == AddressClass::publicAddress);  // not the /96
}

TEST_CASE("Address class names", "[webhook][address]") {
  CHECK(addressClassName(AddressClass::publicAddress) == "public");
  CHECK(addressClassName(AddressClass::loopback) == "loopback");
  CHECK(addressClassName(AddressClass::privateNetwork) == "private");
  CHECK(addressClassName(AddressClass::linkLocal) == "link-local");
  CHECK(addressClassName(AddressClass::unspecified) == "unspecified");
  CHECK(addressClassName(AddressClass::multicast) == "multicast");
  CHECK(addressClassName(AddressClass::reserved) == "reserved");
}
