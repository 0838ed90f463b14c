#include "http/query_string.h"

#include <algorithm>

#include "http/static_files.h"

namespace kring::server {

std::optional<std::string> decodeQueryComponent(std::string_view encoded) {
  // '+' first: a %2B decodes to a plus that stays one.
  std::string spaced(encoded);
  std::replace(spaced.begin(), spaced.end(), '+', ' ');
  return decodePath(spaced);
}

std::optional<QueryParameters> parseQuery(std::string_view target) {
  QueryParameters parameters;
  std::size_t mark = target.find('?');
  if (mark == std::string_view::npos) return parameters;
  std::string_view rest = target.substr(mark + 1);
  while (!rest.empty()) {
    std::string_view pair = rest.substr(0, rest.find('&'));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    if (pair.empty()) continue;
    std::size_t equals = pair.find('=');
    std::optional<std::string> name = decodeQueryComponent(pair.substr(0, equals));
    std::optional<std::string> value =
        decodeQueryComponent(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
    if (!name || !value) return std::nullopt;
    parameters.emplace_back(std::move(*name), std::move(*value));
  }
  return parameters;
}

}  // namespace kring::server
