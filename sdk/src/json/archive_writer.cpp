// writeArchive (kring/archive.h): one JSON object per line, every field of every record, enums by name.
// The field names are the records' member names; archive_json.cpp reads exactly these.
#include "json/archive_names.h"
#include "json/json_writer.h"
#include "kring/archive.h"
#include "kring/names.h"

namespace kring {

namespace {

// A JSON object's fields, each a key and its value: keeps the writer's calls one per field.
class ObjectOut {
 public:
  explicit ObjectOut(JsonWriter& json) : json_(json) { json_.open('{'); }
  ~ObjectOut() { json_.close('}'); }
  ObjectOut(const ObjectOut&) = delete;
  ObjectOut& operator=(const ObjectOut&) = delete;

  ObjectOut& text(std::string_view name, std::string_view value) {
    json_.key(name).value(value);
    return *this;
  }
  ObjectOut& integer(std::string_view name, std::int64_t value) {
    json_.key(name).value(value);
    return *this;
  }
  ObjectOut& natural(std::string_view name, std::uint64_t value) {  // sequences, fingerprints: all 64 bits
    json_.key(name).number(value);
    return *this;
  }
  ObjectOut& flag(std::string_view name, bool value) {
    json_.key(name).flag(value);
    return *this;
  }
  template <typename Enum>
  ObjectOut& name(std::string_view field, Enum value) {
    json_.key(field).value(enumName(value));
    return *this;
  }
  // A list whose items `write(JsonWriter&, const Item&)` writes.
  template <typename Item, typename Write>
  ObjectOut& list(std::string_view name, const std::vector<Item>& items, Write write) {
    json_.key(name).open('[');
    for (const Item& item : items) write(json_, item);
    json_.close(']');
    return *this;
  }
  JsonWriter& key(std::string_view name) { return json_.key(name); }

