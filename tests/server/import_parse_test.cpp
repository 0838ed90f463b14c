// The parsing half of `kring-server import`: Disqus and WordPress exports read as streams into plain
// records, their HTML as Markdown, their URLs as thread keys, their broken links reported; and the
// hostile files (XXE, billion laughs, DOCTYPEs, malformed XML) refused or stopped with the line.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "import/disqus_reader.h"
#include "import/html_to_markdown.h"
#include "import/import_report.h"
#include "import/source_time.h"
#include "import/thread_keys.h"
#include "import/wordpress_reader.h"

using namespace kring::server;
using State = ImportedPost::State;

namespace {

std::string importFixture(const std::string& name) {
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures" / "import" / name).string();
}

struct ImportCapture {
  std::vector<ImportedThread> threads;
  std::vector<ImportedPost> posts;
  std::vector<ImportProblem> problems;

  ImportSink sink() {
    return {[this](ImportedThread t) { threads.push_back(std::move(t)); },
            [this](ImportedPost p) { posts.push_back(std::move(p)); },
            [this](ImportProblem p) { problems.push_back(std::move(p)); }};
  }
  const ImportedPost& post(const std::string& id) const {
    for (const ImportedPost& p : posts) {
      if (p.sourceId == id) return p;
    }
    FAIL("no post " << id);
    return posts.front();
  }
  const ImportedThread& thread(const std::string& id) const {
    for (const ImportedThread& t : threads) {
      if (t.sourceId == id) return t;
    }
    FAIL("no thread " << id);
    return threads.front();
  }
  // Everything the reader gave, as one text: for "this string appears nowhere".
  std::string everything() const {
    std::string all;
    for (const auto& t : threads) all += t.sourceId + t.url + t.title;
    for (const auto& p : posts) {
      all += p.sourceId + p.threadSourceId + p.parentSourceId + p.authorName + p.authorEmail + p.authorUsername +
             p.bodyMarkdown;
    }
    for (const auto& p : problems) all += p.where + p.message;
    return all;
  }
};

bool mentions(const std::vector<ImportProblem>& problems, const std::string& where, const std::string& words) {
  for (const ImportProblem& p : problems) {
    if (p.where == where && p.message.find(words) != std::string::npos) return true;
  }
  return false;
}

LinkCheck linksOf(const ImportCapture& capture) {
  LinkCheck check;
  for (const auto& t : capture.threads) check.addThread(t.sourceId);
  for (const auto& p : capture.posts) check.addPost(p.sourceId, p.threadSourceId, p.parentSourceId);
  return check;
}

// No raw tag can come out: every '<' is escaped, or opens a link destination "](<".
bool noRawTag(const std::string& markdown) {
  for (std::size_t at = markdown.find('<'); at != std::string::npos; at = markdown.find('<', at + 1)) {
    bool escaped = at > 0 && markdown[at - 1] == '\\';
    bool destination = at >= 2 && markdown.compare(at - 2, 2, "](") == 0;
    if (!escaped && !destination) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("import: a Disqus export gives its threads and posts as they are") {
  ImportCapture got;
  auto read = readDisqusFile(importFixture("disqus_export.xml"), got.sink());
  REQUIRE(read.ok());
  CHECK(read.value().threads == 3);
  CHECK(read.value().posts == 10);
  CHECK(read.value().skipped == 0);
  REQUIRE(got.threads.size() == 3);
  REQUIRE(got.posts.size() == 10);
  // Posts arrive in file order, two of them before their thread's element.
  CHECK(got.posts[0].sourceId == "2007");
  CHECK(got.posts[1].sourceId == "2008");

  const ImportedThread& hello = got.thread("1001");
  CHECK(hello.url == "https://blog.example.com/2012/03/hello-world/");
  CHECK(hello.title == "Hello World");
  CHECK_FALSE(hello.closed);
  CHECK_FALSE(hello.deleted);
  CHECK(got.thread("1002").title == "About & Contact");
  CHECK(got.thread("1002").closed);
  CHECK(got.thread("1003").title == "Old page");
  CHECK(got.thread("1003").deleted);

  const ImportedPost& first = got.post("2001");
  CHECK(first.threadSourceId == "1001");
  CHECK(first.parentSourceId.empty());
  CHECK(first.authorName == "Alice");
  CHECK(first.authorEmail == "alice@example.com");
  CHECK(first.authorUsername == "alice");
  CHECK_FALSE(first.anonymous);
  CHECK(first.createdAtMs == 1330837567000);
  CHECK(first.state == State::visible);
  CHECK(first.bodyMarkdown == "First! **bold** \\& [a link](<https://example.org/x>)\n\nSecond para");

  const ImportedPost& reply = got.post("2002");
  CHECK(reply.parentSourceId == "2001");
  CHECK(reply.anonymous);
  CHECK(reply.authorName == "Bob");
  CHECK(reply.authorUsername.empty());
  CHECK(reply.createdAtMs == 1330840800000);
  CHECK(reply.bodyMarkdown == "Reply with *it*\\\nnext line");

  const ImportedPost& nested = got.post("2003");
  CHECK(nested.parentSourceId == "2002");
  CHECK(nested.bodyMarkdown == "> quote\n\n1\\. not a list");

  CHECK(got.post("2004").state == State::spam);
  CHECK(got.post("2004").bodyMarkdown == "Buy cheap pills at spam.example");
  CHECK(got.post("2005").state == State::deleted);
  CHECK(got.post("2006").bodyMarkdown == "js click");  // javascript: link and <script> gone
  CHECK(got.post("2007").threadSourceId == "1003");
  CHECK(got.post("2007").createdAtMs == 1331108130000);
  CHECK(got.post("2008").parentSourceId == "2007");
  CHECK(got.post("2008").bodyMarkdown == "```\nx = 1\ny = 2\n```");
  CHECK(got.problems.empty());
}

TEST_CASE("import: the Disqus fixture's orphans are reported and mended") {
  ImportCapture got;
  REQUIRE(readDisqusFile(importFixture("disqus_export.xml"), got.sink()).ok());
  LinkReport report = linksOf(got).finish();
  REQUIRE(report.fixes.size() == 2);
  CHECK(report.fixes[0].postSourceId == "2009");
  CHECK(report.fixes[0].action == LinkFix::Action::skip);
  CHECK(report.fixes[1].postSourceId == "2010");
  CHECK(report.fixes[1].action == LinkFix::Action::topLevel);
  CHECK(mentions(report.problems, "post 2009", "its thread 9999 is not in the file"));
  CHECK(mentions(report.problems, "post 2010", "its parent 1999 is not in the file"));
}

TEST_CASE("import: the Disqus fixture's URLs become thread keys") {
  ImportCapture got;
  REQUIRE(readDisqusFile(importFixture("disqus_export.xml"), got.sink()).ok());
  CHECK(threadKeyFromUrl(got.thread("1001").url) == "/2012/03/hello-world");
  CHECK(threadKeyFromUrl(got.thread("1002").url) == "/about");
  CHECK(threadKeyFromUrl(got.thread("1003").url) == "/Case/Sensitive");
  ThreadKeyRules withHost;
  withHost.keepHost = true;
  CHECK(threadKeyFromUrl(got.thread("1003").url, withHost) == "blog.example.com/Case/Sensitive");
}

TEST_CASE("import: a Disqus export read from memory gives the same records") {
  std::ifstream file(importFixture("disqus_export.xml"), std::ios::binary);
  std::string xml((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  ImportCapture fromFile;
  ImportCapture fromMemory;
  REQUIRE(readDisqusFile(importFixture("disqus_export.xml"), fromFile.sink()).ok());
  REQUIRE(readDisqusXml(xml, fromMemory.sink()).ok());
  CHECK(fromFile.everything() == fromMemory.everything());
}

TEST_CASE("import: a WordPress WXR 1.2 export gives items as threads and comments as posts") {
  ImportCapture got;
  auto read = readWordPressFile(importFixture("wordpress_export.xml"), got.sink());
  REQUIRE(read.ok());
  CHECK(read.value().threads == 2);
  CHECK(read.value().posts == 6);
  CHECK(read.value().skipped == 2);  // the pingback and the trackback
  CHECK(got.problems.empty());

  const ImportedThread& first = got.thread("10");
  CHECK(first.url == "https://wp.example.com/first-post/");
  CHECK(first.title == "First post");
  CHECK_FALSE(first.closed);
  CHECK_FALSE(first.deleted);
  const ImportedThread& page = got.thread("2");
  CHECK(page.closed);
  CHECK(page.deleted);

  const ImportedPost& carol = got.post("100");
  CHECK(carol.threadSourceId == "10");
  CHECK(carol.parentSourceId.empty());
  CHECK(carol.authorName == "Carol");
  CHECK(carol.authorEmail == "carol@example.com");
  CHECK(carol.anonymous);
  CHECK(carol.createdAtMs == 1367824089000);
  CHECK(carol.state == State::visible);
  CHECK(carol.bodyMarkdown == "Hello there.\n\nSecond paragraph\\\nwith a break");

  const ImportedPost& admin = got.post("101");
  CHECK(admin.parentSourceId == "100");
  CHECK_FALSE(admin.anonymous);
  CHECK(admin.createdAtMs == 1367827200000);
  CHECK(admin.bodyMarkdown == "Thanks **Carol**!");

  const ImportedPost& pending = got.post("102");
  CHECK(pending.parentSourceId == "101");
  CHECK(pending.state == State::held);
  CHECK(pending.createdAtMs == 1367917811000);
  CHECK(pending.bodyMarkdown == "Waiting for approval - 2. is not a list");

  CHECK(got.post("103").state == State::spam);
  CHECK(got.post("103").bodyMarkdown == "[buy](<http://pills.example.net>)");
  CHECK(got.post("104").state == State::deleted);
  CHECK(got.post("107").threadSourceId == "2");
  CHECK(got.post("107").bodyMarkdown == "[home](<https://wp.example.com>) - and \\*stars\\*\n\n> quoted\n>\n> twice");
  for (const ImportedPost& p : got.posts) CHECK(p.sourceId != "105");

  LinkReport report = linksOf(got).finish();
  CHECK(report.fixes.empty());
  CHECK(report.problems.empty());
}

TEST_CASE("import: WXR 1.1 and 1.0 namespaces are read, another root is not WordPress") {
  for (std::string version : {"1.1", "1.0"}) {
    std::string xml =
        "<rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/" + version +
        "/\"><channel><item><title>T</title><link>https://a.example/x</link><wp:post_id>5</wp:post_id>"
        "<wp:comment><wp:comment_id>9</wp:comment_id><wp:comment_date_gmt>2013-05-12 14:00:00"
        "</wp:comment_date_gmt><wp:comment_content>hi</wp:comment_content><wp:comment_approved>1"
        "</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment></item></channel></rss>";
    ImportCapture got;
    REQUIRE(readWordPressXml(xml, got.sink()).ok());
    REQUIRE(got.posts.size() == 1);
    CHECK(got.posts[0].sourceId == "9");
    CHECK(got.posts[0].threadSourceId == "5");
    CHECK(got.posts[0].createdAtMs == 1368367200000);
  }
  ImportCapture got;
  auto read = readWordPressFile(importFixture("disqus_export.xml"), got.sink());
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().code == ImportError::wrongFormat);
  auto disqus = readDisqusFile(importFixture("wordpress_export.xml"), got.sink());
  REQUIRE_FALSE(disqus.ok());
  CHECK(disqus.error().code == ImportError::wrongFormat);
}

TEST_CASE("import: XXE reads nothing, whether the entity names /etc/passwd or a secret file") {
  ImportCapture got;
  auto read = readDisqusFile(importFixture("xxe.xml"), got.sink());
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().code == ImportError::refused);
  CHECK(read.error().message.find("line 2") != std::string::npos);
  CHECK(got.everything().find("root:") == std::string::npos);
  CHECK(got.threads.empty());
  CHECK(got.posts.empty());

  auto secretPath = std::filesystem::temp_directory_path() / "kring_import_xxe_secret.txt";
  const std::string secret = "KRING-SECRET-7f3a9c";
  std::ofstream(secretPath) << secret << "\n";
  for (const std::string& declaration : {"<!ENTITY xxe SYSTEM \"file://" + secretPath.string() + "\">",
                                         "<!ENTITY % ext SYSTEM \"file://" + secretPath.string() + "\"> %ext;"}) {
    std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE disqus [ " + declaration +
                      " ]>\n<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">"
                      "<thread dsq:id=\"1\"><link>https://a.example/&xxe;</link><title>&xxe;</title></thread>"
                      "<post dsq:id=\"2\"><message>&xxe;</message><thread dsq:id=\"1\"/></post></disqus>";
    ImportCapture secretRead;
    auto result = readDisqusXml(xml, secretRead.sink());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ImportError::refused);
    CHECK((secretRead.everything() + result.error().message).find(secret) == std::string::npos);
  }
  // Without a DOCTYPE an entity is undeclared: malformed, still nothing read.
  std::string undeclared =
      "<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">\n"
      "<thread dsq:id=\"1\"><title>&xxe;</title></thread></disqus>";
  ImportCapture plain;
  auto result = readDisqusXml(undeclared, plain.sink());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ImportError::malformedXml);
  CHECK(result.error().message.find("line 2") != std::string::npos);
  std::filesystem::remove(secretPath);
}

TEST_CASE("import: a billion laughs fails at once with a clear problem") {
  auto started = std::chrono::steady_clock::now();
  ImportCapture got;
  auto read = readDisqusFile(importFixture("billion_laughs.xml"), got.sink());
  auto took = std::chrono::steady_clock::now() - started;
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().code == ImportError::refused);
  CHECK(read.error().message.find("DOCTYPE") != std::string::npos);
  CHECK(took < std::chrono::seconds(1));
  CHECK(got.posts.empty());
}

TEST_CASE("import: any DOCTYPE is refused, and so is a UTF-16 document") {
  ImportCapture got;
  auto read = readDisqusFile(importFixture("doctype.xml"), got.sink());
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().code == ImportError::refused);
  CHECK(read.error().message.find("line 3") != std::string::npos);
  CHECK(got.threads.empty());

