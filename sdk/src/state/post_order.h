// Internal: the order posts are shown in, one level of replies at a time. The thread view and the
// pages a server cuts (thread_page.h) sort by it, so a page's posts are the ones a reader sees next.
#pragma once

#include <cstdint>

#include "kring/types.h"
#include "state/site_state.h"

namespace kring {

// Accepted answers lead; then the chosen order; then creation (by sequence, which a server and its
// replicas agree on, then by index for a prediction that has none yet).
inline bool sortsBefore(const SiteState& state, SortOrder order, std::uint32_t a, std::uint32_t b) {
  const PostEntry& x = state.posts[a];
  const PostEntry& y = state.posts[b];
  bool xAccepted = state.isAccepted(a);
  if (xAccepted != state.isAccepted(b)) return xAccepted;
  bool newestFirst = false;
  switch (order) {
    case SortOrder::top:
      if (x.score != y.score) return x.score > y.score;
      break;
    case SortOrder::newest: newestFirst = true; break;
    case SortOrder::oldest: break;
  }
  if (x.createdAt != y.createdAt) return newestFirst ? x.createdAt > y.createdAt : x.createdAt < y.createdAt;
  if (x.createdSequence != y.createdSequence)
    return newestFirst ? x.createdSequence > y.createdSequence : x.createdSequence < y.createdSequence;
  return newestFirst ? a > b : a < b;
}

}  // namespace kring
