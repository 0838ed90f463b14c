#include "auth/mail_address.h"

#include <algorithm>

namespace kring::server {

namespace {

bool isPrintableAscii(unsigned char c) { return c > 0x20 && c < 0x7f; }

}  // namespace

std::string mailAddressProblem(std::string_view address) {
  if (address.empty()) return "address is empty";
  if (address.size() > 254) return "address is longer than 254 bytes";
  if (address.find_first_of("\r\n") != std::string_view::npos) return "address contains CR or LF";
  if (address.find_first_of("<>") != std::string_view::npos) return "address contains '<' or '>'";
  // One address: nothing a header or an envelope would read as a second one, or as quoting.
  if (address.find_first_of(",;\"\\") != std::string_view::npos) return "address contains a comma, semicolon or quote";
  if (!std::all_of(address.begin(), address.end(),
                   [](char c) { return isPrintableAscii(static_cast<unsigned char>(c)); })) {
    return "address contains a space, a control or a non-ASCII byte";
  }
  const std::size_t at = address.find('@');
  if (at == std::string_view::npos || address.find('@', at + 1) != std::string_view::npos) {
    return "address does not contain exactly one '@'";
  }
  if (at == 0 || at + 1 == address.size()) return "address has an empty local part or domain";
  return {};
}

}  // namespace kring::server
