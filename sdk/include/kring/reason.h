// Reason codes for rejected or held ops, and typed results for the core's API edges.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "kring/enums.h"

namespace kring {

// ReasonCode (none, malformedOp, …) is generated from the schema: kring/enums.h.
constexpr ReasonCode kLastReasonCode = EnumTable<ReasonCode>::last;
constexpr std::uint16_t kReasonCodeCount = static_cast<std::uint16_t>(kLastReasonCode) + 1;

// Stable snake_case name for logs, JSON and tests ("own_post").
constexpr std::string_view reasonName(ReasonCode code) { return enumName(code); }

struct Error {
  ReasonCode code = ReasonCode::none;
  std::string message;
};

// A value or an Error. The core's API edges return these instead of throwing.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

using Status = Result<std::monostate>;
inline Status okStatus() { return Status(std::monostate{}); }

}  // namespace kring
