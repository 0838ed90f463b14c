// What the store-fault tests share: a client's answer to one op, and a full disk made with a file
// size limit on the server process.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <string>

#include "sync_client.h"

namespace kring::testing {

// The server's answer to one op: acknowledged (an Events frame that names it), rejected (with a
// code), or none within the time given.
struct Answer {
  enum Kind { none, acknowledged, rejected } kind = none;
  ReasonCode code = ReasonCode::none;
};

inline Answer answerOf(SyncClient& client, const std::string& opId, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return {};
    auto message = client.receive(left);
    if (!message) return {};
    if (auto* rejected = std::get_if<RejectedMessage>(&*message); rejected && rejected->opId == opId) {
      return {Answer::rejected, rejected->code};
    }
    if (auto* events = std::get_if<EventsMessage>(&*message)) {
      if (events->acknowledges == opId) return {Answer::acknowledged};
      for (const Event& event : events->events) {
        if (event.opId == opId) return {Answer::acknowledged};
      }
    }
  }
}

// Files the process writes may not grow past `bytes` (a write past it fails as on a full disk).
inline bool fileSizeLimit(pid_t pid, rlim_t bytes) {
  rlimit limit{bytes, RLIM_INFINITY};
  return prlimit(pid, RLIMIT_FSIZE, &limit, nullptr) == 0;
}

}  // namespace kring::testing
