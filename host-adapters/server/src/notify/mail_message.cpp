#include "notify/mail_message.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <stdexcept>

namespace kring::server {

namespace {

constexpr std::size_t kHeaderLineLimit = 78;           // RFC 5322 2.1.1 "SHOULD"
constexpr std::size_t kQuotedPrintableLineLimit = 76;  // RFC 2045 6.7 rule 5
constexpr std::size_t kEncodedWordLimit = 75;          // RFC 2047 2
constexpr std::size_t kEncodedWordOverhead = 12;       // "=?UTF-8?B?" and "?="
constexpr std::size_t kIdLimit = 900;                  // an id or URL cannot fold; stay well inside 998
constexpr std::string_view kCrLf = "\r\n";
constexpr std::string_view kHexDigits = "0123456789ABCDEF";

bool isPrintableAscii(unsigned char byte) { return byte >= 0x21 && byte <= 0x7E; }

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

bool sameNameIgnoringCase(std::string_view left, std::string_view right) {
  return left.size() == right.size() && std::equal(left.begin(), left.end(), right.begin(),
                                                   [](char a, char b) { return lowerAscii(a) == lowerAscii(b); });
}

// Every header field passes here first: CR or LF could start a new header, NUL truncates in C-based relays.
void requireSingleLine(std::string_view field, std::string_view value) {
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    throw std::invalid_argument(std::string(field) + " contains CR, LF or NUL");
  }
}

void requireAddress(std::string_view field, std::string_view address) {
  requireSingleLine(field, address);
  if (const std::string problem = mailAddressProblem(address); !problem.empty()) {
    throw std::invalid_argument(std::string(field) + ": " + problem);
  }
}

// msg-id without its angle brackets (RFC 5322 3.6.4): printable ASCII, one '@' between two non-empty sides.
void requireMessageId(std::string_view field, std::string_view id) {
  requireSingleLine(field, id);
  const std::size_t at = id.find('@');
  const bool shaped = !id.empty() && id.size() <= kIdLimit && at != 0 && at != std::string_view::npos &&
                      at + 1 < id.size() && id.find('@', at + 1) == std::string_view::npos;
  const bool clean = std::all_of(id.begin(), id.end(), [](char c) {
    return isPrintableAscii(static_cast<unsigned char>(c)) && c != '<' && c != '>' && c != '"' && c != '\\';
  });
  if (!shaped || !clean) throw std::invalid_argument(std::string(field) + " is not a message id (left@right)");
}

void requireUnsubscribeUrl(std::string_view url) {
  requireSingleLine("listUnsubscribeUrl", url);
  const auto startsWith = [&](std::string_view prefix) {
    return url.size() > prefix.size() && sameNameIgnoringCase(url.substr(0, prefix.size()), prefix);
  };
  const bool clean = std::all_of(url.begin(), url.end(), [](char c) {
    return isPrintableAscii(static_cast<unsigned char>(c)) && c != '<' && c != '>';
  });
  if (!(startsWith("https://") || startsWith("http://")) || !clean || url.size() > kIdLimit) {
    throw std::invalid_argument("listUnsubscribeUrl is not an http(s) URL of printable ASCII without '<' '>'");
  }
}

void requireLanguageTag(std::string_view tag) {
  requireSingleLine("language", tag);
  const bool clean = std::all_of(tag.begin(), tag.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (tag.size() > 35 || !clean) throw std::invalid_argument("language is not a language tag");
}

// RFC 5322 field-name: printable ASCII except ':'.
void requireHeaderName(std::string_view name) {
  requireSingleLine("extra header name", name);
  const bool clean = std::all_of(name.begin(), name.end(),
                                 [](char c) { return isPrintableAscii(static_cast<unsigned char>(c)) && c != ':'; });
  if (name.empty() || name.size() > 76 || !clean) {
    throw std::invalid_argument("extra header name '" + std::string(name) + "' is not a header field name");
  }
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()), int(bytes.size()));
  out.resize(std::size_t(std::max(written, 0)));
  return out;
}

