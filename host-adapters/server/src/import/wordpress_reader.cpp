#include "import/wordpress_reader.h"

#include <utility>

#include "import/field_text.h"
#include "import/html_to_markdown.h"
#include "import/source_time.h"
#include "import/xml_stream.h"

namespace kring::server {

bool isWordPressNamespace(std::string_view uri) {
  return uri == "http://wordpress.org/export/1.2/" || uri == "http://wordpress.org/export/1.1/" ||
         uri == "http://wordpress.org/export/1.0/";
}

namespace {

// Depths in the export: <rss> 0, <channel> 1, <item> 2, its fields and <wp:comment> 3, a comment's
// fields 4.
class WordPressHandler : public ElementHandler {
 public:
  WordPressHandler(const ImportSink& sink, const ReadOptions& options) : sink_(sink), options_(options) {}

  ReadCounts counts;

  ImportResult<std::monostate> start(const XmlStream& xml) override {
    int depth = xml.depth();
    std::string_view name = xml.localName();
    if (depth == 0 && (name != "rss" || !xml.namespaceUri().empty())) {
      return ImportFailure{ImportError::wrongFormat,
                           "line " + std::to_string(xml.line()) + ": the root element is not WordPress's <rss>"};
    }
    if (depth == 2 && name == "item" && xml.namespaceUri().empty()) {
      inItem_ = true;
      thread_ = {};
      itemLine_ = "line " + std::to_string(xml.line());
    } else if (depth == 3 && inItem_ && name == "comment" && isWordPressNamespace(xml.namespaceUri())) {
      inComment_ = true;
      post_ = {};
      approved_.clear();
      type_.clear();
      localDate_.clear();
      gmtDate_.clear();
      registered_ = false;
      commentLine_ = "line " + std::to_string(xml.line());
    }
    return std::monostate{};
  }

  void end(std::string_view name, std::string_view uri, int depth, const CappedText& text) override {
    bool wp = isWordPressNamespace(uri);
    if (depth == 2 && inItem_ && name == "item" && uri.empty()) {
      finishThread();
    } else if (depth == 3 && inComment_ && wp && name == "comment") {
      finishPost();
    } else if (depth == 3 && inItem_) {
      itemField(name, uri, wp, text);
    } else if (depth == 4 && inComment_ && wp) {
      commentField(name, text);
    }
  }

  void problem(ImportProblem problem) override {
    ++counts.problems;
    if (sink_.problem) sink_.problem(std::move(problem));
  }

 private:
  std::string checked(std::string_view where, std::string_view field, const CappedText& text) {
    if (text.cut) {
      problem({std::string(where),
               std::string(field) + " is longer than " + std::to_string(options_.maxFieldBytes) + " bytes: cut there"});
    }
    return std::string(trimmedField(text.value));
  }

  std::string aboutThread() const { return thread_.sourceId.empty() ? itemLine_ : "thread " + thread_.sourceId; }
  std::string aboutPost() const { return post_.sourceId.empty() ? commentLine_ : "post " + post_.sourceId; }

  void itemField(std::string_view name, std::string_view uri, bool wp, const CappedText& text) {
    if (uri.empty() && name == "title") thread_.title = checked(aboutThread(), "title", text);
    if (uri.empty() && name == "link") thread_.url = checked(aboutThread(), "link", text);
    if (!wp) return;
    if (name == "post_id") thread_.sourceId = std::string(trimmedField(text.value));
    if (name == "comment_status") thread_.closed = trimmedField(text.value) == "closed";
    if (name == "status") thread_.deleted = trimmedField(text.value) == "trash";
  }

