// The widget served to other origins: the real kring-server over a temporary widget directory laid
// out as the widget build writes it (a loader, content-hashed files, .br and .gz siblings).
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "server_process.h"
#include "sync_client.h"

using namespace kring;
using namespace kring::testing;
using namespace std::chrono_literals;
namespace http = boost::beast::http;
namespace fs = std::filesystem;

namespace {

using Response = http::response<http::string_body>;
using Headers = std::vector<std::pair<http::field, std::string>>;

constexpr const char* kShop = "https://shop.example";
constexpr const char* kBlog = "http://localhost:9090";
constexpr const char* kEvil = "https://evil.example";
constexpr const char* kSecret = "top-secret-bytes-outside-the-widget-dir";

// Two sites, so that an origin only the second allows still gets the widget.
const std::string kSites = R"({"sites":[
  {"id":"shop","allowedOrigins":["https://shop.example"],"tokenSecret":"shop-secret-0123456789-abcdefghijklmn",
   "adminKey":"shop-admin-0123456789-abcdef","policy":{}},
  {"id":"blog","allowedOrigins":["http://localhost:9090"],"tokenSecret":"blog-secret-0123456789-abcdefghijklmn",
   "adminKey":"blog-admin-0123456789-abcdef","policy":{}}]})";

void write(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// <tmp>/kring (the widget dir), <tmp>/site (the demo pages) and <tmp>/secret.txt beside them.
struct WidgetDir {
  fs::path root;
  WidgetDir() {
    char pattern[] = "/tmp/kring-widget-test-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    root = pattern;
    fs::create_directories(root / "kring");
    fs::create_directories(root / "site");
    write(root / "secret.txt", kSecret);
    write(root / "site" / "index.html", "<!doctype html><title>demo</title>");
    const fs::path w = root / "kring";
    // Each sibling's bytes name it, so a test sees which one was sent (the server never decodes them).
    write(w / "kring.js", "export const loader = 'identity';\n");
    write(w / "kring.js.gz", "GZ:kring.js");
    write(w / "kring.js.br", "BR:kring.js");
    write(w / "kring-thread.3f9a0c1b.js", "export const thread = 'identity';\n");
    write(w / "kring-thread.3f9a0c1b.js.gz", "GZ:kring-thread");
    write(w / "kring-thread.3f9a0c1b.js.br", "BR:kring-thread");
    write(w / "kring-core.KX3J7QAB.wasm", std::string("\0asm\1\0\0\0", 8));
    write(w / "kring-core.KX3J7QAB.wasm.br", "BR:kring-core");
    write(w / "gz-only.js", "export const gzOnly = 'identity';\n");
    write(w / "gz-only.js.gz", "GZ:gz-only");
    write(w / "orphan.js.br", "BR:orphan");  // its file does not exist
    write(w / "stale.js", "export const stale = 'identity';\n");
    write(w / "stale.js.br", "BR:stale-old-bytes");
    fs::last_write_time(w / "stale.js.br", fs::last_write_time(w / "stale.js") - 1h);  // not rebuilt with its file
    // Copied after its .br and .gz (cp -r copies in any order): still served compressed.
    fs::last_write_time(w / "kring-thread.3f9a0c1b.js", fs::last_write_time(w / "kring-thread.3f9a0c1b.js.br") + 2s);
    write(w / "kring.minified.js", "export const minified = 1;\n");
    write(w / "kring.mjs", "export {};\n");
    write(w / "kring.css", ":host{}");
    write(w / "demo.html", "<!doctype html>");
    write(w / "strings.json", "{}");
    write(w / "icon.svg", "<svg/>");
    write(w / "logo.png", "\x89PNG");
    fs::create_directories(w / "dir");
  }
  ~WidgetDir() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }
  std::string flags() const {
    return "--widget-dir " + (root / "kring").string() + " --static-dir " + (root / "site").string();
  }
};

