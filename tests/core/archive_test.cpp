// The site archive (kring/archive.h): a generated site goes through the archive and comes back with the
// same snapshot bytes; hostile or damaged archives are refused with the line and field, never a crash.
#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "kring/archive.h"
#include "kring/engine.h"
#include "kring/site_records.h"
#include "kring/snapshot.h"
#include "op_generator.h"

using namespace kring;

namespace {

Engine archiveTestSite(std::uint64_t seed, bool scheduledChecks = false) {
  testing::GeneratorOptions options;
  options.seed = seed;
  options.ops = 3000;
  options.scheduledChecks = scheduledChecks;
  Engine engine("archive-site");
  for (const Op& op : testing::generateOps(options)) engine.apply(op);
  return engine;
}

// The 1-based number of the line that holds text[position].
std::size_t archiveLineAt(std::string_view text, std::size_t position) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < position && i < text.size(); ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

// The first line starting with `prefix`: its offset and its text (without the '\n').
struct ArchiveLine {
  std::size_t start = std::string::npos;
  std::string text;
  std::size_t number = 0;
};
ArchiveLine archiveFindLine(const std::string& archive, std::string_view prefix) {
  std::size_t start = 0;
  while (start < archive.size()) {
    std::size_t end = archive.find('\n', start);
    if (archive.compare(start, prefix.size(), prefix) == 0) {
      return ArchiveLine{start, archive.substr(start, end - start), archiveLineAt(archive, start)};
    }
    start = end + 1;
  }
  FAIL("no line starts with " << prefix);
  return {};
}

std::string archiveReplaceLine(const std::string& archive, const ArchiveLine& line, const std::string& with) {
  return archive.substr(0, line.start) + with + archive.substr(line.start + line.text.size());
}

// Refused by readArchive and readArchiveStream alike, with the same message.
void archiveExpectRefused(const std::string& text, ReasonCode code, std::initializer_list<std::string> fragments) {
  Result<SiteRecords> read = readArchive(text);
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().code == code);
  for (const std::string& fragment : fragments) {
    INFO(read.error().message);
    CHECK(read.error().message.find(fragment) != std::string::npos);
  }
  std::istringstream stream(text);
  Result<SiteRecords> streamed = readArchiveStream(stream);
  REQUIRE_FALSE(streamed.ok());
  CHECK(streamed.error().code == code);
  CHECK(streamed.error().message == read.error().message);
}

}  // namespace

TEST_CASE("A site comes back from its archive with the same snapshot bytes") {
  struct Site {
    std::uint64_t seed;
    bool scheduledChecks;
  };
  for (Site site : {Site{1, false}, Site{7, true}, Site{42, false}}) {
    INFO("seed " << site.seed);
    Engine engine = archiveTestSite(site.seed, site.scheduledChecks);
    const std::string archive = writeArchive(exportRecords(engine));
    CHECK(writeArchive(exportRecords(engine)) == archive);  // deterministic

    Result<SiteRecords> records = readArchive(archive);
    REQUIRE(records.ok());
    CHECK(records.value().posts.size() == exportRecords(engine).posts.size());
    CHECK(writeArchive(records.value()) == archive);
    std::istringstream stream(archive);
    Result<SiteRecords> streamed = readArchiveStream(stream);
    REQUIRE(streamed.ok());
    CHECK(writeArchive(streamed.value()) == archive);

    Result<Engine> restored = engineFromArchive(archive);
    REQUIRE(restored.ok());
    CHECK(encodeSiteSnapshot(restored.value()) == encodeSiteSnapshot(engine));
    CHECK(writeArchive(exportRecords(restored.value())) == archive);
  }
}

TEST_CASE("An archive keeps every text byte for byte") {
  SiteRecords records;
  records.siteId = "site \"quoted\" \\ and </script> & <b>";
  records.lastSequence = 18'446'744'073'709'551'615ULL;  // all 64 bits
  records.alertsCheckedAt = -5;
  records.digestSentAt = 1'700'000'000'123;
  MemberRecord member;
  member.id = "m\xC3\xA9";
  member.displayName = std::string("tab\tnew\nline nul") + '\0' + " \x7F \xE2\x80\xA8 \xE2\x80\xA9 \xF0\x9F\x98\x80";
  member.standing.secondsReading = 18'446'744'073'709'551'615ULL;
  member.standing.recentPostTimes = {-1, 9'223'372'036'854'775'807LL};
  records.members.push_back(member);
  PostRecord post;
  post.id = "p1";
  post.body = "caf\xC3\xA9 \\u0041 \"\" \r\n";
  post.ledger.fingerprint = 18'446'744'073'709'551'615ULL;
  post.ledger.spamTrainedText = "\xFF\xFE not UTF-8 \xC3";  // whatever the engine holds comes back
  post.ledger.flags.push_back(FlagRecord{"m\xC3\xA9", FlagReason::offTopic, 3, 7, FlagResolution::dismissed});
  records.posts.push_back(post);
  records.spamTokens.push_back(TokenCountRecord{"\xE2\x80\xA8", 4, 2});
  AuditRecord entry;
  entry.before.flagResolutions = {0, 1, 2};
  entry.before.title = "<title>";
  records.audit.push_back(entry);

  const std::string archive = writeArchive(records);
  Result<SiteRecords> read = readArchive(archive);
  REQUIRE(read.ok());
  const SiteRecords& back = read.value();
  CHECK(back.siteId == records.siteId);
  CHECK(back.lastSequence == records.lastSequence);
  CHECK(back.alertsCheckedAt == -5);
  CHECK(back.digestSentAt == 1'700'000'000'123);
  CHECK(back.members[0] == member);
  CHECK(back.posts[0].body == post.body);
  CHECK(back.posts[0].ledger == post.ledger);
  CHECK(back.spamTokens[0].token == "\xE2\x80\xA8");
  CHECK(back.audit[0].before.flagResolutions == entry.before.flagResolutions);
  CHECK(back.audit[0].before.title == "<title>");
  CHECK(writeArchive(back) == archive);
}