  void commentField(std::string_view name, const CappedText& text) {
    std::string_view value = trimmedField(text.value);
    if (name == "comment_id") {
      post_.sourceId = std::string(value);
    } else if (name == "comment_parent") {
      post_.parentSourceId = value == "0" ? std::string() : std::string(value);
    } else if (name == "comment_author") {
      post_.authorName = checked(aboutPost(), "comment_author", text);
    } else if (name == "comment_author_email") {
      post_.authorEmail = checked(aboutPost(), "comment_author_email", text);
    } else if (name == "comment_date_gmt") {
      gmtDate_ = std::string(value.substr(0, 64));
    } else if (name == "comment_date") {
      localDate_ = std::string(value.substr(0, 64));
    } else if (name == "comment_content") {
      if (text.cut)
        problem({aboutPost(),
                 "comment_content is longer than " + std::to_string(options_.maxFieldBytes) + " bytes: cut there"});
      MarkdownOptions markdown;
      markdown.bareNewlines = true;  // wpautop: blank lines are paragraphs
      MarkdownText body = htmlToMarkdown(text.value, markdown);
      if (body.cut) problem({aboutPost(), "the comment's Markdown is too long: cut"});
      post_.bodyMarkdown = std::move(body.markdown);
    } else if (name == "comment_approved") {
      approved_ = std::string(value.substr(0, 32));
    } else if (name == "comment_type") {
      type_ = std::string(value.substr(0, 32));
    } else if (name == "comment_user_id") {
      registered_ = !value.empty() && value != "0";
    }
  }

  void finishThread() {
    inItem_ = false;
    if (thread_.sourceId.empty()) {
      problem({itemLine_, "an item without a wp:post_id: skipped"});
      ++counts.skipped;
      return;
    }
    ++counts.threads;
    if (sink_.thread) sink_.thread(std::move(thread_));
  }

  void finishPost() {
    inComment_ = false;
    if (type_ == "pingback" || type_ == "trackback") {
      ++counts.skipped;
      return;
    }
    if (!type_.empty() && type_ != "comment" && type_ != "review") {
      problem({aboutPost(), "a comment of type '" + type_ + "': skipped"});
      ++counts.skipped;
      return;
    }
    if (post_.sourceId.empty() || thread_.sourceId.empty()) {
      problem({aboutPost(), post_.sourceId.empty() ? "a comment without a wp:comment_id: skipped"
                                                   : "a comment before its item's wp:post_id: skipped"});
      ++counts.skipped;
      return;
    }
    post_.threadSourceId = thread_.sourceId;
    post_.anonymous = !registered_;
    if (auto time = parseSourceTimeMs(gmtDate_)) {
      post_.createdAtMs = *time;
    } else if (auto local = parseSourceTimeMs(localDate_)) {
      post_.createdAtMs = *local;
      problem({aboutPost(), "no comment_date_gmt: comment_date '" + localDate_ + "' read as UTC"});
    } else {
      problem({aboutPost(), "comment_date_gmt '" + gmtDate_ + "' is not a time"});
    }
    if (approved_ == "1") {
      post_.state = ImportedPost::State::visible;
    } else if (approved_ == "0") {
      post_.state = ImportedPost::State::held;
    } else if (approved_ == "spam") {
      post_.state = ImportedPost::State::spam;
    } else if (approved_ == "trash" || approved_ == "post-trashed") {
      post_.state = ImportedPost::State::deleted;
    } else {
      post_.state = ImportedPost::State::held;
      problem({aboutPost(), "comment_approved '" + approved_ + "' is unknown: held"});
    }
    ++counts.posts;
    if (sink_.post) sink_.post(std::move(post_));
  }

  const ImportSink& sink_;
  const ReadOptions& options_;
  bool inItem_ = false;
  bool inComment_ = false;
  ImportedThread thread_;
  ImportedPost post_;
  std::string itemLine_;
  std::string commentLine_;
  std::string approved_;
  std::string type_;
  std::string gmtDate_;
  std::string localDate_;
  bool registered_ = false;
};

ImportResult<ReadCounts> readWordPress(ImportResult<XmlStream> opened, const ImportSink& sink,
                                       const ReadOptions& options) {
  if (!opened) return opened.error();
  WordPressHandler handler(sink, options);
  if (auto walked = walkElements(opened.value(), handler, options.maxFieldBytes); !walked) return walked.error();
  return handler.counts;
}

}  // namespace

ImportResult<ReadCounts> readWordPressFile(const std::string& path, const ImportSink& sink,
                                           const ReadOptions& options) {
  return readWordPress(XmlStream::openFile(path), sink, options);
}

ImportResult<ReadCounts> readWordPressXml(std::string_view xml, const ImportSink& sink, const ReadOptions& options) {
  return readWordPress(XmlStream::openMemory(xml), sink, options);
}

}  // namespace kring::server