 private:
  JsonWriter& json_;
};

void writeThreadRead(JsonWriter& json, const ThreadRead& read) {
  ObjectOut(json).text("threadKey", read.threadKey).integer("postsCredited", read.postsCredited);
}

void writeDayActivity(JsonWriter& json, const DayActivity& day) {
  ObjectOut out(json);
  out.integer("day", day.day).integer("threadsEntered", day.threadsEntered).integer("postsRead", day.postsRead);
  out.integer("likesGiven", day.likesGiven).integer("likesReceived", day.likesReceived);
  out.integer("flagsUpheldAgainst", day.flagsUpheldAgainst).integer("reputationGained", day.reputationGained);
  out.integer("posts", day.posts).flag("visited", day.visited).integer("edits", day.edits);
  out.integer("secondsReading", day.secondsReading).list("threadsRead", day.threadsRead, writeThreadRead);
}

void writeStanding(JsonWriter& json, const MemberStanding& standing) {
  ObjectOut out(json);
  out.integer("daysVisited", standing.daysVisited).integer("lastVisitDay", standing.lastVisitDay);
  out.integer("threadsEntered", standing.threadsEntered).integer("postsRead", standing.postsRead);
  out.natural("secondsReading", standing.secondsReading).integer("likesGiven", standing.likesGiven);
  out.integer("likesReceived", standing.likesReceived).integer("flagsRaised", standing.flagsRaised);
  out.integer("flagsUpheld", standing.flagsUpheld).integer("reputationDay", standing.reputationDay);
  out.integer("reputationGainedToday", standing.reputationGainedToday).integer("trust3Since", standing.trust3Since);
  out.integer("lastSanctionAt", standing.lastSanctionAt);
  out.list("recentPostTimes", standing.recentPostTimes, [](JsonWriter& j, TimeMs time) { j.value(time); });
  out.list("days", standing.days, writeDayActivity);
  out.list("repliedThreads", standing.repliedThreads, [](JsonWriter& j, const RepliedThread& replied) {
    ObjectOut(j).text("threadKey", replied.threadKey).integer("lastDay", replied.lastDay);
  });
}

void writeMember(JsonWriter& json, const MemberRecord& member) {
  ObjectOut out(json);
  out.text("id", member.id).text("displayName", member.displayName).name("role", member.role);
  out.integer("joinedAt", member.joinedAt).integer("postCount", member.postCount);
  out.integer("reputation", member.reputation).integer("trustLevel", member.trustLevel);
  out.name("state", member.state).integer("stateUntil", member.stateUntil);
  out.flag("roleAssigned", member.roleAssigned).flag("trustLevelGranted", member.trustLevelGranted);
  out.key("standing");
  writeStanding(json, member.standing);
}

void writeThread(JsonWriter& json, const ThreadRecord& thread) {
  ObjectOut out(json);
  out.text("key", thread.key).name("kind", thread.kind).text("title", thread.title);
  out.text("authorId", thread.authorId).integer("createdAt", thread.createdAt).name("state", thread.state);
  out.list("follows", thread.follows, [](JsonWriter& j, const FollowRecord& follow) {
    ObjectOut(j).text("memberId", follow.memberId).flag("following", follow.following);
  });
}

void writeFlag(JsonWriter& json, const FlagRecord& flag) {
  ObjectOut out(json);
  out.text("memberId", flag.memberId).name("reason", flag.reason).integer("weight", flag.weight);
  out.integer("time", flag.time);
  out.text("resolution", archive::flagResolutionName(static_cast<std::uint8_t>(flag.resolution)));
}

void writeLedger(JsonWriter& json, const PostLedger& ledger) {
  ObjectOut out(json);
  out.integer("acceptAuthorDelta", ledger.acceptAuthorDelta).integer("acceptAcceptorDelta", ledger.acceptAcceptorDelta);
  out.integer("praiseDelta", ledger.praiseDelta).integer("removalPenalty", ledger.removalPenalty);
  out.flag("reputationRevoked", ledger.reputationRevoked).integer("spamTrained", ledger.spamTrained);
  out.text("spamTrainedText", ledger.spamTrainedText).flag("everVisible", ledger.everVisible);
  out.flag("hamPending", ledger.hamPending);
  out.natural("fingerprint", ledger.fingerprint).integer("heldAt", ledger.heldAt);
  out.text("acceptorId", ledger.acceptorId).list("flags", ledger.flags, writeFlag);
}

void writePost(JsonWriter& json, const PostRecord& post) {
  ObjectOut out(json);
  out.text("id", post.id).text("body", post.body).integer("createdAt", post.createdAt);
  out.integer("editedAt", post.editedAt).name("state", post.state).integer("score", post.score);
  out.natural("createdSequence", post.createdSequence).flag("featured", post.featured);
  out.integer("flagScore", post.flagScore).name("heldReason", post.heldReason).name("authorRole", post.authorRole);
  out.flag("erased", post.erased)
      .flag("imported", post.imported)
      .text("threadKey", post.threadKey)
      .text("parentId", post.parentId);
  out.text("authorId", post.authorId).flag("accepted", post.accepted);
  out.list("edits", post.edits, [](JsonWriter& j, const EditRecord& edit) {
    ObjectOut(j).text("editorId", edit.editorId).integer("time", edit.time).text("previousBody", edit.previousBody);
  });
  out.list("votes", post.votes, [](JsonWriter& j, const VoteRecord& vote) {
    ObjectOut(j)
        .text("memberId", vote.memberId)
        .name("direction", vote.direction)
        .integer("authorDelta", vote.authorDelta)
        .integer("voterDelta", vote.voterDelta)
        .integer("day", vote.day);
  });
  out.key("ledger");
  writeLedger(json, post.ledger);
}

void writeBefore(JsonWriter& json, const AuditRecord::Before& before) {
  ObjectOut out(json);
  out.name("postState", before.postState).flag("featured", before.featured).name("threadState", before.threadState);
  out.name("memberState", before.memberState).integer("stateUntil", before.stateUntil).name("role", before.role);
  out.flag("roleAssigned", before.roleAssigned).integer("trustLevel", before.trustLevel);
  out.flag("trustLevelGranted", before.trustLevelGranted);
  out.list("flagResolutions", before.flagResolutions,
           [](JsonWriter& j, std::uint8_t resolution) { j.value(archive::flagResolutionName(resolution)); });
  out.name("heldReason", before.heldReason).integer("spamTrained", before.spamTrained);
  out.integer("removalPenalty", before.removalPenalty).integer("lastSanctionAt", before.lastSanctionAt);
  out.integer("trust3Since", before.trust3Since).text("title", before.title);
}

void writeAudit(JsonWriter& json, const AuditRecord& entry) {
  ObjectOut out(json);
  out.text("id", entry.id).text("actorId", entry.actorId).name("action", entry.action).text("reason", entry.reason);
  out.integer("time", entry.time).natural("sequence", entry.sequence).text("postId", entry.postId);
  out.text("threadKey", entry.threadKey).text("memberId", entry.memberId).flag("undone", entry.undone);
  out.text("undoneBy", entry.undoneBy).text("undoReason", entry.undoReason).integer("undoTime", entry.undoTime);
  out.key("before");
  writeBefore(json, entry.before);
  out.flag("isPolicyChange", entry.isPolicyChange);
}

// One line: {"<kind>":<what write puts>}\n.
template <typename Write>
void line(std::string& out, std::string_view kind, Write write) {
  JsonWriter json;
  json.open('{').key(kind);
  write(json);
  json.close('}');
  out += json.take();
  out += '\n';
}

template <typename Record, typename Write>
void lines(std::string& out, std::string_view kind, const std::vector<Record>& records, Write write) {
  for (const Record& record : records) line(out, kind, [&](JsonWriter& json) { write(json, record); });
}

std::string header(const SiteRecords& records) {
  JsonWriter json;
  {
    ObjectOut out(json);
    out.text("kring", archive::kMagic).integer("version", kArchiveVersion).text("siteId", records.siteId);
    out.natural("lastSequence", records.lastSequence)
        .integer("alertsCheckedAt", records.alertsCheckedAt)
        .integer("digestSentAt", records.digestSentAt);
    out.key("counts");
    ObjectOut counts(json);
    counts.natural("members", records.members.size()).natural("threads", records.threads.size());
    counts.natural("posts", records.posts.size()).natural("audit", records.audit.size());
    counts.natural("spamTokens", records.spamTokens.size());
  }
  return json.take() + '\n';
}

}  // namespace

std::string writeArchive(const SiteRecords& records) {
  std::string out = header(records);
  line(out, "policy", [&](JsonWriter& json) { json.raw(policyToJson(records.policy)); });
  line(out, "days", [&](JsonWriter& json) {
    json.open('[');
    for (const SiteDay& day : records.days) {
      ObjectOut(json)
          .integer("day", day.day)
          .integer("threadsCreated", day.threadsCreated)
          .integer("postsCreated", day.postsCreated);
    }
    json.close(']');
  });
  line(out, "spamModel", [&](JsonWriter& json) {
    ObjectOut(json).integer("spamDecisions", records.spamDecisions).integer("hamDecisions", records.hamDecisions);
  });
  lines(out, "member", records.members, writeMember);
  lines(out, "thread", records.threads, writeThread);
  lines(out, "post", records.posts, writePost);
  lines(out, "audit", records.audit, writeAudit);
  lines(out, "spamToken", records.spamTokens, [](JsonWriter& json, const TokenCountRecord& token) {
    ObjectOut(json).text("token", token.token).integer("spam", token.spam).integer("ham", token.ham);
  });
  return out;
}

}  // namespace kring