Response fetch(unsigned short port, http::verb verb, const std::string& target, const Headers& headers = {}) {
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> request(verb, target, 11);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  http::write(stream, request);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 << 20);
  if (verb == http::verb::head) parser.skip(true);
  http::read(stream, buffer, parser);
  return parser.release();
}

Response get(unsigned short port, const std::string& target, const Headers& headers = {}) {
  return fetch(port, http::verb::get, target, headers);
}

std::string header(const Response& response, http::field name) { return std::string(response[name]); }
std::string header(const Response& response, std::string_view name) { return std::string(response[name]); }

bool varies(const Response& response, std::string_view on) {
  return header(response, http::field::vary).find(on) != std::string::npos;
}

}  // namespace

TEST_CASE("widget files carry CORS for the origins some site allows, and not for others", "[server][widget]") {
  WidgetDir dir;
  ServerProcess server(dir.flags(), TestSite::mechanicsPolicy, kSites);
  const char* wasm = "/kring/kring-core.KX3J7QAB.wasm";

  for (const char* origin : {kShop, kBlog}) {
    Response response = get(server.port(), wasm, {{http::field::origin, origin}});
    INFO(origin);
    CHECK(response.result_int() == 200);
    CHECK(header(response, http::field::access_control_allow_origin) == origin);
    CHECK(varies(response, "Origin"));
  }
  // The loader runs on any page, so that a page no site allows hears so in its element.
  for (const char* origin : {kShop, kEvil}) {
    CHECK(header(get(server.port(), "/kring/kring.js", {{http::field::origin, origin}}),
                 http::field::access_control_allow_origin) == "*");
  }

  Response evil = get(server.port(), wasm, {{http::field::origin, kEvil}});
  CHECK(evil.result_int() == 200);  // the bytes are public; the browser withholds them from the page
  CHECK(evil[http::field::access_control_allow_origin].empty());
  CHECK(varies(evil, "Origin"));  // so a shared cache never hands this answer to an allowed page
  CHECK(get(server.port(), wasm)[http::field::access_control_allow_origin].empty());
  // An origin differing only by scheme or port is another origin.
  CHECK(
      get(server.port(), wasm, {{http::field::origin, "http://shop.example"}})[http::field::access_control_allow_origin]
          .empty());
  CHECK(get(server.port(), wasm,
            {{http::field::origin, "http://localhost:9091"}})[http::field::access_control_allow_origin]
            .empty());
  // The operator's clue: each refused origin once in the log, however often its page asks.
  get(server.port(), wasm, {{http::field::origin, kEvil}});
  const std::string log = read(fs::path(server.directory()) / "server.log");
  std::size_t lines = 0;
  for (std::size_t at = log.find(std::string("\"origin\":\"") + kEvil + "\",\"asked\":\"widget files\"");
       at != std::string::npos; at = log.find(std::string("\"origin\":\"") + kEvil + "\",\"asked\"", at + 1)) {
    ++lines;
  }
  CHECK(lines == 1);
  // The demo pages are not for embedding.
  CHECK(get(server.port(), "/", {{http::field::origin, kShop}})[http::field::access_control_allow_origin].empty());

  SECTION("a preflight is answered for allowed origins and refused for others") {
    Response allowed = fetch(server.port(), http::verb::options, "/kring/kring.js",
                             {{http::field::origin, kShop},
                              {http::field::access_control_request_method, "GET"},
                              {http::field::access_control_request_headers, "x-requested-with"}});
    CHECK(allowed.result_int() == 204);
    CHECK(header(allowed, http::field::access_control_allow_origin) == kShop);
    CHECK(header(allowed, http::field::access_control_allow_methods).find("GET") != std::string::npos);
    CHECK(header(allowed, http::field::access_control_allow_headers) == "x-requested-with");
    CHECK_FALSE(header(allowed, http::field::access_control_max_age).empty());

    Response refused = fetch(server.port(), http::verb::options, "/kring/kring.js",
                             {{http::field::origin, kEvil}, {http::field::access_control_request_method, "GET"}});
    CHECK(refused.result_int() == 403);
    CHECK(refused[http::field::access_control_allow_origin].empty());
    CHECK(refused.body().find("origin_not_allowed") != std::string::npos);

    CHECK(fetch(server.port(), http::verb::options, "/healthz", {{http::field::origin, kShop}}).result_int() == 405);
  }
}

