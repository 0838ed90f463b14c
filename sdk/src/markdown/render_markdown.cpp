#include <md4c.h>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "kring/markdown.h"
#include "text/text.h"

namespace kring {

namespace {

// Named entities a post may spell; any other name shows as typed. md4c-html's table of all 2,125
// would make the wasm-sized renderer impossible and the rest are rare in posts.
struct NamedEntity {
  std::string_view name;
  std::string_view text;
};
constexpr std::array kNamedEntities{
    NamedEntity{"amp", "&"},         NamedEntity{"lt", "<"},         NamedEntity{"gt", ">"},
    NamedEntity{"quot", "\""},       NamedEntity{"apos", "'"},       NamedEntity{"nbsp", "\u00a0"},
    NamedEntity{"copy", "\u00a9"},   NamedEntity{"reg", "\u00ae"},   NamedEntity{"trade", "\u2122"},
    NamedEntity{"hellip", "\u2026"}, NamedEntity{"mdash", "\u2014"}, NamedEntity{"ndash", "\u2013"},
    NamedEntity{"lsquo", "\u2018"},  NamedEntity{"rsquo", "\u2019"}, NamedEntity{"ldquo", "\u201c"},
    NamedEntity{"rdquo", "\u201d"},  NamedEntity{"laquo", "\u00ab"}, NamedEntity{"raquo", "\u00bb"},
    NamedEntity{"euro", "\u20ac"},   NamedEntity{"pound", "\u00a3"}, NamedEntity{"yen", "\u00a5"},
    NamedEntity{"cent", "\u00a2"},   NamedEntity{"sect", "\u00a7"},  NamedEntity{"deg", "\u00b0"},
    NamedEntity{"plusmn", "\u00b1"}, NamedEntity{"times", "\u00d7"}, NamedEntity{"divide", "\u00f7"},
    NamedEntity{"middot", "\u00b7"}, NamedEntity{"bull", "\u2022"},  NamedEntity{"larr", "\u2190"},
    NamedEntity{"rarr", "\u2192"},   NamedEntity{"harr", "\u2194"},  NamedEntity{"frac12", "\u00bd"},
    NamedEntity{"eacute", "\u00e9"}, NamedEntity{"euml", "\u00eb"},  NamedEntity{"ouml", "\u00f6"},
    NamedEntity{"uuml", "\u00fc"},   NamedEntity{"auml", "\u00e4"},  NamedEntity{"szlig", "\u00df"},
};

constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD

void appendUtf8(std::string& out, std::uint32_t code) {
  if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
    out += kReplacement;
  } else if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// What the entity stands for, as raw text (escaped later); itself when it names nothing we know.
std::string decodeEntity(std::string_view entity) {
  std::string out;
  if (entity.size() >= 4 && entity[1] == '#') {
    const bool hex = entity[2] == 'x' || entity[2] == 'X';
    std::uint32_t code = 0;
    for (char c : entity.substr(hex ? 3 : 2, entity.size() - (hex ? 4 : 3))) {
      std::uint32_t digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10;
      code = code * (hex ? 16 : 10) + digit;
      if (code > 0x10FFFF) code = 0x110000;  // stays out of range; no overflow
    }
    appendUtf8(out, code);
    return out;
  }
  std::string_view name = entity.substr(1, entity.size() - 2);
  for (const NamedEntity& known : kNamedEntities) {
    if (known.name == name) return std::string(known.text);
  }
  return std::string(entity);
}

// Text as a browser serializes a text node: &, <, > and the no-break space escaped, nothing else.
void appendText(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '\xc2' && i + 1 < text.size() && text[i + 1] == '\xa0') {
      out += "&nbsp;";
      ++i;
    } else if (c == '\0') {
      out += kReplacement;
    } else {
      out += c;
    }
  }
}

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// The link's address when it may be followed: http, https or mailto, with no entity in it (an
// entity could spell a scheme). A bare www. autolink gets http://.
std::optional<std::string> safeHref(const MD_ATTRIBUTE& href) {
  std::string url;
  for (unsigned i = 0; href.substr_offsets[i] < href.size; ++i) {
    if (href.substr_types[i] != MD_TEXT_NORMAL) return std::nullopt;
    url.append(href.text + href.substr_offsets[i], href.substr_offsets[i + 1] - href.substr_offsets[i]);
  }
  if (startsWithNoCase(url, "www.")) url = "http://" + url;
  if (!startsWithNoCase(url, "http://") && !startsWithNoCase(url, "https://") && !startsWithNoCase(url, "mailto:")) {
    return std::nullopt;
  }
  return url;
}

// An address inside href="": reserved and unreserved URL characters kept, & as &amp;, the rest
// (quotes, angle brackets, spaces, bytes past ASCII) percent-encoded.
void appendHref(std::string& out, std::string_view url) {
  static constexpr std::string_view kKept = "-_.!~*'();/?:@=+$,%#[]";
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : url) {
    auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        kKept.find(c) != std::string_view::npos) {
      out += c;
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
}

class HtmlWriter {
 public:
  std::string out;

