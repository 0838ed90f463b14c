// A thread as every visitor may read it, as HTML a host puts in its page and a crawler indexes
// (docs/server-rendering.md): the everyone-projection of the thread in its default order, the first
// page of top-level posts with their replies, each body through the one Markdown renderer, and
// schema.org JSON-LD (QAPage for questions, DiscussionForumPosting for discussions).
//
// Held, removed, deleted and erased text never appears: a post nobody may read shows as a
// tombstone only when readable replies hang under it, and is left out otherwise.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kring/engine.h"

namespace kring::server {

// Top-level posts on a thread's first page, each with all its replies.
inline constexpr std::size_t kFirstPagePosts = 50;

// The order a thread opens in: questions by votes (accepted first), discussions as they were written.
SortOrder defaultSortOrder(ThreadKind kind);

// A post as the page shows it, for a live change (page_changes.h).
struct PagePost {
  std::string id;
  std::string parentId;  // empty at the top level
  std::string html;      // its article, with an empty list where its replies go
};

// The page's posts in document order, and a version naming them (the fragment's data-kring-version).
struct PageParts {
  std::string version;
  std::vector<PagePost> posts;
};

struct ThreadPage {
  std::string fragment;
  PageParts parts;
};

// nullopt when the engine has no such thread. `language`: the site's (site_config.h), "en" or "nl",
// for the page's few words (its lang attribute, the accepted badge, the score, a tombstone).
std::optional<ThreadPage> renderThreadPage(const Engine& engine, std::string_view threadKey,
                                           std::string_view language = "en");
std::optional<std::string> renderThreadFragment(const Engine& engine, std::string_view threadKey,
                                                std::string_view language = "en");

}  // namespace kring::server
