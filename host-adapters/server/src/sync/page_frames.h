// A page of a paged thread (thread_page.h) as the frames a connection is sent: its ThreadSnapshot in
// parts, then (protocol 2 on) the HTML of its posts' text. A continuing page is cut per request: it
// costs one pass over the asked list, and where a member has paged to is theirs alone. (First pages
// are kept per viewer class and order: SnapshotCache.)
#pragma once

#include "kring/engine.h"
#include "kring/sync.h"
#include "kring/visibility.h"
#include "sync/connection.h"

namespace kring::server {

// nullptr when the request names no thread, parent or post of that list.
SharedSnapshot pageFrames(const Engine& engine, const LoadPage& request, bool first, const Viewer& viewer);

// A snapshot's bytes and the posts it holds as frames; `sequence`: the ops it holds.
SharedSnapshot snapshotFrames(const std::string& threadKey, Sequence sequence, ByteView snapshot,
                              const std::vector<PostRecord>& posts);

}  // namespace kring::server
