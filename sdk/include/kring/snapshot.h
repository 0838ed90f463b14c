// Snapshots: the state of a whole site (for server restarts) or of one thread (for a client replica).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kring/engine.h"
#include "kring/reason.h"
#include "kring/visibility.h"

namespace kring {

Bytes encodeSiteSnapshot(const Engine& engine);
// A new engine holding exactly the snapshot's state; replay ops after its lastSequence to catch up.
Result<Engine> restoreSiteSnapshot(ByteView bytes, Limits limits = {});

// The thread as `viewer` may hold it (visibility.h); fullViewer() for everything the engine holds.
// Fails with unknownThread when the engine has no such thread. A replica's paged thread goes as the
// first page it amounts to (thread_page.h): loaded elsewhere, it lacks what the replica lacks.
Result<Bytes> encodeThreadSnapshot(const Engine& engine, std::string_view threadKey, const Viewer& viewer);
// A thread snapshot (whole, or a page: thread_page.h) with the posts as it encoded them, projected for
// the viewer: a server renders their bodies from these rather than projecting every post again.
struct EncodedPage {
  Bytes bytes;
  std::vector<PostRecord> posts;
};
Result<EncodedPage> encodeThreadSnapshotWithPosts(const Engine& engine, std::string_view threadKey,
                                                  const Viewer& viewer);
// The thread's posts exactly as encodeThreadSnapshot writes them for `viewer` (projected, in creation
// order); empty for an unknown thread.
std::vector<PostRecord> threadPostRecords(const Engine& engine, std::string_view threadKey, const Viewer& viewer);
// Members whose snapshot of the thread may differ from their viewer class's: its author and its
// posts' authors and voters (their own held posts, votes and sanctions), sorted. Everyone else gets
// exactly the bytes of Viewer{"", their class}, so a server can encode those once per class.
std::vector<std::string> threadSubjects(const Engine& engine, std::string_view threadKey);
// Replaces (or adds) the thread in a replica, with its posts and the members they name. The posts
// may carry only the viewer's votes: the score is the server's.
Status loadThreadSnapshot(Engine& engine, ByteView bytes);

}  // namespace kring
