// Reason codes for rejected or held ops, and typed results for the core's API edges.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kring {

// Mirrors `ReasonCode` in kring.capnp; append only.
enum class ReasonCode : std::uint16_t {
  none,
  malformedOp,
  invalidId,
  invalidMember,
  invalidThreadKey,
  threadExists,
  unknownThread,
  threadLocked,
  titleTooLong,
  emptyBody,
  bodyTooLong,
  unknownPost,
  duplicatePostId,
  postRemoved,
  parentNotInThread,
  tooDeep,
  notAuthor,
  notPermitted,
  unchanged,
  ownPost,
  alreadyVoted,
  noVoteToRetract,
  notAQuestion,
  notAnAnswer,
  alreadyAccepted,
  notAccepted,
  invalidText,
  malformedSnapshot,
  unsupportedVersion,
  alreadyApplied,
  rateLimited,
  notSubscribed,
  insufficientReputation,
  insufficientTrustLevel,
  memberBanned,
  memberSuspended,
  memberSilenced,
  blockedWord,
  duplicateText,
  alreadyFlagged,
  reasonRequired,
  invalidPolicy,
  alreadyUndone,
  unknownMember,
  tooManyLinks,     // held
  tooManyMentions,  // held
  tooManyImages,    // held
  watchedWordHeld,  // held
  spamSuspected,    // held
  preModerated,     // held
  notPending,
  nothingToUndo,
  invalidAction,
  screenedByServer,  // a replica's prediction: the server screens the text before it decides
  duplicateActionId,
};
constexpr ReasonCode kLastReasonCode = ReasonCode::duplicateActionId;
constexpr std::uint16_t kReasonCodeCount = static_cast<std::uint16_t>(kLastReasonCode) + 1;

// Stable snake_case name for logs, JSON and tests ("own_post").
std::string_view reasonName(ReasonCode code);

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