TEST_CASE("a site that allows any origin opens the widget to every origin", "[server][widget]") {
  WidgetDir dir;
  ServerProcess server(dir.flags());  // its "closed" site lists "*"
  Response response = get(server.port(), "/kring/kring-core.KX3J7QAB.wasm", {{http::field::origin, kEvil}});
  CHECK(header(response, http::field::access_control_allow_origin) == kEvil);
}

TEST_CASE("precompressed siblings: br before gzip, as the request allows, never for a missing or stale file",
          "[server][widget]") {
  WidgetDir dir;
  ServerProcess server(dir.flags(), TestSite::mechanicsPolicy, kSites);
  struct Case {
    std::string target, acceptEncoding, body, encoding;
  };
  const std::string loader = read(dir.root / "kring" / "kring.js");
  const std::vector<Case> cases = {
      {"/kring/kring.js", "gzip, deflate, br", "BR:kring.js", "br"},  // what Chromium sends
      {"/kring/kring.js", "br", "BR:kring.js", "br"},
      {"/kring/kring.js", "gzip", "GZ:kring.js", "gzip"},
      {"/kring/kring.js", "GZIP;q=1.0", "GZ:kring.js", "gzip"},
      {"/kring/kring.js", "gzip;q=1, br;q=0.5", "GZ:kring.js", "gzip"},
      {"/kring/kring.js", "br;q=0, gzip", "GZ:kring.js", "gzip"},
      {"/kring/kring.js", "*", "BR:kring.js", "br"},
      {"/kring/kring.js", "*, br;q=0", "GZ:kring.js", "gzip"},
      {"/kring/kring.js", "", loader, ""},
      {"/kring/kring.js", "identity", loader, ""},
      {"/kring/kring.js", "deflate", loader, ""},
      {"/kring/kring.js", "gzip;q=0, br;q=0", loader, ""},
      {"/kring/kring-thread.3f9a0c1b.js", "gzip, br", "BR:kring-thread", "br"},
      {"/kring/kring-core.KX3J7QAB.wasm", "gzip", read(dir.root / "kring" / "kring-core.KX3J7QAB.wasm"), ""},
      {"/kring/gz-only.js", "br, gzip", "GZ:gz-only", "gzip"},
      {"/kring/stale.js", "br", read(dir.root / "kring" / "stale.js"), ""},
  };
  for (const Case& c : cases) {
    INFO(c.target << " with Accept-Encoding: " << c.acceptEncoding);
    Headers headers;
    if (!c.acceptEncoding.empty()) headers.emplace_back(http::field::accept_encoding, c.acceptEncoding);
    Response response = get(server.port(), c.target, headers);
    CHECK(response.result_int() == 200);
    CHECK(response.body() == c.body);
    CHECK(header(response, http::field::content_encoding) == c.encoding);
    CHECK(varies(response, "Accept-Encoding"));
    // The type is the file's, whatever the encoding.
    CHECK(header(response, http::field::content_type) ==
          (c.target.ends_with(".wasm") ? "application/wasm" : "text/javascript; charset=utf-8"));
  }
  // A sibling never stands in for a file that is not there.
  CHECK(get(server.port(), "/kring/orphan.js", {{http::field::accept_encoding, "br, gzip"}}).result_int() == 404);
}

