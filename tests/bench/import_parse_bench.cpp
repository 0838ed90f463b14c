// The import's parsing half at scale: a Disqus export of 1,000,000 posts (in 10,000 threads, a third
// of them replies, HTML bodies in CDATA) is written to /tmp as a stream, then read back through
// readDisqusFile with every post's links kept for the orphan and cycle check (LinkCheck). Prints a
// Markdown table: posts per second, seconds, and the process's peak memory (VmHWM).
// Usage: kring_bench_import [posts] [path] [--keep]   (--keep: the export stays, for import_bench.mjs)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "import/disqus_reader.h"
#include "import/import_report.h"

using namespace kring::server;
using Clock = std::chrono::steady_clock;

namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// kB from /proc/self/status ("VmHWM:   12345 kB").
long statusKb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}

const char* kBodies[] = {
    "<p>Great post! I tried this with <b>three</b> kettles &amp; it worked.</p>",
    "<p>See <a href=\"https://example.org/docs\" rel=\"nofollow\">the docs</a> first.</p><p>Then ask again.</p>",
    "<p>1. not a list<br>2. still text * _ #</p>",
    "<blockquote>quoted words</blockquote><p>and my answer with <i>emphasis</i></p>",
    "<p>code: <code>a &lt; b</code></p><pre><code>int x = 1;\nint y = 2;</code></pre>",
};

// Written piece by piece: the file is never in memory.
bool writeExport(const std::string& path, std::uint64_t posts, std::uint64_t threads) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file) return false;
  std::FILE* out = file.get();
  std::fputs(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<disqus xmlns=\"http://disqus.com\" "
      "xmlns:dsq=\"http://disqus.com/disqus-internals\">\n",
      out);
  for (std::uint64_t t = 0; t < threads; ++t) {
    std::fprintf(out,
                 "  <thread dsq:id=\"%llu\">\n    <link>https://blog.example.com/%llu/post-%llu/</link>\n"
                 "    <title>Post number %llu</title>\n    <isClosed>false</isClosed>\n"
                 "    <isDeleted>false</isDeleted>\n  </thread>\n",
                 static_cast<unsigned long long>(1000000000 + t), static_cast<unsigned long long>(2000 + t % 20),
                 static_cast<unsigned long long>(t), static_cast<unsigned long long>(t));
  }
  for (std::uint64_t p = 0; p < posts; ++p) {
    std::uint64_t id = 3000000000ull + p;
    std::uint64_t thread = 1000000000 + p % threads;
    std::fprintf(out,
                 "  <post dsq:id=\"%llu\">\n    <id />\n    <message><![CDATA[%s]]></message>\n"
                 "    <createdAt>2015-%02d-%02dT%02d:%02d:%02dZ</createdAt>\n    <isDeleted>%s</isDeleted>\n"
                 "    <isSpam>%s</isSpam>\n    <author>\n      <email>user%llu@example.com</email>\n"
                 "      <name>User %llu</name>\n      <isAnonymous>false</isAnonymous>\n"
                 "      <username>user%llu</username>\n    </author>\n    <ipAddress>192.0.2.1</ipAddress>\n"
                 "    <thread dsq:id=\"%llu\" />\n",
                 static_cast<unsigned long long>(id), kBodies[p % 5], static_cast<int>(1 + p % 12),
                 static_cast<int>(1 + p % 28), static_cast<int>(p % 24), static_cast<int>(p % 60),
                 static_cast<int>(p / 60 % 60), p % 50 == 0 ? "true" : "false", p % 97 == 0 ? "true" : "false",
                 static_cast<unsigned long long>(p % 5000), static_cast<unsigned long long>(p % 5000),
                 static_cast<unsigned long long>(p % 5000), static_cast<unsigned long long>(thread));
    if (p % 3 == 2 && p >= threads) {  // a reply to an earlier post of the same thread
      std::fprintf(out, "    <parent dsq:id=\"%llu\" />\n", static_cast<unsigned long long>(id - threads));
    }
    std::fputs("  </post>\n", out);
  }
  std::fputs("</disqus>\n", out);
  return std::ferror(out) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t posts = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  std::string path = argc > 2 ? argv[2] : "/tmp/kring_import_bench_disqus.xml";
  const std::uint64_t threads = 10000;

  auto started = Clock::now();
  if (!writeExport(path, posts, threads)) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return 1;
  }
  double writeSeconds = std::chrono::duration<double>(Clock::now() - started).count();
  long hwmAfterWrite = statusKb("VmHWM");
  std::ifstream sized(path, std::ios::binary | std::ios::ate);
  double fileMb = static_cast<double>(sized.tellg()) / (1 << 20);

  LinkCheck links;
  std::uint64_t bodyBytes = 0;
  std::uint64_t problems = 0;
  ImportSink sink;
  sink.thread = [&](ImportedThread thread) { links.addThread(thread.sourceId); };
  sink.post = [&](ImportedPost post) {
    bodyBytes += post.bodyMarkdown.size();
    links.addPost(post.sourceId, post.threadSourceId, post.parentSourceId);
  };
  sink.problem = [&](ImportProblem) { ++problems; };
  started = Clock::now();
  auto read = readDisqusFile(path, sink);
  double parseSeconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (!read) {
    std::fprintf(stderr, "%s: %s\n", std::string(importErrorName(read.error().code)).c_str(),
                 read.error().message.c_str());
    return 1;
  }
  long hwmAfterParse = statusKb("VmHWM");
  std::size_t linkBytes = links.bytesHeld();
  started = Clock::now();
  LinkReport report = links.finish();
  double checkSeconds = std::chrono::duration<double>(Clock::now() - started).count();
  long hwmAfterCheck = statusKb("VmHWM");

  std::printf("| measure | value |\n|---|---|\n");
  std::printf("| export file | %.1f MiB, %llu threads, %llu posts |\n", fileMb,
              static_cast<unsigned long long>(read.value().threads),
              static_cast<unsigned long long>(read.value().posts));
  std::printf("| writing the file (streamed) | %.2f s, VmHWM %ld kB |\n", writeSeconds, hwmAfterWrite);
  std::printf("| parsing + HTML→Markdown | %.2f s |\n", parseSeconds);
  std::printf("| posts/s | %.0f |\n", static_cast<double>(read.value().posts) / parseSeconds);
  std::printf("| MiB/s | %.1f |\n", fileMb / parseSeconds);
  std::printf("| link table held after parsing | %.1f MiB (%.0f bytes a post) |\n",
              static_cast<double>(linkBytes) / (1 << 20), static_cast<double>(linkBytes) / static_cast<double>(posts));
  std::printf("| VmHWM after parsing | %ld kB |\n", hwmAfterParse);
  std::printf("| orphan and cycle check | %.2f s, %zu fixes |\n", checkSeconds, report.fixes.size());
  std::printf("| VmHWM after the check | %ld kB |\n", hwmAfterCheck);
  std::printf("| problems reported while reading | %llu |\n", static_cast<unsigned long long>(problems));
  std::printf("| Markdown bytes produced | %llu |\n", static_cast<unsigned long long>(bodyBytes));
  if (argc <= 3 || std::string(argv[3]) != "--keep") std::remove(path.c_str());
  return 0;
}
