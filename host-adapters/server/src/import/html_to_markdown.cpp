#include "import/html_to_markdown.h"

#include <libxml/HTMLparser.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kring::server {
namespace {

// Formatting nested deeper than this keeps only its text (walked without recursion), and block
// prefixes (quotes, list items) deeper than kMaxPrefixes are not drawn: output stays bounded.
constexpr int kMaxFormatDepth = 48;
constexpr std::size_t kMaxPrefixes = 16;

enum class Break { none, hard, line, paragraph };

bool isHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// What would start Markdown or HTML syntax anywhere in a line.
bool isAlwaysEscaped(char c) { return std::string_view("\\`*_[]<>#&~").find(c) != std::string_view::npos; }

std::size_t utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

struct Prefix {
  std::string first;  // on the block's first line ("- ", "1. ", "> ")
  std::string rest;   // on its other lines ("  ", "   ", "> ")
  bool started = false;
};

// Markdown out, one piece at a time: pending breaks and spaces are written only before the next
// visible piece (so none lead or trail), each line starts with its blocks' prefixes, and a piece
// that would pass the limit is not written at all (the writer is then full).
class MarkdownWriter {
 public:
  MarkdownWriter(std::size_t limit, bool inlineOnly) : limit_(limit), inline_(inlineOnly) {
    if (inline_) {
      atLineStart_ = false;
      lineChars_ = 1;  // a span's text never starts a line: it sits after `[` or `*`
      lineDigits_ = false;
    }
  }

  bool full() const { return full_; }
  std::size_t size() const { return out_.size(); }
  bool leadingSpace() const { return leadingSpace_; }
  bool trailingSpace() const { return pendingSpace_ || pendingBreak_ != Break::none; }
  std::string take() { return std::move(out_); }

  void space() { pendingSpace_ = true; }
  void requestBreak(Break wanted) {
    if (inline_) {
      space();
    } else {
      pendingBreak_ = std::max(pendingBreak_, wanted);
    }
  }
  // <br>: two in a row make a paragraph, as people wrote them.
  void lineBreak() {
    if (!inline_ && pendingBreak_ == Break::hard) {
      pendingBreak_ = Break::paragraph;
    } else {
      requestBreak(Break::hard);
    }
  }

  void pushPrefix(std::string first, std::string rest) {
    if (inline_ || prefixes_.size() >= kMaxPrefixes) {
      first.clear();
      rest.clear();
    }
    prefixes_.push_back({std::move(first), std::move(rest)});
  }
  void popPrefix() { prefixes_.pop_back(); }

  // HTML text: whitespace runs become one space, or (bareNewlines) breaks; the rest escaped.
  void text(std::string_view text, bool bareNewlines) {
    for (std::size_t i = 0; i < text.size() && !full_;) {
      if (isHtmlSpace(text[i])) {
        int newlines = 0;
        for (; i < text.size() && isHtmlSpace(text[i]); ++i) newlines += text[i] == '\n' ? 1 : 0;
        if (bareNewlines && newlines >= 2) {
          requestBreak(Break::paragraph);
        } else if (bareNewlines && newlines == 1) {
          requestBreak(Break::hard);
        } else {
          space();
        }
        continue;
      }
      auto lead = static_cast<unsigned char>(text[i]);
      if (lead < 0x20 || lead == 0x7F) {  // control characters are dropped
        ++i;
        continue;
      }
      std::size_t length = std::min(utf8Length(lead), text.size() - i);
      std::string piece;
      if (length == 1 && needsEscape(text[i])) piece.push_back('\\');
      piece.append(text.substr(i, length));
      emit(piece);
      i += length;
    }
  }

  // Markdown formed elsewhere (a link, a code span, an emphasis), written whole or not at all.
  void unit(std::string_view markdown) { emit(markdown); }