TEST_CASE("content-hashed names are cached for a year, the loader and pages get a short max-age, an ETag and 304s",
          "[server][widget]") {
  WidgetDir dir;
  ServerProcess server(dir.flags(), TestSite::mechanicsPolicy, kSites);
  const unsigned short port = server.port();

  for (const char* hashed : {"/kring/kring-thread.3f9a0c1b.js", "/kring/kring-core.KX3J7QAB.wasm"}) {
    INFO(hashed);
    CHECK(header(get(port, hashed), http::field::cache_control) == "public, max-age=31536000, immutable");
    CHECK(header(get(port, hashed, {{http::field::accept_encoding, "br"}}), http::field::cache_control) ==
          "public, max-age=31536000, immutable");
  }
  for (const char* unhashed : {"/kring/kring.js", "/kring/kring.minified.js"}) {
    INFO(unhashed);
    CHECK(header(get(port, unhashed), http::field::cache_control) == "public, max-age=300");
  }
  CHECK(header(get(port, "/kring/demo.html"), http::field::cache_control) == "no-cache");
  CHECK(header(get(port, "/"), http::field::cache_control) == "no-cache");

  Response first = get(port, "/kring/kring.js");
  const std::string etag = header(first, http::field::etag);
  REQUIRE(etag.size() > 2);
  CHECK(etag.front() == '"');  // strong: no W/
  CHECK(header(get(port, "/kring/kring.js"), http::field::etag) == etag);

  Response notModified = get(port, "/kring/kring.js", {{http::field::if_none_match, etag}});
  CHECK(notModified.result_int() == 304);
  CHECK(notModified.body().empty());
  CHECK(header(notModified, http::field::etag) == etag);
  CHECK(header(notModified, http::field::cache_control) == "public, max-age=300");
  CHECK(get(port, "/kring/kring.js", {{http::field::if_none_match, "\"other\", " + etag}}).result_int() == 304);
  CHECK(get(port, "/kring/kring.js", {{http::field::if_none_match, "W/" + etag}}).result_int() == 304);
  CHECK(get(port, "/kring/kring.js", {{http::field::if_none_match, "\"other\""}}).result_int() == 200);
  // A 304 across origins keeps the CORS answer.
  Response crossOrigin =
      get(port, "/kring/kring.js", {{http::field::if_none_match, etag}, {http::field::origin, kShop}});
  CHECK(crossOrigin.result_int() == 304);
  CHECK(header(crossOrigin, http::field::access_control_allow_origin) == "*");  // the loader's, for any page

  // Each encoding is its own representation, with its own tag.
  const std::string brTag =
      header(get(port, "/kring/kring.js", {{http::field::accept_encoding, "br"}}), http::field::etag);
  CHECK(brTag != etag);
  CHECK(get(port, "/kring/kring.js", {{http::field::accept_encoding, "br"}, {http::field::if_none_match, brTag}})
            .result_int() == 304);
  CHECK(get(port, "/kring/kring.js", {{http::field::if_none_match, brTag}}).result_int() == 200);

  // A new loader (same size, new bytes) gets a new tag at once, and the old tag no longer matches.
  std::string next = read(dir.root / "kring" / "kring.js");
  next[next.size() - 3] = 'X';
  write(dir.root / "kring" / "kring.js", next);
  fs::last_write_time(dir.root / "kring" / "kring.js", fs::file_time_type::clock::now() + 1s);
  Response changed = get(port, "/kring/kring.js", {{http::field::if_none_match, etag}});
  CHECK(changed.result_int() == 200);
  CHECK(changed.body() == next);
  CHECK(header(changed, http::field::etag) != etag);
}

TEST_CASE("a precompressed file is sent with the type of the file it stands for, not of its .br", "[server][widget]") {
  WidgetDir dir;
  const std::vector<std::pair<std::string, std::string>> types = {
      {"/kring/kring.js", "text/javascript; charset=utf-8"},
      {"/kring/kring.mjs", "text/javascript; charset=utf-8"},
      {"/kring/kring-core.KX3J7QAB.wasm", "application/wasm"},
      {"/kring/kring.css", "text/css; charset=utf-8"},
      {"/kring/demo.html", "text/html; charset=utf-8"},
      {"/kring/strings.json", "application/json"},
      {"/kring/icon.svg", "image/svg+xml"},
      {"/kring/logo.png", "image/png"},
  };
  for (const auto& [target, type] : types) {
    const fs::path file = dir.root / target.substr(1);
    if (!fs::exists(fs::path(file) += ".br")) write(fs::path(file) += ".br", "BR:" + target);
  }
  ServerProcess server(dir.flags(), TestSite::mechanicsPolicy, kSites);
  for (const auto& [target, type] : types) {
    INFO(target);
    for (const char* encoding : {"br", ""}) {
      Response response = get(server.port(), target, {{http::field::accept_encoding, encoding}});
      CHECK(response.result_int() == 200);
      CHECK(header(response, http::field::content_encoding) == encoding);
      CHECK(header(response, http::field::content_type) == type);
      CHECK(header(response, "X-Content-Type-Options") == "nosniff");
    }
  }
}

