// Internal: text checks shared by the op handlers.
#pragma once

#include <string_view>

namespace kring {

// Well-formed UTF-8: no overlongs, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(std::string_view text);
// Only spaces, tabs and line breaks.
bool isBlank(std::string_view text);
// Contains any control character (C0, including tab and line breaks, or DEL): ids, keys and
// names are single-line labels.
bool hasControlCharacters(std::string_view text);

}  // namespace kring