  int enterBlock(MD_BLOCKTYPE type, void* detail) {
    switch (type) {
      case MD_BLOCK_QUOTE: out += "<blockquote>\n"; break;
      case MD_BLOCK_UL: out += "<ul>\n"; break;
      case MD_BLOCK_OL: {
        unsigned start = static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start;
        out += start == 1 ? std::string("<ol>\n") : "<ol start=\"" + std::to_string(start) + "\">\n";
        break;
      }
      case MD_BLOCK_LI: out += "<li>"; break;
      case MD_BLOCK_HR: out += "<hr>\n"; break;
      case MD_BLOCK_H: out += "<h" + std::to_string(headingLevel(detail)) + ">"; break;
      case MD_BLOCK_CODE: out += "<pre><code>"; break;
      case MD_BLOCK_P: out += "<p>"; break;
      default: break;  // the document; tables and raw HTML blocks are not enabled
    }
    return 0;
  }

  int leaveBlock(MD_BLOCKTYPE type, void* detail) {
    switch (type) {
      case MD_BLOCK_QUOTE: out += "</blockquote>\n"; break;
      case MD_BLOCK_UL: out += "</ul>\n"; break;
      case MD_BLOCK_OL: out += "</ol>\n"; break;
      case MD_BLOCK_LI: out += "</li>\n"; break;
      case MD_BLOCK_H: out += "</h" + std::to_string(headingLevel(detail)) + ">\n"; break;
      case MD_BLOCK_CODE: out += "</code></pre>\n"; break;
      case MD_BLOCK_P: out += "</p>\n"; break;
      default: break;
    }
    return 0;
  }

  int enterSpan(MD_SPANTYPE type, void* detail) {
    if (imageDepth_ > 0) {
      if (type == MD_SPAN_IMG) ++imageDepth_;
      return 0;  // an image's alt text is plain text
    }
    switch (type) {
      case MD_SPAN_EM: out += "<em>"; break;
      case MD_SPAN_STRONG: out += "<strong>"; break;
      case MD_SPAN_DEL: out += "<s>"; break;
      case MD_SPAN_CODE: out += "<code>"; break;
      case MD_SPAN_IMG: ++imageDepth_; break;
      case MD_SPAN_A: {
        std::optional<std::string> href = safeHref(static_cast<MD_SPAN_A_DETAIL*>(detail)->href);
        links_.push_back(href.has_value());
        if (href) {
          out += "<a href=\"";
          appendHref(out, *href);
          out += "\" rel=\"ugc nofollow noopener\" target=\"_blank\">";
        }
        break;
      }
      default: break;
    }
    return 0;
  }

  int leaveSpan(MD_SPANTYPE type, void*) {
    if (imageDepth_ > 0) {
      if (type == MD_SPAN_IMG) --imageDepth_;
      return 0;
    }
    switch (type) {
      case MD_SPAN_EM: out += "</em>"; break;
      case MD_SPAN_STRONG: out += "</strong>"; break;
      case MD_SPAN_DEL: out += "</s>"; break;
      case MD_SPAN_CODE: out += "</code>"; break;
      case MD_SPAN_A:
        if (!links_.empty()) {
          if (links_.back()) out += "</a>";
          links_.pop_back();
        }
        break;
      default: break;
    }
    return 0;
  }

  int text(MD_TEXTTYPE type, std::string_view text) {
    switch (type) {
      case MD_TEXT_NULLCHAR: out += kReplacement; break;
      case MD_TEXT_BR: out += imageDepth_ > 0 ? " " : "<br>\n"; break;
      case MD_TEXT_SOFTBR: out += imageDepth_ > 0 ? " " : "\n"; break;
      case MD_TEXT_ENTITY: appendText(out, decodeEntity(text)); break;
      default: appendText(out, text); break;
    }
    return 0;
  }

 private:
  static unsigned headingLevel(void* detail) {
    unsigned level = static_cast<MD_BLOCK_H_DETAIL*>(detail)->level;
    return level < 3 ? 3 : level;
  }

  int imageDepth_ = 0;
  std::vector<bool> links_;  // whether each open link was kept
};

constexpr unsigned kDialect = MD_FLAG_NOHTML | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEAUTOLINKS;

}  // namespace

std::string renderMarkdown(std::string_view markdown) {
  std::string repaired;
  if (!isValidUtf8(markdown)) markdown = repaired = withReplacementCharacters(markdown);
  HtmlWriter writer;
  writer.out.reserve(markdown.size() + markdown.size() / 4 + 16);
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = kDialect;
  parser.enter_block = [](MD_BLOCKTYPE type, void* detail, void* self) {
    return static_cast<HtmlWriter*>(self)->enterBlock(type, detail);
  };
  parser.leave_block = [](MD_BLOCKTYPE type, void* detail, void* self) {
    return static_cast<HtmlWriter*>(self)->leaveBlock(type, detail);
  };
  parser.enter_span = [](MD_SPANTYPE type, void* detail, void* self) {
    return static_cast<HtmlWriter*>(self)->enterSpan(type, detail);
  };
  parser.leave_span = [](MD_SPANTYPE type, void* detail, void* self) {
    return static_cast<HtmlWriter*>(self)->leaveSpan(type, detail);
  };
  parser.text = [](MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* self) {
    return static_cast<HtmlWriter*>(self)->text(type, std::string_view(text, size));
  };
  // md4c fails only when out of memory; what it wrote so far is still well formed up to there.
  md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, &writer);
  return std::move(writer.out);
}

}  // namespace kring
