// What the server accepts as an e-mail address: from a host's token, in the sites file, in a mail.
#pragma once

#include <string>
#include <string_view>

namespace kring::server {

// Empty when `address` is one plain addr-spec for headers and the SMTP envelope: 1..254 bytes of printable
// ASCII, no '<', '>', commas, semicolons or quotes, exactly one '@' between a non-empty local part and
// domain. Otherwise why not. Minimal on purpose: it keeps an address from carrying a second recipient or
// a header; the relay judges the rest.
std::string mailAddressProblem(std::string_view address);

}  // namespace kring::server