std::size_t utf8SequenceLength(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF7) return 4;
  if (lead >= 0xE0) return lead <= 0xEF ? 3 : 1;
  if (lead >= 0xC0) return 2;
  return 1;  // ASCII, or a stray continuation byte: passed through as one byte
}

std::size_t encodedWordLength(std::size_t byteCount) { return kEncodedWordOverhead + 4 * ((byteCount + 2) / 3); }

// The next encoded-word of at most `capacity` characters, taking whole UTF-8 characters from `position`.
// Empty when not even one character fits.
std::string takeEncodedWord(std::string_view text, std::size_t& position, std::size_t capacity) {
  std::size_t end = position;
  while (end < text.size()) {
    const std::size_t next = std::min(text.size(), end + utf8SequenceLength(static_cast<unsigned char>(text[end])));
    if (encodedWordLength(next - position) > capacity) break;
    end = next;
  }
  if (end == position) return {};
  std::string word = "=?UTF-8?B?" + base64(text.substr(position, end - position)) + "?=";
  position = end;
  return word;
}

// One header field built from unbreakable atoms, folded (CRLF SP) between atoms to keep lines within 78.
class HeaderField {
 public:
  explicit HeaderField(std::string_view name) : text_(std::string(name) + ":"), lineLength_(text_.size()) {}

  // Characters an atom may have to stay within the limit on the current line, after its leading space.
  std::size_t room() const { return lineLength_ + 1 >= kHeaderLineLimit ? 0 : kHeaderLineLimit - lineLength_ - 1; }

  void fold() {
    text_ += kCrLf;
    lineLength_ = 0;
    lineHasAtom_ = false;
  }

  // Folds first when the atom would not fit here but would fit on a fresh line; an atom too long for any line
  // stays put (ids and URLs cannot be broken).
  void append(std::string_view atom) {
    if (atom.size() > room() && lineHasAtom_ && atom.size() <= kHeaderLineLimit - 1) fold();
    text_ += ' ';
    text_ += atom;
    lineLength_ += 1 + atom.size();
    lineHasAtom_ = true;
  }

  void appendEncodedWords(std::string_view text) {
    std::size_t position = 0;
    while (position < text.size()) {
      std::string word = takeEncodedWord(text, position, std::min(kEncodedWordLimit, room()));
      if (word.empty()) {
        fold();
        word = takeEncodedWord(text, position, kEncodedWordLimit);
      }
      append(word);
    }
  }

  bool fitsLimit() const {
    std::size_t lineStart = 0;
    while (lineStart <= text_.size()) {
      const std::size_t lineEnd = std::min(text_.find(kCrLf, lineStart), text_.size());
      if (lineEnd - lineStart > kHeaderLineLimit) return false;
      lineStart = lineEnd + kCrLf.size();
    }
    return true;
  }

  std::string finish() && {
    text_ += kCrLf;
    return std::move(text_);
  }

 private:
  std::string text_;
  std::size_t lineLength_;
  bool lineHasAtom_ = false;
};

// Plain ASCII text is written as is when it can fold at its own single spaces within the limit; anything else
// (non-ASCII, controls, runs of spaces, "=?" that a reader would take for an encoded-word, a word too long for
// a line) becomes encoded-words.
std::optional<std::string> asciiUnstructured(std::string_view name, std::string_view text) {
  if (text.empty() || text.front() == ' ' || text.back() == ' ' || text.find("  ") != std::string_view::npos ||
      text.find("=?") != std::string_view::npos) {
    return std::nullopt;
  }
  if (!std::all_of(text.begin(), text.end(),
                   [](char c) { return c == ' ' || isPrintableAscii(static_cast<unsigned char>(c)); })) {
    return std::nullopt;
  }
  HeaderField field(name);
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(' ', start), text.size());
    field.append(text.substr(start, end - start));
    start = end + 1;
  }
  if (!field.fitsLimit()) return std::nullopt;
  return std::move(field).finish();
}

std::string unstructuredHeader(std::string_view name, std::string_view text) {
  if (auto plain = asciiUnstructured(name, text)) return *std::move(plain);
  HeaderField field(name);
  field.appendEncodedWords(text);
  return std::move(field).finish();
}

