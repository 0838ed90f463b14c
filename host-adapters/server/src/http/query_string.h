// A request target's query (?a=1&b=x+y) as decoded name/value pairs, for the console API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kring::server {

// %XX escapes and + for a space (HTML forms); nullopt when an escape is malformed.
std::optional<std::string> decodeQueryComponent(std::string_view encoded);

using QueryParameters = std::vector<std::pair<std::string, std::string>>;
// The pairs after the target's '?' in order (none without one); a pair without '=' has an empty
// value. nullopt when any part is malformed.
std::optional<QueryParameters> parseQuery(std::string_view target);

}  // namespace kring::server
