// readArchive (kring/archive.h): line by line, each record read field by field (archive_fields.h), in
// the order archive_writer.cpp writes them. Nothing here trusts the file: every size is checked before
// it is used, and the header's counts are compared with the lines, never used to reserve memory.
#include <boost/json.hpp>

#include <array>
#include <istream>
#include <optional>

#include "json/archive_fields.h"
#include "json/archive_names.h"
#include "kring/archive.h"
#include "kring/policy_json.h"

namespace kring {

using namespace archive;

namespace {

void readDayActivity(Fields& in, DayActivity& day) {
  in.integer("day", day.day).integer("threadsEntered", day.threadsEntered).integer("postsRead", day.postsRead);
  in.integer("likesGiven", day.likesGiven).integer("likesReceived", day.likesReceived);
  in.integer("flagsUpheldAgainst", day.flagsUpheldAgainst).integer("reputationGained", day.reputationGained);
  in.integer("posts", day.posts).flag("visited", day.visited).integer("edits", day.edits);
  in.integer("secondsReading", day.secondsReading);
  in.objects("threadsRead", day.threadsRead, [](Fields& item, ThreadRead& read) {
    item.text("threadKey", read.threadKey).integer("postsCredited", read.postsCredited);
  });
}

void readStanding(Fields& in, MemberStanding& standing) {
  in.integer("daysVisited", standing.daysVisited).integer("lastVisitDay", standing.lastVisitDay);
  in.integer("threadsEntered", standing.threadsEntered).integer("postsRead", standing.postsRead);
  in.integer("secondsReading", standing.secondsReading).integer("likesGiven", standing.likesGiven);
  in.integer("likesReceived", standing.likesReceived).integer("flagsRaised", standing.flagsRaised);
  in.integer("flagsUpheld", standing.flagsUpheld).integer("reputationDay", standing.reputationDay);
  in.integer("reputationGainedToday", standing.reputationGainedToday).integer("trust3Since", standing.trust3Since);
  in.integer("lastSanctionAt", standing.lastSanctionAt);
  Problem& problem = in.problem();
  in.list("recentPostTimes", standing.recentPostTimes,
          [&](const json::value& value, const std::string& path, TimeMs& time) {
            Fields::readInteger(value, path, time, problem);
          });
  in.objects("days", standing.days, readDayActivity);
  in.objects("repliedThreads", standing.repliedThreads, [](Fields& item, RepliedThread& replied) {
    item.text("threadKey", replied.threadKey).integer("lastDay", replied.lastDay);
  });
}

void readMember(Fields& in, MemberRecord& member, const Limits& limits) {
  in.text("id", member.id, limits.maxMemberIdBytes).text("displayName", member.displayName, limits.maxDisplayNameBytes);
  in.enumeration("role", member.role).integer("joinedAt", member.joinedAt).integer("postCount", member.postCount);
  in.integer("reputation", member.reputation).integer("trustLevel", member.trustLevel);
  in.enumeration("state", member.state).integer("stateUntil", member.stateUntil);
  in.flag("roleAssigned", member.roleAssigned).flag("trustLevelGranted", member.trustLevelGranted);
  in.object("standing", [&](Fields& standing) { readStanding(standing, member.standing); });
}

void readThread(Fields& in, ThreadRecord& thread, const Limits& limits, int version) {
  in.text("key", thread.key, limits.maxThreadKeyBytes).enumeration("kind", thread.kind);
  in.text("title", thread.title, limits.maxTitleBytes).text("authorId", thread.authorId, limits.maxMemberIdBytes);
  in.integer("createdAt", thread.createdAt).enumeration("state", thread.state);
  if (version < 3) return;  // before follows: authors follow (SiteRecords::followsRecorded)
  in.objects("follows", thread.follows, [&](Fields& item, FollowRecord& follow) {
    item.text("memberId", follow.memberId, limits.maxMemberIdBytes).flag("following", follow.following);
  });
}

void readFlag(Fields& in, FlagRecord& flag) {
  in.text("memberId", flag.memberId).enumeration("reason", flag.reason).integer("weight", flag.weight);
  in.integer("time", flag.time);
  std::string resolution;
  in.text("resolution", resolution);
  if (in.problem().failed()) return;
  std::optional<FlagResolution> parsed = parseFlagResolution(resolution);
  if (!parsed) return in.fail("resolution", quoted(resolution) + " is not open, upheld or dismissed");
  flag.resolution = *parsed;
}

void readLedger(Fields& in, PostLedger& ledger, const Limits& limits, int version) {
  in.integer("acceptAuthorDelta", ledger.acceptAuthorDelta).integer("acceptAcceptorDelta", ledger.acceptAcceptorDelta);
  in.integer("praiseDelta", ledger.praiseDelta).integer("removalPenalty", ledger.removalPenalty);
  in.flag("reputationRevoked", ledger.reputationRevoked).integer("spamTrained", ledger.spamTrained);
  in.text("spamTrainedText", ledger.spamTrainedText, limits.maxBodyBytes).flag("everVisible", ledger.everVisible);
  if (version >= 4) in.flag("hamPending", ledger.hamPending);  // before: false (docs/archive.md)
  in.integer("fingerprint", ledger.fingerprint).integer("heldAt", ledger.heldAt);
  in.text("acceptorId", ledger.acceptorId).objects("flags", ledger.flags, readFlag);
}

void readPost(Fields& in, PostRecord& post, const Limits& limits, int version) {
  in.text("id", post.id, limits.maxIdBytes).text("body", post.body, limits.maxBodyBytes);
  in.integer("createdAt", post.createdAt).integer("editedAt", post.editedAt).enumeration("state", post.state);
  in.integer("score", post.score).integer("createdSequence", post.createdSequence).flag("featured", post.featured);
  in.integer("flagScore", post.flagScore).enumeration("heldReason", post.heldReason);
  in.enumeration("authorRole", post.authorRole).flag("erased", post.erased);
  if (version >= 2) in.flag("imported", post.imported);  // version 1: false (docs/archive.md)
  in.text("threadKey", post.threadKey, limits.maxThreadKeyBytes).text("parentId", post.parentId, limits.maxIdBytes);
  in.text("authorId", post.authorId, limits.maxMemberIdBytes).flag("accepted", post.accepted);
  in.objects("edits", post.edits, [&](Fields& item, EditRecord& edit) {
    item.text("editorId", edit.editorId).integer("time", edit.time);
    item.text("previousBody", edit.previousBody, limits.maxBodyBytes);
  });
  in.objects("votes", post.votes, [](Fields& item, VoteRecord& vote) {
    item.text("memberId", vote.memberId).enumeration("direction", vote.direction);
    item.integer("authorDelta", vote.authorDelta).integer("voterDelta", vote.voterDelta).integer("day", vote.day);
  });
  in.object("ledger", [&](Fields& ledger) { readLedger(ledger, post.ledger, limits, version); });
}

void readBefore(Fields& in, AuditRecord::Before& before) {
  in.enumeration("postState", before.postState).flag("featured", before.featured);
  in.enumeration("threadState", before.threadState).enumeration("memberState", before.memberState);
  in.integer("stateUntil", before.stateUntil).enumeration("role", before.role);
  in.flag("roleAssigned", before.roleAssigned).integer("trustLevel", before.trustLevel);
  in.flag("trustLevelGranted", before.trustLevelGranted);
  Problem& problem = in.problem();
  in.list("flagResolutions", before.flagResolutions,
          [&](const json::value& value, const std::string& path, std::uint8_t& resolution) {
            std::optional<FlagResolution> parsed;
            if (value.is_string()) parsed = parseFlagResolution(view(value.get_string()));
            if (!parsed) return problem.fail(path, "must be open, upheld or dismissed");
            resolution = static_cast<std::uint8_t>(*parsed);
          });
  in.enumeration("heldReason", before.heldReason).integer("spamTrained", before.spamTrained);
  in.integer("removalPenalty", before.removalPenalty).integer("lastSanctionAt", before.lastSanctionAt);
  in.integer("trust3Since", before.trust3Since).text("title", before.title);
}

void readAudit(Fields& in, AuditRecord& entry) {
  in.text("id", entry.id).text("actorId", entry.actorId).enumeration("action", entry.action);
  in.text("reason", entry.reason).integer("time", entry.time).integer("sequence", entry.sequence);
  in.text("postId", entry.postId).text("threadKey", entry.threadKey).text("memberId", entry.memberId);
  in.flag("undone", entry.undone).text("undoneBy", entry.undoneBy).text("undoReason", entry.undoReason);
  in.integer("undoTime", entry.undoTime).object("before", [&](Fields& before) { readBefore(before, entry.before); });
  in.flag("isPolicyChange", entry.isPolicyChange);
}

void readToken(Fields& in, TokenCountRecord& token) {
  in.text("token", token.token).integer("spam", token.spam).integer("ham", token.ham);
}

// The line kinds after the header, in the order they come. The first three come exactly once.
enum class Kind : std::uint8_t { policy, days, spamModel, member, thread, post, audit, spamToken };
constexpr std::array<std::string_view, 8> kKindNames = {"policy", "days", "spamModel", "member",
                                                        "thread", "post", "audit",     "spamToken"};
constexpr std::size_t kOnce = 3;  // policy, days, spamModel

std::optional<Kind> kindNamed(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<Kind>(i);
  }
  return std::nullopt;
}

// The header's version and counts of the record lines, in kind order from member.
struct Counts {
  int version = kArchiveVersion;
  std::array<std::uint64_t, 5> expected{};
  std::array<std::uint64_t, 5> read{};
};
constexpr std::array<std::string_view, 5> kCountNames = {"members", "threads", "posts", "audit", "spamTokens"};

json::value parseLine(std::string_view text, Problem& problem) {
  json::parse_options options;
  options.allow_invalid_utf8 = true;  // a text the engine holds comes back byte for byte, whatever it is
  boost::system::error_code error;
  json::value value = json::parse(json::string_view(text.data(), text.size()), error, {}, options);
  if (error) problem.fail("", "not valid JSON (" + error.message() + ")");
  return value;
}

void readHeader(const json::value& value, SiteRecords& records, Counts& counts, Problem& problem) {
  const json::object* object = value.if_object();
  const json::value* magic = object ? object->if_contains("kring") : nullptr;
  if (magic == nullptr || !magic->is_string() || view(magic->get_string()) != kMagic) {
    return problem.fail("", "not a Kring site archive (the first line is the header {\"kring\":\"site-archive\",…})");
  }
  const json::value* version = object->if_contains("version");
  if (version == nullptr) return problem.fail("version", "missing");
  if (!version->is_int64() || version->get_int64() < kOldestArchiveVersion || version->get_int64() > kArchiveVersion) {
    return problem.fail("version",
                        "the archive is version " + (version->is_number() ? json::serialize(*version) : "?") +
                            "; this build reads versions " + std::to_string(kOldestArchiveVersion) + " to " +
                            std::to_string(kArchiveVersion),
                        ReasonCode::unsupportedVersion);
  }
  Fields in(value, "header", problem);
  std::string magicText;
  in.text("kring", magicText).integer("version", counts.version).text("siteId", records.siteId);
  in.integer("lastSequence", records.lastSequence)
      .integer("alertsCheckedAt", records.alertsCheckedAt)
      .integer("digestSentAt", records.digestSentAt);
  records.followsRecorded = counts.version >= 3;
  in.object("counts", [&](Fields& fields) {
    for (std::size_t i = 0; i < kCountNames.size(); ++i) fields.integer(kCountNames[i], counts.expected[i]);
  });
  in.finish();
}

void readPolicy(const json::value& value, Policy& policy, Problem& problem) {
  if (!value.is_object()) return problem.fail("policy", "must be an object");
  Result<Policy> parsed = parsePolicyJson(json::serialize(value));
  if (!parsed) return problem.fail("policy", parsed.error().message);
  policy = std::move(parsed.value());
}

void readDays(const json::value& value, std::vector<SiteDay>& days, Problem& problem) {
  if (!value.is_array()) return problem.fail("days", "must be an array");
  for (const json::value& item : value.get_array()) {
    Fields in(item, "days[" + std::to_string(days.size()) + "]", problem);
    SiteDay& day = days.emplace_back();
    in.integer("day", day.day).integer("threadsCreated", day.threadsCreated).integer("postsCreated", day.postsCreated);
    in.finish();
    if (problem.failed()) return;
  }
}

// A record line's object, read by read(Fields&, Record&) into a new record at the end of `records`.
template <typename Record, typename Read>
void readRecord(const json::value& value, std::string_view kind, std::vector<Record>& records, Problem& problem,
                Read read) {
  Fields in(value, std::string(kind), problem);
  if (problem.failed()) return;
  read(in, records.emplace_back());
  in.finish();
}

// One line after the header, its kind checked against the order the lines come in.
class LineReader {
 public:
  LineReader(SiteRecords& records, Counts& counts, const Limits& limits)
      : records_(records), counts_(counts), limits_(limits) {}

