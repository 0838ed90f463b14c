#include "sync/rendered_pages.h"

#include "render/sitemap.h"
#include "render/thread_page.h"
#include "util/entity_tag.h"
#include "util/gzip.h"

namespace kring::server {

namespace {
SharedPage pageOf(std::string body, PageParts parts = {}) {
  std::string etag = entityTag(body);
  std::string compressed = gzipped(body);
  std::string gzipEtag = compressed.empty() ? std::string() : entityTag(compressed);
  return std::make_shared<const RenderedPage>(
      RenderedPage{std::move(body), std::move(etag), std::move(compressed), std::move(gzipEtag), std::move(parts)});
}
}  // namespace

std::size_t RenderedPage::bytes() const {
  std::size_t total = body.size() + gzipBody.size();
  for (const PagePost& post : parts.posts) total += post.id.size() + post.parentId.size() + post.html.size();
  return total;
}

SharedPage RenderedPages::thread(const Engine& engine, const std::string& threadKey) {
  if (auto it = threads_.find(threadKey); it != threads_.end()) return it->second;
  std::optional<ThreadPage> rendered = renderThreadPage(engine, threadKey, language_);
  if (!rendered) return nullptr;  // unknown keys are not kept: the map stays bounded by the site's threads
  SharedPage page = pageOf(std::move(rendered->fragment), std::move(rendered->parts));
  if (bytes_ + page->bytes() > maxBytes_) clear();
  bytes_ += page->bytes();
  threads_.emplace(threadKey, page);
  return page;
}

SharedPage RenderedPages::sitemap(const Engine& engine, std::string_view pageTemplate, Clock::time_point now) {
  if (sitemap_ && (!sitemapStale_ || now - sitemapAt_ < kSitemapEvery)) return sitemap_;
  sitemap_ = pageOf(renderSitemap(engine, pageTemplate));
  sitemapAt_ = now;
  sitemapStale_ = false;
  return sitemap_;
}

void RenderedPages::invalidate(const std::string& threadKey) {
  sitemapStale_ = true;
  auto it = threads_.find(threadKey);
  if (it == threads_.end()) return;
  bytes_ -= it->second->bytes();
  threads_.erase(it);
}

void RenderedPages::clear() {
  sitemapStale_ = true;
  threads_.clear();
  bytes_ = 0;
}

}  // namespace kring::server
