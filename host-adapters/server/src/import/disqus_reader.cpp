#include "import/disqus_reader.h"

#include <utility>

#include "import/field_text.h"
#include "import/html_to_markdown.h"
#include "import/source_time.h"
#include "import/xml_stream.h"

namespace kring::server {
namespace {

// Depths in the export: <disqus> 0, <thread>/<post> 1, their fields 2, a post's author's fields 3.
class DisqusHandler : public ElementHandler {
 public:
  DisqusHandler(const ImportSink& sink, const ReadOptions& options) : sink_(sink), options_(options) {}

  ReadCounts counts;

  ImportResult<std::monostate> start(const XmlStream& xml) override {
    int depth = xml.depth();
    std::string_view name = xml.localName();
    if (depth == 0) {
      if (name != "disqus" || xml.namespaceUri() != kDisqusNamespace) {
        return ImportFailure{ImportError::wrongFormat,
                             "line " + std::to_string(xml.line()) + ": the root element is not Disqus's <disqus>"};
      }
      return std::monostate{};
    }
    if (xml.namespaceUri() != kDisqusNamespace) return std::monostate{};
    if (depth == 1 && (name == "thread" || name == "post")) {
      record_ = name == "thread" ? Record::thread : Record::post;
      thread_ = {};
      post_ = {};
      where_ = "line " + std::to_string(xml.line());
      spam_ = deleted_ = timed_ = false;
      (record_ == Record::thread ? thread_.sourceId : post_.sourceId) = idOf(xml);
    } else if (depth == 2 && record_ == Record::post) {
      if (name == "thread") post_.threadSourceId = idOf(xml);
      if (name == "parent") post_.parentSourceId = idOf(xml);
      inAuthor_ = name == "author";
    }
    return std::monostate{};
  }

  void end(std::string_view name, std::string_view uri, int depth, const CappedText& text) override {
    if (depth == 0 || record_ == Record::none || uri != kDisqusNamespace) return;
    if (depth == 1) {
      finishRecord();
    } else if (depth == 2 && record_ == Record::thread) {
      threadField(name, text);
    } else if (depth == 2 && record_ == Record::post) {
      postField(name, text);
    } else if (depth == 3 && record_ == Record::post && inAuthor_) {
      authorField(name, text);
    }
  }

  void problem(ImportProblem problem) override {
    ++counts.problems;
    if (sink_.problem) sink_.problem(std::move(problem));
  }

 private:
  enum class Record { none, thread, post };

  static std::string idOf(const XmlStream& xml) {
    return std::string(trimmedField(xml.attribute("id", kDisqusInternalsNamespace)));
  }

  std::string checked(std::string_view field, const CappedText& text) {
    if (text.cut) {
      problem({about(),
               std::string(field) + " is longer than " + std::to_string(options_.maxFieldBytes) + " bytes: cut there"});
    }
    return std::string(trimmedField(text.value));
  }

  std::string about() const {
    if (record_ == Record::thread) return thread_.sourceId.empty() ? where_ : "thread " + thread_.sourceId;
    return post_.sourceId.empty() ? where_ : "post " + post_.sourceId;
  }

  void threadField(std::string_view name, const CappedText& text) {
    if (name == "link") thread_.url = checked("link", text);
    if (name == "title") thread_.title = checked("title", text);
    if (name == "isClosed") thread_.closed = fieldIsTrue(text.value);
    if (name == "isDeleted") thread_.deleted = fieldIsTrue(text.value);
  }

  void postField(std::string_view name, const CappedText& text) {
    if (name == "message") {
      std::string html = checked("message", text);
      MarkdownText body = htmlToMarkdown(html, {});
      if (body.cut) problem({about(), "the message's Markdown is too long: cut"});
      post_.bodyMarkdown = std::move(body.markdown);
    } else if (name == "createdAt") {
      timed_ = true;
      if (auto time = parseSourceTimeMs(text.value)) {
        post_.createdAtMs = *time;
      } else {
        problem({about(), "createdAt '" + std::string(trimmedField(text.value).substr(0, 64)) + "' is not a time"});
      }
    } else if (name == "isDeleted") {
      deleted_ = fieldIsTrue(text.value);
    } else if (name == "isSpam") {
      spam_ = fieldIsTrue(text.value);
    } else if (name == "author") {
      inAuthor_ = false;
    }
  }

  void authorField(std::string_view name, const CappedText& text) {
    if (name == "name") post_.authorName = checked("author name", text);
    if (name == "email") post_.authorEmail = checked("author email", text);
    if (name == "username") post_.authorUsername = checked("author username", text);
    if (name == "isAnonymous") post_.anonymous = fieldIsTrue(text.value);
  }

  void finishRecord() {
    Record record = std::exchange(record_, Record::none);
    if (record == Record::thread) {
      if (thread_.sourceId.empty()) {
        problem({where_, "a thread without a dsq:id: skipped"});
        ++counts.skipped;
        return;
      }
      ++counts.threads;
      if (sink_.thread) sink_.thread(std::move(thread_));
      return;
    }
    if (post_.sourceId.empty() || post_.threadSourceId.empty()) {
      problem({post_.sourceId.empty() ? where_ : "post " + post_.sourceId,
               post_.sourceId.empty() ? "a post without a dsq:id: skipped" : "a post without a thread: skipped"});
      ++counts.skipped;
      return;
    }
    if (!timed_) problem({"post " + post_.sourceId, "no createdAt: its time is 0"});
    post_.state = spam_      ? ImportedPost::State::spam
                  : deleted_ ? ImportedPost::State::deleted
                             : ImportedPost::State::visible;
    ++counts.posts;
    if (sink_.post) sink_.post(std::move(post_));
  }

  const ImportSink& sink_;
  const ReadOptions& options_;
  Record record_ = Record::none;
  ImportedThread thread_;
  ImportedPost post_;
  std::string where_;
  bool inAuthor_ = false;
  bool spam_ = false;
  bool deleted_ = false;
  bool timed_ = false;
};

ImportResult<ReadCounts> readDisqus(ImportResult<XmlStream> opened, const ImportSink& sink,
                                    const ReadOptions& options) {
  if (!opened) return opened.error();
  DisqusHandler handler(sink, options);
  if (auto walked = walkElements(opened.value(), handler, options.maxFieldBytes); !walked) return walked.error();
  return handler.counts;
}

}  // namespace

ImportResult<ReadCounts> readDisqusFile(const std::string& path, const ImportSink& sink, const ReadOptions& options) {
  return readDisqus(XmlStream::openFile(path), sink, options);
}

ImportResult<ReadCounts> readDisqusXml(std::string_view xml, const ImportSink& sink, const ReadOptions& options) {
  return readDisqus(XmlStream::openMemory(xml), sink, options);
}

}  // namespace kring::server