  void read(const json::value& value, Problem& problem) {
    const json::object* object = value.if_object();
    if (object == nullptr || object->size() != 1) {
      return problem.fail("", "must be one object with one field, the line's kind ({\"post\":{…}})");
    }
    const auto& field = *object->begin();
    std::optional<Kind> kind = kindNamed(view(field.key()));
    if (!kind) return problem.fail(quoted(view(field.key())), "unknown line kind");
    auto rank = static_cast<std::size_t>(*kind);
    std::size_t next = last_ ? *last_ + 1 : 0;  // the next line kind that comes once
    bool inOrder = next < kOnce ? rank == next : rank >= *last_ && rank >= kOnce;
    if (!inOrder) {
      return problem.fail(kKindNames[rank],
                          "out of order (after the header come one policy, one days and one "
                          "spamModel line, then the member, thread, post, audit and spamToken "
                          "lines in that order)");
    }
    last_ = rank;
    dispatch(*kind, field.value(), problem);
  }

  // After the last line: the lines that come once came.
  void finishOrder(Problem& problem) const {
    if (!last_ || *last_ < kOnce - 1) {
      problem.fail("", "the archive ends before its policy, days and spamModel lines (is it truncated?)");
    }
  }
  // The header's counts (line 1) match the lines read.
  void finishCounts(Problem& problem) const {
    for (std::size_t i = 0; i < kCountNames.size() && !problem.failed(); ++i) {
      if (counts_.read[i] != counts_.expected[i]) {
        problem.fail("counts." + std::string(kCountNames[i]),
                     "the header counts " + std::to_string(counts_.expected[i]) + " but the archive holds " +
                         std::to_string(counts_.read[i]) + " (is it truncated?)");
      }
    }
  }

