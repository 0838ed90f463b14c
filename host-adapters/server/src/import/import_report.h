// After a file is read: the posts whose links cannot stand, and how the import mends them
// (docs/import.md, "Orphans and cycles"). Not fatal: each is a problem and a fix.
//  - a post whose thread is not in the file is skipped;
//  - a reply whose parent is not in the file (or is in another thread, or was skipped) becomes a
//    top-level post of its thread;
//  - parent links that go round in a cycle are broken at the post with the highest id (numerically
//    when both ids are numbers), which becomes top level;
//  - a post id met again: the first is kept, the later ones skipped.
// Only (id, thread, parent) is kept per post, in one byte arena: about 45 bytes a post (a million
// Disqus posts in ~60 MB with the check's own indexes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "import/import_records.h"

namespace kring::server {

struct LinkFix {
  enum class Action { topLevel, skip, keepFirstOnly };
  std::string postSourceId;
  Action action = Action::topLevel;
};

struct LinkReport {
  std::vector<LinkFix> fixes;           // in file order, cycles last
  std::vector<ImportProblem> problems;  // one for each fix, naming the post
};

class LinkCheck {
 public:
  void addThread(std::string_view sourceId);
  void addPost(std::string_view sourceId, std::string_view threadSourceId, std::string_view parentSourceId);
  LinkReport finish() const;
  // What the check holds now (its arena and link table), for the memory budget.
  std::size_t bytesHeld() const;

 private:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  struct Link {
    std::uint32_t id;
    std::uint32_t thread;
    std::uint32_t parent;  // kNone: top level
  };

  std::uint32_t store(std::string_view text);
  std::string_view text(std::uint32_t at) const;

  std::string arena_;  // ids, each ended by a NUL (XML text holds none)
  std::vector<std::uint32_t> threads_;
  std::vector<Link> posts_;
};

// Orders source ids: numbers by value (either may be longer), anything else byte by byte.
bool sourceIdLess(std::string_view a, std::string_view b);

}  // namespace kring::server
