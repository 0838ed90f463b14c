// Files from a directory (the demo site, the widget bundle), served the way a CDN would cache them:
// precompressed siblings (never compressed on the fly), immutable caching for content-hashed names,
// a strong ETag and 304s for the rest. docs/operations.md, "Widget files".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/http_message.h"

namespace kring::server {

// True when If-None-Match names the tag (weakly, as RFC 9110 13.1.2 compares) or is "*".
bool entityTagMatches(std::string_view ifNoneMatch, std::string_view tag);

// "kring-thread.3f9a0c1b.js", "kring-core.KX3J7QAB.wasm": the part between the last two dots is a
// content hash (8 to 64 characters: uppercase [A-Z0-9], or lowercase [a-z0-9] with a digit). Such a
// name never changes content, so it is cached for a year.
bool isContentHashedName(std::string_view path);

// The request path after the route's prefix, percent-decoded; nullopt when an escape is malformed.
std::optional<std::string> decodePath(std::string_view encoded);

// Only plain relative paths: no "..", no dot-files, no empty segments (so no absolute paths),
// no backslashes, no NUL.
bool safePath(std::string_view path);

// The precompressed encodings an Accept-Encoding header takes ("br", "gzip"), best first: the higher
// q first, br on a tie; q=0 refuses; "*" stands for those not named. Identity is always acceptable.
std::vector<std::string_view> acceptableEncodings(std::string_view acceptEncoding);

class StaticFiles {
 public:
  explicit StaticFiles(std::size_t maxTags = 4096) : maxTags_(maxTags) {}

  // GET or HEAD of `encodedPath` (relative, still percent-encoded) under `directory`.
  HttpResponse serve(const HttpRequest& request, const std::string& directory, std::string_view encodedPath);

 private:
  struct Tag {
    std::int64_t modifiedNs = 0;
    std::int64_t size = 0;
    std::string etag;
    std::list<std::string>::iterator age;
  };
  // The cached ETag of `path` when its mtime and size still match; empty otherwise.
  std::string cachedTag(const std::string& path, std::int64_t modifiedNs, std::int64_t size);
  void remember(const std::string& path, std::int64_t modifiedNs, std::int64_t size, std::string etag);

  std::size_t maxTags_;
  std::mutex mutex_;  // cheap insurance: the server runs one io thread today
  std::unordered_map<std::string, Tag> tags_;
  std::list<std::string> ages_;  // oldest first; the oldest goes when the cache is full
};

}  // namespace kring::server
