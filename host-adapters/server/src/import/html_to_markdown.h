// A comment's HTML as Kring Markdown, on an allow-list (docs/import.md):
//   a href (http, https, mailto only; any other link keeps just its text), b/strong, i/em, code,
//   pre (a fenced block), blockquote ("> "), br (a line break), p (a paragraph), ul/ol/li.
// Every other tag is dropped and its text kept; script, style and template lose their text too.
// Text is escaped so that it stays text: it never becomes Markdown or HTML syntax it was not.
//
// The HTML is parsed by libxml2's HTML parser (entities decoded, so `jav&#97;script:` is seen as
// `javascript:`) and its tree walked; formatting deeper than a fixed nesting keeps only its text, and
// the output is cut at whole units (never inside a link, a code span or a fence) at maxOutputBytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kring::server {

struct MarkdownOptions {
  // WordPress bodies (wpautop): outside tags, a blank line separates paragraphs and a single newline
  // is a line break. Otherwise newlines are spaces, as in HTML.
  bool bareNewlines = false;
  std::size_t maxOutputBytes = 256 * 1024;
};

struct MarkdownText {
  std::string markdown;
  bool cut = false;  // the output reached maxOutputBytes and stops there
};

MarkdownText htmlToMarkdown(std::string_view html, const MarkdownOptions& options = {});

// Text escaped for Markdown, as a whole paragraph: what htmlToMarkdown does to HTML text.
std::string escapeMarkdownText(std::string_view text);

}  // namespace kring::server
