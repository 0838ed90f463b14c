// The times the exports write, as milliseconds since the epoch (UTC).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kring::server {

// "2012-03-04T05:06:07Z" (Disqus), "2012-03-04 05:06:07" (WordPress's *_gmt fields): a date, 'T' or a
// space, a time with optional fractional seconds, then 'Z', "+hh:mm"/"-hh:mm" or nothing (UTC).
// Nothing else: "0000-00-00 00:00:00" and out-of-range fields give nullopt.
std::optional<std::int64_t> parseSourceTimeMs(std::string_view text);

}  // namespace kring::server