 private:
  void dispatch(Kind kind, const json::value& value, Problem& problem) {
    const Limits& limits = limits_;
    switch (kind) {
      case Kind::policy: return readPolicy(value, records_.policy, problem);
      case Kind::days: return readDays(value, records_.days, problem);
      case Kind::spamModel: {
        Fields in(value, "spamModel", problem);
        in.integer("spamDecisions", records_.spamDecisions).integer("hamDecisions", records_.hamDecisions).finish();
        return;
      }
      case Kind::member:
        count(0, problem);
        return readRecord(value, "member", records_.members, problem,
                          [&](Fields& in, MemberRecord& record) { readMember(in, record, limits); });
      case Kind::thread:
        count(1, problem);
        return readRecord(value, "thread", records_.threads, problem,
                          [&](Fields& in, ThreadRecord& record) { readThread(in, record, limits, counts_.version); });
      case Kind::post:
        count(2, problem);
        return readRecord(value, "post", records_.posts, problem,
                          [&](Fields& in, PostRecord& record) { readPost(in, record, limits, counts_.version); });
      case Kind::audit: count(3, problem); return readRecord(value, "audit", records_.audit, problem, readAudit);
      case Kind::spamToken:
        count(4, problem);
        return readRecord(value, "spamToken", records_.spamTokens, problem, readToken);
    }
  }

