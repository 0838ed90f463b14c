// Internal: text checks shared by the op handlers and the Markdown renderer.
#pragma once

#include <string>
#include <string_view>

namespace kring {

// Well-formed UTF-8: no overlongs, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(std::string_view text);
// How many of the bytes, from the first, are well-formed UTF-8.
std::size_t wellFormedUtf8Prefix(std::string_view text);
// The text with U+FFFD for each byte that starts no well-formed character.
std::string withReplacementCharacters(std::string_view text);
// Nothing a reader would see: only Unicode White_Space and Default_Ignorable_Code_Point characters
// (U+3000, U+00A0, U+200B, U+FEFF, U+2060, bidi controls, variation selectors, tags…). Invalid
// UTF-8 is not blank.
bool isBlank(std::string_view text);
// The text without bidi controls (U+200E/F, U+202A–E, U+2066–9, U+061C): a name or title must not
// reorder the text around it. They are removed rather than isolated: a label needs none of them.
std::string withoutBidiControls(std::string_view text);
// Contains any control character (C0, including tab and line breaks, or DEL): ids, keys and
// names are single-line labels.
bool hasControlCharacters(std::string_view text);

}  // namespace kring
