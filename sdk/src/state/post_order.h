// Internal: the order posts are shown in, one level of replies at a time. The thread view and the
// pages a server cuts (thread_page.h) sort by it, so a page's posts are the ones a reader sees next.
#pragma once

#include <cstdint>

#include "kring/types.h"
#include "state/site_state.h"

namespace kring {

// Siblings in the chosen order. `accepted` is their parent's accepted answer (kNone for none, and for
// top-level posts), which leads; then the order; then creation (by sequence, which a server and its
// replicas agree on, then by index for a prediction that has none yet). A caller that sorts many
// siblings passes `accepted` once: reading each post's parent would double a long list's cache misses.
inline bool siblingBefore(const SiteState& state, SortOrder order, std::uint32_t accepted, std::uint32_t a,
                          std::uint32_t b) {
  if ((a == accepted) != (b == accepted)) return a == accepted;
  const PostEntry& x = state.posts[a];
  const PostEntry& y = state.posts[b];
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

// The accepted answer among the replies of `parent` (kNone: the top-level posts, which have none).
inline std::uint32_t acceptedAmong(const SiteState& state, std::uint32_t parent) {
  return parent == kNone ? kNone : state.posts[parent].acceptedAnswer;
}

}  // namespace kring