  // Refuses a record beyond the header's count at once: a hostile file cannot grow the records past it.
  void count(std::size_t index, Problem& problem) {
    if (++counts_.read[index] > counts_.expected[index]) {
      problem.fail(kKindNames[index + kOnce], "more lines than the header's counts." + std::string(kCountNames[index]) +
                                                  " (" + std::to_string(counts_.expected[index]) + ")");
    }
  }

  SiteRecords& records_;
  Counts& counts_;
  const Limits& limits_;
  std::optional<std::size_t> last_;
};

std::string tooLong() { return "longer than " + std::to_string(kMaxArchiveLineBytes) + " bytes"; }

// The archive a line at a time, as the text or the stream hands its lines over: the splitting (and its
// limits) is theirs, the reading is here, so both refuse the same files with the same messages.
class ArchiveReader {
 public:
  explicit ArchiveReader(const Limits& limits) : limits_(limits), lines_(records_, counts_, limits_) {}
  ArchiveReader(const ArchiveReader&) = delete;  // lines_ refers to the members beside it
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // One line without its '\n'; false once it is refused (error() says why).
  bool line(std::string_view text) {
    Problem problem(++number_);
    if (text.empty()) {
      problem.fail("", number_ == 1 ? "empty (an archive starts with its header line)" : "empty");
    } else if (text.size() > kMaxArchiveLineBytes) {
      problem.fail("", tooLong());
    } else {
      json::value value = parseLine(text, problem);
      if (!problem.failed() && number_ == 1) readHeader(value, records_, counts_, problem);
      if (!problem.failed() && number_ > 1) lines_.read(value, problem);
    }
    error_ = problem.take();
    return !error_;
  }
  // The next line's problem that is not about its content: too long, or cut off before its '\n'.
  Error refuseNext(std::string_view reason) {
    Problem problem(number_ + 1);
    problem.fail("", reason);
    return *problem.take();
  }
  const Error& error() const { return *error_; }

