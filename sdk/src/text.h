// Internal: text checks shared by the op handlers.
#pragma once

#include <string_view>

namespace kring {

// Well-formed UTF-8: no overlongs, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(std::string_view text);
// Only spaces, tabs and line breaks.
bool isBlank(std::string_view text);
// Contains C0 control characters other than tab and line breaks.
bool hasControlCharacters(std::string_view text);

}  // namespace kring