TEST_CASE("paths out of the widget directory, encoded or not, are refused", "[server][widget]") {
  WidgetDir dir;
  ServerProcess server(dir.flags(), TestSite::mechanicsPolicy, kSites);
  for (const char* target :
       {"/kring/../secret.txt", "/kring/%2e%2e/secret.txt", "/kring/%2E%2E%2Fsecret.txt", "/kring/..%2fsecret.txt",
        "/kring/..%5csecret.txt", "/kring/dir/../../secret.txt", "/kring//etc/passwd", "/kring/%2fetc/passwd",
        "/kring/kring.js%00.png", "/kring/.%2e/secret.txt", "/kring/dir", "/kring/dir/", "/kring/", "/../secret.txt",
        "/%2e%2e/secret.txt", "/kring/%zz"}) {
    INFO(target);
    Response response = get(server.port(), target, {{http::field::accept_encoding, "br, gzip"}});
    CHECK(response.result_int() >= 400);
    CHECK(response.result_int() < 500);
    CHECK(response.body().find(kSecret) == std::string::npos);
  }
  CHECK(get(server.port(), "/kring/%zz").result_int() == 400);
  CHECK(get(server.port(), "/kring/missing.js").result_int() == 404);
  // A plain escape of an ordinary name still finds the file.
  CHECK(get(server.port(), "/kring/kring%2Ejs").result_int() == 200);
}

TEST_CASE("HEAD answers a GET's headers with no body, and the connection stays usable", "[server][widget]") {
  WidgetDir dir;
  ServerProcess server(dir.flags(), TestSite::mechanicsPolicy, kSites);
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port()));
  boost::beast::flat_buffer buffer;
  auto send = [&](http::verb verb, const char* target) {
    http::request<http::string_body> request(verb, target, 11);
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::accept_encoding, "gzip");
    request.set(http::field::origin, kShop);
    http::write(stream, request);
    http::response_parser<http::string_body> parser;
    if (verb == http::verb::head) parser.skip(true);
    http::read(stream, buffer, parser);
    return parser.release();
  };
  Response head = send(http::verb::head, "/kring/kring.js");
  CHECK(head.result_int() == 200);
  CHECK(header(head, http::field::content_length) == std::to_string(std::string("GZ:kring.js").size()));
  CHECK(header(head, http::field::content_encoding) == "gzip");
  CHECK(header(head, http::field::access_control_allow_origin) == "*");
  CHECK_FALSE(header(head, http::field::etag).empty());
  CHECK(send(http::verb::head, "/kring/missing.js").result_int() == 404);
  CHECK(send(http::verb::head, "/healthz").result_int() == 200);
  // Had a HEAD sent a body, it would be read here as the start of this response.
  Response after = send(http::verb::get, "/kring/kring-thread.3f9a0c1b.js");
  CHECK(after.result_int() == 200);
  CHECK(after.body() == "GZ:kring-thread");
}

