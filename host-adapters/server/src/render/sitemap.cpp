#include "render/sitemap.h"

#include <algorithm>

#include "render/html_text.h"

namespace kring::server {

namespace {

constexpr std::size_t kMaxSitemapUrls = 50'000;

void appendPercentEncoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
}

}  // namespace

std::string renderSitemap(const Engine& engine, std::string_view pageTemplate) {
  std::vector<ThreadSummary> threads = engine.threadSummaries();
  std::erase_if(threads, [](const ThreadSummary& thread) { return thread.visiblePosts == 0; });
  std::stable_sort(threads.begin(), threads.end(),
                   [](const ThreadSummary& a, const ThreadSummary& b) { return a.lastActivity > b.lastActivity; });
  if (threads.size() > kMaxSitemapUrls) threads.resize(kMaxSitemapUrls);
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const ThreadSummary& thread : threads) {
    out += "<url><loc>";
    appendEscaped(out, threadPageUrl(pageTemplate, thread.key));
    out += "</loc><lastmod>" + isoTime(thread.lastActivity) + "</lastmod></url>\n";
  }
  out += "</urlset>\n";
  return out;
}

std::string threadPageUrl(std::string_view pageTemplate, std::string_view threadKey) {
  constexpr std::string_view kPlaceholder = "{thread}";
  const std::size_t at = pageTemplate.find(kPlaceholder);
  std::string url(pageTemplate.substr(0, at));
  if (at != std::string_view::npos) {
    appendPercentEncoded(url, threadKey);
    url += pageTemplate.substr(at + kPlaceholder.size());
  }
  return url;
}

}  // namespace kring::server
