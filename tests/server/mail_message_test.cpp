// Notification mail: composeMail's bytes read back as a mail reader would (headers single and folded, parts
// quoted-printable, subject as encoded-words, no header injection), and SmtpSender against a real SMTP server
// (tests/support/smtp_sink.py) whose Python MIME parser reports what arrived.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "notify/mail_message.h"
#include "notify/smtp_sender.h"

#ifndef KRING_SOURCE_DIR
#error "KRING_SOURCE_DIR must name the repository root"
#endif

extern char** environ;

using namespace kring::server;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

// --- Reading a composed mail back -------------------------------------------------------------------------

std::vector<std::string> splitCrLf(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find("\r\n", start), text.size());
    lines.emplace_back(text.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

std::string lower(std::string text) {
  for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

struct Header {
  std::string name;   // lower-cased
  std::string value;  // unfolded: each CRLF before whitespace removed (RFC 5322 2.2.3)
};

std::string_view headerBlock(std::string_view mail) { return mail.substr(0, mail.find("\r\n\r\n")); }

std::vector<Header> headersOf(std::string_view mail) {
  std::vector<Header> headers;
  for (const std::string& line : splitCrLf(headerBlock(mail))) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      REQUIRE(!headers.empty());
      headers.back().value += line;
      continue;
    }
    const std::size_t colon = line.find(':');
    REQUIRE(colon != std::string::npos);
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    headers.push_back({lower(line.substr(0, colon)), value});
  }
  return headers;
}

std::vector<std::string> valuesOf(const std::vector<Header>& headers, const std::string& name) {
  std::vector<std::string> values;
  for (const Header& header : headers) {
    if (header.name == lower(name)) values.push_back(header.value);
  }
  return values;
}

std::string single(const std::vector<Header>& headers, const std::string& name) {
  const auto values = valuesOf(headers, name);
  INFO("header " << name);
  REQUIRE(values.size() == 1);
  return values.front();
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lower-case hex is not what our encoder writes
}

// RFC 2045 6.7 decoding, strict: '=' must start a soft break or two upper-case hex digits.
std::string decodeQuotedPrintable(std::string_view encoded) {
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '=') {
      out += encoded[i];
      continue;
    }
    if (encoded.substr(i + 1, 2) == "\r\n") {
      i += 2;
      continue;
    }
    REQUIRE(i + 2 < encoded.size());
    const int high = hexValue(encoded[i + 1]);
    const int low = hexValue(encoded[i + 2]);
    REQUIRE(high >= 0);
    REQUIRE(low >= 0);
    out += char(high * 16 + low);
    i += 2;
  }
  return out;
}

std::string decodeBase64(std::string_view text) {
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const std::size_t value = alphabet.find(c);
    REQUIRE(value != std::string_view::npos);
    buffer = (buffer << 6 | unsigned(value)) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char(buffer >> bits & 0xFF);
    }
  }
  return out;
}

// Decodes a run of B encoded-words separated by folding whitespace, as RFC 2047 6.2 says a reader does.
std::string decodeEncodedWords(std::string_view text) {
  std::string out;
  std::size_t position = 0;
  while (position < text.size()) {
    while (position < text.size() && (text[position] == ' ' || text[position] == '\r' || text[position] == '\n')) {
      ++position;
    }
    if (position == text.size()) break;
    REQUIRE(text.substr(position, 10) == "=?UTF-8?B?");
    const std::size_t end = text.find("?=", position + 10);
    REQUIRE(end != std::string_view::npos);
    out += decodeBase64(text.substr(position + 10, end - position - 10));
    position = end + 2;
  }
  return out;
}

void requireLinesWithin(std::string_view text, std::size_t limit) {
  for (const std::string& line : splitCrLf(text)) {
    INFO(line);
    REQUIRE(line.size() <= limit);
  }
}

void requireNoBareLineBreaks(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') REQUIRE((i > 0 && text[i - 1] == '\r'));
    if (text[i] == '\r') REQUIRE((i + 1 < text.size() && text[i + 1] == '\n'));
  }
}

std::string boundaryOf(const std::string& mail) {
  const std::string contentType = single(headersOf(mail), "Content-Type");
  const std::size_t start = contentType.find("boundary=\"");
  REQUIRE(start != std::string::npos);
  const std::size_t end = contentType.find('"', start + 10);
  return contentType.substr(start + 10, end - start - 10);
}

