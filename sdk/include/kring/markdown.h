// A post's Markdown as the HTML every reader is shown: CommonMark (md4c) with strikethrough and
// autolinks, written by one allow-list (docs/markdown.md). The server's fragments, the widget and
// native apps all show these bytes; the browser core does not carry the renderer.
//
// Only these elements come out: p br strong em s code pre blockquote ul ol li hr h3-h6 a. Raw HTML
// is text; headings start at h3 (the page owns h1 and h2); images show their alt text; a link is
// kept only for http, https and mailto and carries rel="ugc nofollow noopener" target="_blank".
// The bytes are the ones a browser's innerHTML gives back for them, so a page can compare them.
// They are always UTF-8: a byte of the input that starts no well-formed character becomes U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace kring {

std::string renderMarkdown(std::string_view markdown);

}  // namespace kring
