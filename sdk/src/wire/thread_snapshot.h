// Internal: a ThreadSnapshot of some of a thread's posts (all of them, or a page: thread_page.h),
// projected for a viewer; and how a replica takes one in.
#pragma once

#include <cstdint>
#include <vector>

#include "kring/thread_page.h"
#include "state/site_state.h"

namespace kring {

// What a paged snapshot says besides its posts (ThreadPage in the schema).
struct PageFacts {
  bool continues = false;
  SortOrder order = SortOrder::top;
  std::uint32_t unloadedVisible = 0;
  std::vector<ListMark> lists;
};

// `posts` in creation order, each after its parent (or its parent already held by the replica).
EncodedPage encodeThreadPosts(const SiteState& state, std::uint32_t thread, const std::vector<std::uint32_t>& posts,
                              const Viewer& viewer, const PageFacts* page);

}  // namespace kring
