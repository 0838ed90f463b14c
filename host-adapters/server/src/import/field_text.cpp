#include "import/field_text.h"

namespace kring::server {

std::string_view trimmedField(std::string_view text) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

bool fieldIsTrue(std::string_view text) {
  std::string_view value = trimmedField(text);
  return value == "true" || value == "1";
}

}  // namespace kring::server
