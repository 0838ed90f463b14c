// Text cut to a byte limit without splitting a UTF-8 character: names, titles and bodies from
// tokens and exports, which may be longer than Kring keeps.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kring::server {

// At most `limit` bytes of UTF-8 text, cut at a character boundary.
inline std::string truncateUtf8(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

}  // namespace kring::server