// The quoted-printable body of the part whose Content-Type starts with `mediaType`, decoded.
std::string partOf(const std::string& mail, const std::string& mediaType) {
  const std::string delimiter = "\r\n--" + boundaryOf(mail);
  std::size_t start = mail.find(delimiter);
  while (start != std::string::npos) {
    const std::size_t headersStart = start + delimiter.size() + 2;
    const std::size_t bodyStart = mail.find("\r\n\r\n", headersStart) + 4;
    const std::size_t next = mail.find(delimiter, bodyStart);
    REQUIRE(next != std::string::npos);
    const std::string partHeaders = mail.substr(headersStart, bodyStart - headersStart);
    if (partHeaders.find("Content-Type: " + mediaType + ";") == 0) {
      REQUIRE_THAT(partHeaders, Contains("Content-Transfer-Encoding: quoted-printable\r\n"));
      return decodeQuotedPrintable(mail.substr(bodyStart, next - bodyStart));
    }
    start = next;
  }
  FAIL("no " << mediaType << " part");
  return {};
}

MailMessage sampleMessage() {
  MailMessage message;
  message.fromAddress = "notify@shop.example";
  message.fromName = "Kring Shop";
  message.toAddress = "klant@example.nl";
  message.toName = "Anne de Vries";
  message.subject = "Antwoord op je vraag – €129";
  message.messageId = "reply-42.1700000000@shop.example";
  message.inReplyTo = "question-41@shop.example";
  message.listUnsubscribeUrl = "https://shop.example/unsubscribe?token=abc123";
  message.language = "nl";
  message.dateSeconds = 1700000000;
  message.text = "Hallo Anne,\n\nDe prijs is €129 = honderdnegenentwintig euro.\nGroet, \nKring Shop\n";
  message.html = "<p>Hallo Anne,</p>\n<p>De prijs is <b>&euro;129</b>.</p>\n";
  message.extraHeaders = {{"Auto-Submitted", "auto-generated"}, {"X-Kring-Idempotency-Key", "reply-42"}};
  return message;
}

// What composeMail makes of a part's line breaks: a bare LF becomes CRLF.
std::string crLf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

}  // namespace

