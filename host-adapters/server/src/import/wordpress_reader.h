// A WordPress export (WXR 1.2, 1.1 or 1.0: RSS 2.0 with the `wp:` namespace) read as a stream: each
// <item> is a thread, sent as it ends; each of its <wp:comment>s a post, sent as it ends (so before
// its thread). Nothing of the document is kept but the element being read.
//
// Threads: wp:post_id, link, title; wp:comment_status "closed" → closed, wp:status "trash" → deleted.
// Posts: wp:comment_id (ids are unique per site, so per file), wp:comment_parent ("0" = top level),
// wp:comment_author, wp:comment_author_email, wp:comment_date_gmt (UTC), wp:comment_content
// (wpautop text: blank lines are paragraphs), wp:comment_user_id ("0" or none = a guest, anonymous),
// wp:comment_approved: "1" → visible, "0" → held, "spam" → spam, "trash"/"post-trashed" → deleted.
// Pingbacks and trackbacks are skipped and counted (ReadCounts::skipped).
//
// On an error the records already sent stay sent, as with Disqus (disqus_reader.h).
#pragma once

#include <string>
#include <string_view>

#include "import/import_records.h"

namespace kring::server {

// The WXR namespaces read; anything else under `wp:` is another format.
bool isWordPressNamespace(std::string_view uri);

ImportResult<ReadCounts> readWordPressFile(const std::string& path, const ImportSink& sink,
                                           const ReadOptions& options = {});
ImportResult<ReadCounts> readWordPressXml(std::string_view xml, const ImportSink& sink,
                                          const ReadOptions& options = {});

}  // namespace kring::server
