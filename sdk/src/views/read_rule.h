// Who may read a post's text. One rule for the events a viewer receives (visibility.cpp) and the
// thread view a replica builds for its member (thread_view.cpp), so both show the same thing.
#pragma once

#include <string_view>

#include "kring/policy.h"
#include "kring/visibility.h"

namespace kring {

// Moderators read everything; members past the review-queue gate read posts held for review.
ViewerClass viewerClassOf(Role role, std::int32_t reputation, const Policy& policy);
bool isModeratorViewer(const Viewer& viewer);
bool mayRead(PostState state, std::string_view authorId, const Viewer& viewer);

}  // namespace kring
