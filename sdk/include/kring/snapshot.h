// Snapshots: the state of a whole site (for server restarts) or of one thread (for a client replica).
#pragma once

#include <string_view>

#include "kring/engine.h"
#include "kring/reason.h"
#include "kring/visibility.h"

namespace kring {

Bytes encodeSiteSnapshot(const Engine& engine);
// A new engine holding exactly the snapshot's state; replay ops after its lastSequence to catch up.
Result<Engine> restoreSiteSnapshot(ByteView bytes, Limits limits = {});

// The thread as `viewer` may hold it (visibility.h); fullViewer() for everything the engine holds.
// Fails with unknownThread when the engine has no such thread.
Result<Bytes> encodeThreadSnapshot(const Engine& engine, std::string_view threadKey, const Viewer& viewer);
// Replaces (or adds) the thread in a replica, with its posts and the members they name. The posts
// may carry only the viewer's votes: the score is the server's.
Status loadThreadSnapshot(Engine& engine, ByteView bytes);

}  // namespace kring
