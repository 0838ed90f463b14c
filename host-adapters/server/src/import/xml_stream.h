// One XML document read node by node (libxml2's xmlTextReader), for the import readers: memory stays
// bounded by the current node whatever the file's size, and nothing outside the document is ever read.
//
// Safety, decided once here for every reader (docs/import.md):
// - A document whose prolog holds a DOCTYPE (or any other `<!` declaration) is refused before the
//   parser sees a byte of it: neither export format has one, and without a DTD there are no entity
//   declarations, so no external entities (XXE) and no expansion bombs (billion laughs).
// - The parser runs without XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_HUGE and with
//   XML_PARSE_NONET: even a DTD that slipped through would be neither loaded nor expanded.
// - Only UTF-8 (and ASCII-compatible) documents are read: a UTF-16 one is refused, so the prolog
//   check cannot be dodged by an encoding it does not see.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "import/import_records.h"

namespace kring::server {

class XmlStream {
 public:
  enum class Step { element, endElement, text, end };

  static ImportResult<XmlStream> openFile(const std::string& path);
  // `xml` must outlive the stream.
  static ImportResult<XmlStream> openMemory(std::string_view xml);

  XmlStream(XmlStream&&) noexcept;
  XmlStream& operator=(XmlStream&&) noexcept;
  ~XmlStream();

  // The next element start, element end or text (CDATA included); `end` after the root closes. An
  // error (refused, malformed) ends the stream: its message names the line.
  ImportResult<Step> next();

  // Of the current node.
  std::string_view localName() const;
  std::string_view namespaceUri() const;
  bool isEmptyElement() const;  // <x/>: no endElement follows
  int depth() const;            // the root element is 0
  std::string attribute(std::string_view localName, std::string_view namespaceUri) const;
  std::string_view text() const;
  int line() const;

  // Non-fatal parser errors met so far (an undeclared namespace prefix …), handed over once.
  std::vector<ImportProblem> takeWarnings();

 private:
  struct State;
  explicit XmlStream(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// An element's text, cut at a limit: `cut` says the element held more.
struct CappedText {
  std::string value;
  bool cut = false;

  void clear() {
    value.clear();
    cut = false;
  }
  void append(std::string_view text, std::size_t limit);
};

// What a reader does at each element: `start` sees the element with its attributes, `end` sees its
// own text (its text children joined, capped). An empty element gets both at once.
class ElementHandler {
 public:
  virtual ~ElementHandler() = default;
  // An error stops the walk (a root element of another format).
  virtual ImportResult<std::monostate> start(const XmlStream& xml) = 0;
  virtual void end(std::string_view localName, std::string_view namespaceUri, int depth, const CappedText& text) = 0;
  virtual void problem(ImportProblem problem) = 0;
};

// Walks the whole document through `handler`, each element's text cut at maxTextBytes.
ImportResult<std::monostate> walkElements(XmlStream& xml, ElementHandler& handler, std::size_t maxTextBytes);

}  // namespace kring::server
