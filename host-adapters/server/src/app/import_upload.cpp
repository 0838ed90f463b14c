#include "app/import_upload.h"

#include <curl/curl.h>

#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <thread>

#include "kring/codec.h"

namespace kring::server {

namespace {

constexpr std::size_t kBatchBytes = 900 * 1024;  // the server reads a request body of up to 1 MiB
constexpr std::size_t kBatchOps = 5000;
constexpr int kBusyRetries = 30;

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct HeadersDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

Error failure(std::string message) { return Error{ReasonCode::storeUnavailable, std::move(message)}; }

// One batch, until the server answers it (a 429 waits a second and tries again).
Result<boost::json::object> post(const UploadTarget& target, const Bytes& frames) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return failure("libcurl could not start");
  const std::string url = target.serverUrl + "/api/sites/" + target.siteId + "/import";
  std::unique_ptr<curl_slist, HeadersDeleter> headers(
      curl_slist_append(curl_slist_append(nullptr, ("Authorization: Bearer " + target.adminKey).c_str()),
                        "Content-Type: application/octet-stream"));
  for (int attempt = 0;; ++attempt) {
    std::string answer;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, reinterpret_cast<const char*>(frames.data()));
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(frames.size()));
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 300L);
    curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");
    if (CURLcode sent = curl_easy_perform(curl.get()); sent != CURLE_OK) {
      return failure(url + ": " + curl_easy_strerror(sent));
    }
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status == 429 && attempt < kBusyRetries) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    boost::system::error_code error;
    boost::json::value parsed = boost::json::parse(answer, error);
    const boost::json::object* object = error ? nullptr : parsed.if_object();
    if (status != 200 || object == nullptr) {
      const boost::json::value* message = object ? object->if_contains("message") : nullptr;
      return failure(url + " answered " + std::to_string(status) + ": " +
                     (message && message->is_string() ? std::string(message->get_string()) : answer.substr(0, 300)));
    }
    return *object;
  }
}

std::uint64_t count(const boost::json::object& answer, const char* name) {
  const boost::json::value* value = answer.if_contains(name);
  return value && value->is_int64() && value->get_int64() > 0 ? static_cast<std::uint64_t>(value->get_int64()) : 0;
}

}  // namespace

Result<UploadTotals> uploadImport(const UploadTarget& target, const std::vector<Op>& ops) {
  UploadTotals totals;
  std::size_t next = 0;
  while (next < ops.size()) {
    Bytes frames;
    std::size_t inBatch = 0;
    for (; next < ops.size() && inBatch < kBatchOps; ++next, ++inBatch) {
      Bytes op = encodeOp(ops[next]);
      if (inBatch > 0 && frames.size() + op.size() + 4 > kBatchBytes) break;
      appendFrame(frames, op);
    }
    Result<boost::json::object> answer = post(target, frames);
    if (!answer) return answer.error();
    totals.imported += count(answer.value(), "imported");
    totals.alreadyThere += count(answer.value(), "alreadyThere");
    totals.refused += count(answer.value(), "refused");
    if (const boost::json::value* problems = answer.value().if_contains("problems"); problems && problems->is_array()) {
      for (const boost::json::value& problem : problems->get_array()) {
        const boost::json::object* fields = problem.if_object();
        if (!fields) continue;
        auto text = [&](const char* name) {
          const boost::json::value* value = fields->if_contains(name);
          return value && value->is_string() ? std::string(value->get_string()) : std::string();
        };
        totals.problems.push_back({"post " + text("id"), "not imported (" + text("code") + "): " + text("message")});
      }
    }
  }
  return totals;
}

}  // namespace kring::server
