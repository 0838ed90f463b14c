#include "import/source_time.h"

namespace kring::server {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil-days formula).
std::int64_t daysFromCivil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yearOfEra = static_cast<unsigned>(year - era * 400);
  const unsigned dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146097 + static_cast<std::int64_t>(dayOfEra) - 719468;
}

bool isLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// Reads exactly `count` digits at `at`.
std::optional<int> timeDigits(std::string_view text, std::size_t& at, std::size_t count) {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    char c = text[at + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  at += count;
  return value;
}

bool expectChar(std::string_view text, std::size_t& at, char c) {
  if (at >= text.size() || text[at] != c) return false;
  ++at;
  return true;
}

}  // namespace

std::optional<std::int64_t> parseSourceTimeMs(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t')) text.remove_suffix(1);
  std::size_t at = 0;
  auto year = timeDigits(text, at, 4);
  if (!year || !expectChar(text, at, '-')) return std::nullopt;
  auto month = timeDigits(text, at, 2);
  if (!month || !expectChar(text, at, '-')) return std::nullopt;
  auto day = timeDigits(text, at, 2);
  if (!day || at >= text.size() || (text[at] != 'T' && text[at] != ' ')) return std::nullopt;
  ++at;
  auto hour = timeDigits(text, at, 2);
  if (!hour || !expectChar(text, at, ':')) return std::nullopt;
  auto minute = timeDigits(text, at, 2);
  if (!minute || !expectChar(text, at, ':')) return std::nullopt;
  auto second = timeDigits(text, at, 2);
  if (!second) return std::nullopt;
  int millis = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    int scale = 100;
    std::size_t first = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      millis += (text[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == first) return std::nullopt;
  }
  int offsetMinutes = 0;
  if (at < text.size()) {
    char sign = text[at++];
    if (sign == 'Z' || sign == 'z') {
      if (at != text.size()) return std::nullopt;
    } else if (sign == '+' || sign == '-') {
      auto offsetHours = timeDigits(text, at, 2);
      if (!offsetHours) return std::nullopt;
      expectChar(text, at, ':');
      auto offsetMins = timeDigits(text, at, 2);
      if (!offsetMins || at != text.size() || *offsetHours > 23 || *offsetMins > 59) return std::nullopt;
      offsetMinutes = (*offsetHours * 60 + *offsetMins) * (sign == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (*year < 1 || *month < 1 || *month > 12 || *day < 1) return std::nullopt;
  int monthDays = kMonthDays[*month - 1] + (*month == 2 && isLeap(*year) ? 1 : 0);
  if (*day > monthDays || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  std::int64_t days = daysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  std::int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second - offsetMinutes * 60;
  return seconds * 1000 + millis;
}

}  // namespace kring::server
