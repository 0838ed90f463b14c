// A notification mail as the bytes SMTP DATA carries: RFC 5322 headers and a MIME body, CRLF line endings,
// 7-bit clean. Pure functions: no clock, no locale, no I/O, so the same input always gives the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/mail_address.h"

namespace kring::server {

struct MailMessage {
  std::string fromAddress;  // notify@shop.example
  std::string fromName;     // optional display name, may be UTF-8: From: "Kring Shop" <notify@shop.example>
  std::string toAddress;
  std::string toName;     // optional, as fromName
  std::string subject;    // UTF-8; non-ASCII is written as RFC 2047 encoded-words folded to 78-column lines
  std::string messageId;  // without <>, e.g. 1a2b@shop.example; written as <...>
  std::string inReplyTo;  // optional, without <>; when set, In-Reply-To and References both carry it
  // Optional http(s) URL: List-Unsubscribe: <url> plus List-Unsubscribe-Post for one-click (RFC 8058).
  std::string listUnsubscribeUrl;
  std::string language;          // optional Content-Language tag, e.g. "en" or "nl"
  std::int64_t dateSeconds = 0;  // Unix seconds; the Date header is written in UTC (+0000)
  std::string text;              // UTF-8 plain part; LF or CRLF line breaks
  std::string html;              // UTF-8 HTML part; when empty the mail is a single text/plain part
  // Written after the standard headers, e.g. {"Auto-Submitted", "auto-generated"}. A name that composeMail
  // writes itself, or a repeated name, is refused: each header stays single.
  std::vector<std::pair<std::string, std::string>> extraHeaders;
};

// The whole message. Throws std::invalid_argument rather than writing a header that could be misread:
// CR, LF or NUL in any header field (names, addresses, subject, ids, URL, language, extra headers) is refused,
// never stripped, since a silently altered address or id is worse than a visible failure. Also refused: an
// address that fails mailAddressProblem, an id that is not id-left@id-right, a URL that is not http(s), an
// invalid header name or language tag. Bodies may hold any bytes: they are quoted-printable encoded.
std::string composeMail(const MailMessage& message);

// RFC 2045 quoted-printable: output lines of at most 76 characters with '=' soft breaks; '=', control and
// non-ASCII bytes and whitespace before a line end are written as =XX. CRLF and bare LF in the input are hard
// line breaks (written as CRLF); a bare CR is data (=0D). A '.' starting a line is =2E, so no line is ever a lone
// '.' whatever the transport does.
std::string quotedPrintable(std::string_view bytes);

// RFC 2047 B encoded-words (=?UTF-8?B?...?=) for UTF-8 text: each word at most 75 characters and made of whole
// UTF-8 characters, consecutive words joined by CRLF SP (a header fold) so decoders rejoin them without a space.
std::string encodedWord(std::string_view text);

// The RFC 5322 date-time of Unix `seconds` in UTC, e.g. 0 -> "Thu, 01 Jan 1970 00:00:00 +0000".
std::string mailDate(std::int64_t seconds);

}  // namespace kring::server
