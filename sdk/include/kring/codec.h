// Cap'n Proto encoding of ops and outcomes (schema: sdk/schema/kring.capnp).
#pragma once

#include <span>

#include "kring/op.h"
#include "kring/outcome.h"
#include "kring/reason.h"

namespace kring {

// Frames larger than this are refused before decoding.
constexpr std::size_t kMaxOpBytes = 256 * 1024;

Bytes encodeOp(const Op& op);
// Refuses malformed bytes, unknown op kinds, out-of-range enums and negative times.
Result<Op> decodeOp(ByteView bytes);

Bytes encodeOutcome(const Outcome& outcome);
Result<Outcome> decodeOutcome(ByteView bytes);

// The op-log file format used by tools and tests: each op as [u32 little-endian size][bytes].
void appendFrame(Bytes& log, ByteView frame);
// Splits a log into frames; refuses a truncated log.
Result<std::vector<ByteView>> splitFrames(ByteView log);

}  // namespace kring
