// Size and shape limits the engine enforces on every op.
#pragma once

#include <cstdint>
#include <string_view>

#include "kring/types.h"

namespace kring {

struct Limits {
  std::uint32_t maxIdBytes = 64;
  std::uint32_t maxMemberIdBytes = 128;
  std::uint32_t maxDisplayNameBytes = 64;
  std::uint32_t maxThreadKeyBytes = 200;
  std::uint32_t maxTitleBytes = 300;
  std::uint32_t maxBodyBytes = 20000;
  std::uint32_t maxDiscussionDepth = 8;  // depth of the deepest reply; top-level posts are depth 0
  // Questions are fixed: question (0), answer (1), comment on an answer (2).
  static constexpr std::uint32_t kQuestionDepth = 2;

  std::uint32_t maxDepth(ThreadKind kind) const {
    return kind == ThreadKind::question ? kQuestionDepth : maxDiscussionDepth;
  }
};

// A thread key is 1 to maxThreadKeyBytes bytes of printable UTF-8: what a thread may be created
// under, and so what a client may subscribe to.
bool isValidThreadKey(std::string_view key, const Limits& limits);

}  // namespace kring
