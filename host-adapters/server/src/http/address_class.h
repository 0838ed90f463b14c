// The SSRF guard for outgoing webhooks: what kind of IP address a webhook URL resolved to, so that a site owner
// cannot point kring-server at its own loopback, the operator's private network or a cloud metadata service
// (169.254.169.254). Classify every address a name resolves to, and connect only to the one checked, since a
// second lookup may answer differently (DNS rebinding).
#pragma once

#include <boost/asio/ip/address.hpp>

#include <string_view>

namespace kring::server {

enum class AddressClass {
  publicAddress,   // anything not below: the only class a webhook may connect to
  loopback,        // 127.0.0.0/8, ::1
  privateNetwork,  // 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT), fc00::/7 (unique local)
  linkLocal,       // 169.254/16 (cloud metadata services live here), fe80::/10
  unspecified,     // 0.0.0.0 and ::, which Linux connects to the local host
  multicast,       // 224/4, ff00::/8
  // The rest of 0/8, 192.0.0/24, the documentation nets 192.0.2/24, 198.51.100/24, 203.0.113/24 and
  // 2001:db8::/32, benchmarking 198.18/15, 240/4 with 255.255.255.255, and discard-only 100::/64.
  reserved,
};

// IPv6 addresses that carry an IPv4 address are classified as that IPv4 address, since that is what a
// connection reaches: IPv4-mapped ::ffff:a.b.c.d, the deprecated IPv4-compatible ::a.b.c.d, and NAT64
// 64:ff9b::a.b.c.d (RFC 6052). So ::ffff:127.0.0.1 is loopback. A v6 scope id does not change the class.
AddressClass classifyAddress(const boost::asio::ip::address& address);

// For logs and refusals: "public", "loopback", "private", "link-local", "unspecified", "multicast", "reserved".
std::string_view addressClassName(AddressClass addressClass);

}  // namespace kring::server
