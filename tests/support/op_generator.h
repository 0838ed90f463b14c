// Seeded generator of realistic op logs: several members, threads of both kinds, and a mix of
// valid ops, invalid ops (each rejection path) and malformed frames. Same seed, same bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "kring/op.h"

namespace kring::testing {

enum class OpMix : std::uint8_t {
  mixed,  // every op kind, valid and invalid, plus malformed frames
  votes,  // a few threads and posts, then votes: the engine's simplest op
};

struct GeneratorOptions {
  std::uint64_t seed = 42;
  std::uint32_t ops = 12000;
  std::uint32_t members = 40;
  OpMix mix = OpMix::mixed;
  // The server's own ops in a mixed log, each in place of the op that would have been there (so the
  // rest of the log shifts): a scheduled CheckAlerts every 97th op, an ImportPost every 89th, a
  // ClaimImported every 1201st, an admin's erasure every 4001st and a member's follow or unfollow
  // every 53rd. Off where a test's expectations
  // follow the logs it had.
  bool scheduledChecks = false;
};

// Frames for the op log ([u32 size][bytes], see codec.h); some deliberately malformed in `mixed`.
Bytes generateOpLog(const GeneratorOptions& options);
// The same log's ops, for callers that apply ops without decoding (malformed frames left out).
std::vector<Op> generateOps(const GeneratorOptions& options);

}  // namespace kring::testing