  // A fenced block of verbatim lines, each under the blocks' prefixes.
  void fencedBlock(const std::vector<std::string_view>& lines, std::string_view fence) {
    requestBreak(Break::paragraph);
    std::string block(fence);
    for (std::string_view line : lines) {
      block.push_back('\n');
      block += restPrefix();
      block.append(line);
    }
    block.push_back('\n');
    block += restPrefix();
    block.append(fence);
    emit(block);
    requestBreak(Break::paragraph);
  }

 private:
  std::string restPrefix() const {
    std::string prefix;
    for (const Prefix& p : prefixes_) prefix += p.rest;
    return prefix;
  }

  bool lineIsFresh() const { return atLineStart_ || (pendingBreak_ != Break::none && !out_.empty()); }

  // Would this character, written next, change what the line means? Only at its start (a list
  // marker, a thematic break, a setext underline) or after a line of digits ("1." / "1)").
  bool needsEscape(char c) const {
    if (isAlwaysEscaped(c)) return true;
    bool fresh = lineIsFresh();
    std::size_t chars = fresh ? 0 : lineChars_ + (pendingSpace_ ? 1 : 0);
    bool digits = fresh ? true : lineDigits_ && !pendingSpace_;
    if (chars == 0) return c == '-' || c == '+' || c == '=';
    if (c == '.' || c == ')') return digits && chars <= 9;
    return false;
  }

  void emit(std::string_view piece) {
    if (full_) return;
    std::string lead;
    bool fresh = lineIsFresh();
    if (pendingBreak_ != Break::none && !out_.empty()) {
      if (pendingBreak_ == Break::hard) {
        lead = "\\\n";
      } else if (pendingBreak_ == Break::line) {
        lead = "\n";
      } else {
        std::string blank;
        for (const Prefix& p : prefixes_) {
          if (p.started) blank += p.rest;
        }
        while (!blank.empty() && blank.back() == ' ') blank.pop_back();
        lead = "\n" + blank + "\n";
      }
    }
    if (fresh) {
      for (const Prefix& p : prefixes_) lead += p.started ? p.rest : p.first;
    } else if (pendingSpace_) {
      if (out_.empty()) {
        leadingSpace_ = true;
      } else {
        lead.push_back(' ');
      }
    }
    if (out_.size() + lead.size() + piece.size() > limit_) {
      full_ = true;
      return;
    }
    out_ += lead;
    out_.append(piece);
    if (fresh) {
      for (Prefix& p : prefixes_) p.started = true;
      lineChars_ = 0;
      lineDigits_ = true;
    } else if (pendingSpace_ && !lead.empty()) {
      ++lineChars_;
      lineDigits_ = false;
    }
    std::size_t lastNewline = piece.rfind('\n');
    if (lastNewline != std::string_view::npos) piece.remove_prefix(lastNewline + 1);  // a block's last line
    for (char c : piece) {
      ++lineChars_;
      if (c < '0' || c > '9') lineDigits_ = false;
    }
    atLineStart_ = false;
    pendingBreak_ = Break::none;
    pendingSpace_ = false;
  }

  std::string out_;
  std::size_t limit_;
  bool inline_;
  bool full_ = false;
  bool atLineStart_ = true;
  bool leadingSpace_ = false;
  bool pendingSpace_ = false;
  Break pendingBreak_ = Break::none;
  std::size_t lineChars_ = 0;
  bool lineDigits_ = true;
  std::vector<Prefix> prefixes_;
};

std::string_view nameOf(const xmlNode* node) {
  return node->name == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(node->name));
}

std::string_view contentOf(const xmlNode* node) {
  return node->content == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(node->content));
}

bool isDropped(std::string_view name) { return name == "script" || name == "style" || name == "template"; }

bool isBlock(std::string_view name) {
  static constexpr std::string_view kBlocks[] = {
      "p",  "div", "section", "article", "header", "footer",  "aside",   "nav",  "main",    "h1",
      "h2", "h3",  "h4",      "h5",      "h6",     "hr",      "table",   "tr",   "figure",  "figcaption",
      "dl", "dt",  "dd",      "address", "center", "details", "summary", "form", "fieldset"};
  return std::find(std::begin(kBlocks), std::end(kBlocks), name) != std::end(kBlocks);
}