// From/To: a display name, when given, as a quoted-string (ASCII) or encoded-words (anything else), then <addr>.
std::string mailboxHeader(std::string_view header, std::string_view displayName, std::string_view address) {
  HeaderField field(header);
  if (!displayName.empty()) {
    const bool ascii = std::all_of(displayName.begin(), displayName.end(),
                                   [](char c) { return c == ' ' || isPrintableAscii(static_cast<unsigned char>(c)); });
    if (ascii && displayName.find("=?") == std::string_view::npos) {
      std::string quoted = "\"";
      for (char c : displayName) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
      }
      field.append(quoted + "\"");
    } else {
      field.appendEncodedWords(displayName);
    }
  }
  field.append("<" + std::string(address) + ">");
  return std::move(field).finish();
}

std::string hex(const unsigned char* bytes, std::size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHexDigits[bytes[i] >> 4];
    out += kHexDigits[bytes[i] & 0xF];
  }
  return out;
}

std::string sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return hex(digest.data(), length);
}

// "=_" can never occur in quoted-printable output ('=' is always followed by hex or a line break), so the
// boundary cannot collide with an encoded part; the check against the raw parts is belt and braces. Derived
// from the content so composing is deterministic.
std::string boundaryFor(const std::vector<std::string_view>& parts) {
  std::string seed;
  for (std::string_view part : parts) {
    seed += part;
    seed += '\0';
  }
  for (int attempt = 0;; ++attempt) {
    const std::string boundary = "=_kring_" + sha256Hex(seed + std::to_string(attempt)).substr(0, 40);
    const bool unused = std::none_of(parts.begin(), parts.end(), [&](std::string_view part) {
      return part.find(boundary) != std::string_view::npos;
    });
    if (unused) return boundary;
  }
}

std::string partHeaders(std::string_view mediaType) {
  return "Content-Type: " + std::string(mediaType) +
         "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n";
}

// The headers composeMail writes itself; an extra header may not repeat one.
bool isComposedHeader(std::string_view name) {
  for (std::string_view composed :
       {"Date", "From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "Content-Language",
        "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"}) {
    if (sameNameIgnoringCase(name, composed)) return true;
  }
  return false;
}

std::int64_t floorDivide(std::int64_t value, std::int64_t divisor) {
  return value / divisor - (value % divisor != 0 && (value < 0) != (divisor < 0) ? 1 : 0);
}

}  // namespace

std::string quotedPrintable(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  std::size_t lineLength = 0;
  const auto hardBreakAt = [&](std::size_t i) {
    return bytes[i] == '\n' || (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n');
  };
  const auto escaped = [](unsigned char byte) {
    return std::string{'=', kHexDigits[byte >> 4], kHexDigits[byte & 0xF]};
  };
  for (std::size_t i = 0; i < bytes.size();) {
    if (hardBreakAt(i)) {
      out += kCrLf;
      lineLength = 0;
      i += bytes[i] == '\r' ? 2 : 1;
      continue;
    }
    const auto byte = static_cast<unsigned char>(bytes[i]);
    const bool lastOnLine = i + 1 == bytes.size() || hardBreakAt(i + 1);
    const bool whitespace = byte == ' ' || byte == '\t';
    const bool literal = (isPrintableAscii(byte) && byte != '=') || (whitespace && !lastOnLine);
    std::string token = literal ? std::string(1, char(byte)) : escaped(byte);
    // The last token of a line may use column 76; any other must leave room for the soft break's '='.
    const std::size_t limit = lastOnLine ? kQuotedPrintableLineLimit : kQuotedPrintableLineLimit - 1;
    if (lineLength + token.size() > limit) {
      out += "=\r\n";
      lineLength = 0;
    }
    if (lineLength == 0 && byte == '.') token = escaped(byte);
    out += token;
    lineLength += token.size();
    ++i;
  }
  return out;
}

std::string encodedWord(std::string_view text) {
  std::string out;
  std::size_t position = 0;
  while (position < text.size()) {
    if (!out.empty()) out += "\r\n ";
    out += takeEncodedWord(text, position, kEncodedWordLimit);
  }
  return out;
}

std::string mailDate(std::int64_t seconds) {
  static constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t days = floorDivide(seconds, 86400);
  const std::int64_t secondOfDay = seconds - days * 86400;
  // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil inverse), proleptic Gregorian.
  const std::int64_t shifted = days + 719468;
  const std::int64_t era = floorDivide(shifted, 146097);
  const std::int64_t dayOfEra = shifted - era * 146097;
  const std::int64_t yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
  const std::int64_t dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
  const std::int64_t monthFromMarch = (5 * dayOfYear + 2) / 153;
  const std::int64_t day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1;
  const std::int64_t month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const std::int64_t year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const std::int64_t weekday = days - floorDivide(days + 4, 7) * 7 + 4;  // 1970-01-01 was a Thursday

  std::array<char, 64> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%s, %02d %s %04lld %02d:%02d:%02d +0000",
                kWeekdays[std::size_t(weekday)].data(), int(day), kMonths[std::size_t(month - 1)].data(),
                static_cast<long long>(year), int(secondOfDay / 3600), int(secondOfDay / 60 % 60),
                int(secondOfDay % 60));
  return buffer.data();
}

