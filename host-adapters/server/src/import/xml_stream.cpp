#include "import/xml_stream.h"

#include <libxml/xmlreader.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace kring::server {
// Named, not anonymous: XmlStream::State holds them (and unity builds include this file).
namespace xml_stream_parts {

// Watches the bytes before the root element: the XML declaration, comments and processing
// instructions pass; a `<!` declaration (DOCTYPE) or a UTF-16 byte order mark is refused.
class PrologGuard {
 public:
  // False when `bytes` must not reach the parser; `why()` says why.
  bool pass(const char* bytes, std::size_t size) {
    for (std::size_t i = 0; i < size && state_ != State::done; ++i) {
      if (!step(static_cast<unsigned char>(bytes[i]))) return false;
    }
    return true;
  }
  const std::string& why() const { return why_; }

 private:
  enum class State { start, bom1, bom2, between, lt, bang, bangDash, comment, pi, piQuestion, done };

  bool refuse(std::string message) {
    why_ = "line " + std::to_string(line_) + ": " + std::move(message);
    return false;
  }

  bool step(unsigned char c) {
    if (c == '\n') ++line_;
    switch (state_) {
      case State::start:
        if (c == 0xEF) {
          state_ = State::bom1;
          return true;
        }
        if (c == 0xFE || c == 0xFF || c == 0x00) return refuse("only UTF-8 documents are read");
        state_ = State::between;
        return step(c);
      case State::bom1: state_ = State::bom2; return true;
      case State::bom2: state_ = State::between; return true;
      case State::between:
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return true;
        if (c == '<') {
          state_ = State::lt;
          return true;
        }
        return refuse("the document does not start with markup");
      case State::lt:
        if (c == '?') {
          state_ = State::pi;
        } else if (c == '!') {
          state_ = State::bang;
        } else {
          state_ = State::done;  // the root element: the prolog is over
        }
        return true;
      case State::bang:
        if (c != '-') return refuse("a DOCTYPE or declaration is refused (no DTDs, no entities)");
        state_ = State::bangDash;
        return true;
      case State::bangDash:
        if (c != '-') return refuse("a DOCTYPE or declaration is refused (no DTDs, no entities)");
        state_ = State::comment;
        dashes_ = 0;
        return true;
      case State::comment:
        if (c == '>' && dashes_ >= 2) {
          state_ = State::between;
        } else {
          dashes_ = c == '-' ? dashes_ + 1 : 0;
        }
        return true;
      case State::pi:
        if (c == '?') state_ = State::piQuestion;
        return true;
      case State::piQuestion:
        if (c == '>') {
          state_ = State::between;
        } else if (c != '?') {
          state_ = State::pi;
        }
        return true;
      case State::done: return true;
    }
    return true;
  }

  State state_ = State::start;
  int dashes_ = 0;
  int line_ = 1;
  std::string why_;
};

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
struct ReaderFree {
  void operator()(xmlTextReader* reader) const { xmlFreeTextReader(reader); }
};
}  // namespace xml_stream_parts

namespace {

struct XmlCharFree {
  void operator()(xmlChar* text) const { xmlFree(text); }
};

std::string_view readerText(const xmlChar* text) {
  return text == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(text));
}

