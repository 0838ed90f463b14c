// A whole site as Kring's own archive: JSON lines, readable by people and by other tools, for moving a
// site between stores (SQLite, PostgreSQL) or machines (docs/archive.md). Native hosts only: built on
// Boost.JSON, which the browser's core leaves out.
//
//   {"kring":"site-archive","version":1,"siteId":…,"lastSequence":…,"alertsCheckedAt":…,"digestSentAt":…,"counts":{…}}
//   {"policy":{…}}  {"days":[…]}  {"spamModel":{…}}
//   {"member":{…}}…  {"thread":{…}}…  {"post":{…}}…  {"audit":{…}}…  {"spamToken":{…}}…
//
// Every field of every record is written, enums by their snake_case names (kring/names.h), so reading
// an archive back gives records equal to those written.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include "kring/engine.h"
#include "kring/limits.h"
#include "kring/reason.h"
#include "kring/site_records.h"

namespace kring {

// The format this build writes, and the newest it reads; it reads every version from the oldest on.
// Adding a field makes a new version; a field's name is never reused for another meaning.
constexpr int kArchiveVersion = 4;
constexpr int kOldestArchiveVersion = 1;
// A line longer than this is refused unread: a hostile file cannot make the reader hold more than it.
constexpr std::size_t kMaxArchiveLineBytes = std::size_t{64} << 20;

// One JSON object per line, each followed by '\n'. The same records give the same bytes.
std::string writeArchive(const SiteRecords& records);

// Reads what writeArchive wrote. Anything else is refused whole with malformedSnapshot (or
// unsupportedVersion for a version this build does not know), the message naming the line and the
// field: a first line that is not the header, an unknown line kind or field (a typo must not drop
// data silently), a missing field, a wrong type, an unknown enum name, a line out of order, header
// counts that differ from the lines read, a line over kMaxArchiveLineBytes, a last line without its
// '\n' (a truncated file). The records are not checked against each other: engineFromArchive does.
// `limits` bounds the texts as the engine's ops are bounded (ids, titles, bodies), so an archive cannot
// bring in a post the engine would never have taken.
Result<SiteRecords> readArchive(std::string_view text, Limits limits = {});
// The same from a stream, a megabyte at a time: an archive larger than memory allows twice (its text
// and its records) is read holding one line of text at most.
Result<SiteRecords> readArchiveStream(std::istream& in, Limits limits = {});

// An engine holding exactly the archive's site, every cross-reference checked as a site snapshot's
// are (kring/snapshot.h): what `kring-server import` loads. Replay ops after its lastSequence.
Result<Engine> engineFromArchive(std::string_view text, Limits limits = {});

}  // namespace kring
