// A checkpoint's parts into the core on two cores: a reader thread takes the stored parts in
// (kind, index) order and decodes them, this thread builds the site from them a batch at a time.
// Both stores (SQLite, PostgreSQL) load their checkpoints through it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "kring/checkpoint.h"

namespace kring::server {

// Hands one stored part to the builder; false once the builder has given up (stop reading).
using EmitPart = std::function<bool(std::int64_t kind, std::int64_t index, ByteView part)>;
// Reads every part of the checkpoint in order through `emit`; returns "" or the store's error.
using ReadParts = std::function<std::string(const EmitPart& emit)>;

// Runs `read` on a thread of its own and adds what it emits to `loader`. A part of no known kind,
// one that does not decode or that the loader refuses, or a store error refuses the checkpoint.
Result<Engine> buildFromParts(CheckpointLoader& loader, const ReadParts& read);

}  // namespace kring::server