TEST_CASE("composeMail writes every header once, CRLF only, folded to 78 columns") {
  const std::string mail = composeMail(sampleMessage());
  requireNoBareLineBreaks(mail);
  requireLinesWithin(headerBlock(mail), 78);
  const auto headers = headersOf(mail);

  CHECK(single(headers, "Date") == "Tue, 14 Nov 2023 22:13:20 +0000");
  CHECK(single(headers, "From") == "\"Kring Shop\" <notify@shop.example>");
  CHECK(single(headers, "To") == "\"Anne de Vries\" <klant@example.nl>");
  CHECK(single(headers, "Message-ID") == "<reply-42.1700000000@shop.example>");
  CHECK(single(headers, "In-Reply-To") == "<question-41@shop.example>");
  CHECK(single(headers, "References") == "<question-41@shop.example>");
  CHECK(single(headers, "Content-Language") == "nl");
  CHECK(single(headers, "List-Unsubscribe") == "<https://shop.example/unsubscribe?token=abc123>");
  CHECK(single(headers, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click");
  CHECK(single(headers, "Auto-Submitted") == "auto-generated");
  CHECK(single(headers, "X-Kring-Idempotency-Key") == "reply-42");
  CHECK(single(headers, "MIME-Version") == "1.0");
  CHECK_THAT(single(headers, "Content-Type"), StartsWith("multipart/alternative; boundary=\""));
  CHECK(decodeEncodedWords(single(headers, "Subject")) == "Antwoord op je vraag – €129");
  CHECK(headers.size() == 14);

  CHECK(partOf(mail, "text/plain") == crLf(sampleMessage().text));
  CHECK(partOf(mail, "text/html") == crLf(sampleMessage().html));
  CHECK(mail.ends_with("--" + boundaryOf(mail) + "--\r\n"));
}

TEST_CASE("composeMail leaves optional headers out and writes a single part without HTML") {
  MailMessage message = sampleMessage();
  message.inReplyTo.clear();
  message.listUnsubscribeUrl.clear();
  message.language.clear();
  message.extraHeaders.clear();
  message.html.clear();
  message.fromName.clear();
  message.subject = "Plain subject";
  const std::string mail = composeMail(message);
  const auto headers = headersOf(mail);
  for (const char* absent : {"In-Reply-To", "References", "List-Unsubscribe", "List-Unsubscribe-Post",
                             "Content-Language", "Auto-Submitted"}) {
    INFO(absent);
    CHECK(valuesOf(headers, absent).empty());
  }
  CHECK(single(headers, "From") == "<notify@shop.example>");
  CHECK(single(headers, "Subject") == "Plain subject");
  CHECK(single(headers, "Content-Type") == "text/plain; charset=utf-8");
  CHECK(single(headers, "Content-Transfer-Encoding") == "quoted-printable");
  const std::string body = mail.substr(mail.find("\r\n\r\n") + 4);
  CHECK(decodeQuotedPrintable(body) == crLf(message.text));
}

TEST_CASE("mailDate writes RFC 5322 dates in UTC without the C library's locale") {
  CHECK(mailDate(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(mailDate(-1) == "Wed, 31 Dec 1969 23:59:59 +0000");
  CHECK(mailDate(951782400) == "Tue, 29 Feb 2000 00:00:00 +0000");
  CHECK(mailDate(1700000000) == "Tue, 14 Nov 2023 22:13:20 +0000");
  CHECK(mailDate(4102444799) == "Thu, 31 Dec 2099 23:59:59 +0000");

  MailMessage message = sampleMessage();
  message.dateSeconds = 0;
  CHECK(single(headersOf(composeMail(message)), "Date") == "Thu, 01 Jan 1970 00:00:00 +0000");
}

TEST_CASE("quotedPrintable matches known vectors") {
  CHECK(quotedPrintable("") == "");
  CHECK(quotedPrintable("plain text") == "plain text");
  CHECK(quotedPrintable("a=b") == "a=3Db");
  CHECK(quotedPrintable("caf\xC3\xA9") == "caf=C3=A9");
  CHECK(quotedPrintable("end \r\nnext") == "end=20\r\nnext");
  CHECK(quotedPrintable("tab\t\nnext") == "tab=09\r\nnext");
  CHECK(quotedPrintable("trailing ") == "trailing=20");
  CHECK(quotedPrintable("in between ok") == "in between ok");
  CHECK(quotedPrintable("line\n") == "line\r\n");
  CHECK(quotedPrintable("bare\rcr") == "bare=0Dcr");
  CHECK(quotedPrintable("one\n.\ntwo") == "one\r\n=2E\r\ntwo");
  CHECK(quotedPrintable(std::string(76, 'x')) == std::string(76, 'x'));
  CHECK(quotedPrintable(std::string(77, 'x')) == std::string(75, 'x') + "=\r\n" + "xx");
  // An escape is never split by a soft break.
  CHECK(quotedPrintable(std::string(74, 'x') + "=") == std::string(74, 'x') + "=\r\n=3D");
}

TEST_CASE("quotedPrintable round-trips and keeps lines within 76") {
  std::string input;
  for (int i = 0; i < 400; ++i) {
    if (i % 256 != '\n') input += static_cast<char>(i % 256);
    if (i % 97 == 0) input += "\r\n";
    if (i % 53 == 0) input += "   ";
    if (i % 31 == 0) input += "€ ";
  }
  input += " \t";
  const std::string encoded = quotedPrintable(input);
  requireNoBareLineBreaks(encoded);
  requireLinesWithin(encoded, 76);
  for (const std::string& line : splitCrLf(encoded)) {
    INFO(line);
    CHECK((line.empty() || (line.back() != ' ' && line.back() != '\t')));
    for (char c : line) CHECK(((c >= 0x20 && c <= 0x7E) || c == '\t'));
  }
  // No bare LF in the input (that becomes CRLF): everything else, bare CR included, comes back byte for byte.
  CHECK(decodeQuotedPrintable(encoded) == input);
}

TEST_CASE("encodedWord splits UTF-8 text into whole-character words of at most 75") {
  CHECK(encodedWord("") == "");
  CHECK(encodedWord("€") == "=?UTF-8?B?4oKs?=");
  const std::string subject = "Antwoord op je vraag – €129";
  CHECK(encodedWord(subject) == "=?UTF-8?B?QW50d29vcmQgb3AgamUgdnJhYWcg4oCTIOKCrDEyOQ==?=");
  CHECK(decodeEncodedWords(encodedWord(subject)) == subject);

  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "ë€😀 ";
  const std::string words = encodedWord(long_text);
  requireLinesWithin(words, 76);
  for (const std::string& line : splitCrLf(words)) {
    const std::string word = line.substr(line.find('='));
    CHECK(word.size() <= 75);
    const std::string decoded = decodeEncodedWords(word);
    // Every word decodes on its own to whole characters: it never ends inside a multi-byte sequence.
    const auto lastLead =
        decoded.find_last_not_of(std::string("\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8A\x8B\x8C"
                                             "\x8D\x8E\x8F\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99"
                                             "\x9A\x9B\x9C\x9D\x9E\x9F\xA0\xA1\xA2\xA3\xA4\xA5\xA6"
                                             "\xA7\xA8\xA9\xAA\xAB\xAC\xAD\xAE\xAF\xB0\xB1\xB2\xB3"
                                             "\xB4\xB5\xB6\xB7\xB8\xB9\xBA\xBB\xBC\xBD\xBE\xBF"));
    REQUIRE(lastLead != std::string::npos);
    const auto lead = static_cast<unsigned char>(decoded[lastLead]);
    const std::size_t expectedLength = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    CHECK(decoded.size() - lastLead == expectedLength);
  }
  CHECK(decodeEncodedWords(words) == long_text);

  MailMessage message = sampleMessage();
  message.subject = long_text;
  const std::string mail = composeMail(message);
  requireLinesWithin(headerBlock(mail), 78);
  CHECK(decodeEncodedWords(single(headersOf(mail), "Subject")) == long_text);
}

TEST_CASE("composeMail folds long ASCII subjects at spaces and encodes what cannot be written plainly") {
  MailMessage message = sampleMessage();
  message.subject =
      "Your order 1234 has shipped and will arrive tomorrow between nine and five, please keep your phone nearby";
  std::string mail = composeMail(message);
  requireLinesWithin(headerBlock(mail), 78);
  CHECK(single(headersOf(mail), "Subject") == message.subject);
  CHECK_THAT(std::string(headerBlock(mail)), Contains("\r\n "));

  for (const std::string subject : {"looks =?like?= a word", "two  spaces", "tab\there"}) {
    message.subject = subject;
    mail = composeMail(message);
    CHECK(decodeEncodedWords(single(headersOf(mail), "Subject")) == subject);
  }
}

TEST_CASE("composeMail quotes or encodes display names") {
  MailMessage message = sampleMessage();
  message.fromName = "Shop \"Kring\", B.V.";
  message.toName = "Zoë Ünal";
  const auto headers = headersOf(composeMail(message));
  CHECK(single(headers, "From") == "\"Shop \\\"Kring\\\", B.V.\" <notify@shop.example>");
  const std::string to = single(headers, "To");
  REQUIRE(to.ends_with(" <klant@example.nl>"));
  CHECK(decodeEncodedWords(to.substr(0, to.size() - std::string(" <klant@example.nl>").size())) == "Zoë Ünal");
}

TEST_CASE("composeMail refuses CR or LF in any header field") {
  for (const std::string& bad : std::vector<std::string>{"x\r\nBcc: victim@example.com", "x\nBcc: victim@example.com",
                                                         "x\rBcc: v@e.com", std::string("x\0y", 3)}) {
    const auto refuses = [&](auto edit) {
      MailMessage message = sampleMessage();
      edit(message);
      CHECK_THROWS_AS(composeMail(message), std::invalid_argument);
    };
    refuses([&](MailMessage& m) { m.fromAddress = "notify@shop.example" + bad; });
    refuses([&](MailMessage& m) { m.fromName += bad; });
    refuses([&](MailMessage& m) { m.toAddress = "klant@example.nl" + bad; });
    refuses([&](MailMessage& m) { m.toName += bad; });
    refuses([&](MailMessage& m) { m.subject += bad; });
    refuses([&](MailMessage& m) { m.messageId += bad; });
    refuses([&](MailMessage& m) { m.inReplyTo += bad; });
    refuses([&](MailMessage& m) { m.listUnsubscribeUrl += bad; });
    refuses([&](MailMessage& m) { m.language += bad; });
    refuses([&](MailMessage& m) { m.extraHeaders.front().first += bad; });
    refuses([&](MailMessage& m) { m.extraHeaders.front().second += bad; });
  }
}

TEST_CASE("composeMail refuses malformed addresses, ids, URLs and repeated headers") {
  const auto refuses = [](auto edit) {
    MailMessage message = sampleMessage();
    edit(message);
    CHECK_THROWS_AS(composeMail(message), std::invalid_argument);
  };
  refuses([](MailMessage& m) { m.toAddress = "two@at@example.nl"; });
  refuses([](MailMessage& m) { m.toAddress = "<klant@example.nl>"; });
  refuses([](MailMessage& m) { m.toAddress = "no-at.example.nl"; });
  refuses([](MailMessage& m) { m.toAddress = "with space@example.nl"; });
  refuses([](MailMessage& m) { m.toAddress = std::string(250, 'a') + "@x.nl"; });
  refuses([](MailMessage& m) { m.fromAddress.clear(); });
  refuses([](MailMessage& m) { m.messageId = "no-at-sign"; });
  refuses([](MailMessage& m) { m.messageId = "a@b>extra<c@d"; });
  refuses([](MailMessage& m) { m.inReplyTo = "q@x> <other@y"; });
  refuses([](MailMessage& m) { m.listUnsubscribeUrl = "javascript:alert(1)"; });
  refuses([](MailMessage& m) { m.listUnsubscribeUrl = "https://x.example/a> <mailto:x@y"; });
  refuses([](MailMessage& m) { m.language = "nl; x"; });
  refuses([](MailMessage& m) { m.extraHeaders.push_back({"Subject", "second subject"}); });
  refuses([](MailMessage& m) { m.extraHeaders.push_back({"content-type", "text/html"}); });
  refuses([](MailMessage& m) { m.extraHeaders.push_back({"Auto-Submitted", "again"}); });
  refuses([](MailMessage& m) { m.extraHeaders.push_back({"Bad Name", "x"}); });
  refuses([](MailMessage& m) { m.extraHeaders.push_back({"Bad:Name", "x"}); });

  CHECK(mailAddressProblem("klant@example.nl").empty());
  CHECK_THAT(mailAddressProblem("a\n@b"), Contains("CR or LF"));
  CHECK_THAT(mailAddressProblem("a@b@c"), Contains("exactly one '@'"));
}

TEST_CASE("composeMail derives the boundary from the content and keeps it out of both parts") {
  MailMessage message = sampleMessage();
  const std::string first = composeMail(message);
  CHECK(composeMail(message) == first);
  const std::string boundary = boundaryOf(first);
  CHECK(boundary.size() <= 70);
  CHECK(message.text.find(boundary) == std::string::npos);
  CHECK(message.html.find(boundary) == std::string::npos);

  // A part that quotes the first mail's boundary gets a different one, absent from it.
  message.text += "--" + boundary + "\n";
  message.html += "<pre>" + first + "</pre>";
  const std::string second = composeMail(message);
  const std::string secondBoundary = boundaryOf(second);
  CHECK(secondBoundary != boundary);
  CHECK(message.text.find(secondBoundary) == std::string::npos);
  CHECK(message.html.find(secondBoundary) == std::string::npos);
  CHECK(partOf(second, "text/plain") == crLf(message.text));
  CHECK(partOf(second, "text/html") == crLf(message.html));
}

// --- SmtpSender against tests/support/smtp_sink.py ----------------------------------------------------------

namespace {

// Just enough JSON for the sink's lines: objects, arrays, strings, null, numbers kept as text.
struct Json {
  enum class Kind { null, string, number, array, object, boolean } kind = Kind::null;
  std::string text;
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  const Json& operator[](const std::string& key) const {
    for (const auto& [name, value] : members) {
      if (name == key) return value;
    }
    FAIL("no member " << key);
    return *this;
  }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  Json value() {
    skipSpace();
    REQUIRE(position_ < text_.size());
    Json result;
    const char c = text_[position_];
    if (c == '"') {
      result.kind = Json::Kind::string;
      result.text = string();
    } else if (c == '{') {
      result.kind = Json::Kind::object;
      ++position_;
      while (!consume('}')) {
        consume(',');
        skipSpace();
        std::string name = string();
        skipSpace();
        REQUIRE(consume(':'));
        result.members.emplace_back(std::move(name), value());
        skipSpace();
      }
    } else if (c == '[') {
      result.kind = Json::Kind::array;
      ++position_;
      while (!consume(']')) {
        consume(',');
        result.items.push_back(value());
        skipSpace();
      }
    } else if (text_.substr(position_, 4) == "null") {
      position_ += 4;
    } else {
      const std::size_t end = text_.find_first_of(",]} \n", position_);
      result.kind = c == 't' || c == 'f' ? Json::Kind::boolean : Json::Kind::number;
      result.text = std::string(text_.substr(position_, end - position_));
      position_ = end;
    }
    return result;
  }

 private:
  void skipSpace() {
    while (position_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[position_]))) ++position_;
  }

  bool consume(char c) {
    skipSpace();
    if (position_ < text_.size() && text_[position_] == c) {
      ++position_;
      return true;
    }
    return false;
  }

  static void appendUtf8(std::string& out, unsigned codePoint) {
    if (codePoint < 0x80) {
      out += char(codePoint);
    } else if (codePoint < 0x800) {
      out += char(0xC0 | codePoint >> 6);
      out += char(0x80 | (codePoint & 0x3F));
    } else if (codePoint < 0x10000) {
      out += char(0xE0 | codePoint >> 12);
      out += char(0x80 | (codePoint >> 6 & 0x3F));
      out += char(0x80 | (codePoint & 0x3F));
    } else {
      out += char(0xF0 | codePoint >> 18);
      out += char(0x80 | (codePoint >> 12 & 0x3F));
      out += char(0x80 | (codePoint >> 6 & 0x3F));
      out += char(0x80 | (codePoint & 0x3F));
    }
  }

  unsigned hex4() {
    REQUIRE(position_ + 4 <= text_.size());
    const unsigned value = unsigned(std::stoul(std::string(text_.substr(position_, 4)), nullptr, 16));
    position_ += 4;
    return value;
  }

  std::string string() {
    REQUIRE(consume('"'));
    std::string out;
    while (true) {
      REQUIRE(position_ < text_.size());
      const char c = text_[position_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      const char escape = text_[position_++];
      switch (escape) {
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          unsigned codePoint = hex4();
          if (codePoint >= 0xD800 && codePoint < 0xDC00 && text_.substr(position_, 2) == "\\u") {
            position_ += 2;
            codePoint = 0x10000 + ((codePoint - 0xD800) << 10) + (hex4() - 0xDC00);
          }
          appendUtf8(out, codePoint);
          break;
        }
        default: out += escape;
      }
    }
  }

  std::string_view text_;
  std::size_t position_ = 0;
};

std::vector<Json> readJsonLines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<Json> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(JsonReader(line).value());
  }
  return lines;
}

std::string lfOnly(std::string text) {
  std::string out;
  for (char c : text) {
    if (c != '\r') out += c;
  }
  return out;
}

// The sink as a child process, stopped with SIGTERM when the test ends.
class SmtpSink {
 public:
  explicit SmtpSink(std::vector<std::string> refusals) {
    static int instance = 0;
    out_ = std::filesystem::temp_directory_path() /
           ("kring_smtp_sink_" + std::to_string(getpid()) + "_" + std::to_string(++instance) + ".jsonl");
    std::filesystem::remove(out_);

    std::vector<std::string> arguments = {
        "/usr/bin/python3", std::string(KRING_SOURCE_DIR) + "/tests/support/smtp_sink.py", "--port", "0", "--out",
        out_.string()};
    for (const std::string& refusal : refusals) {
      arguments.push_back("--refuse");
      arguments.push_back(refusal);
    }
    std::vector<char*> argv;
    for (std::string& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);

    int pipeEnds[2];
    REQUIRE(pipe(pipeEnds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipeEnds[0]);
    posix_spawn_file_actions_addclose(&actions, pipeEnds[1]);
    const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipeEnds[1]);
    output_ = pipeEnds[0];
    REQUIRE(spawned == 0);

    const std::string line = readLine(std::chrono::seconds(20));
    INFO("sink said: " << line);
    REQUIRE(line.rfind("listening ", 0) == 0);
    port_ = std::stoi(line.substr(10));
    REQUIRE(port_ > 0);
  }

  ~SmtpSink() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (output_ >= 0) close(output_);
    std::error_code ignored;
    std::filesystem::remove(out_, ignored);
  }

  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  std::vector<Json> received() const { return readJsonLines(out_); }

  // Stops the sink and returns its exit status (0 when it stopped cleanly on SIGTERM).
  int stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  std::string readLine(std::chrono::seconds timeout) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd ready{output_, POLLIN, 0};
      if (left.count() <= 0 || poll(&ready, 1, int(left.count())) <= 0) return line;
      char c = 0;
      if (read(output_, &c, 1) != 1 || c == '\n') return line;
      line += c;
    }
  }

  std::filesystem::path out_;
  pid_t pid_ = -1;
  int output_ = -1;
  int port_ = 0;
};

