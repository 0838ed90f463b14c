// Text into HTML and times into ISO 8601, for the pages the server renders.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kring/types.h"

namespace kring::server {

// & < > " escaped: safe in text and in a double-quoted attribute.
void appendEscaped(std::string& out, std::string_view text);
// 2026-12-06T18:54:51.123Z
std::string isoTime(TimeMs time);

}  // namespace kring::server