  std::string utf16("\xFF\xFE<\0d\0", 6);
  auto wide = readDisqusXml(utf16, got.sink());
  REQUIRE_FALSE(wide.ok());
  CHECK(wide.error().code == ImportError::refused);
  CHECK(wide.error().message.find("UTF-8") != std::string::npos);
}

TEST_CASE("import: malformed XML stops with its line, and what came before was delivered") {
  // The reader hands libxml2 512 bytes at a time: the records that ended before the block holding
  // the error were delivered, the rest of that block is not.
  ImportCapture got;
  auto read = readDisqusFile(importFixture("malformed.xml"), got.sink());
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().code == ImportError::malformedXml);
  CHECK(read.error().message.rfind("line 68: ", 0) == 0);
  REQUIRE(got.threads.size() == 1);
  CHECK(got.posts.size() >= 7);
  CHECK(got.posts.size() <= 10);
  for (const ImportedPost& post : got.posts) CHECK(post.bodyMarkdown == "read before the error");

  ImportCapture missing;
  auto none = readDisqusFile(importFixture("no_such_file.xml"), missing.sink());
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ImportError::unreadable);
}

TEST_CASE("import: a field past the limit is cut and reported") {
  std::string xml =
      "<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">"
      "<post dsq:id=\"7\"><message><![CDATA[<p>" +
      std::string(500, 'a') +
      "</p>]]></message><createdAt>not a time</createdAt><thread dsq:id=\"1\"/></post></disqus>";
  ReadOptions options;
  options.maxFieldBytes = 100;
  ImportCapture got;
  auto read = readDisqusXml(xml, got.sink(), options);
  REQUIRE(read.ok());
  CHECK(read.value().problems == 2);
  REQUIRE(got.posts.size() == 1);
  CHECK(got.posts[0].bodyMarkdown == std::string(97, 'a'));  // "<p>" and 97 bytes of text
  CHECK(got.posts[0].createdAtMs == 0);
  CHECK(mentions(got.problems, "post 7", "message is longer than 100 bytes"));
  CHECK(mentions(got.problems, "post 7", "createdAt 'not a time' is not a time"));
}

