// Structured logs: one JSON object per line on stderr.
#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

namespace kring::server {

using LogField = std::pair<std::string_view, std::string_view>;
void logEvent(std::string_view level, std::string_view event, std::initializer_list<LogField> fields = {});

}  // namespace kring::server
