// A site's threads, posts (with edit history and votes) and members as JSON, for the admin export.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>

#include "kring/site_records.h"

namespace kring::server {

boost::json::value exportJson(const SiteRecords& records);
// A member as the console and the export show them: {id, displayName, role, trustLevel, reputation,
// state, stateUntil, postCount, joinedAt, guest, roleAssigned, trustLevelGranted}.
boost::json::object memberJson(const MemberProfile& member);
// A post's own facts (no edit history or votes): {id, threadKey, parentId, authorId, body, createdAt,
// editedAt, state, heldReason, score, accepted, sequence, featured, flagScore, erased}.
boost::json::object postJson(const PostRecord& post);
// postJson with {edits: [{editorId, time, previousBody}], votes: [{memberId, direction}]}.
boost::json::object postWithHistoryJson(const PostRecord& post);
// {key, kind, title, authorId, createdAt, state}.
boost::json::object threadJson(const ThreadRecord& thread);
// The moderator actions and policy changes at [first, last) of the audit (every one by default),
// in order, each with its undo.
boost::json::array auditJson(const SiteRecords& records, std::size_t first = 0, std::size_t last = SIZE_MAX);

}  // namespace kring::server
