#include "http/address_class.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>

namespace kring::server {

namespace {

struct Ipv4Range {
  std::uint32_t base;
  int prefixLength;
  AddressClass addressClass;
};

constexpr std::uint32_t ipv4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return a << 24 | b << 16 | c << 8 | d;
}

// Most specific first: the first range that holds the address decides (0.0.0.0/32 before 0.0.0.0/8).
constexpr std::array kIpv4Ranges{
    Ipv4Range{ipv4(0, 0, 0, 0), 32, AddressClass::unspecified},
    Ipv4Range{ipv4(0, 0, 0, 0), 8, AddressClass::reserved},
    Ipv4Range{ipv4(10, 0, 0, 0), 8, AddressClass::privateNetwork},
    Ipv4Range{ipv4(100, 64, 0, 0), 10, AddressClass::privateNetwork},
    Ipv4Range{ipv4(127, 0, 0, 0), 8, AddressClass::loopback},
    Ipv4Range{ipv4(169, 254, 0, 0), 16, AddressClass::linkLocal},
    Ipv4Range{ipv4(172, 16, 0, 0), 12, AddressClass::privateNetwork},
    Ipv4Range{ipv4(192, 0, 0, 0), 24, AddressClass::reserved},
    Ipv4Range{ipv4(192, 0, 2, 0), 24, AddressClass::reserved},
    Ipv4Range{ipv4(192, 168, 0, 0), 16, AddressClass::privateNetwork},
    Ipv4Range{ipv4(198, 18, 0, 0), 15, AddressClass::reserved},
    Ipv4Range{ipv4(198, 51, 100, 0), 24, AddressClass::reserved},
    Ipv4Range{ipv4(203, 0, 113, 0), 24, AddressClass::reserved},
    Ipv4Range{ipv4(224, 0, 0, 0), 4, AddressClass::multicast},
    Ipv4Range{ipv4(240, 0, 0, 0), 4, AddressClass::reserved},  // holds 255.255.255.255 too
};

constexpr bool inRange(std::uint32_t value, std::uint32_t base, int prefixLength) {
  const std::uint32_t mask = prefixLength == 0 ? 0 : ~std::uint32_t(0) << (32 - prefixLength);
  return (value & mask) == (base & mask);
}

AddressClass classifyIpv4(std::uint32_t value) {
  const auto* range = std::find_if(kIpv4Ranges.begin(), kIpv4Ranges.end(),
                                   [value](const Ipv4Range& r) { return inRange(value, r.base, r.prefixLength); });
  return range == kIpv4Ranges.end() ? AddressClass::publicAddress : range->addressClass;
}

using Ipv6Bytes = boost::asio::ip::address_v6::bytes_type;

// True when `bytes` begins with the bytes of `prefix`: every IPv6 prefix matched this way is whole bytes.
bool startsWith(const Ipv6Bytes& bytes, std::initializer_list<unsigned char> prefix) {
  return std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

std::uint32_t lastFourBytes(const Ipv6Bytes& bytes) { return ipv4(bytes[12], bytes[13], bytes[14], bytes[15]); }

AddressClass classifyIpv6(const boost::asio::ip::address_v6& address) {
  const Ipv6Bytes bytes = address.to_bytes();
  if (address.is_unspecified()) return AddressClass::unspecified;
  if (address.is_loopback()) return AddressClass::loopback;
  // Embedded IPv4: ::ffff:0:0/96 (mapped), ::/96 (compatible; :: and ::1 handled above), 64:ff9b::/96 (NAT64).
  if (startsWith(bytes, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}) ||
      startsWith(bytes, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) ||
      startsWith(bytes, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) {
    return classifyIpv4(lastFourBytes(bytes));
  }
  if ((bytes[0] & 0xfe) == 0xfc) return AddressClass::privateNetwork;                    // fc00::/7
  if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) return AddressClass::linkLocal;     // fe80::/10
  if (bytes[0] == 0xff) return AddressClass::multicast;                                  // ff00::/8
  if (startsWith(bytes, {0x20, 0x01, 0x0d, 0xb8})) return AddressClass::reserved;        // 2001:db8::/32
  if (startsWith(bytes, {0x01, 0x00, 0, 0, 0, 0, 0, 0})) return AddressClass::reserved;  // 100::/64
  return AddressClass::publicAddress;
}

}  // namespace

AddressClass classifyAddress(const boost::asio::ip::address& address) {
  if (address.is_v4()) return classifyIpv4(address.to_v4().to_uint());
  return classifyIpv6(address.to_v6());
}

std::string_view addressClassName(AddressClass addressClass) {
  switch (addressClass) {
    case AddressClass::publicAddress: return "public";
    case AddressClass::loopback: return "loopback";
    case AddressClass::privateNetwork: return "private";
    case AddressClass::linkLocal: return "link-local";
    case AddressClass::unspecified: return "unspecified";
    case AddressClass::multicast: return "multicast";
    case AddressClass::reserved: return "reserved";
  }
  return "reserved";  // not reached: every enumerator is named above
}

}  // namespace kring::server
