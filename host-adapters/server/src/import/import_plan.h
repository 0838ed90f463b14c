// The import's writing half (docs/import.md): what a Disqus or WordPress reader read, as the core's
// ImportPost ops, applied to a site's engine in an order it can take (parents before their replies,
// then by original time). Posts keep their source's ids ("disqus-123", "wordpress-45"), so a second
// import of the same file adds nothing: the core refuses each post as already imported.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "import/import_records.h"
#include "import/import_report.h"
#include "import/thread_keys.h"
#include "kring/engine.h"

namespace kring::server {

struct ImportPlanOptions {
  std::string source;  // "disqus" or "wordpress": the prefix of the posts' ids
  ThreadKind threadKind = ThreadKind::discussion;
  TimeMs now = 0;  // the ops' time; every original time must be before it
  // Who wrote a post: the imported member's id (auth/imported_author.h).
  std::function<std::string(const ImportedPost&)> authorId;
};

struct ImportTotals {
  std::uint64_t imported = 0;
  std::uint64_t alreadyThere = 0;  // imported by an earlier run
  std::uint64_t refused = 0;       // the core refused them (each a problem)
  std::uint64_t skipped = 0;       // the link check's and the deleted pages' (each a problem)
  std::uint64_t threadsCreated = 0;
  std::uint64_t membersCreated = 0;
};

class ImportPlan {
 public:
  ImportPlan(ImportPlanOptions options, ThreadKeyMapping mapping);

  // A reader's sink: threads and posts kept, problems listed.
  ImportSink sink();
  // The link check's fixes, then every post applied in order as an ImportPost op with the engine's
  // next sequence. `stored` sees each op the engine stored, as it was applied. The records are let
  // go then (the engine holds what was imported): a plan applies once.
  ImportTotals apply(Engine& engine, const std::function<void(const Op&, const Outcome&)>& stored = {});

  const std::vector<ImportProblem>& problems() const { return problems_; }
  void addProblem(ImportProblem problem) { problems_.push_back(std::move(problem)); }
  std::uint64_t postsRead() const { return postsRead_; }

 private:
  struct Page {
    ImportedThread thread;
    std::string key;
  };
  Op opFor(const ImportedPost& post, const Page& page, const std::string& parentId, const Engine& engine) const;

  ImportPlanOptions options_;
  ThreadKeyMapping mapping_;
  std::unordered_map<std::string, Page> pages_;  // by source id
  std::vector<ImportedPost> posts_;
  LinkCheck links_;
  std::vector<ImportProblem> problems_;
  std::uint64_t postsRead_ = 0;
};

}  // namespace kring::server