TEST_CASE("import: a 2 MiB message is cut at the 1 MiB default, past 10 MB libxml2 stops") {
  auto xmlWith = [](std::size_t bytes) {
    return "<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">"
           "<post dsq:id=\"8\"><message><![CDATA[" +
           std::string(bytes, 'w') + "]]></message><thread dsq:id=\"1\"/></post></disqus>";
  };
  ImportCapture got;
  auto read = readDisqusXml(xmlWith(2u << 20), got.sink());
  REQUIRE(read.ok());
  REQUIRE(got.posts.size() == 1);
  CHECK(got.posts[0].bodyMarkdown.size() == MarkdownOptions{}.maxOutputBytes);
  CHECK(mentions(got.problems, "post 8", "message is longer than 1048576 bytes"));
  CHECK(mentions(got.problems, "post 8", "Markdown is too long"));

  ImportCapture huge;
  auto stopped = readDisqusXml(xmlWith(11u << 20), huge.sink());
  REQUIRE_FALSE(stopped.ok());
  CHECK(stopped.error().code == ImportError::malformedXml);
  CHECK(stopped.error().message.rfind("line 1: ", 0) == 0);
}

TEST_CASE("import: HTML becomes Markdown on the allow-list") {
  CHECK(htmlToMarkdown("<p>a <strong>b</strong> <em>c</em> <code>d</code></p>").markdown == "a **b** *c* `d`");
  CHECK(htmlToMarkdown("<ul><li>one</li><li>two<ol><li>x</li><li>y</li></ol></li></ul>").markdown ==
        "- one\n- two\n  1. x\n  2. y");
  CHECK(htmlToMarkdown("<blockquote><p>q</p><blockquote>deeper</blockquote></blockquote>after").markdown ==
        "> q\n>\n> > deeper\n\nafter");
  CHECK(htmlToMarkdown("<pre>a ``` b\n<b>c</b></pre>").markdown == "````\na ``` b\nc\n````");
  CHECK(htmlToMarkdown("x<br><br>y").markdown == "x\n\ny");
  CHECK(htmlToMarkdown("<span style=\"color:red\">kept</span> <u>text</u> <img src=x onerror=alert(1)>").markdown ==
        "kept text");
  CHECK(htmlToMarkdown("<a href=\"mailto:a@example.com\">mail</a> <a href=\"/relative\">rel</a>").markdown ==
        "[mail](<mailto:a@example.com>) rel");
  CHECK(htmlToMarkdown("<a href=\"https://e.example/a>b\"></a>").markdown ==
        "[https://e.example/a\\>b](<https://e.example/a%3Eb>)");
  CHECK(htmlToMarkdown("&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &#169;").markdown ==
        "\\<script\\>alert(1)\\</script\\> \\&amp; \xC2\xA9");
}

