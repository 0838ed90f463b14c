// Paged threads (docs/protocol.md, "Paged threads"): a client that subscribes paged gets the thread's
// first page, not the whole thread, and asks for more of one list at a time. A list is the replies of
// one post, or the thread's top-level posts; each is cut in the reader's order (state/post_order.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kring/engine.h"
#include "kring/reason.h"
#include "kring/records.h"
#include "kring/snapshot.h"
#include "kring/sync.h"
#include "kring/visibility.h"

namespace kring {

// How much one page holds: posts of the asked list first, then replies under them (up to
// firstReplies each, then more while room is left), so a thread of up to `posts` posts comes whole.
struct PageSize {
  std::uint32_t listPosts = 25;
  std::uint32_t posts = 100;
  std::uint32_t firstReplies = 3;
};

// The page `request` asks for, as `viewer` may hold it. Which posts it holds is the same for every
// viewer (a post others may not read is still there, as a tombstone); what they show is projected.
// The first page (a paged Subscribe: no parent, no after) replaces a replica's copy of the thread; a
// LoadPage's continues it. Fails with unknownThread, or unknownPost when parentId or afterId names no
// post of that list.
Result<EncodedPage> encodeThreadPage(const Engine& engine, const LoadPage& request, bool first, const Viewer& viewer,
                                     PageSize size = {});

// A replica's next request for one list of a paged thread: nullopt when it holds the whole list (or
// not the thread, or the parent post).
std::optional<LoadPage> nextPage(const Engine& replica, std::string_view threadKey, std::string_view parentId);

}  // namespace kring
