// Events per key per clock hour (a fixed window): what bounds one address's guests and guest posts.
// Keys whose hour is over are forgotten whenever the map has doubled since the last sweep.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace kring::server {

class HourlyBudget {
 public:
  // True when one more event of `key` fits in this hour's `perHour`; it is counted.
  bool allow(const std::string& key, std::uint32_t perHour, std::int64_t nowMs) {
    constexpr std::int64_t kHourMs = 3'600'000;
    const std::int64_t hour = nowMs / kHourMs;
    if (windows_.size() >= sweepAt_) {
      std::erase_if(windows_, [hour](const auto& entry) { return entry.second.hour != hour; });
      sweepAt_ = std::max<std::size_t>(64, 2 * windows_.size());
    }
    Window& window = windows_[key];
    if (window.hour != hour) window = Window{hour, 0};
    if (window.used >= perHour) return false;
    ++window.used;
    return true;
  }

 private:
  struct Window {
    std::int64_t hour = 0;
    std::uint32_t used = 0;
  };
  std::unordered_map<std::string, Window> windows_;
  std::size_t sweepAt_ = 64;
};

}  // namespace kring::server
