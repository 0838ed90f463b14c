// A Disqus export (root <disqus xmlns="http://disqus.com">) read as a stream: each <thread> and each
// <post> goes to the sink as its element ends, in file order; posts may come before or after their
// thread, and nothing of the document is kept but the element being read.
//
// Fields read (docs/import.md): thread dsq:id, link, title, isClosed, isDeleted; post dsq:id,
// thread dsq:id, parent dsq:id, message (HTML → Markdown), createdAt, isDeleted, isSpam, author name,
// email, username, isAnonymous. States: isSpam → spam, else isDeleted → deleted, else visible.
//
// On an error (refused or malformed XML) the records already sent stay sent: the error names the
// line, and a caller that wants all or nothing drops what it received.
#pragma once

#include <string>
#include <string_view>

#include "import/import_records.h"

namespace kring::server {

inline constexpr std::string_view kDisqusNamespace = "http://disqus.com";
inline constexpr std::string_view kDisqusInternalsNamespace = "http://disqus.com/disqus-internals";

ImportResult<ReadCounts> readDisqusFile(const std::string& path, const ImportSink& sink,
                                        const ReadOptions& options = {});
ImportResult<ReadCounts> readDisqusXml(std::string_view xml, const ImportSink& sink, const ReadOptions& options = {});

}  // namespace kring::server