// Elements whose edges part words when only their text is kept.
bool separatesWords(std::string_view name) {
  return isBlock(name) || name == "br" || name == "li" || name == "ul" || name == "ol" || name == "blockquote" ||
         name == "pre" || name == "td" || name == "th";
}

// Calls `visit` on each node of the subtree under `root` in document order, without recursion.
template <typename Visit>
void eachDescendant(const xmlNode* root, Visit visit) {
  const xmlNode* node = root->children;
  while (node != nullptr) {
    bool descend = visit(node);
    if (descend && node->children != nullptr) {
      node = node->children;
      continue;
    }
    while (node != nullptr && node != root && node->next == nullptr) node = node->parent;
    if (node == nullptr || node == root) break;
    node = node->next;
  }
}

// The subtree's text as it was (for code): <br> is a newline, dropped elements give nothing.
std::string verbatimText(const xmlNode* root, std::size_t limit) {
  std::string text;
  eachDescendant(root, [&](const xmlNode* node) {
    if (text.size() >= limit) return false;
    if (node->type == XML_TEXT_NODE) {
      text.append(contentOf(node).substr(0, limit - text.size()));
    } else if (node->type == XML_ELEMENT_NODE) {
      if (nameOf(node) == "br") text.push_back('\n');
      return !isDropped(nameOf(node));
    }
    return false;
  });
  return text;
}

