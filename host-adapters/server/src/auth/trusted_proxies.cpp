#include "auth/trusted_proxies.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace kring::server {

namespace ip = boost::asio::ip;

namespace {

// The address's bytes with every bit past `prefix` cleared.
template <std::size_t N>
std::array<unsigned char, N> masked(std::array<unsigned char, N> bytes, unsigned prefix) {
  for (std::size_t i = 0; i < N; ++i) {
    const unsigned bits = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * i : 0;
    bytes[i] &= static_cast<unsigned char>(0xff00u >> bits);
  }
  return bytes;
}

ip::address maskedAddress(const ip::address& address, unsigned prefix) {
  if (address.is_v4()) return ip::address_v4(masked(address.to_v4().to_bytes(), prefix));
  return ip::address_v6(masked(address.to_v6().to_bytes(), prefix));
}

}  // namespace

ip::address unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

std::optional<ip::address> parseAddress(std::string_view text) {
  boost::system::error_code error;
  ip::address address = ip::make_address(text, error);
  if (error) return std::nullopt;
  return unmapped(address);
}

StartupResult<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries) {
  const auto refuse = [](std::string message) {
    return StartupFailure{StartupError::badTrustedProxy, std::move(message)};
  };
  TrustedProxies proxies;
  for (const std::string& entry : entries) {
    const std::size_t slash = entry.find('/');
    std::optional<ip::address> address = parseAddress(std::string_view(entry).substr(0, slash));
    if (!address) {
      return refuse("--trusted-proxy \"" + entry + "\" is neither an address nor a network (10.0.0.0/8, fd00::/8)");
    }
    const unsigned width = address->is_v4() ? 32 : 128;
    unsigned prefix = width;
    if (slash != std::string::npos) {
      const char* first = entry.data() + slash + 1;
      const char* last = entry.data() + entry.size();
      auto [end, failure] = std::from_chars(first, last, prefix);
      if (first == last || failure != std::errc() || end != last || prefix > width) {
        return refuse("--trusted-proxy \"" + entry + "\" has a bad prefix length (0 to " + std::to_string(width) + ")");
      }
      if (maskedAddress(*address, prefix) != *address) {
        return refuse("--trusted-proxy \"" + entry + "\" has host bits set past its prefix (did you mean " +
                      maskedAddress(*address, prefix).to_string() + "/" + std::to_string(prefix) + "?)");
      }
    }
    proxies.networks_.push_back(Network{*address, prefix});
  }
  return proxies;
}

bool TrustedProxies::contains(const ip::address& peer) const {
  const ip::address address = unmapped(peer);
  for (const Network& network : networks_) {
    if (network.address.is_v4() == address.is_v4() && maskedAddress(address, network.prefix) == network.address) {
      return true;
    }
  }
  return false;
}

bool TrustedProxies::contains(std::string_view address) const {
  std::optional<ip::address> parsed = parseAddress(address);
  return parsed && contains(*parsed);
}

std::string clientNetwork(std::string_view address, unsigned ipv6PrefixBits) {
  std::optional<ip::address> parsed = parseAddress(address);
  if (!parsed) return std::string(address);
  if (parsed->is_v4()) return parsed->to_string();
  const unsigned prefix = std::min(ipv6PrefixBits, 128u);
  return maskedAddress(*parsed, prefix).to_string() + "/" + std::to_string(prefix);
}

}  // namespace kring::server
