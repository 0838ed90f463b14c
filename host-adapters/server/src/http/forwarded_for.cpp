#include "http/forwarded_for.h"

#include <string_view>
#include <vector>

namespace kring::server {

namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Every field of that name, in order, joined as one comma-separated list (a proxy may add a line).
std::string joinedFields(const HttpRequest& request, std::string_view name) {
  std::string joined;
  for (auto [it, end] = request.equal_range(name); it != end; ++it) {
    if (!joined.empty()) joined += ',';
    joined += it->value();
  }
  return joined;
}

// "[2001:db8::1]:4711" → "2001:db8::1", "192.0.2.1:80" → "192.0.2.1"; anything else as it is.
std::string_view hostOf(std::string_view value) {
  if (value.starts_with('[')) {
    const std::size_t close = value.find(']');
    return close == std::string_view::npos ? std::string_view() : value.substr(1, close - 1);
  }
  const std::size_t colon = value.find(':');
  if (colon != std::string_view::npos && value.find(':', colon + 1) == std::string_view::npos)
    return value.substr(0, colon);
  return value;
}

// The for= value of each Forwarded element, left to right ("" for an element without one). Commas
// and semicolons inside a quoted string separate nothing.
std::vector<std::string> forwardedFor(std::string_view header) {
  std::vector<std::string> hosts(1);
  std::string pair;
  bool quoted = false;
  auto endPair = [&] {
    std::string_view text = trimmed(pair);
    const std::size_t equals = text.find('=');
    if (equals != std::string_view::npos) {
      std::string_view name = trimmed(text.substr(0, equals));
      if (name.size() == 3 && (name[0] | 0x20) == 'f' && (name[1] | 0x20) == 'o' && (name[2] | 0x20) == 'r') {
        hosts.back() = std::string(trimmed(text.substr(equals + 1)));
      }
    }
    pair.clear();
  };
  for (char c : header) {
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && (c == ';' || c == ',')) {
      endPair();
      if (c == ',') hosts.emplace_back();
    } else {
      pair += c;
    }
  }
  endPair();
  return hosts;
}

std::vector<std::string> xForwardedFor(std::string_view header) {
  std::vector<std::string> entries;
  while (true) {
    const std::size_t comma = header.find(',');
    entries.emplace_back(trimmed(header.substr(0, comma)));
    if (comma == std::string_view::npos) return entries;
    header.remove_prefix(comma + 1);
  }
}

}  // namespace

std::string forwardedClient(const HttpRequest& request, const TrustedProxies& proxies, const std::string& proxy) {
  const std::string forwarded = joinedFields(request, "Forwarded");
  const std::vector<std::string> entries =
      !forwarded.empty() ? forwardedFor(forwarded) : xForwardedFor(joinedFields(request, "X-Forwarded-For"));
  for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
    std::optional<boost::asio::ip::address> address = parseAddress(hostOf(*entry));
    if (!address) return proxy;
    if (!proxies.contains(*address)) return address->to_string();
  }
  return proxy;
}

}  // namespace kring::server
