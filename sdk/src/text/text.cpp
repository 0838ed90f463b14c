#include "text/text.h"

#include "kring/limits.h"

#include <cstdint>

namespace kring {

std::size_t wellFormedUtf8Prefix(std::string_view text) {
  const auto* begin = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto* p = begin;
  const auto* end = p + text.size();
  while (p < end) {
    std::uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    std::uint32_t codePoint;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      codePoint = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      codePoint = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      codePoint = c & 0x07;
    } else {
      break;
    }
    if (end - p <= extra) break;
    bool continued = true;
    for (int i = 1; i <= extra && continued; ++i) {
      continued = (p[i] & 0xC0) == 0x80;
      codePoint = (codePoint << 6) | (p[i] & 0x3F);
    }
    static constexpr std::uint32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
    if (!continued || codePoint < kSmallest[extra] || codePoint > 0x10FFFF) break;
    if (codePoint >= 0xD800 && codePoint <= 0xDFFF) break;
    p += extra + 1;
  }
  return static_cast<std::size_t>(p - begin);
}

bool isValidUtf8(std::string_view text) { return wellFormedUtf8Prefix(text) == text.size(); }

std::string withReplacementCharacters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t good = wellFormedUtf8Prefix(text);
    out.append(text.substr(0, good));
    if (good == text.size()) break;
    out += "\xEF\xBF\xBD";  // U+FFFD for the byte that starts no character
    text.remove_prefix(good + 1);
  }
  return out;
}

namespace {

// White_Space and Default_Ignorable_Code_Point (Unicode 15), merged into sorted, inclusive ranges.
constexpr std::uint32_t kBlankRanges[][2] = {
    {0x09, 0x0D},     {0x20, 0x20},     {0x85, 0x85},       {0xA0, 0xA0},       {0xAD, 0xAD},      {0x34F, 0x34F},
    {0x61C, 0x61C},   {0x115F, 0x1160}, {0x1680, 0x1680},   {0x17B4, 0x17B5},   {0x180B, 0x180F},  {0x2000, 0x200F},
    {0x2028, 0x202F}, {0x205F, 0x206F}, {0x3000, 0x3000},   {0x3164, 0x3164},   {0xFE00, 0xFE0F},  {0xFEFF, 0xFEFF},
    {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFF8}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF}};

bool isBlankCodePoint(std::uint32_t code) {
  for (const auto& range : kBlankRanges) {
    if (code < range[0]) return false;
    if (code <= range[1]) return true;
  }
  return false;
}

// Bytes of the bidi control starting at `p`, or 0: U+061C is D8 9C; the rest are E2 80 8E/8F,
// E2 80 AA–AE and E2 81 A6–A9.
std::size_t bidiControlLength(const std::uint8_t* p, const std::uint8_t* end) {
  if (end - p >= 2 && p[0] == 0xD8 && p[1] == 0x9C) return 2;
  if (end - p < 3 || p[0] != 0xE2) return 0;
  if (p[1] == 0x80 && (p[2] == 0x8E || p[2] == 0x8F || (p[2] >= 0xAA && p[2] <= 0xAE))) return 3;
  if (p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9) return 3;
  return 0;
}

}  // namespace

bool isBlank(std::string_view text) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    std::uint8_t lead = *p;
    int extra = lead < 0x80             ? 0
                : (lead & 0xE0) == 0xC0 ? 1
                : (lead & 0xF0) == 0xE0 ? 2
                : (lead & 0xF8) == 0xF0 ? 3
                                        : -1;
    if (extra < 0 || end - p <= extra) return false;
    std::uint32_t code = extra == 0 ? lead : lead & (0x3Fu >> extra);
    for (int i = 1; i <= extra; ++i) code = (code << 6) | (p[i] & 0x3Fu);
    if (!isBlankCodePoint(code)) return false;
    p += extra + 1;
  }
  return true;
}

std::string withoutBidiControls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* begin = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto* end = begin + text.size();
  for (const auto* p = begin; p < end;) {
    if (std::size_t length = bidiControlLength(p, end)) {
      p += length;
    } else {
      out.push_back(static_cast<char>(*p++));
    }
  }
  return out;
}

bool hasControlCharacters(std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

bool isValidThreadKey(std::string_view key, const Limits& limits) {
  return !key.empty() && key.size() <= limits.maxThreadKeyBytes && isValidUtf8(key) && !hasControlCharacters(key);
}

}  // namespace kring