TEST_CASE("import: text is escaped so it stays text") {
  CHECK(escapeMarkdownText("* not a list") == "\\* not a list");
  CHECK(escapeMarkdownText("- dash + plus = eq") == "\\- dash + plus = eq");
  CHECK(escapeMarkdownText("10. ten 3) three") == "10\\. ten 3) three");
  CHECK(escapeMarkdownText("# not a heading [x](y) `c` _u_ ~s~ \\") ==
        "\\# not a heading \\[x\\](y) \\`c\\` \\_u\\_ \\~s\\~ \\\\");
  CHECK(htmlToMarkdown("<p>1</p><p>2. two</p><p>+ plus</p><p>===</p>").markdown ==
        "1\n\n2\\. two\n\n\\+ plus\n\n\\===");
  CHECK(htmlToMarkdown("1<!-- split -->. still text").markdown == "1\\. still text");
}

TEST_CASE("import: hostile HTML gives bounded output and never a raw tag") {
  for (const char* href :
       {"javascript:alert(1)", "jav&#97;script:alert(1)", "JaVaScRiPt:alert(1)", " \tjava\nscript:alert(1)",
        "&#x6A;avascript&colon;alert(1)", "data:text/html,<script>", "vbscript:msgbox(1)", "//evil.example/x"}) {
    std::string html = std::string("<a href=\"") + href + "\">click</a>";
    MarkdownText out = htmlToMarkdown(html);
    INFO(href);
    CHECK(out.markdown == "click");
  }
  // libxml2 stops an HTML tree at 256 levels (what lies deeper is dropped); below the walker's own
  // limit formatting gives way to plain text, so the output stays small.
  std::string deep = "top ";
  for (int i = 0; i < 10000; ++i) deep += i % 2 == 0 ? "<b><blockquote>x" : "<i><ul><li><a href='https://a.example'>y";
  deep += "bottom<script>x</script>";
  MarkdownText nested = htmlToMarkdown(deep);
  CHECK(nested.markdown.rfind("top", 0) == 0);
  CHECK(nested.markdown.size() < 8192);
  CHECK(noRawTag(nested.markdown));
  std::string bold;
  for (int i = 0; i < 100; ++i) bold += "<b>x";
  CHECK(htmlToMarkdown(bold + "end").markdown == "**" + std::string(100, 'x') + "end**");

  std::string big = "<p>" + std::string(1u << 20, '<') + "</p>";  // 1 MB of text that all needs escaping
  MarkdownText large = htmlToMarkdown(big);
  CHECK(large.cut);
  CHECK(large.markdown.size() <= MarkdownOptions{}.maxOutputBytes);
  CHECK(large.markdown.size() % 2 == 0);  // whole escapes only: "\<" pairs
  CHECK(noRawTag(large.markdown));

  CHECK(noRawTag(htmlToMarkdown("<scr<script>ipt>alert(1)</script> <iframe src=x></iframe> <<b>>").markdown));
  CHECK(htmlToMarkdown("<style>p{}</style><script>alert(1)</script><template><b>t</b></template>ok").markdown == "ok");
}