std::string libxmlMessage(const char* message) {
  std::string text = message == nullptr ? "" : message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

struct XmlStream::State {
  std::unique_ptr<std::FILE, xml_stream_parts::FileCloser> file;
  std::string_view memory;
  std::size_t memoryAt = 0;
  bool readFailed = false;
  xml_stream_parts::PrologGuard guard;
  bool refused = false;
  std::unique_ptr<xmlTextReader, xml_stream_parts::ReaderFree> reader;
  std::string fatal;  // the parser's fatal error, with its line
  std::vector<ImportProblem> warnings;
  bool finished = false;

  static int read(void* context, char* buffer, int length) {
    auto* self = static_cast<State*>(context);
    std::size_t got = 0;
    if (self->file) {
      got = std::fread(buffer, 1, static_cast<std::size_t>(length), self->file.get());
      if (got == 0 && std::ferror(self->file.get())) {
        self->readFailed = true;
        return -1;
      }
    } else {
      got = std::min(self->memory.size() - self->memoryAt, static_cast<std::size_t>(length));
      std::copy_n(self->memory.data() + self->memoryAt, got, buffer);
      self->memoryAt += got;
    }
    if (!self->guard.pass(buffer, got)) {
      self->refused = true;
      return -1;
    }
    return static_cast<int>(got);
  }
  static int close(void*) { return 0; }

  static void onError(void* context, xmlErrorPtr error) {
    auto* self = static_cast<State*>(context);
    if (error == nullptr || error->level < XML_ERR_ERROR) return;  // warnings are not worth a problem
    std::string where = "line " + std::to_string(error->line);
    if (error->level == XML_ERR_FATAL) {
      if (self->fatal.empty()) self->fatal = where + ": " + libxmlMessage(error->message);
    } else if (self->warnings.size() < 1000) {  // bounded, whatever the file holds
      self->warnings.push_back({std::move(where), libxmlMessage(error->message)});
    }
  }

  ImportResult<std::monostate> start() {
    // No XML_PARSE_NOENT, XML_PARSE_DTDLOAD, XML_PARSE_DTDATTR or XML_PARSE_HUGE, on purpose.
    constexpr int kOptions = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
    reader.reset(xmlReaderForIO(&State::read, &State::close, this, nullptr, nullptr, kOptions));
    if (!reader) {
      if (refused) return ImportFailure{ImportError::refused, guard.why()};
      return ImportFailure{ImportError::unreadable, "the XML reader could not start"};
    }
    xmlTextReaderSetStructuredErrorHandler(reader.get(), &State::onError, this);
    return std::monostate{};
  }
};

XmlStream::XmlStream(std::unique_ptr<State> state) : state_(std::move(state)) {}
XmlStream::XmlStream(XmlStream&&) noexcept = default;
XmlStream& XmlStream::operator=(XmlStream&&) noexcept = default;
XmlStream::~XmlStream() = default;

ImportResult<XmlStream> XmlStream::openFile(const std::string& path) {
  auto state = std::make_unique<State>();
  state->file.reset(std::fopen(path.c_str(), "rb"));
  if (!state->file) return ImportFailure{ImportError::unreadable, "cannot open " + path};
  if (auto started = state->start(); !started) return started.error();
  return XmlStream(std::move(state));
}

ImportResult<XmlStream> XmlStream::openMemory(std::string_view xml) {
  auto state = std::make_unique<State>();
  state->memory = xml;
  if (auto started = state->start(); !started) return started.error();
  return XmlStream(std::move(state));
}

ImportResult<XmlStream::Step> XmlStream::next() {
  State& s = *state_;
  if (s.finished) return Step::end;
  for (;;) {
    int status = xmlTextReaderRead(s.reader.get());
    if (status == 0) {
      s.finished = true;
      if (!s.fatal.empty()) return ImportFailure{ImportError::malformedXml, s.fatal};
      return Step::end;
    }
    if (status < 0) {
      s.finished = true;
      if (s.refused) return ImportFailure{ImportError::refused, s.guard.why()};
      if (s.readFailed) return ImportFailure{ImportError::unreadable, "reading the file failed"};
      if (!s.fatal.empty()) return ImportFailure{ImportError::malformedXml, s.fatal};
      return ImportFailure{ImportError::malformedXml, "line " + std::to_string(line()) + ": the XML parser stopped"};
    }
    switch (xmlTextReaderNodeType(s.reader.get())) {
      case XML_READER_TYPE_ELEMENT: return Step::element;
      case XML_READER_TYPE_END_ELEMENT: return Step::endElement;
      case XML_READER_TYPE_TEXT:
      case XML_READER_TYPE_CDATA:
      case XML_READER_TYPE_WHITESPACE:
      case XML_READER_TYPE_SIGNIFICANT_WHITESPACE: return Step::text;
      case XML_READER_TYPE_DOCUMENT_TYPE:
      case XML_READER_TYPE_ENTITY_REFERENCE:
      case XML_READER_TYPE_ENTITY:
        // Defence in depth: the prolog guard refuses these documents before parsing.
        s.finished = true;
        return ImportFailure{ImportError::refused,
                             "line " + std::to_string(line()) + ": DTDs and entity references are refused"};
      default: break;  // comments, processing instructions
    }
  }
}

std::string_view XmlStream::localName() const { return readerText(xmlTextReaderConstLocalName(state_->reader.get())); }

std::string_view XmlStream::namespaceUri() const {
  return readerText(xmlTextReaderConstNamespaceUri(state_->reader.get()));
}

bool XmlStream::isEmptyElement() const { return xmlTextReaderIsEmptyElement(state_->reader.get()) == 1; }

int XmlStream::depth() const { return xmlTextReaderDepth(state_->reader.get()); }

std::string XmlStream::attribute(std::string_view localName, std::string_view namespaceUri) const {
  std::string name(localName);
  std::string uri(namespaceUri);
  std::unique_ptr<xmlChar, XmlCharFree> value(
      xmlTextReaderGetAttributeNs(state_->reader.get(), reinterpret_cast<const xmlChar*>(name.c_str()),
                                  reinterpret_cast<const xmlChar*>(uri.c_str())));
  return std::string(readerText(value.get()));
}

std::string_view XmlStream::text() const { return readerText(xmlTextReaderConstValue(state_->reader.get())); }

int XmlStream::line() const { return xmlTextReaderGetParserLineNumber(state_->reader.get()); }

std::vector<ImportProblem> XmlStream::takeWarnings() { return std::exchange(state_->warnings, {}); }

void CappedText::append(std::string_view text, std::size_t limit) {
  if (cut) return;
  if (value.size() + text.size() <= limit) {
    value.append(text);
    return;
  }
  std::size_t room = limit - value.size();
  // Cut at a character boundary: never before a UTF-8 continuation byte.
  while (room > 0 && (static_cast<unsigned char>(text[room]) & 0xC0) == 0x80) --room;
  value.append(text.substr(0, room));
  cut = true;
}

ImportResult<std::monostate> walkElements(XmlStream& xml, ElementHandler& handler, std::size_t maxTextBytes) {
  CappedText text;
  for (;;) {
    auto step = xml.next();
    for (ImportProblem& warning : xml.takeWarnings()) handler.problem(std::move(warning));
    if (!step) return step.error();
    switch (step.value()) {
      case XmlStream::Step::end: return std::monostate{};
      case XmlStream::Step::element: {
        text.clear();
        if (auto started = handler.start(xml); !started) return started.error();
        if (xml.isEmptyElement()) handler.end(xml.localName(), xml.namespaceUri(), xml.depth(), text);
        break;
      }
      case XmlStream::Step::endElement:
        handler.end(xml.localName(), xml.namespaceUri(), xml.depth(), text);
        text.clear();
        break;
      case XmlStream::Step::text: text.append(xml.text(), maxTextBytes); break;
    }
  }
}

}  // namespace kring::server