  Result<SiteRecords> finish() {
    if (number_ == 0) return refuseNext("the archive is empty (it starts with its header line)");
    Problem end(number_ + 1);
    lines_.finishOrder(end);
    if (end.failed()) return *end.take();
    Problem header(1);
    lines_.finishCounts(header);
    if (header.failed()) return *header.take();
    return std::move(records_);
  }

 private:
  Limits limits_;
  SiteRecords records_;
  Counts counts_;
  LineReader lines_;
  std::size_t number_ = 0;
  std::optional<Error> error_;
};

constexpr std::string_view kTruncated = "has no '\\n' at its end: the archive is truncated";

}  // namespace

Result<SiteRecords> readArchive(std::string_view text, Limits limits) {
  ArchiveReader reader(limits);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::size_t length = (end == std::string_view::npos ? text.size() : end) - start;
    if (length > kMaxArchiveLineBytes) return reader.refuseNext(tooLong());
    if (end == std::string_view::npos) return reader.refuseNext(kTruncated);
    if (!reader.line(text.substr(start, length))) return reader.error();
    start = end + 1;
  }
  return reader.finish();
}

Result<SiteRecords> readArchiveStream(std::istream& in, Limits limits) {
  ArchiveReader reader(limits);
  std::string line;
  std::string chunk(std::size_t{1} << 20, '\0');
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    std::string_view got(chunk.data(), static_cast<std::size_t>(in.gcount()));
    while (!got.empty()) {
      std::size_t end = got.find('\n');
      std::string_view piece = got.substr(0, end);
      if (line.size() + piece.size() > kMaxArchiveLineBytes) return reader.refuseNext(tooLong());
      line += piece;
      if (end == std::string_view::npos) break;
      if (!reader.line(line)) return reader.error();
      line.clear();
      got.remove_prefix(end + 1);
    }
  }
  if (in.bad()) return reader.refuseNext("could not be read (the stream failed)");
  if (!line.empty()) return reader.refuseNext(kTruncated);
  return reader.finish();
}

}  // namespace kring