TEST_CASE("import: WordPress bodies keep wpautop's paragraphs and breaks") {
  MarkdownOptions wp;
  wp.bareNewlines = true;
  CHECK(htmlToMarkdown("one\ntwo\n\nthree\r\n\r\nfour", wp).markdown == "one\\\ntwo\n\nthree\n\nfour");
  CHECK(htmlToMarkdown("a<br />\nb", wp).markdown == "a\\\nb");
  CHECK(htmlToMarkdown("<p>a</p>\n<p>b</p>", wp).markdown == "a\n\nb");
  CHECK(htmlToMarkdown("one\ntwo").markdown == "one two");
}

TEST_CASE("import: URLs become thread keys by the documented rules") {
  CHECK(threadKeyFromUrl("https://x.example") == "/");
  CHECK(threadKeyFromUrl("https://x.example/") == "/");
  CHECK(threadKeyFromUrl("https://user:pw@x.example:8443/a/b//?q=1#f") == "/a/b");
  CHECK(threadKeyFromUrl("//x.example/p") == "/p");
  CHECK(threadKeyFromUrl("/p/%7euser/%41%2f%c3%a9") == "/p/~user/A%2F%C3%A9");
  CHECK(threadKeyFromUrl("relative/page") == "/relative/page");
  CHECK(threadKeyFromUrl("/100%") == "/100%25");
  CHECK(threadKeyFromUrl("/a b\x01"
                         "c") == "/a%20b%01c");
  CHECK(threadKeyFromUrl("/caf\xC3\xA9/\xFF") == "/caf\xC3\xA9/%FF");
  CHECK(threadKeyFromUrl("") == "/");
  CHECK(threadKeyFromUrl("/CaSe") == "/CaSe");
  ThreadKeyRules withHost;
  withHost.keepHost = true;
  CHECK(threadKeyFromUrl("https://WWW.Example.COM.:8080/CaSe/", withHost) == "www.example.com/CaSe");
  CHECK(threadKeyFromUrl("https://www.example.com/", withHost) == "www.example.com");
  CHECK(threadKeyFromUrl("/only/path", withHost) == "/only/path");

  std::string longPath = "/" + std::string(300, 'a');
  std::string key = threadKeyFromUrl(longPath);
  CHECK(key.size() == 200);
  CHECK(key.substr(0, 183) == "/" + std::string(182, 'a'));
  CHECK(key[183] == '~');
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a64(longPath)));
  CHECK(key.substr(184) == hash);
  CHECK(threadKeyFromUrl(longPath + "b") != key);
  CHECK(fnv1a64("") == 0xcbf29ce484222325ull);
  CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cull);

  // Whatever comes in, a valid key comes out.
  std::uint64_t seed = 42;
  for (int i = 0; i < 2000; ++i) {
    std::string url;
    int length = static_cast<int>(seed % 400);
    for (int j = 0; j < length; ++j) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      url.push_back(static_cast<char>(seed >> 56));
    }
    INFO(i);
    CHECK(isImportableThreadKey(threadKeyFromUrl(url), 200));
    CHECK(isImportableThreadKey(threadKeyFromUrl(url, withHost), 200));
  }
  // Multi-byte characters are never cut in the middle.
  std::string accents = "/";
  for (int i = 0; i < 150; ++i) accents += "\xC3\xA9";
  CHECK(isImportableThreadKey(threadKeyFromUrl(accents), 200));
}