std::string composeMail(const MailMessage& message) {
  requireAddress("fromAddress", message.fromAddress);
  requireAddress("toAddress", message.toAddress);
  requireSingleLine("fromName", message.fromName);
  requireSingleLine("toName", message.toName);
  requireSingleLine("subject", message.subject);
  requireMessageId("messageId", message.messageId);
  if (!message.inReplyTo.empty()) requireMessageId("inReplyTo", message.inReplyTo);
  if (!message.listUnsubscribeUrl.empty()) requireUnsubscribeUrl(message.listUnsubscribeUrl);
  if (!message.language.empty()) requireLanguageTag(message.language);
  for (std::size_t i = 0; i < message.extraHeaders.size(); ++i) {
    const auto& [name, value] = message.extraHeaders[i];
    requireHeaderName(name);
    requireSingleLine("extra header " + name, value);
    if (isComposedHeader(name) ||
        std::any_of(message.extraHeaders.begin(), message.extraHeaders.begin() + std::ptrdiff_t(i),
                    [&](const auto& earlier) { return sameNameIgnoringCase(name, earlier.first); })) {
      throw std::invalid_argument("extra header " + name + " would repeat a header");
    }
  }

  std::string out;
  out += "Date: " + mailDate(message.dateSeconds) + "\r\n";
  out += mailboxHeader("From", message.fromName, message.fromAddress);
  out += mailboxHeader("To", message.toName, message.toAddress);
  out += unstructuredHeader("Subject", message.subject);
  out += "Message-ID: <" + message.messageId + ">\r\n";
  if (!message.inReplyTo.empty()) {
    out += "In-Reply-To: <" + message.inReplyTo + ">\r\n";
    out += "References: <" + message.inReplyTo + ">\r\n";
  }
  if (!message.language.empty()) out += "Content-Language: " + message.language + "\r\n";
  if (!message.listUnsubscribeUrl.empty()) {
    out += "List-Unsubscribe: <" + message.listUnsubscribeUrl + ">\r\n";
    out += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }
  for (const auto& [name, value] : message.extraHeaders) out += unstructuredHeader(name, value);
  out += "MIME-Version: 1.0\r\n";

  const std::string text = quotedPrintable(message.text);
  if (message.html.empty()) {
    out += partHeaders("text/plain");
    out += kCrLf;
    out += text;
    if (!text.ends_with(kCrLf)) out += kCrLf;
    return out;
  }
  const std::string html = quotedPrintable(message.html);
  const std::string boundary = boundaryFor({message.text, message.html, text, html});
  out += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n";
  out += kCrLf;
  out += "--" + boundary + "\r\n" + partHeaders("text/plain") + "\r\n" + text + "\r\n";
  out += "--" + boundary + "\r\n" + partHeaders("text/html") + "\r\n" + html + "\r\n";
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace kring::server