// A loopback port with nothing listening: bound, then released.
int closedPort() {
  const int socketFd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(socketFd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  getsockname(socketFd, reinterpret_cast<sockaddr*>(&address), &length);
  close(socketFd);
  return ntohs(address.sin_port);
}

SmtpSettings loopbackSettings(std::string url) {
  SmtpSettings settings;
  settings.url = std::move(url);
  settings.requireTls = false;
  settings.timeoutSeconds = 10;
  return settings;
}

}  // namespace

TEST_CASE("SmtpSender delivers a composed mail that Python's MIME parser reads back") {
  SmtpSink sink({"refused@example.test:550", "later@example.test:451", "blocked-sender@shop.example:550"});
  SmtpSender sender(loopbackSettings(sink.url()));
  const MailMessage message = sampleMessage();

  const SmtpResult result = sender.send("bounces@shop.example", message.toAddress, composeMail(message));
  INFO(result.detail);
  REQUIRE(result.verdict == SmtpVerdict::sent);
  CHECK(result.responseCode == 250);

  const auto received = sink.received();
  REQUIRE(received.size() == 1);
  const Json& mail = received.front();
  CHECK(mail["mailFrom"].text == "bounces@shop.example");
  REQUIRE(mail["rcptTos"].items.size() == 1);
  CHECK(mail["rcptTos"].items.front().text == "klant@example.nl");
  const Json& headers = mail["headers"];
  CHECK(headers["subject"].text == "Antwoord op je vraag – €129");
  CHECK(headers["from"].text == "Kring Shop <notify@shop.example>");
  CHECK(headers["to"].text == "Anne de Vries <klant@example.nl>");
  CHECK(headers["list-unsubscribe"].text == "<https://shop.example/unsubscribe?token=abc123>");
  CHECK(headers["list-unsubscribe-post"].text == "List-Unsubscribe=One-Click");
  CHECK(headers["message-id"].text == "<reply-42.1700000000@shop.example>");
  CHECK(headers["in-reply-to"].text == "<question-41@shop.example>");
  CHECK(headers["date"].text == "Tue, 14 Nov 2023 22:13:20 +0000");
  CHECK(headers["auto-submitted"].text == "auto-generated");
  CHECK(headers["x-kring-idempotency-key"].text == "reply-42");
  for (const auto& [name, value] : headers.members) {
    INFO(name);
    CHECK(value.kind == Json::Kind::string);  // no header arrived twice
  }
  CHECK(lfOnly(mail["text"].text) == message.text);
  CHECK(lfOnly(mail["html"].text) == message.html);

  SECTION("refusals map to verdicts and the handle stays usable") {
    const std::string bytes = composeMail(message);
    const SmtpResult refused = sender.send("bounces@shop.example", "refused@example.test", bytes);
    INFO(refused.detail);
    CHECK(refused.verdict == SmtpVerdict::permanentFailure);
    CHECK(refused.responseCode == 550);
    CHECK_THAT(refused.detail, Contains("SMTP reply 550 to RCPT"));

    const SmtpResult later = sender.send("bounces@shop.example", "later@example.test", bytes);
    INFO(later.detail);
    CHECK(later.verdict == SmtpVerdict::retryLater);
    CHECK(later.responseCode == 451);

    // A refused envelope sender is this server's setup, not the recipient: not permanent.
    const SmtpResult sender550 = sender.send("blocked-sender@shop.example", "other@example.test", bytes);
    INFO(sender550.detail);
    CHECK(sender550.verdict == SmtpVerdict::retryLater);
    CHECK(sender550.responseCode == 550);
    CHECK_THAT(sender550.detail, Contains("to MAIL"));

    const SmtpResult again = sender.send("bounces@shop.example", "other@example.test", bytes);
    INFO(again.detail);
    CHECK(again.verdict == SmtpVerdict::sent);
    CHECK(sink.received().size() == 2);
  }

  SECTION("folded encoded-words and encoded display names read back as the original text") {
    MailMessage folded = message;
    folded.subject.clear();
    for (int i = 0; i < 12; ++i) folded.subject += "Ëën vraag over €129 😀 ";
    folded.subject += "end";
    folded.toName = "Zoë \"Ünal\", Klant";
    folded.fromName = "Shop \"Kring\", B.V.";
    const SmtpResult result = sender.send("bounces@shop.example", folded.toAddress, composeMail(folded));
    INFO(result.detail);
    REQUIRE(result.verdict == SmtpVerdict::sent);
    const auto all = sink.received();
    REQUIRE(all.size() == 2);
    CHECK(all.back()["headers"]["subject"].text == folded.subject);
    CHECK(all.back()["headers"]["to"].text == "\"Zoë \\\"Ünal\\\", Klant\" <klant@example.nl>");
    CHECK(all.back()["headers"]["from"].text == "\"Shop \\\"Kring\\\", B.V.\" <notify@shop.example>");
  }

  SECTION("an invalid recipient never reaches the server") {
    for (const std::string& bad :
         std::vector<std::string>{"a@b\r\nRCPT TO:<x@y>", "<a@b>", "a@b@c", "nobody", std::string(255, 'a') + "@b"}) {
      const SmtpResult invalid = sender.send("bounces@shop.example", bad, composeMail(message));
      CHECK(invalid.verdict == SmtpVerdict::permanentFailure);
      CHECK(invalid.responseCode == 0);
      CHECK_THAT(invalid.detail, StartsWith("invalid recipient"));
    }
    CHECK(sink.received().size() == 1);
    const SmtpResult badSender = sender.send("not an address", "klant@example.nl", composeMail(message));
    CHECK(badSender.verdict == SmtpVerdict::retryLater);
    CHECK_THAT(badSender.detail, StartsWith("invalid envelope sender"));
  }

  SECTION("requireTls refuses a server without STARTTLS and sends nothing") {
    SmtpSettings settings = loopbackSettings(sink.url());
    settings.requireTls = true;
    SmtpSender strict(settings);
    const SmtpResult result = strict.send("bounces@shop.example", message.toAddress, composeMail(message));
    INFO(result.detail);
    CHECK(result.verdict == SmtpVerdict::retryLater);
    CHECK(sink.received().size() == 1);
  }

  SECTION("the sink stops cleanly on SIGTERM") { CHECK(sink.stop() == 0); }
}

