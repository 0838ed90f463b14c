// Internal: what the archive's writer and reader agree on besides the record structs (kring/archive.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "kring/records.h"

namespace kring::archive {

inline constexpr std::string_view kMagic = "site-archive";

// FlagResolution is the records' own enum, not the schema's: it has no generated table.
inline constexpr std::array<std::string_view, 3> kFlagResolutionNames = {"open", "upheld", "dismissed"};

constexpr std::string_view flagResolutionName(std::uint8_t value) {
  return value < kFlagResolutionNames.size() ? kFlagResolutionNames[value] : std::string_view("unknown");
}
constexpr std::optional<FlagResolution> parseFlagResolution(std::string_view name) {
  for (std::size_t i = 0; i < kFlagResolutionNames.size(); ++i) {
    if (kFlagResolutionNames[i] == name) return static_cast<FlagResolution>(i);
  }
  return std::nullopt;
}

}  // namespace kring::archive