TEST_CASE("import: a mapping file overrides the rules, and a bad line is named") {
  auto mapping = ThreadKeyMapping::parse(
      "# old URL\tthread key\n"
      "https://wp.example.com/?page_id=2\tpage-2\r\n"
      "\n"
      "https://old.example/p?id=3\tproduct 3\n");
  REQUIRE(mapping.ok());
  CHECK(mapping.value().size() == 2);
  CHECK(mapping.value().keyFor("https://wp.example.com/?page_id=2") == "page-2");
  CHECK(mapping.value().keyFor("https://old.example/p?id=3") == "product 3");
  CHECK(mapping.value().keyFor("https://old.example/p?id=4") == "/p");

  auto noTab = ThreadKeyMapping::parse("https://a.example/x\tx\nhttps://a.example/y y\n");
  REQUIRE_FALSE(noTab.ok());
  CHECK(noTab.error().code == ImportError::badMapping);
  CHECK(noTab.error().message.rfind("mapping line 2: ", 0) == 0);

  auto badKey = ThreadKeyMapping::parse("# c\n\nhttps://a.example/x\tbad\x01key\n");
  REQUIRE_FALSE(badKey.ok());
  CHECK(badKey.error().message.rfind("mapping line 3: ", 0) == 0);
  CHECK(badKey.error().message.find("not a thread key") != std::string::npos);

  auto tooLong = ThreadKeyMapping::parse("https://a.example/x\t" + std::string(201, 'k') + "\n");
  REQUIRE_FALSE(tooLong.ok());
  CHECK(tooLong.error().message.rfind("mapping line 1: ", 0) == 0);

  auto empty = ThreadKeyMapping::parse("https://a.example/x\t\n");
  REQUIRE_FALSE(empty.ok());

  auto twice = ThreadKeyMapping::parse("https://a.example/x\ta\nhttps://a.example/x\tb\n");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message.rfind("mapping line 2: ", 0) == 0);
}