std::size_t longestRun(std::string_view text, char c) {
  std::size_t longest = 0;
  std::size_t run = 0;
  for (char x : text) {
    run = x == c ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

// http, https and mailto links only, judged as a browser would read the attribute: entities are
// already decoded by the parser, surrounding blanks and control characters ignored, tabs and
// newlines inside removed.
std::string allowedHref(std::string_view href) {
  std::string url;
  for (char c : href) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\t' || c == '\n' || c == '\r') continue;
    url.push_back(static_cast<char>(u));
  }
  auto isBlank = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
  while (!url.empty() && isBlank(url.front())) url.erase(url.begin());
  while (!url.empty() && isBlank(url.back())) url.pop_back();
  std::size_t colon = url.find(':');
  if (colon == std::string::npos || colon == 0) return {};
  std::string scheme;
  for (std::size_t i = 0; i < colon; ++i) {
    char c = url[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return {};
    scheme.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  if (scheme != "http" && scheme != "https" && scheme != "mailto") return {};
  if (colon + 1 == url.size()) return {};
  return url;
}

// A link destination in <…>: what could end it or be read as markup is percent-encoded, and `&` is
// escaped so that no entity is decoded from it.
std::string linkDestination(std::string_view url) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "<";
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '<' || c == '>' || c == '\\') {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    } else if (c == '&') {
      out += "\\&";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('>');
  return out;
}

struct HrefFree {
  void operator()(xmlChar* text) const { xmlFree(text); }
};

class TreeWalker {
 public:
  explicit TreeWalker(const MarkdownOptions& options) : options_(options) {}

  void children(const xmlNode* parent, MarkdownWriter& out, int depth, bool inLink) {
    for (const xmlNode* node = parent->children; node != nullptr && !out.full(); node = node->next) {
      if (node->type == XML_TEXT_NODE) {
        out.text(contentOf(node), options_.bareNewlines);
      } else if (node->type == XML_ELEMENT_NODE) {
        if (depth >= kMaxFormatDepth) {
          plainText(node, out);
        } else {
          element(node, out, depth + 1, inLink);
        }
      }
    }
  }

 private:
  void element(const xmlNode* node, MarkdownWriter& out, int depth, bool inLink) {
    std::string_view name = nameOf(node);
    if (isDropped(name)) return;
    if (name == "br") {
      out.lineBreak();
    } else if (name == "b" || name == "strong") {
      span(node, out, depth, inLink, "**");
    } else if (name == "i" || name == "em") {
      span(node, out, depth, inLink, "*");
    } else if (name == "code" || name == "kbd" || name == "samp" || name == "tt") {
      codeSpan(node, out);
    } else if (name == "a") {
      link(node, out, depth, inLink);
    } else if (name == "pre") {
      preBlock(node, out);
    } else if (name == "blockquote") {
      out.requestBreak(Break::paragraph);
      out.pushPrefix("> ", "> ");
      children(node, out, depth, inLink);
      out.popPrefix();
      out.requestBreak(Break::paragraph);
    } else if (name == "ul" || name == "ol") {
      out.requestBreak(listDepth_ > 0 ? Break::line : Break::paragraph);
      lists_.push_back(name == "ol" ? 1 : 0);
      ++listDepth_;
      children(node, out, depth, inLink);
      --listDepth_;
      lists_.pop_back();
      out.requestBreak(listDepth_ > 0 ? Break::line : Break::paragraph);
    } else if (name == "li") {
      listItem(node, out, depth, inLink);
    } else if (name == "td" || name == "th") {
      out.space();
      children(node, out, depth, inLink);
      out.space();
    } else if (isBlock(name)) {
      out.requestBreak(name == "tr" || name == "dt" || name == "dd" ? Break::line : Break::paragraph);
      children(node, out, depth, inLink);
      out.requestBreak(name == "tr" || name == "dt" || name == "dd" ? Break::line : Break::paragraph);
    } else {
      children(node, out, depth, inLink);  // any other tag: dropped, its text kept
    }
  }

  void listItem(const xmlNode* node, MarkdownWriter& out, int depth, bool inLink) {
    std::string marker = "- ";
    if (!lists_.empty() && lists_.back() > 0) marker = std::to_string(lists_.back()++) + ". ";
    out.requestBreak(Break::line);
    out.pushPrefix(marker, std::string(marker.size(), ' '));
    children(node, out, depth, inLink);
    out.popPrefix();
    out.requestBreak(Break::line);
  }

  // Strong or emphasis around the children's Markdown; nothing when they have no text.
  // Strong inside strong (or emphasis inside emphasis) adds nothing: its text joins the outer span.
  void span(const xmlNode* node, MarkdownWriter& out, int depth, bool inLink, std::string_view marker) {
    int& open = marker == "**" ? openStrong_ : openEmphasis_;
    if (open > 0) {
      children(node, out, depth, inLink);
      return;
    }
    MarkdownWriter inner(remaining(out), true);
    ++open;
    children(node, inner, depth, inLink);
    --open;
    bool before = inner.leadingSpace();
    bool after = inner.trailingSpace();
    std::string text = inner.take();
    if (before) out.space();
    if (!text.empty()) out.unit(std::string(marker) + text + std::string(marker));
    if (after) out.space();
  }

  void codeSpan(const xmlNode* node, MarkdownWriter& out) {
    std::string raw = verbatimText(node, remaining(out));
    std::string text;  // whitespace collapsed, as HTML shows it
    for (char c : raw) {
      auto u = static_cast<unsigned char>(c);
      if (isHtmlSpace(c)) {
        if (!text.empty() && text.back() != ' ') text.push_back(' ');
      } else if (u >= 0x20 && u != 0x7F) {
        text.push_back(c);
      }
    }
    bool leading = !raw.empty() && isHtmlSpace(raw.front());
    bool trailing = !text.empty() && text.back() == ' ';
    if (trailing) text.pop_back();
    if (leading) out.space();
    if (!text.empty()) {
      std::string fence(longestRun(text, '`') + 1, '`');
      bool pad = text.front() == '`' || text.back() == '`';
      out.unit(fence + (pad ? " " : "") + text + (pad ? " " : "") + fence);
    }
    if (trailing) out.space();
  }

  void preBlock(const xmlNode* node, MarkdownWriter& out) {
    std::string raw = verbatimText(node, remaining(out));
    std::string text;
    for (char c : raw) {
      auto u = static_cast<unsigned char>(c);
      if (c == '\n' || c == '\t' || (u >= 0x20 && u != 0x7F)) text.push_back(c);
    }
    if (!text.empty() && text.front() == '\n') text.erase(text.begin());
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (text.empty()) return;
    std::vector<std::string_view> lines;
    std::string_view rest = text;
    for (std::size_t at = rest.find('\n'); at != std::string_view::npos; at = rest.find('\n')) {
      lines.push_back(rest.substr(0, at));
      rest.remove_prefix(at + 1);
    }
    lines.push_back(rest);
    out.fencedBlock(lines, std::string(std::max<std::size_t>(3, longestRun(text, '`') + 1), '`'));
  }

  void link(const xmlNode* node, MarkdownWriter& out, int depth, bool inLink) {
    std::unique_ptr<xmlChar, HrefFree> href(xmlGetProp(node, reinterpret_cast<const xmlChar*>("href")));
    std::string url = inLink || !href ? std::string() : allowedHref(reinterpret_cast<const char*>(href.get()));
    if (url.empty()) {
      children(node, out, depth, inLink);  // not a link we keep: its text only
      return;
    }
    MarkdownWriter inner(remaining(out), true);
    children(node, inner, depth, true);
    bool before = inner.leadingSpace();
    bool after = inner.trailingSpace();
    std::string text = inner.take();
    if (text.empty()) {
      MarkdownWriter shown(remaining(out), true);
      shown.text(url, false);
      text = shown.take();
    }
    if (before) out.space();
    out.unit("[" + text + "](" + linkDestination(url) + ")");
    if (after) out.space();
  }

  // Past the nesting limit: the subtree's text alone, without recursion.
  void plainText(const xmlNode* root, MarkdownWriter& out) {
    if (isDropped(nameOf(root))) return;
    eachDescendant(root, [&](const xmlNode* node) {
      if (out.full()) return false;
      if (node->type == XML_TEXT_NODE) {
        out.text(contentOf(node), options_.bareNewlines);
        return false;
      }
      if (node->type != XML_ELEMENT_NODE || isDropped(nameOf(node))) return false;
      if (separatesWords(nameOf(node))) out.space();
      return true;
    });
  }

  std::size_t remaining(const MarkdownWriter& out) const {
    return options_.maxOutputBytes > out.size() ? options_.maxOutputBytes - out.size() : 0;
  }

  const MarkdownOptions& options_;
  std::vector<int> lists_;  // per open list: 0 for ul, else the next item's number
  int listDepth_ = 0;
  int openStrong_ = 0;
  int openEmphasis_ = 0;
};

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

}  // namespace

MarkdownText htmlToMarkdown(std::string_view html, const MarkdownOptions& options) {
  // Wrapped in a div: libxml2 then keeps the blank text between top-level elements, which
  // wpautop's paragraphs need. A stray </div> in the input only ends the wrapper early.
  std::string wrapped = "<div>";
  wrapped.append(html.substr(0, std::min<std::size_t>(html.size(), 64u << 20)));
  wrapped += "</div>";
  constexpr int kOptions = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NOIMPLIED;
  std::unique_ptr<xmlDoc, DocFree> doc(
      htmlReadMemory(wrapped.data(), static_cast<int>(wrapped.size()), nullptr, "UTF-8", kOptions));
  MarkdownText result;
  if (!doc) return result;
  MarkdownWriter out(options.maxOutputBytes, false);
  TreeWalker walker(options);
  walker.children(reinterpret_cast<const xmlNode*>(doc.get()), out, 0, false);
  result.cut = out.full();
  result.markdown = out.take();
  return result;
}

std::string escapeMarkdownText(std::string_view text) {
  MarkdownWriter out(text.size() * 2 + 16, false);
  out.text(text, false);
  return out.take();
}

}  // namespace kring::server
