// The one Markdown renderer (kring/markdown.h): CommonMark where snarkdown changed ordinary text, the
// allow-list against hostile input, and bytes a browser's innerHTML gives back unchanged.
#include <catch2/catch.hpp>

#include <string>

#include "kring/markdown.h"

using kring::renderMarkdown;

TEST_CASE("Markdown: ordinary text stays as written (CommonMark, not snarkdown)", "[markdown]") {
  CHECK(renderMarkdown("snake_case_name") == "<p>snake_case_name</p>\n");
  CHECK(renderMarkdown("file_name.txt") == "<p>file_name.txt</p>\n");
  CHECK(renderMarkdown("5 * 3 = 15") == "<p>5 * 3 = 15</p>\n");
  CHECK(renderMarkdown("_") == "<p>_</p>\n");
  CHECK(renderMarkdown("a *b* __c__ ~~d~~ `e`") == "<p>a <em>b</em> <strong>c</strong> <s>d</s> <code>e</code></p>\n");
}

TEST_CASE("Markdown: blocks map onto the allow-list - headings start at h3", "[markdown]") {
  CHECK(renderMarkdown("# One\n## Two\n#### Four") == "<h3>One</h3>\n<h3>Two</h3>\n<h4>Four</h4>\n");
  CHECK(renderMarkdown("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
  CHECK(renderMarkdown("3. c\n4. d") == "<ol start=\"3\">\n<li>c</li>\n<li>d</li>\n</ol>\n");
  CHECK(renderMarkdown("> q") == "<blockquote>\n<p>q</p>\n</blockquote>\n");
  CHECK(renderMarkdown("```js\nlet a = '<b>';\n```") == "<pre><code>let a = '&lt;b&gt;';\n</code></pre>\n");
  CHECK(renderMarkdown("a  \nb\nc") == "<p>a<br>\nb\nc</p>\n");
  CHECK(renderMarkdown("---") == "<hr>\n");
}

TEST_CASE("Markdown: raw HTML is text and nothing executable comes out", "[markdown]") {
  CHECK(renderMarkdown("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
  CHECK(renderMarkdown("<img src=x onerror=alert(1)>") == "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n");
  // Links: only http, https and mailto, also when an entity or a bare scheme spells something else.
  CHECK(renderMarkdown("[a](javascript:alert(1))") == "<p>a</p>\n");
  CHECK(renderMarkdown("[a](javascript&#58;alert(1))") == "<p>a</p>\n");
  CHECK(renderMarkdown("[a](JaVaScRiPt:alert(1))") == "<p>a</p>\n");
  CHECK(renderMarkdown("[a](data:text/html,<script>x</script>)") == "<p>a</p>\n");
  CHECK(renderMarkdown("[a](data:text/html;base64,PHNjcmlwdD4=)") == "<p>a</p>\n");
  CHECK(renderMarkdown("[a](/relative)") == "<p>a</p>\n");
  // A kept link: quotes and angle brackets cannot leave the attribute.
  CHECK(renderMarkdown("[a](<https://e.com/?q=\"x\" y&z=1>)") ==
        "<p><a href=\"https://e.com/?q=%22x%22%20y&amp;z=1\" rel=\"ugc nofollow noopener\" "
        "target=\"_blank\">a</a></p>\n");
  // Images show their alt text only.
  CHECK(renderMarkdown("![a *b*](https://e.com/x.png)") == "<p>a b</p>\n");
  CHECK(renderMarkdown("![x](javascript:alert(1) \"t\")") == "<p>x</p>\n");
}

TEST_CASE("Markdown: links carry rel=ugc nofollow - bare addresses link", "[markdown]") {
  CHECK(renderMarkdown("see https://kring.example/a") ==
        "<p>see <a href=\"https://kring.example/a\" rel=\"ugc nofollow noopener\" "
        "target=\"_blank\">https://kring.example/a</a></p>\n");
  CHECK(renderMarkdown("www.kring.example") ==
        "<p><a href=\"http://www.kring.example\" rel=\"ugc nofollow noopener\" "
        "target=\"_blank\">www.kring.example</a></p>\n");
  CHECK(renderMarkdown("a@kring.example") ==
        "<p><a href=\"mailto:a@kring.example\" rel=\"ugc nofollow noopener\" "
        "target=\"_blank\">a@kring.example</a></p>\n");
}

TEST_CASE("Markdown: entities decode - the bytes are a browser's serialization", "[markdown]") {
  CHECK(renderMarkdown("&copy; &#65; &#x42; &#0; &amp;") == "<p>\u00a9 A B \ufffd &amp;</p>\n");
  CHECK(renderMarkdown("&unknownname;") == "<p>&amp;unknownname;</p>\n");
  CHECK(renderMarkdown("&nbsp;a\u00a0b") == "<p>&nbsp;a&nbsp;b</p>\n");
  CHECK(renderMarkdown("\"quotes\" and 'apostrophes'") == "<p>\"quotes\" and 'apostrophes'</p>\n");
  CHECK(renderMarkdown(std::string("a\0b", 3)) == "<p>a\ufffdb</p>\n");
  CHECK(renderMarkdown("").empty());
}

TEST_CASE("Markdown: deep nesting and long input stay linear", "[markdown]") {
  std::string quotes(3000, '>');
  quotes += " deep";
  std::string html = renderMarkdown(quotes);
  CHECK(html.find("deep") != std::string::npos);
  CHECK(html.size() < 3000 * 30);
  std::string stars;
  for (int i = 0; i < 20000; ++i) stars += "*a ";
  CHECK(renderMarkdown(stars).size() < stars.size() * 4);
}

TEST_CASE("Markdown: bytes that are not UTF-8 come out as U+FFFD, the rest as written", "[markdown]") {
  // A lone continuation byte, a truncated 3-byte character, an overlong '/' and a surrogate.
  CHECK(renderMarkdown("a\x80z") == "<p>a\xEF\xBF\xBDz</p>\n");
  CHECK(renderMarkdown("caf\xE2\x82") == "<p>caf\xEF\xBF\xBD\xEF\xBF\xBD</p>\n");
  CHECK(renderMarkdown("\xC0\xAF") == "<p>\xEF\xBF\xBD\xEF\xBF\xBD</p>\n");
  CHECK(renderMarkdown("\xED\xA0\x80!") == "<p>\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD!</p>\n");
  CHECK(renderMarkdown("caf\xC3\xA9 \xE2\x82\xAC") == "<p>caf\xC3\xA9 \xE2\x82\xAC</p>\n");
}