TEST_CASE("import: cycles are broken at the highest id, orphans and duplicates reported") {
  LinkCheck check;
  check.addThread("t1");
  check.addThread("t2");
  check.addPost("9", "t1", "10");  // 9 → 10 → 11 → 9: a cycle, broken at 11
  check.addPost("10", "t1", "11");
  check.addPost("11", "t1", "9");
  check.addPost("12", "t1", "9");   // a reply into the cycle: fine once it is broken
  check.addPost("20", "t1", "20");  // its own parent
  check.addPost("30", "t2", "12");  // parent in another thread
  check.addPost("31", "t3", "");    // thread missing
  check.addPost("32", "t2", "31");  // parent skipped: top level
  check.addPost("33", "t2", "");
  check.addPost("33", "t2", "");  // the same id again
  LinkReport report = check.finish();
  std::vector<std::pair<std::string, LinkFix::Action>> fixes;
  for (const LinkFix& fix : report.fixes) fixes.emplace_back(fix.postSourceId, fix.action);
  std::vector<std::pair<std::string, LinkFix::Action>> expected = {
      {"33", LinkFix::Action::keepFirstOnly}, {"31", LinkFix::Action::skip},     {"30", LinkFix::Action::topLevel},
      {"32", LinkFix::Action::topLevel},      {"11", LinkFix::Action::topLevel}, {"20", LinkFix::Action::topLevel}};
  CHECK(fixes == expected);
  REQUIRE(report.problems.size() == report.fixes.size());
  CHECK(mentions(report.problems, "post 11", "cycle of 3 posts"));
  CHECK(mentions(report.problems, "post 20", "its own parent"));
  CHECK(mentions(report.problems, "post 30", "in another thread"));
  CHECK(mentions(report.problems, "post 33", "more than once"));
  CHECK(sourceIdLess("9", "10"));
  CHECK(sourceIdLess("009", "10"));
  CHECK(sourceIdLess("a", "b"));
  CHECK_FALSE(sourceIdLess("10", "9"));
}

TEST_CASE("import: source times are read as UTC milliseconds") {
  CHECK(parseSourceTimeMs("2012-03-04T05:06:07Z") == 1330837567000);
  CHECK(parseSourceTimeMs("2012-03-04 05:06:07") == 1330837567000);
  CHECK(parseSourceTimeMs("2012-03-04T05:06:07.250Z") == 1330837567250);
  CHECK(parseSourceTimeMs("2012-03-04T07:06:07+02:00") == 1330837567000);
  CHECK(parseSourceTimeMs("1970-01-01T00:00:00Z") == 0);
  CHECK(parseSourceTimeMs("2000-02-29 12:00:00") == 951825600000);
  CHECK_FALSE(parseSourceTimeMs("0000-00-00 00:00:00"));
  CHECK_FALSE(parseSourceTimeMs("2001-02-29 12:00:00"));
  CHECK_FALSE(parseSourceTimeMs("2012-03-04T05:06"));
  CHECK_FALSE(parseSourceTimeMs("2012-03-04T05:06:07Zjunk"));
}
