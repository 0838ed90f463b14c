// What `kring-server import` reads from another system's export, before it becomes the core's ops:
// plain records that name each other by the source's ids, and the problems met on the way.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "kring/reason.h"

namespace kring::server {

// A page that had comments (a Disqus thread, a WordPress item).
struct ImportedThread {
  std::string sourceId;
  std::string url;
  std::string title;
  bool closed = false;   // no new comments were accepted
  bool deleted = false;  // the page was deleted or trashed in the source
};

// One comment, its body already turned into Markdown (html_to_markdown.h).
struct ImportedPost {
  enum class State { visible, held, spam, deleted };

  std::string sourceId;
  std::string threadSourceId;
  std::string parentSourceId;  // empty for a top-level post
  std::string authorName;
  std::string authorEmail;
  std::string authorUsername;
  bool anonymous = false;        // a guest without an account in the source
  std::int64_t createdAtMs = 0;  // UTC; 0 when the source had no readable time (reported)
  std::string bodyMarkdown;
  State state = State::visible;
};

constexpr std::string_view postStateName(ImportedPost::State state) {
  constexpr std::array<std::string_view, 4> kNames = {"visible", "held", "spam", "deleted"};
  return kNames[static_cast<std::size_t>(state)];
}

// Something worth telling the operator that did not stop the import.
struct ImportProblem {
  std::string where;  // "line 1234", "post 42", "thread 7", "mapping line 3"
  std::string message;
};

// Why a file could not be read (to its end): the readers' errors as values.
enum class ImportError {
  unreadable,    // the file cannot be opened or read
  refused,       // a DOCTYPE, entity declarations or a non-UTF-8 encoding: never parsed (docs/import.md)
  malformedXml,  // the XML parser stopped; the message names the line
  wrongFormat,   // well-formed, but not the format asked for (another root element)
  badMapping     // a thread-key mapping file line is not valid
};

constexpr std::string_view importErrorName(ImportError error) {
  constexpr std::array<std::string_view, 5> kNames = {"unreadable", "refused", "malformed_xml", "wrong_format",
                                                      "bad_mapping"};
  return kNames[static_cast<std::size_t>(error)];
}

using ImportFailure = ErrorOf<ImportError>;
template <typename T>
using ImportResult = Result<T, ImportError>;

// Where a reader sends what it reads, each record as its element ends. Any callback may be empty.
struct ImportSink {
  std::function<void(ImportedThread)> thread;
  std::function<void(ImportedPost)> post;
  std::function<void(ImportProblem)> problem;
};

struct ReadOptions {
  // A single text field (a message, a title) longer than this is cut there and reported: memory
  // stays bounded whatever the file holds.
  std::size_t maxFieldBytes = 1u << 20;
};

// What a reader did, once it reached the end of the file.
struct ReadCounts {
  std::uint64_t threads = 0;
  std::uint64_t posts = 0;
  std::uint64_t skipped = 0;  // records read but not emitted (pingbacks, trackbacks, unusable records)
  std::uint64_t problems = 0;
};

}  // namespace kring::server
