// What a reader's copy of a thread's page needs to become the next rendering (the live stream,
// docs/server-rendering.md): the posts to put in place and the posts to drop, as JSON
//   {"from": version, "to": version, "put": [{"id", "parent", "after", "html"}], "drop": [id]}
// Applied in order (drops first, then puts in document order), each put's `after` (the sibling it
// follows, "" for the first) is already in place. A put replaces the post's own article and keeps
// the replies under it; a post whose siblings changed order is put again with them.
#pragma once

#include <string>

#include "render/thread_page.h"

namespace kring::server {

// Empty when both show the same posts.
std::string pageChanges(const PageParts& before, const PageParts& after);

}  // namespace kring::server
