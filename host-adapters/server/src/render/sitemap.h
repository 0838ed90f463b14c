// A site's threads as a sitemap (sitemaps.org 0.9): each thread's page, from the site's
// `threadPages` address template, with the time of its latest post or edit as `lastmod`.
#pragma once

#include <string>
#include <string_view>

#include "kring/engine.h"

namespace kring::server {

// `pageTemplate` holds "{thread}", replaced by the percent-encoded thread key. At most 50,000 threads
// (the protocol's limit per file), the most recently active first.
std::string renderSitemap(const Engine& engine, std::string_view pageTemplate);

// The page of one thread: `pageTemplate` with "{thread}" replaced by the percent-encoded key.
std::string threadPageUrl(std::string_view pageTemplate, std::string_view threadKey);

}  // namespace kring::server