TEST_CASE("SmtpSender asks for a retry when the server cannot be reached or does not answer") {
  const std::string bytes = composeMail(sampleMessage());

  SmtpSender closed(loopbackSettings("smtp://127.0.0.1:" + std::to_string(closedPort())));
  const SmtpResult refused = closed.send("bounces@shop.example", "klant@example.nl", bytes);
  INFO(refused.detail);
  CHECK(refused.verdict == SmtpVerdict::retryLater);
  CHECK(refused.responseCode == 0);
  CHECK(!refused.detail.empty());

  // Accepts the connection (the kernel does) but never greets.
  const int silent = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(listen(silent, 4) == 0);
  socklen_t length = sizeof address;
  getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length);
  SmtpSettings settings = loopbackSettings("smtp://127.0.0.1:" + std::to_string(ntohs(address.sin_port)));
  settings.timeoutSeconds = 1;
  SmtpSender mute(settings);
  const SmtpResult timedOut = mute.send("bounces@shop.example", "klant@example.nl", bytes);
  close(silent);
  INFO(timedOut.detail);
  CHECK(timedOut.verdict == SmtpVerdict::retryLater);
  CHECK_THAT(timedOut.detail, Contains("curl error 28"));
}

TEST_CASE("SmtpSender accepts only smtp and smtps URLs") {
  CHECK_THROWS_AS(SmtpSender(loopbackSettings("http://127.0.0.1:25")), std::invalid_argument);
  CHECK_THROWS_AS(SmtpSender(loopbackSettings("file:///etc/passwd")), std::invalid_argument);
  CHECK_NOTHROW(SmtpSender(loopbackSettings("SMTPS://mail.example:465")));
}
