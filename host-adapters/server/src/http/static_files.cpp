#include "http/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <utility>
#include <vector>

#include "observe/logging.h"
#include "util/entity_tag.h"

namespace kring::server {

namespace http = boost::beast::http;

namespace {

// The largest file served; the body is held in memory while it is written.
constexpr std::int64_t kMaxFileBytes = 64 << 20;
constexpr std::int64_t kSiblingSlackNs = std::int64_t{60} * 1'000'000'000;
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kShort = "public, max-age=300";  // a new loader reaches every page within 5 minutes
constexpr std::string_view kRevalidate = "no-cache";        // html: always asks, mostly answered by a 304

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string_view contentType(std::string_view path) {
  if (endsWith(path, ".html")) return "text/html; charset=utf-8";
  if (endsWith(path, ".js") || endsWith(path, ".mjs")) return "text/javascript; charset=utf-8";
  if (endsWith(path, ".css")) return "text/css; charset=utf-8";
  if (endsWith(path, ".wasm")) return "application/wasm";
  if (endsWith(path, ".json")) return "application/json";
  if (endsWith(path, ".svg")) return "image/svg+xml";
  if (endsWith(path, ".png")) return "image/png";
  return "application/octet-stream";
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Calls `each` with every comma-separated, trimmed, non-empty item of a header list.
template <typename Each>
void forEachItem(std::string_view list, Each each) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    if (!item.empty()) each(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// A qvalue ("0", "0.5", "1.000") in thousandths; -1 when malformed.
int qValue(std::string_view text) {
  if (text.empty() || text.size() > 5 || (text[0] != '0' && text[0] != '1')) return -1;
  int value = (text[0] - '0') * 1000;
  if (text.size() == 1) return value;
  if (text[1] != '.') return -1;
  int scale = 100;
  for (char c : text.substr(2)) {
    if (c < '0' || c > '9') return -1;
    value += (c - '0') * scale;
    scale /= 10;
  }
  return value > 1000 ? -1 : value;
}

class OpenFile {
 public:
  // Regular files only: a directory or a FIFO (which would block a read) is "no such file".
  explicit OpenFile(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)) {
    if (fd_ < 0) return;
    struct stat info {};
    if (::fstat(fd_, &info) != 0 || !S_ISREG(info.st_mode)) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    size_ = info.st_size;
    modifiedNs_ = std::int64_t{info.st_mtim.tv_sec} * 1'000'000'000 + info.st_mtim.tv_nsec;
  }
  OpenFile(OpenFile&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), size_(other.size_), modifiedNs_(other.modifiedNs_) {}
  OpenFile& operator=(OpenFile&& other) noexcept {
    std::swap(fd_, other.fd_);
    size_ = other.size_;
    modifiedNs_ = other.modifiedNs_;
    return *this;
  }
  ~OpenFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  explicit operator bool() const { return fd_ >= 0; }
  std::int64_t size() const { return size_; }
  std::int64_t modifiedNs() const { return modifiedNs_; }

  // The whole file; false on a read error.
  bool read(std::string& out) const {
    out.resize(static_cast<std::size_t>(size_));
    std::size_t done = 0;
    while (done < out.size()) {
      ssize_t got = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return false;
      if (got == 0) break;  // truncated under us: serve what is there
      done += static_cast<std::size_t>(got);
    }
    out.resize(done);
    return true;
  }

 private:
  int fd_ = -1;
  std::int64_t size_ = 0;
  std::int64_t modifiedNs_ = 0;
};

}  // namespace

bool entityTagMatches(std::string_view ifNoneMatch, std::string_view etag) {
  bool match = false;
  forEachItem(ifNoneMatch, [&](std::string_view item) {
    if (item == "*") match = true;
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);  // If-None-Match compares weakly (RFC 9110 13.1.2)
    if (item == etag) match = true;
  });
  return match;
}

bool isContentHashedName(std::string_view path) {
  std::string_view name = path.substr(path.rfind('/') + 1);
  std::size_t extension = name.rfind('.');
  if (extension == std::string_view::npos || extension == 0) return false;
  std::size_t start = name.rfind('.', extension - 1);
  if (start == std::string_view::npos || start == 0) return false;
  std::string_view hash = name.substr(start + 1, extension - start - 1);
  if (hash.size() < 8 || hash.size() > 64) return false;
  auto all = [&](auto test) { return std::all_of(hash.begin(), hash.end(), test); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  // Uppercase base32/hex as esbuild writes it; lowercase needs a digit so that a word such as
  // "minified" is not taken for a hash and cached for a year.
  if (all([&](char c) { return digit(c) || (c >= 'A' && c <= 'Z'); })) return true;
  return all([&](char c) { return digit(c) || (c >= 'a' && c <= 'z'); }) &&
         std::any_of(hash.begin(), hash.end(), digit);
}

std::optional<std::string> decodePath(std::string_view encoded) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(encoded.size());
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%') {
      out += encoded[i];
      continue;
    }
    if (i + 2 >= encoded.size()) return std::nullopt;
    int high = hex(encoded[i + 1]), low = hex(encoded[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

bool safePath(std::string_view path) {
  if (path.empty() || path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos)
    return false;
  std::size_t start = 0;
  while (true) {
    std::size_t end = path.find('/', start);
    std::string_view segment = path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (segment.empty() || segment.front() == '.') return false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

std::vector<std::string_view> acceptableEncodings(std::string_view acceptEncoding) {
  int br = -1, gzip = -1, any = -1;  // -1: not named
  forEachItem(acceptEncoding, [&](std::string_view item) {
    std::size_t semicolon = item.find(';');
    std::string_view coding = trim(item.substr(0, semicolon));
    int q = 1000;
    if (semicolon != std::string_view::npos) {
      std::string_view parameter = trim(item.substr(semicolon + 1));
      if (parameter.size() < 2 || !equalsIgnoringCase(parameter.substr(0, 2), "q=")) return;
      q = qValue(trim(parameter.substr(2)));
      if (q < 0) return;  // a malformed entry is ignored
    }
    if (equalsIgnoringCase(coding, "br")) br = q;
    if (equalsIgnoringCase(coding, "gzip") || equalsIgnoringCase(coding, "x-gzip")) gzip = q;
    if (coding == "*") any = q;
  });
  if (br < 0) br = std::max(any, 0);
  if (gzip < 0) gzip = std::max(any, 0);
  std::vector<std::string_view> order;
  if (br > 0 && br >= gzip) order.push_back("br");
  if (gzip > 0) order.push_back("gzip");
  if (br > 0 && br < gzip) order.push_back("br");
  return order;
}

std::string StaticFiles::cachedTag(const std::string& path, std::int64_t modifiedNs, std::int64_t size) {
  std::lock_guard lock(mutex_);
  auto it = tags_.find(path);
  if (it == tags_.end() || it->second.modifiedNs != modifiedNs || it->second.size != size) return {};
  return it->second.etag;
}

void StaticFiles::remember(const std::string& path, std::int64_t modifiedNs, std::int64_t size, std::string etag) {
  std::lock_guard lock(mutex_);
  auto it = tags_.find(path);
  if (it != tags_.end()) {
    it->second.modifiedNs = modifiedNs;
    it->second.size = size;
    it->second.etag = std::move(etag);
    return;
  }
  // Only files that exist get here, so this bounds the cache against a directory with more files
  // than maxTags_, not against requests for made-up names.
  if (tags_.size() >= maxTags_ && !ages_.empty()) {
    tags_.erase(ages_.front());
    ages_.pop_front();
  }
  ages_.push_back(path);
  tags_.emplace(path, Tag{modifiedNs, size, std::move(etag), std::prev(ages_.end())});
}

HttpResponse StaticFiles::serve(const HttpRequest& request, const std::string& directory,
                                std::string_view encodedPath) {
  auto notFound = [&] { return errorResponse(request, http::status::not_found, "not_found", "No such file."); };
  if (directory.empty()) return notFound();
  std::optional<std::string> decoded = decodePath(encodedPath);
  if (!decoded)
    return errorResponse(request, http::status::bad_request, "bad_path", "The path has a malformed %-escape.");
  if (!safePath(*decoded)) return notFound();

  const std::string path = directory + "/" + *decoded;
  OpenFile file(path);
  if (!file) return notFound();  // also keeps a lone .br or .gz sibling from standing in for a missing file
  std::string sent = path;
  std::string_view encoding;
  for (std::string_view candidate : acceptableEncodings(request[http::field::accept_encoding])) {
    std::string siblingPath = path + (candidate == "br" ? ".br" : ".gz");
    OpenFile sibling(siblingPath);
    // A sibling was written with its file, or copied with it (cp -r gives both the copy's time, in
    // any order); one a minute older than its file was not rebuilt with it: its bytes would be stale.
    if (!sibling || sibling.modifiedNs() < file.modifiedNs() - kSiblingSlackNs) continue;
    file = std::move(sibling);
    sent = std::move(siblingPath);
    encoding = candidate;
    break;
  }
  if (file.size() > kMaxFileBytes) {
    logEvent("warn", "static_file_too_large", {{"path", sent}});
    return errorResponse(request, http::status::internal_server_error, "file_too_large",
                         "This file is too large to serve.");
  }

  std::string body;
  bool read = false;
  std::string etag = cachedTag(sent, file.modifiedNs(), file.size());
  if (etag.empty()) {
    if (!file.read(body)) return notFound();
    read = true;
    etag = entityTag(body);
    // A file rewritten while we read it gets its tag next time, from bytes that match its size.
    if (static_cast<std::int64_t>(body.size()) == file.size()) remember(sent, file.modifiedNs(), file.size(), etag);
  }

  const std::string_view cacheControl = isContentHashedName(*decoded) ? kImmutable
                                        : endsWith(*decoded, ".html") ? kRevalidate
                                                                      : kShort;
  auto common = [&](HttpResponse& response) {
    response.set(http::field::etag, etag);
    response.set(http::field::cache_control, cacheControl);
    response.set(http::field::vary, "Accept-Encoding");
  };
  if (entityTagMatches(request[http::field::if_none_match], etag)) {
    HttpResponse response(http::status::not_modified, request.version());
    response.set(http::field::server, "kring-server");
    response.keep_alive(request.keep_alive());
    common(response);
    return response;  // no Content-Length: a 304's would have to be the 200's, and none is needed
  }
  if (!read && !file.read(body)) return notFound();
  HttpResponse response = respond(request, http::status::ok, std::move(body), contentType(*decoded));
  if (!encoding.empty()) response.set(http::field::content_encoding, encoding);
  common(response);
  return response;
}

}  // namespace kring::server
