#include "render/html_text.h"

#include "kring/metrics.h"

namespace kring::server {

namespace {
constexpr TimeMs kDayMs = 86'400'000;
}

void appendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
}

std::string isoTime(TimeMs time) {
  TimeMs inDay = time - static_cast<TimeMs>(dayOf(time)) * kDayMs;
  auto two = [](TimeMs value) { return std::string(value < 10 ? "0" : "") + std::to_string(value); };
  TimeMs ms = inDay % 1000;
  std::string millis = std::to_string(ms);
  millis.insert(0, 3 - millis.size(), '0');
  return utcDate(dayOf(time)) + "T" + two(inDay / 3'600'000) + ":" + two(inDay / 60'000 % 60) + ":" +
         two(inDay / 1000 % 60) + "." + millis + "Z";
}

}  // namespace kring::server
