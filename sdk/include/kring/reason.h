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

// Why something failed: a code from a closed vocabulary and a message for people. The core's codes
// are ReasonCodes; an edge outside the core (kring-server's) may name its own enum.
template <typename Code>
struct ErrorOf {
  Code code{};
  std::string message;
};
using Error = ErrorOf<ReasonCode>;

// A value or an error. The core's API edges, and kring-server's, return these instead of throwing.
template <typename T, typename Code = ReasonCode>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(ErrorOf<Code> error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  const ErrorOf<Code>& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, ErrorOf<Code>> state_;
};

template <typename Code = ReasonCode>
using StatusOf = Result<std::monostate, Code>;
using Status = StatusOf<ReasonCode>;
inline Status okStatus() { return Status(std::monostate{}); }

}  // namespace kring