TEST_CASE("A damaged or foreign archive is refused with its line and field") {
  Engine engine = archiveTestSite(42);
  const std::string archive = writeArchive(exportRecords(engine));
  REQUIRE(readArchive(archive).ok());

  SECTION("the first line is not the header") {
    ArchiveLine policy = archiveFindLine(archive, "{\"policy\":");
    archiveExpectRefused(archive.substr(policy.start), ReasonCode::malformedSnapshot, {"line 1:", "site archive"});
  }
  SECTION("a version this build does not know") {
    std::string text = archive;
    text.replace(text.find("\"version\":4"), 11, "\"version\":5");
    archiveExpectRefused(text, ReasonCode::unsupportedVersion, {"line 1:", "version", "5"});
  }
  SECTION("a version 1 archive, from before imported posts and follows, reads with authors following") {
    std::string text = archive;
    text.replace(text.find("\"version\":4"), 11, "\"version\":1");
    for (const char* pending : {",\"hamPending\":false", ",\"hamPending\":true"}) {
      for (std::size_t at = text.find(pending); at != std::string::npos; at = text.find(pending, at)) {
        text.erase(at, std::string_view(pending).size());
      }
    }
    REQUIRE(text.find("hamPending") == std::string::npos);
    std::size_t removed = 0;
    for (std::size_t at = text.find(",\"imported\":false"); at != std::string::npos;
         at = text.find(",\"imported\":false", at)) {
      text.erase(at, 17);
      ++removed;
    }
    REQUIRE(removed == exportRecords(engine).posts.size());
    REQUIRE(removed > 0);
    std::size_t threads = 0;
    for (std::size_t at = text.find(",\"follows\":["); at != std::string::npos; at = text.find(",\"follows\":[", at)) {
      text.erase(at, text.find(']', at) + 1 - at);
      ++threads;
    }
    REQUIRE(threads == exportRecords(engine).threads.size());
    Result<SiteRecords> read = readArchive(text);
    REQUIRE(read.ok());
    CHECK(read.value().posts.size() == removed);
    CHECK_FALSE(read.value().followsRecorded);
    Result<Engine> restored = engineFromArchive(text);
    REQUIRE(restored.ok());
    for (const ThreadRecord& thread : exportRecords(engine).threads) {
      INFO(thread.key);
      CHECK(restored.value().follows(thread.key, thread.authorId));
    }
    // Written again, the follows derived from authorship are recorded: the site reads back as it is.
    const std::string rewritten = writeArchive(exportRecords(restored.value()));
    CHECK(rewritten.find(",\"follows\":[{") != std::string::npos);
    Result<Engine> again = engineFromArchive(rewritten);
    REQUIRE(again.ok());
    CHECK(encodeSiteSnapshot(again.value()) == encodeSiteSnapshot(restored.value()));
  }
  SECTION("a version 2 post without its imported field is refused") {
    ArchiveLine post = archiveFindLine(archive, "{\"post\":{");
    std::string text = post.text;
    text.erase(text.find(",\"imported\":false"), 17);
    archiveExpectRefused(archiveReplaceLine(archive, post, text), ReasonCode::malformedSnapshot,
                         {"line " + std::to_string(post.number) + ":", "imported"});
  }
  SECTION("an unknown field in a post") {
    ArchiveLine post = archiveFindLine(archive, "{\"post\":{");
    std::string typo = "{\"post\":{\"bodyy\":\"x\"," + post.text.substr(9);
    archiveExpectRefused(archiveReplaceLine(archive, post, typo), ReasonCode::malformedSnapshot,
                         {"line " + std::to_string(post.number) + ":", "post", "unknown field", "bodyy"});
  }
  SECTION("a post state that does not exist") {
    ArchiveLine post = archiveFindLine(archive, "{\"post\":{");
    std::string bogus = post.text;
    std::size_t state = bogus.find("\"state\":\"");
    REQUIRE(state != std::string::npos);
    bogus.replace(state, bogus.find('"', state + 9) - state + 1, "\"state\":\"bogus\"");
    archiveExpectRefused(archiveReplaceLine(archive, post, bogus), ReasonCode::malformedSnapshot,
                         {"line " + std::to_string(post.number) + ":", "post.state", "bogus"});
  }
  SECTION("a name deep in a post's ledger") {
    const std::size_t at = archive.find("\"resolution\":\"");
    REQUIRE(at != std::string::npos);
    std::string text = archive;
    text.replace(at, text.find('"', at + 14) - at + 1, "\"resolution\":\"maybe\"");
    archiveExpectRefused(
        text, ReasonCode::malformedSnapshot,
        {"line " + std::to_string(archiveLineAt(archive, at)) + ":", "post.ledger.flags[", "].resolution", "maybe"});
  }
  SECTION("a missing field and a wrong type") {
    ArchiveLine thread = archiveFindLine(archive, "{\"thread\":{");
    std::string missing = thread.text;
    std::size_t title = missing.find("\"title\":");
    missing.replace(title, missing.find("\"authorId\"") - title, "");
    archiveExpectRefused(archiveReplaceLine(archive, thread, missing), ReasonCode::malformedSnapshot,
                         {"line " + std::to_string(thread.number) + ":", "thread.title", "missing"});
    std::string wrong = thread.text;
    std::size_t created = wrong.find("\"createdAt\":");
    wrong.replace(created, 12, "\"createdAt\":\"1\",\"x\":");
    archiveExpectRefused(archiveReplaceLine(archive, thread, wrong), ReasonCode::malformedSnapshot,
                         {"line " + std::to_string(thread.number) + ":", "thread.createdAt", "integer"});
  }
  SECTION("a truncated last line") {
    const std::size_t lines = archiveLineAt(archive, archive.size() - 1);
    archiveExpectRefused(archive.substr(0, archive.size() - 10), ReasonCode::malformedSnapshot,
                         {"line " + std::to_string(lines) + ":", "truncated"});
  }
  SECTION("counts that do not match the lines") {
    std::string text = archive.substr(0, archive.rfind('\n', archive.size() - 2) + 1);  // one spam token less
    archiveExpectRefused(text, ReasonCode::malformedSnapshot, {"line 1:", "counts.spamTokens"});
    ArchiveLine member = archiveFindLine(archive, "{\"member\":");
    std::string twice = archive.substr(0, member.start) + member.text + "\n" + archive.substr(member.start);
    archiveExpectRefused(twice, ReasonCode::malformedSnapshot, {"member", "counts.members"});
  }
  SECTION("a member line that is not an object") {
    ArchiveLine member = archiveFindLine(archive, "{\"member\":");
    archiveExpectRefused(archiveReplaceLine(archive, member, "{\"member\":[1,2]}"), ReasonCode::malformedSnapshot,
                         {"line " + std::to_string(member.number) + ":", "member", "must be an object"});
  }
  SECTION("an unknown line kind and lines out of order") {
    ArchiveLine member = archiveFindLine(archive, "{\"member\":");
    archiveExpectRefused(archiveReplaceLine(archive, member, "{\"members\":{}}"), ReasonCode::malformedSnapshot,
                         {"line " + std::to_string(member.number) + ":", "unknown line kind", "members"});
    ArchiveLine post = archiveFindLine(archive, "{\"post\":");
    archiveExpectRefused(archiveReplaceLine(archive, post, member.text), ReasonCode::malformedSnapshot,
                         {"line " + std::to_string(post.number) + ":", "member", "out of order"});
  }
  SECTION("a line over 64 MiB") {
    const std::size_t header = archive.find('\n') + 1;
    std::string huge = archive.substr(0, header) + std::string(kMaxArchiveLineBytes + 1, ' ') + "\n";
    archiveExpectRefused(huge, ReasonCode::malformedSnapshot, {"line 2:", "longer than"});
  }
  SECTION("an empty file") {
    archiveExpectRefused("", ReasonCode::malformedSnapshot, {"line 1:", "empty"});
    archiveExpectRefused("\n", ReasonCode::malformedSnapshot, {"line 1:", "empty"});
  }
}

TEST_CASE("Damaged archives are refused or read, never a crash") {
  Engine engine = archiveTestSite(1);
  const std::string archive = writeArchive(exportRecords(engine));
  constexpr std::string_view kReplacements = "\"{}[],:0-\n\\";
  std::uint64_t state = 20261207;
  std::size_t refused = 0;
  for (int i = 0; i < 200; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // a fixed LCG: the same positions each run
    const std::size_t position = (state >> 33) % archive.size();
    std::string damaged = archive;
    switch (i % 3) {
      case 0: damaged[position] = static_cast<char>(damaged[position] ^ (1 << (i % 8))); break;
      case 1: damaged.erase(position, 1 + i % 4); break;
      default: damaged[position] = kReplacements[(state >> 20) % kReplacements.size()]; break;
    }
    Result<SiteRecords> read = readArchive(damaged);
    if (!read.ok()) {
      ++refused;
      CHECK(read.error().message.find("Archive line ") == 0);
    }
    Result<Engine> restored = engineFromArchive(damaged);  // the records' cross-checks: no crash either
    CHECK(restored.ok() == (read.ok() && restored.ok()));
  }
  CHECK(refused > 100);
}
