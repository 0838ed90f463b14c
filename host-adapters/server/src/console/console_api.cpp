#include "console/console_api.h"

#include <boost/json.hpp>

#include <cctype>
#include <functional>
#include <limits>
#include <optional>
#include <thread>
#include <variant>

#include "console/console_access.h"
#include "console/console_action.h"
#include "console/export_json.h"
#include "console/member_export.h"
#include "console/member_json.h"
#include "console/metrics_csv.h"
#include "console/moderation_queue.h"
#include "console/webhooks_api.h"
#include "http/query_string.h"
#include "kring/codec.h"
#include "kring/metrics.h"
#include "kring/names.h"
#include "kring/policy_json.h"
#include "kring/site_records.h"
#include "kring/snapshot.h"
#include "sync/read_view.h"
#include "util/clock.h"

namespace kring::server {

namespace http = boost::beast::http;

namespace {

HttpResponse badRequest(const HttpRequest& request, std::string_view message) {
  return errorResponse(request, http::status::bad_request, "bad_request", message);
}

// A whole number of at most `digits` decimal digits (no sign, no spaces); nullopt for anything else.
std::optional<std::uint64_t> wholeNumber(const std::string& value, std::size_t digits) {
  if (value.empty() || value.size() > digits || value.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoull(value);
}

// ?from=…&to=…[&kind=question|discussion]. Both ends are required, so a report can be
// reproduced from its URL.
std::optional<MetricsWindow> metricsWindow(std::string_view target) {
  std::optional<QueryParameters> parameters = parseQuery(target);
  if (!parameters) return std::nullopt;
  MetricsWindow window;
  bool hasFrom = false, hasTo = false;
  auto number = [](const std::string& value, TimeMs& out) {
    std::optional<std::uint64_t> parsed = wholeNumber(value, 15);
    if (parsed) out = static_cast<TimeMs>(*parsed);
    return parsed.has_value();
  };
  for (const auto& [name, value] : *parameters) {
    if (name == "from") {
      if (!(hasFrom = number(value, window.from))) return std::nullopt;
    } else if (name == "to") {
      if (!(hasTo = number(value, window.to))) return std::nullopt;
    } else if (name == "kind") {
      std::optional<ThreadKind> kind = parseEnum<ThreadKind>(value);
      if (!kind) return std::nullopt;
      window.kind = kind;
    } else {
      return std::nullopt;
    }
  }
  if (!hasFrom || !hasTo || window.from >= window.to) return std::nullopt;
  return window;
}

// The HTTP status of a refused console op (docs/console.md, "Actions").
http::status statusOf(ReasonCode code) {
  switch (code) {
    case ReasonCode::notPermitted: return http::status::forbidden;
    case ReasonCode::unknownPost:
    case ReasonCode::unknownMember:
    case ReasonCode::unknownThread:
    case ReasonCode::nothingToUndo: return http::status::not_found;
    case ReasonCode::alreadyApplied:
    case ReasonCode::notPending:
    case ReasonCode::alreadyUndone:
    case ReasonCode::superseded:
    case ReasonCode::duplicateActionId:
    case ReasonCode::threadExists: return http::status::conflict;
    case ReasonCode::storeUnavailable: return http::status::service_unavailable;
    default: return http::status::bad_request;
  }
}

// POST {key, kind, title}: the site creates the thread itself (host-approved), before anyone can
// take its key. 201 with the thread, or the core's reason (409 thread_exists, 400 for the rest).
HttpResponse createThread(SiteHost& site, const HttpRequest& request, LaterResponse& later) {
  boost::json::error_code ec;
  boost::json::value body = boost::json::parse(request.body(), ec);
  const boost::json::object* fields = ec ? nullptr : body.if_object();
  auto text = [&](const char* name) -> std::optional<std::string> {
    const boost::json::value* value = fields ? fields->if_contains(name) : nullptr;
    if (!value || !value->is_string()) return std::nullopt;
    return std::string(value->get_string());
  };
  std::optional<std::string> key = text("key"), title = text("title"), kindName = text("kind");
  std::optional<ThreadKind> kind = kindName ? parseEnum<ThreadKind>(*kindName) : std::optional(ThreadKind::discussion);
  if (!key || !title || !kind) {
    return badRequest(request, "Send JSON {\"key\": …, \"title\": …, \"kind\": \"discussion\" | \"question\"}.");
  }
  site.createThreadAsHost(
      CreateThread{*key, *kind, *title}, nowMilliseconds(),
      [head = headOf(request), respond = later.take(), key = *key, kind = *kind,
       title = *title](const Outcome& outcome) {
        if (!outcome.stored()) {
          return respond(errorResponse(head, statusOf(outcome.code), reasonName(outcome.code), outcome.message));
        }
        respond(
            jsonResponse(head, http::status::created,
                         boost::json::object{
                             {"key", key}, {"kind", threadKindName(kind)}, {"title", title}, {"opId", outcome.opId}}));
      });
  return {};
}

// POST a batch of ImportPost ops (kring-server import --server, docs/import.md): the codec's frames,
// each one op. Answered once they are stored, with what became of each.
HttpResponse postImport(SiteHost& site, const HttpRequest& request, LaterResponse& later) {
  constexpr std::size_t kMostOps = 5000;
  constexpr std::size_t kProblemsListed = 100;
  const std::string& body = request.body();
  const ByteView bytes(reinterpret_cast<const std::uint8_t*>(body.data()), body.size());
  Result<std::vector<ByteView>> frames = splitFrames(bytes);
  if (!frames || frames.value().size() > kMostOps) {
    return errorResponse(request, http::status::bad_request, "malformed_import",
                         "Send up to " + std::to_string(kMostOps) + " ops as the codec's frames (docs/import.md).");
  }
  std::vector<Op> ops;
  ops.reserve(frames.value().size());
  for (ByteView frame : frames.value()) {
    Result<Op> op = decodeOp(frame);
    if (!op || !std::holds_alternative<ImportPost>(op.value().body)) {
      return errorResponse(request, http::status::bad_request, "malformed_import",
                           "Op " + std::to_string(ops.size() + 1) + " is not an import_post op.");
    }
    ops.push_back(std::move(op.value()));
  }
  site.importPosts(
      std::move(ops), nowMilliseconds(),
      [head = headOf(request), respond = later.take()](std::vector<Outcome> outcomes) {
        std::int64_t imported = 0, alreadyThere = 0, refused = 0;
        boost::json::array problems;
        for (const Outcome& outcome : outcomes) {
          if (outcome.stored()) {
            ++imported;
          } else if (outcome.code == ReasonCode::duplicatePostId || outcome.code == ReasonCode::alreadyApplied) {
            ++alreadyThere;
          } else {
            ++refused;
            if (problems.size() < kProblemsListed) {
              problems.push_back(boost::json::object{
                  {"id", outcome.opId}, {"code", reasonName(outcome.code)}, {"message", outcome.message}});
            }
          }
        }
        respond(jsonResponse(head, http::status::ok,
                             boost::json::object{{"imported", imported},
                                                 {"alreadyThere", alreadyThere},
                                                 {"refused", refused},
                                                 {"problems", std::move(problems)}}));
      });
  return {};
}

// The outbox's dead deliveries (docs/notifications.md, "Dead letters") and the webhook delivery log:
// GET lists them, POST {"kind": "mail" | "webhook", "id": N} tries a dead one again or replays a webhook.
HttpResponse deadLetters(const ConsoleGate& gate, const SiteConfig& site, const HttpRequest& request,
                         std::int64_t now) {
  const ConsoleGate::DeadLetters& letters = gate.deadLetters();
  if (!letters.list) {
    return errorResponse(request, http::status::not_found, "no_outbox",
                         "This store keeps no outbox (docs/notifications.md).");
  }
  const std::string& siteId = site.id;
  try {
    if (request.method() != http::verb::post) {
      return respond(request, http::status::ok, boost::json::serialize(letters.list(siteId)), "application/json");
    }
    boost::system::error_code error;
    const boost::json::value body = boost::json::parse(request.body(), error);
    const boost::json::object* fields = error ? nullptr : body.if_object();
    const boost::json::value* kind = fields ? fields->if_contains("kind") : nullptr;
    const boost::json::value* id = fields ? fields->if_contains("id") : nullptr;
    if (!kind || !kind->is_string() || !id || !id->is_int64()) {
      return errorResponse(request, http::status::bad_request, "bad_request",
                           "Send JSON {\"kind\": \"mail\" | \"webhook\", \"id\": …}.");
    }
    if (!letters.retry(siteId, std::string_view(kind->get_string()), id->get_int64(), now)) {
      return errorResponse(
          request, http::status::not_found, "not_dead",
          "The site has no such delivery to try again (a mail must be dead; a webhook must have ended).");
    }
    return jsonResponse(request, http::status::ok, boost::json::object{{"retrying", true}});
  } catch (const std::exception& e) {
    return errorResponse(request, http::status::service_unavailable, "store_unavailable", e.what());
  }
}

// POST actions: one core op as the signed-in actor, through the same path as /sync ops.
HttpResponse postAction(SiteHost& site, const ConsoleUser& user, const HttpRequest& request, LaterResponse& later) {
  std::variant<Op, ActionProblem> parsed = parseConsoleAction(request.body());
  if (auto* problem = std::get_if<ActionProblem>(&parsed)) {
    return errorResponse(request, http::status::bad_request, actionProblemName(problem->code), problem->message,
                         problem->field);
  }
  Op& op = std::get<Op>(parsed);
  if (std::holds_alternative<UpdatePolicy>(op.body) && user.role != ConsoleRole::admin) {
    return errorResponse(request, http::status::forbidden, "admins_only", "Only the site's admins change its policy.");
  }
  site.submitFromConsole(
      user.actor, std::move(op), nowMilliseconds(),
      [head = headOf(request), respond = later.take()](const Outcome& outcome) {
        if (!outcome.stored()) {
          // An engine's invalid_policy names the field first, as the parser's does.
          std::string_view field;
          if (outcome.code == ReasonCode::invalidPolicy) {
            field = std::string_view(outcome.message).substr(0, outcome.message.find(": "));
          }
          return respond(errorResponse(head, statusOf(outcome.code), reasonName(outcome.code), outcome.message, field));
        }
        respond(
            jsonResponse(head, http::status::ok,
                         boost::json::object{{"opId", outcome.opId}, {"status", outcomeStatusName(outcome.status)}}));
      });
  return {};
}

// A read the reader thread answers from the site's read view (docs/console.md, "Limits").
using ViewRead = std::function<HttpResponse(const HttpRequest& head, const SiteReadView& view)>;

// A GET's answer at once (a refusal), or the read the reader thread answers it with.
using Reading = std::variant<HttpResponse, ViewRead>;

// Why a call may not go to the reader thread now; nullopt: it may, and it counts as under way.
std::optional<HttpResponse> readerRefusal(ConsoleGate& gate, const std::string& credential,
                                          const HttpRequest& request) {
  auto refuse = [&](http::status status, std::string_view code, std::string_view message) {
    HttpResponse refused = errorResponse(request, status, code, message);
    refused.set(http::field::retry_after, "1");
    return refused;
  };
  if (gate.reader().full()) {
    return refuse(http::status::service_unavailable, "console_busy",
                  "The console's reads are queued up; try again in a second.");
  }
  if (!gate.beginRead(credential)) {
    return refuse(http::status::too_many_requests, "too_many_requests",
                  "Two reads with this sign-in are under way; wait for one to finish.");
  }
  return std::nullopt;
}

HttpResponse readLater(ConsoleGate& gate, SiteHost& site, const std::string& credential, const HttpRequest& request,
                       LaterResponse& later, ViewRead read) {
  if (std::optional<HttpResponse> refused = readerRefusal(gate, credential, request)) return std::move(*refused);
  gate.reader().run(
      request,
      [head = headOf(request), view = site.readView(), read = std::move(read), delay = gate.readDelay()] {
        if (delay.count() > 0) std::this_thread::sleep_for(delay);
        return read(head, *view);
      },
      [&gate, credential, respond = later.take()](HttpResponse response) {
        gate.endRead(credential);
        respond(std::move(response));
      });
  return {};
}

// The dead letters and the console's webhook endpoints live in the store beside the outbox: their
// reads and writes go to the reader thread too, so that the io thread never waits on the store's
// write lock (a write there waits up to 5 s for the commit thread).
using StoreCall = std::function<HttpResponse(const ConsoleGate& gate, const SiteConfig& site,
                                             const HttpRequest& request, std::int64_t now)>;

HttpResponse storeLater(ConsoleGate& gate, const SiteConfig& site, const std::string& credential,
                        const HttpRequest& request, LaterResponse& later, StoreCall call) {
  if (std::optional<HttpResponse> refused = readerRefusal(gate, credential, request)) return std::move(*refused);
  gate.reader().run(
      request,
      [&gate, site, copy = request, call = std::move(call)] { return call(gate, site, copy, nowMilliseconds()); },
      [&gate, credential, respond = later.take()](HttpResponse response) {
        gate.endRead(credential);
        respond(std::move(response));
      });
  return {};
}

// GET metrics, metrics.csv, metrics-days.csv: the same window, as JSON or as a spreadsheet's download.
Reading metrics(const HttpRequest& request, const SiteHost& site, std::string_view what) {
  std::optional<MetricsWindow> window = metricsWindow(request.target());
  if (!window) {
    return errorResponse(
        request, http::status::bad_request, "bad_window",
        "Give from and to as milliseconds since 1970 (from < to), and kind as question or discussion.");
  }
  return [window = *window, what = std::string(what), siteId = site.config().id](const HttpRequest& head,
                                                                                 const SiteReadView& view) {
    Metrics computed = computeMetrics(view.engine(), window);
    if (what == "metrics") return respond(head, http::status::ok, toJson(computed), "application/json");
    const bool days = what == "metrics-days.csv";
    HttpResponse response = respond(head, http::status::ok, days ? metricsDaysCsv(computed) : metricsCsv(computed),
                                    "text/csv; charset=utf-8");
    std::string name = siteId + (days ? "-metrics-days-" : "-metrics-") + std::to_string(window.from) + "-" +
                       std::to_string(window.to) + ".csv";
    response.set(http::field::content_disposition, "attachment; filename=\"" + name + "\"");
    return response;
  };
}

HttpResponse whoami(const HttpRequest& request, const SiteHost& site, const ConsoleUser& user) {
  return jsonResponse(request, http::status::ok,
                      boost::json::object{{"site", site.config().id},
                                          {"memberId", user.actor.memberId},
                                          {"displayName", user.actor.displayName},
                                          {"role", user.role == ConsoleRole::admin ? "admin" : "moderator"}});
}

constexpr std::size_t kUnansweredDefaultLimit = 100, kUnansweredMaxLimit = 1000;
constexpr std::size_t kAuditDefaultLimit = 200, kAuditMaxLimit = 1000;

HttpResponse unknownMember(const HttpRequest& request) {
  return errorResponse(request, http::status::not_found, "unknown_member", "The site has no member with this id.");
}

// limit=N of a list: the default without one, nullopt when it is not 1 to `most`. Other parameters
// are the caller's.
std::optional<std::size_t> listLimit(const QueryParameters& parameters, std::size_t byDefault, std::size_t most) {
  std::size_t limit = byDefault;
  for (const auto& [name, value] : parameters) {
    if (name != "limit") continue;
    std::optional<std::uint64_t> parsed = wholeNumber(value, 6);
    if (!parsed || *parsed < 1 || *parsed > most) return std::nullopt;
    limit = *parsed;
  }
  return limit;
}

// ?limit=N of a list that takes nothing else.
std::optional<std::size_t> listLimit(const HttpRequest& request, std::size_t byDefault, std::size_t most) {
  std::optional<QueryParameters> parameters = parseQuery(request.target());
  if (!parameters ||
      std::any_of(parameters->begin(), parameters->end(), [](const auto& p) { return p.first != "limit"; })) {
    return std::nullopt;
  }
  return listLimit(*parameters, byDefault, most);
}

// GET members?q=&limit=
Reading members(const HttpRequest& request) {
  std::optional<QueryParameters> parameters = parseQuery(request.target());
  if (!parameters) return badRequest(request, "q: malformed %-escape");
  std::string query;
  std::size_t limit = kMembersDefaultLimit;
  for (const auto& [name, value] : *parameters) {
    if (name == "q") {
      query = value;
    } else if (name == "limit") {
      std::optional<std::uint64_t> parsed = wholeNumber(value, 6);
      if (!parsed) return badRequest(request, "limit: must be a whole number from 1 to 200");
      limit = std::clamp<std::size_t>(*parsed, 1, kMembersMaxLimit);
    } else {
      return badRequest(request, name + ": unknown parameter (q, limit)");
    }
  }
  return [query, limit](const HttpRequest& head, const SiteReadView& view) {
    return jsonResponse(head, http::status::ok, membersJson(view.records(), query, limit));
  };
}

// GET members/{memberId}
// A file name that says whose data it is, in characters any header and file system take.
std::string exportFileName(const std::string& siteId, const std::string& memberId) {
  std::string name = siteId + "-member-" + memberId;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') c = '_';
  }
  return name + ".json";
}

Reading member(const HttpRequest& request, const SiteHost& site, std::string_view encodedId, const ConsoleUser& user,
               const ConsoleGate::ContactReader& contacts) {
  constexpr std::string_view kExport = "/export";
  const bool exporting = encodedId.ends_with(kExport);
  if (exporting) encodedId.remove_suffix(kExport.size());
  std::optional<std::string> memberId = decodeQueryComponent(encodedId);
  if (!memberId || memberId->empty()) return badRequest(request, "memberId: malformed or empty");
  if (exporting) {
    // Data rights (docs/data-rights.md): everything about one member, for them.
    if (user.role != ConsoleRole::admin) {
      return errorResponse(request, http::status::forbidden, "admins_only", "Only the site's admins may use this.");
    }
    return [memberId = *memberId, fileName = exportFileName(site.config().id, *memberId), siteId = site.config().id,
            contacts](const HttpRequest& head, const SiteReadView& view) {
      boost::json::value data = memberExportJson(view.records(), memberId);
      if (data.is_null()) return unknownMember(head);
      // Where the site mails them, kept by the server beside the site (docs/notifications.md).
      if (contacts) data.as_object()["contact"] = contacts(siteId, memberId);
      HttpResponse response = jsonResponse(head, http::status::ok, data);
      response.set(http::field::content_disposition, "attachment; filename=\"" + fileName + "\"");
      return response;
    };
  }
  return [memberId = *memberId](const HttpRequest& head, const SiteReadView& view) {
    boost::json::value detail = memberDetailJson(view.records(), memberId);
    return detail.is_null() ? unknownMember(head) : jsonResponse(head, http::status::ok, detail);
  };
}

// GET audit?limit=&before=: the newest `limit` entries before the one at sequence `before` (before
// every one without it), in order; a Link header names the page before them when there is one.
Reading audit(const HttpRequest& request, const std::string& siteId) {
  std::optional<QueryParameters> parameters = parseQuery(request.target());
  if (!parameters) return badRequest(request, "malformed query");
  const std::string usage =
      "Give limit (1 to " + std::to_string(kAuditMaxLimit) + ") and before (an entry's sequence).";
  std::optional<std::size_t> limit = listLimit(*parameters, kAuditDefaultLimit, kAuditMaxLimit);
  if (!limit) return badRequest(request, usage);
  Sequence before = std::numeric_limits<Sequence>::max();
  for (const auto& [name, value] : *parameters) {
    if (name == "limit") continue;
    std::optional<std::uint64_t> sequence = name == "before" ? wholeNumber(value, 15) : std::nullopt;
    if (!sequence) return badRequest(request, usage);
    before = *sequence;
  }
  return [limit = *limit, before, siteId](const HttpRequest& head, const SiteReadView& view) {
    const std::vector<AuditRecord>& entries = view.records().audit;
    const std::size_t last = static_cast<std::size_t>(
        std::partition_point(entries.begin(), entries.end(),
                             [&](const AuditRecord& entry) { return entry.sequence < before; }) -
        entries.begin());
    const std::size_t first = last > limit ? last - limit : 0;
    HttpResponse response =
        jsonResponse(head, http::status::ok, boost::json::value(auditJson(view.records(), first, last)));
    if (first > 0) {
      response.set(http::field::link, "</api/sites/" + siteId + "/audit?limit=" + std::to_string(limit) +
                                          "&before=" + std::to_string(entries[first].sequence) + ">; rel=\"next\"");
    }
    return response;
  };
}

// The read of a GET, or nullopt for a resource no read serves.
std::optional<Reading> reading(const HttpRequest& request, SiteHost& site, std::string_view what,
                               const ConsoleUser& user, const ConsoleGate::ContactReader& contacts) {
  const TimeMs now = nowMilliseconds();
  if (what == "metrics" || what == "metrics.csv" || what == "metrics-days.csv") return metrics(request, site, what);
  if (what == "moderation") {
    std::optional<QueryParameters> parameters = parseQuery(request.target());
    QueueOptions options;
    options.heldGuestPostsInQueue = site.config().heldGuestPostsInQueue;
    for (const auto& [name, value] : parameters ? *parameters : QueryParameters{}) {
      if (name == "bucket" && value == "spam_suspect") {
        options.spamSuspect = true;
      } else if (name != "limit") {
        return badRequest(request, "Give limit (1 to " + std::to_string(kQueueMaxLimit) + ") and bucket=spam_suspect.");
      }
    }
    std::optional<std::size_t> limit =
        parameters ? listLimit(*parameters, kQueueDefaultLimit, kQueueMaxLimit) : std::nullopt;
    if (!limit) return badRequest(request, "limit: must be a whole number from 1 to " + std::to_string(kQueueMaxLimit));
    options.limit = *limit;
    return [now, options](const HttpRequest& head, const SiteReadView& view) {
      return jsonResponse(head, http::status::ok, moderationQueueJson(view.engine(), view.records(), now, options));
    };
  }
  if (what == "members") return members(request);
  constexpr std::string_view kMember = "members/";
  if (what.starts_with(kMember)) return member(request, site, what.substr(kMember.size()), user, contacts);
  if (what == "unanswered") {
    std::optional<std::size_t> limit = listLimit(request, kUnansweredDefaultLimit, kUnansweredMaxLimit);
    if (!limit)
      return badRequest(request, "limit: must be a whole number from 1 to " + std::to_string(kUnansweredMaxLimit));
    return [now, limit = *limit](const HttpRequest& head, const SiteReadView& view) {
      return respond(head, http::status::ok, toJson(unansweredStarters(view.engine(), std::nullopt), now, limit),
                     "application/json");
    };
  }
  if (what == "audit") return audit(request, site.config().id);
  if (what == "snapshot") {
    return [](const HttpRequest& head, const SiteReadView& view) {
      Bytes snapshot = encodeSiteSnapshot(view.engine());
      return respond(head, http::status::ok, std::string(snapshot.begin(), snapshot.end()), "application/octet-stream");
    };
  }
  if (what == "export") {
    return [siteId = site.config().id](const HttpRequest& head, const SiteReadView& view) {
      HttpResponse response = jsonResponse(head, http::status::ok, exportJson(view.records()));
      response.set(http::field::content_disposition, "attachment; filename=\"" + siteId + "-export.json\"");
      return response;
    };
  }
  return std::nullopt;
}

}  // namespace

HttpResponse consoleApi(ConsoleGate& gate, SiteHost* site, const TokenRules& rules, std::size_t connections,
                        const HttpRequest& request, std::string_view what, LaterResponse& later,
                        const std::string& client) {
  if (!site) return errorResponse(request, http::status::not_found, "unknown_site", "There is no site with this id.");
  ConsoleAccess access = consoleAccess(gate, rules, *site, request, client);
  if (!access.user) return std::move(*access.refusal);
  const ConsoleUser& user = *access.user;
  // Every read costs the io thread: one credential may not hold it (docs/console.md, "Limits").
  const std::string credential = site->config().id + '\n' + user.actor.memberId;
  if (!gate.allowRequest(credential, nowMilliseconds())) {
    HttpResponse refused = errorResponse(request, http::status::too_many_requests, "too_many_requests",
                                         "Too many console requests with this sign-in; wait a second.");
    refused.set(http::field::retry_after, "1");
    return refused;
  }
  // Moderators read what they moderate with; the whole site's data and its threads are the admins'.
  const bool adminsOnly = what == "export" || what == "snapshot" || what == "threads" || what == "import" ||
                          what == "dead-letters" || what == "webhooks";
  if (adminsOnly && user.role != ConsoleRole::admin) {
    return errorResponse(request, http::status::forbidden, "admins_only", "Only the site's admins may use this.");
  }
  const http::verb method = request.method();
  if ((what == "dead-letters" || what == "webhooks") &&
      (method == http::verb::get || method == http::verb::head || method == http::verb::post)) {
    return storeLater(gate, site->config(), credential, request, later,
                      what == "webhooks" ? StoreCall(webhookEndpoints) : StoreCall(deadLetters));
  }
  if (method == http::verb::post) {
    if (what == "threads") return createThread(*site, request, later);
    if (what == "actions") return postAction(*site, user, request, later);
    if (what == "import") return postImport(*site, request, later);
    return errorResponse(request, http::status::method_not_allowed, "method_not_allowed",
                         "Only actions, threads, import, dead-letters and webhooks take POST.");
  }
  if (method != http::verb::get && method != http::verb::head) {
    return errorResponse(request, http::status::method_not_allowed, "method_not_allowed",
                         "Only GET, HEAD and POST are served here.");
  }
  if (what == "whoami") return whoami(request, *site, user);
  if (what == "policy")
    return respond(request, http::status::ok, policyToJson(site->engine().policy()), "application/json");
  if (std::optional<Reading> read = reading(request, *site, what, user, gate.contacts())) {
    if (auto* answer = std::get_if<HttpResponse>(&*read)) return std::move(*answer);
    return readLater(gate, *site, credential, request, later, std::move(std::get<ViewRead>(*read)));
  }
  if (what == "stats") {
    return jsonResponse(request, http::status::ok,
                        boost::json::object{{"site", site->config().id},
                                            {"committedSequence", site->committedSequence()},
                                            {"trackedThreads", site->trackedThreads()},
                                            {"connections", connections}});
  }
  return errorResponse(request, http::status::not_found, "not_found", "No such admin resource.");
}

}  // namespace kring::server
