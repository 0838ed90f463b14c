// A site's server-rendered pages (render/): each thread's fragment rendered once per change of the
// thread and shared by every request until the next, the sitemap at most once a minute. Cleared
// with the snapshot cache, so a removal or an erasure leaves no cached copy of the text.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "kring/engine.h"
#include "render/thread_page.h"

namespace kring::server {

struct RenderedPage {
  std::string body;
  std::string etag;      // entityTag(body)
  std::string gzipBody;  // the same, gzip-compressed; empty if compression failed
  std::string gzipEtag;  // another representation, another tag
  PageParts parts;       // a thread's posts, for live changes (empty for the sitemap)
  std::size_t bytes() const;
};
using SharedPage = std::shared_ptr<const RenderedPage>;

class RenderedPages {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kSitemapEvery = std::chrono::minutes(1);

  // Pages beyond `maxBytes` are dropped (those of other threads first); `language` is the site's.
  RenderedPages(std::size_t maxBytes, std::string language) : maxBytes_(maxBytes), language_(std::move(language)) {}

  // nullptr when the engine has no such thread.
  SharedPage thread(const Engine& engine, const std::string& threadKey);
  // The sitemap from `pageTemplate` (sitemap.h), rendered again after a change once a minute at most.
  SharedPage sitemap(const Engine& engine, std::string_view pageTemplate, Clock::time_point now);

  void invalidate(const std::string& threadKey);
  void clear();
  std::size_t bytes() const { return bytes_; }

 private:
  std::unordered_map<std::string, SharedPage> threads_;
  SharedPage sitemap_;
  Clock::time_point sitemapAt_{};
  bool sitemapStale_ = false;
  std::size_t maxBytes_;
  std::string language_;
  std::size_t bytes_ = 0;
};

}  // namespace kring::server
