#include "notify/smtp_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "notify/mail_message.h"

namespace kring::server {

namespace {

struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistFree>;

// What the read callback has still to hand to curl.
struct Upload {
  std::string_view remaining;
};

// The verb of the last SMTP command curl sent (MAIL, RCPT, DATA, EHLO, AUTH...), so a reply code can be told
// apart: a 5xx to RCPT or DATA is about this mail, a 5xx anywhere else is about this server's setup.
int recordCommand(CURL*, curl_infotype type, char* data, std::size_t size, void* userData) {
  if (type != CURLINFO_HEADER_OUT) return 0;
  const std::string_view line(data, size);
  std::string verb(line.substr(0, std::min(line.find_first_of(" :\r\n"), line.size())));
  for (char& c : verb) c = (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c;
  // curl closes a failed session with QUIT (whose reply it does not keep): the failing command came before.
  if (!verb.empty() && verb != "QUIT") *static_cast<std::string*>(userData) = std::move(verb);
  return 0;
}

std::size_t readUpload(char* buffer, std::size_t size, std::size_t count, void* userData) {
  auto& upload = *static_cast<Upload*>(userData);
  const std::size_t length = std::min(size * count, upload.remaining.size());
  std::memcpy(buffer, upload.remaining.data(), length);
  upload.remaining.remove_prefix(length);
  return length;
}

bool hasScheme(std::string_view url, std::string_view scheme) {
  if (url.size() <= scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    const char c = url[i];
    if ((c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c) != scheme[i]) return false;
  }
  return true;
}

std::string curlDetail(CURLcode code, const char* errorText, long responseCode, const std::string& lastCommand) {
  std::string detail = errorText[0] != '\0' ? errorText : curl_easy_strerror(code);
  detail += " (curl error " + std::to_string(int(code));
  if (responseCode != 0) {
    detail += ", SMTP reply " + std::to_string(responseCode);
    detail += lastCommand.empty() ? " to the greeting" : " to " + lastCommand;
  }
  return detail + ")";
}

}  // namespace

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

void SmtpSender::HandleCloser::operator()(void* handle) const { curl_easy_cleanup(static_cast<CURL*>(handle)); }

SmtpSender::SmtpSender(SmtpSettings settings) : settings_(std::move(settings)) {
  if (!hasScheme(settings_.url, "smtp://") && !hasScheme(settings_.url, "smtps://")) {
    throw std::invalid_argument("SMTP url must start with smtp:// or smtps://");
  }
  initCurlOnce();
  handle_.reset(curl_easy_init());
  if (!handle_) throw std::runtime_error("curl_easy_init failed");
}

SmtpSender::~SmtpSender() = default;

SmtpResult SmtpSender::send(const std::string& envelopeFrom, const std::string& recipient, const std::string& message) {
  if (const std::string problem = mailAddressProblem(recipient); !problem.empty()) {
    return {SmtpVerdict::permanentFailure, 0, "invalid recipient: " + problem};
  }
  if (const std::string problem = mailAddressProblem(envelopeFrom); !problem.empty()) {
    // Configuration, not the recipient's fault: not permanent for this mail.
    return {SmtpVerdict::retryLater, 0, "invalid envelope sender: " + problem};
  }

  const std::lock_guard lock(sending_);
  CURL* curl = static_cast<CURL*>(handle_.get());
  // Reset drops every option from the last send but keeps the connection cache, so the relay connection
  // stays reusable while no pointer to the last send's buffers survives.
  curl_easy_reset(curl);

  const std::string mailFrom = "<" + envelopeFrom + ">";
  Slist recipients(curl_slist_append(nullptr, ("<" + recipient + ">").c_str()));
  if (!recipients) return {SmtpVerdict::retryLater, 0, "out of memory building the recipient list"};
  Upload upload{message};
  std::array<char, CURL_ERROR_SIZE> errorText{};

  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorText.data());
  curl_easy_setopt(curl, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: this runs on a worker thread
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, settings_.timeoutSeconds);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, settings_.timeoutSeconds);
  curl_easy_setopt(curl, CURLOPT_USE_SSL, settings_.requireTls ? long(CURLUSESSL_ALL) : long(CURLUSESSL_NONE));
  if (!settings_.caFile.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.caFile.c_str());
  if (!settings_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mailFrom.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, readUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  std::string lastCommand;
  curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, recordCommand);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &lastCommand);
  curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);  // only feeds recordCommand: nothing is printed

  const CURLcode code = curl_easy_perform(curl);
  long responseCode = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &responseCode);
  // Closing a cached connection later (QUIT) may still write errors: point curl away from this frame's buffer.
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_READDATA, nullptr);
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(curl, CURLOPT_VERBOSE, 0L);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, nullptr);

  if (code == CURLE_OK) return {SmtpVerdict::sent, responseCode, {}};
  std::string detail = curlDetail(code, errorText.data(), responseCode, lastCommand);
  // Only a refused recipient or message is final. A 5xx to the greeting, EHLO, STARTTLS, AUTH or MAIL FROM is
  // this server's configuration (relay, login, sender address), which an operator can fix: keep the mail.
  const bool aboutThisMail = lastCommand == "RCPT" || lastCommand == "DATA";
  if (aboutThisMail && responseCode >= 500 && responseCode <= 599) {
    return {SmtpVerdict::permanentFailure, responseCode, std::move(detail)};
  }
  return {SmtpVerdict::retryLater, responseCode, std::move(detail)};
}

}  // namespace kring::server