TEST_CASE("a page from an origin no site allows hears why: an origin_not_allowed Error, a close, and a log line",
          "[server][widget][auth]") {
  WidgetDir dir;
  ServerProcess server(dir.flags(), TestSite::mechanicsPolicy, kSites);
  {
    SyncClient page(server.port(), "http://localhost:8080");  // the demo's old port: the case of issue 11
    page.send(Hello{"blog", "", "page-1", kProtocolVersion, ""});
    auto message = page.receive();
    REQUIRE(message);
    auto* error = std::get_if<ErrorMessage>(&*message);
    REQUIRE(error);
    CHECK(error->code == "origin_not_allowed");
    CHECK(error->message.find("http://localhost:8080") != std::string::npos);
    CHECK(error->message.find("\"blog\"") != std::string::npos);
    // Then the close, carrying the code for a client that only sees a CloseEvent.
    CHECK_FALSE(page.receive(2s));
    REQUIRE(page.closedByServer(2s));
    CHECK(page.closeCode() == 1008);
    CHECK(page.closeReason() == "origin_not_allowed");
  }
  // The server keeps nothing for it: the only connection left is the one asking.
  unsigned connections = 99;
  for (int i = 0; i < 50 && connections != 1; ++i) {
    std::string health = get(server.port(), "/healthz").body();
    connections = static_cast<unsigned>(std::stoul(health.substr(health.find("\"connections\":") + 14)));
    if (connections != 1) std::this_thread::sleep_for(20ms);
  }
  CHECK(connections == 1);

  std::string log = read(fs::path(server.directory()) / "server.log");
  auto at = log.find("\"event\":\"origin_not_allowed\"");
  REQUIRE(at != std::string::npos);
  const std::size_t start = log.rfind('\n', at) == std::string::npos ? 0 : log.rfind('\n', at) + 1;
  const std::string entry = log.substr(start, log.find('\n', at) - start);
  CHECK(entry.find("\"origin\":\"http://localhost:8080\"") != std::string::npos);
  CHECK(entry.find("\"site\":\"blog\"") != std::string::npos);

  // The same page on an allowed origin is let in (guests only read here: a read-only welcome).
  SyncClient allowed(server.port(), kBlog);
  allowed.send(Hello{"blog", "", "page-2", kProtocolVersion, ""});
  auto next = allowed.receive();
  REQUIRE(next);
  REQUIRE(std::holds_alternative<Welcome>(*next));
  CHECK(std::get<Welcome>(*next).readOnly);
}

TEST_CASE("the console is served from <widget-dir>/console, never framed, its page always revalidated",
          "[server][widget][console]") {
  WidgetDir dir;
  const fs::path console = dir.root / "kring" / "console";
  fs::create_directories(console);
  write(console / "index.html", "<!doctype html><title>console</title>");
  write(console / "console.3f9a0c1b.js", "export const console = 1;\n");
  ServerProcess server(dir.flags(), TestSite::mechanicsPolicy, kSites);
  const std::string csp =
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
  for (const char* target : {"/console", "/console/", "/console/index.html"}) {
    INFO(target);
    Response page = get(server.port(), target);
    CHECK(page.result_int() == 200);
    CHECK(page.body() == "<!doctype html><title>console</title>");
    CHECK(header(page, http::field::content_type).find("text/html") == 0);
    CHECK(header(page, "X-Frame-Options") == "DENY");
    CHECK(header(page, "Content-Security-Policy") == csp);
    CHECK(header(page, http::field::cache_control) == "no-cache");
  }
  Response script = get(server.port(), "/console/console.3f9a0c1b.js");
  CHECK(script.result_int() == 200);
  CHECK(header(script, "X-Frame-Options") == "DENY");
  CHECK(header(script, http::field::cache_control).find("immutable") != std::string::npos);
  // Nothing outside the console's folder, however the path is spelled.
  CHECK(get(server.port(), "/console/../kring.js").result_int() == 404);
  CHECK(get(server.port(), "/console/%2e%2e/kring.js").result_int() == 404);
  CHECK(get(server.port(), "/console/missing.js").result_int() == 404);
  CHECK(get(server.port(), "/consolex").result_int() == 404);  // the demo site's, which has none

  // Without a console build there is no console.
  fs::remove_all(console);
  Response missing = get(server.port(), "/console");
  CHECK(missing.result_int() == 404);
  CHECK(header(missing, "X-Frame-Options") == "DENY");
}
