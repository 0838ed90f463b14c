// The reverse proxies whose forwarding headers the server believes: single addresses and CIDR
// ranges (IPv4 and IPv6), parsed once at start-up.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/startup_error.h"

namespace kring::server {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Each entry is an address ("10.1.2.3", "::1") or a network ("10.0.0.0/8", "fd00::/8"); a bad
  // entry is bad_trusted_proxy, named in the message.
  static StartupResult<TrustedProxies> parse(const std::vector<std::string>& entries);

  bool contains(const boost::asio::ip::address& address) const;
  // False for anything that is not an address.
  bool contains(std::string_view address) const;
  bool empty() const { return networks_.empty(); }

 private:
  struct Network {
    boost::asio::ip::address address;  // host bits cleared
    unsigned prefix = 0;
  };
  std::vector<Network> networks_;
};

// The address, with an IPv4-mapped IPv6 one ("::ffff:10.0.0.1") as its IPv4 self; nullopt when
// `text` is not an address.
std::optional<boost::asio::ip::address> parseAddress(std::string_view text);
boost::asio::ip::address unmapped(const boost::asio::ip::address& address);

// What per-address limits count a client as: an IPv4 address itself, an IPv6 address by its
// network of `ipv6PrefixBits` leading bits ("2001:db8:1:2::/64"); text that is not an address as itself.
std::string clientNetwork(std::string_view address, unsigned ipv6PrefixBits);

}  // namespace kring::server
