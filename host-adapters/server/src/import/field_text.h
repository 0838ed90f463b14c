// Small conversions the readers share for an export's text fields.
#pragma once

#include <string>
#include <string_view>

namespace kring::server {

// Without the blanks around it (an element's indentation).
std::string_view trimmedField(std::string_view text);
// "true" or "1", blanks around ignored; anything else is false.
bool fieldIsTrue(std::string_view text);

}  // namespace kring::server
