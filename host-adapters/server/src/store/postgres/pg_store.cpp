#include "store/postgres/pg_store.h"

#include <pqxx/pqxx>

#include <algorithm>

#include <stdexcept>

#include <unordered_set>
#include "store/part_stream.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_session.h"

namespace kring::server {

struct PgStore::Connection {
  explicit Connection(const std::string& url) : connection(url) {}
  pqxx::connection connection;
};

namespace {

// Binary data travels as arrays of hex text: one statement carries a whole batch of rows.
std::string hex(const std::uint8_t* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    text[2 * i] = kDigits[data[i] >> 4];
    text[2 * i + 1] = kDigits[data[i] & 15];
  }
  return text;
}
std::string hex(const Bytes& bytes) { return hex(bytes.data(), bytes.size()); }
std::string hex(const std::string& text) {
  return hex(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

// A PostgreSQL array literal of hex strings (which need no escaping; quoted so an empty one is allowed).
std::string hexArray(const std::vector<std::string>& values) {
  std::string literal = "{";
  for (const std::string& value : values) {
    if (literal.size() > 1) literal += ',';
    literal += '"';
    literal += value;
    literal += '"';
  }
  return literal + "}";
}

// A PostgreSQL array literal of any text: each element quoted, its quotes and backslashes escaped.
std::string textArray(const std::vector<std::string>& values) {
  std::string literal = "{";
  for (const std::string& value : values) {
    if (literal.size() > 1) literal += ',';
    literal += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  return literal + "}";
}

template <typename Number>
std::string numberArray(const std::vector<Number>& values) {
  std::string literal = "{";
  for (Number value : values) {
    if (literal.size() > 1) literal += ',';
    literal += std::to_string(value);
  }
  return literal + "}";
}

Bytes bytesOf(const pqxx::field& field) {
  pqxx::binarystring binary(field);
  return Bytes(binary.data(), binary.data() + binary.size());
}

ByteView viewOf(const pqxx::binarystring& binary) { return ByteView(binary.data(), binary.size()); }

// A bytea field as PostgreSQL sends it in text ("\\x" and hex), decoded into `buffer`: a start-up
// decodes a million parts, and this spares each an allocation of its own.
ByteView unhexInto(const pqxx::field& field, Bytes& buffer) {
  const char* text = field.c_str();
  std::size_t size = field.size();
  if (size < 2 || text[0] != '\\' || text[1] != 'x' || size % 2 != 0)
    throw std::runtime_error("a bytea field not in hex");
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::runtime_error("a bytea field not in hex");
  };
  buffer.resize((size - 2) / 2);
  for (std::size_t i = 0; i < buffer.size(); ++i) {
    buffer[i] = static_cast<std::uint8_t>(digit(text[2 + 2 * i]) << 4 | digit(text[3 + 2 * i]));
  }
  return ByteView(buffer.data(), buffer.size());
}

constexpr std::size_t kRowsPerStatement = 10'000;

}  // namespace

PgStore::PgStore(Key, std::string url, std::unique_ptr<Connection> connection)
    : url_(std::move(url)), connection_(std::move(connection)) {}

PgStore::~PgStore() = default;

Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& url) {
  try {
    auto connection = std::make_unique<Connection>(url);
    if (Status migrated = migratePgStore(connection->connection); !migrated) return migrated.error();
    return std::make_unique<PgStore>(Key{}, url, std::move(connection));
  } catch (const std::exception& e) {
    return Error{ReasonCode::storeUnavailable, e.what()};
  }
}

void PgStore::limitSessions(PgSessionLimits limits) {
  limits_ = std::move(limits);
  applySessionLimits(connection_->connection, limits_);
}

void PgStore::reconnect() {
  auto fresh = std::make_unique<Connection>(url_);
  applySessionLimits(fresh->connection, limits_);
  connection_ = std::move(fresh);
}

bool PgStore::connected() const { return connection_->connection.is_open(); }

PgStore::Sequenced PgStore::sequence(const std::string& siteId, std::vector<Op>& ops, Sequence after) {
  pqxx::work transaction(connection_->connection);
  // Takes the site's row lock: sequencing for one site is serial across every server, so the log
  // each server reads is always a prefix without holes.
  pqxx::row site = transaction.exec_params1(
      "INSERT INTO kring_sites(site, last_seq, last_time) VALUES ($1, 0, 0) "
      "ON CONFLICT (site) DO UPDATE SET site = excluded.site RETURNING last_seq, last_time",
      siteId);
  auto last = site[0].as<std::int64_t>();
  auto lastTime = site[1].as<std::int64_t>();
  if (static_cast<Sequence>(last) < after)
    throw std::runtime_error("the log of site " + siteId + " is behind this server");

  Sequenced result;
  if (static_cast<Sequence>(last) > after) {
    pqxx::result rows =
        transaction.exec_params("SELECT seq, op FROM kring_ops WHERE site = $1 AND seq > $2 ORDER BY seq", siteId,
                                static_cast<std::int64_t>(after));
    for (const pqxx::row& row : rows) result.before.emplace_back(row[0].as<std::int64_t>(), bytesOf(row[1]));
  }

  std::vector<std::string> ids;
  ids.reserve(ops.size());
  for (const Op& op : ops) ids.push_back(hex(op.id));
  std::unordered_set<std::string> stored;
  pqxx::result found = transaction.exec_params(
      "WITH wanted AS (SELECT decode(h, 'hex') AS id FROM unnest($2::text[]) AS h) "
      "SELECT encode(o.op_id, 'hex') FROM kring_ops o JOIN wanted w ON o.site = $1 AND o.op_id = w.id "
      "UNION ALL SELECT encode(c.op_id, 'hex') FROM kring_compacted_op_ids c JOIN wanted w ON c.site = $1 AND c.op_id "
      "= w.id",
      siteId, hexArray(ids));
  for (const pqxx::row& row : found) stored.insert(row[0].as<std::string>());

  std::vector<std::int64_t> sequences;
  std::vector<std::string> newIds, bodies;
  result.duplicate.assign(ops.size(), false);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (!stored.insert(ids[i]).second) {  // stored before, or earlier in this batch
      result.duplicate[i] = true;
      continue;
    }
    Op& op = ops[i];
    op.sequence = static_cast<Sequence>(++last);
    // Servers' clocks differ: the log's times never go back.
    lastTime = std::max<std::int64_t>(lastTime, op.time);
    op.time = lastTime;
    sequences.push_back(last);
    newIds.push_back(std::move(ids[i]));
    bodies.push_back(hex(encodeOp(op)));
  }
  if (!sequences.empty()) {
    transaction.exec_params0(
        "INSERT INTO kring_ops(site, seq, op_id, op) SELECT $1, s, decode(i, 'hex'), decode(o, 'hex') "
        "FROM unnest($2::bigint[], $3::text[], $4::text[]) AS t(s, i, o)",
        siteId, numberArray(sequences), hexArray(newIds), hexArray(bodies));
    transaction.exec_params0("UPDATE kring_sites SET last_seq = $2, last_time = $3 WHERE site = $1", siteId, last,
                             lastTime);
    transaction.exec_params("SELECT pg_notify($1, $2)", std::string(kPgOpsChannel), siteId);
  }
  transaction.commit();
  return result;
}

std::vector<std::pair<Sequence, Bytes>> PgStore::opsAfter(const std::string& siteId, Sequence after,
                                                          std::size_t limit) {
  pqxx::work transaction(connection_->connection);
  pqxx::result rows =
      transaction.exec_params("SELECT seq, op FROM kring_ops WHERE site = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                              siteId, static_cast<std::int64_t>(after), static_cast<std::int64_t>(limit));
  transaction.commit();
  std::vector<std::pair<Sequence, Bytes>> ops;
  ops.reserve(rows.size());
  for (const pqxx::row& row : rows) ops.emplace_back(row[0].as<std::int64_t>(), bytesOf(row[1]));
  return ops;
}

std::vector<std::pair<std::string, Sequence>> PgStore::lastSequences() {
  pqxx::work transaction(connection_->connection);
  pqxx::result rows = transaction.exec("SELECT site, last_seq FROM kring_sites");
  transaction.commit();
  std::vector<std::pair<std::string, Sequence>> sites;
  for (const pqxx::row& row : rows) sites.emplace_back(row[0].as<std::string>(), row[1].as<std::int64_t>());
  return sites;
}

bool PgStore::tryCheckpointLock(const std::string& siteId) {
  pqxx::nontransaction session(connection_->connection);
  return session.exec_params1("SELECT pg_try_advisory_lock(hashtext('kring-checkpoint:' || $1))", siteId)[0].as<bool>();
}

namespace {

void writeParts(pqxx::work& transaction, const std::string& siteId, const EncodedCheckpoint& checkpoint) {
  for (std::size_t from = 0; from < checkpoint.parts.size(); from += kRowsPerStatement) {
    std::size_t to = std::min(checkpoint.parts.size(), from + kRowsPerStatement);
    std::vector<int> kinds;
    std::vector<std::int64_t> indexes;
    std::vector<std::string> parts;
    for (std::size_t i = from; i < to; ++i) {
      kinds.push_back(static_cast<int>(checkpoint.parts[i].kind));
      indexes.push_back(checkpoint.parts[i].index);
      parts.push_back(hex(checkpoint.parts[i].bytes));
    }
    transaction.exec_params0(
        "INSERT INTO kring_checkpoint_parts(site, kind, idx, part) SELECT $1, k, i, decode(p, 'hex') "
        "FROM unnest($2::integer[], $3::bigint[], $4::text[]) AS t(k, i, p) "
        "ON CONFLICT (site, kind, idx) DO UPDATE SET part = excluded.part",
        siteId, numberArray(kinds), numberArray(indexes), hexArray(parts));
  }
}

void writeSitePart(pqxx::work& transaction, const std::string& siteId, const EncodedCheckpoint& checkpoint,
                   std::int64_t compacted) {
  const Bytes noModel;
  pqxx::binarystring sitePart(checkpoint.site.data(), checkpoint.site.size());
  pqxx::binarystring spamModel(checkpoint.spamModel ? checkpoint.spamModel->data() : noModel.data(),
                               checkpoint.spamModel ? checkpoint.spamModel->size() : 0);
  // The spam model part is kept when this checkpoint carries none: it did not change.
  transaction.exec_params0(
      "INSERT INTO kring_checkpoints(site, seq, compacted, site_part, spam_model) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT (site) DO UPDATE SET seq = excluded.seq, compacted = excluded.compacted, site_part = "
      "excluded.site_part, "
      "spam_model = CASE WHEN $6 THEN excluded.spam_model ELSE kring_checkpoints.spam_model END",
      siteId, static_cast<std::int64_t>(checkpoint.lastSequence), compacted, sitePart, spamModel,
      checkpoint.spamModel.has_value());
}

}  // namespace

void PgStore::importSite(const std::string& siteId, const EncodedCheckpoint& checkpoint) {
  pqxx::work transaction(connection_->connection);
  // The site's row is what sequencing continues from: written with the checkpoint, or not at all.
  pqxx::result created = transaction.exec_params(
      "INSERT INTO kring_sites(site, last_seq, last_time) VALUES ($1, $2, 0) ON CONFLICT (site) DO NOTHING "
      "RETURNING site",
      siteId, static_cast<std::int64_t>(checkpoint.lastSequence));
  pqxx::result held = transaction.exec_params("SELECT 1 FROM kring_checkpoints WHERE site = $1", siteId);
  if (created.empty() || !held.empty()) throw std::runtime_error("the store already holds site " + siteId);
  writeParts(transaction, siteId, checkpoint);
  writeSitePart(transaction, siteId, checkpoint, static_cast<std::int64_t>(checkpoint.lastSequence));
  transaction.commit();
}

void PgStore::writeOutbox(const std::vector<StoredOp>& ops, const std::vector<MemberContact>& contacts,
                          TimeMs oldestKept) {
  pqxx::work transaction(connection_->connection);
  for (const MemberContact& contact : contacts) {
    // A new address is a new chance: it is not undeliverable until its own server says so.
    transaction.exec_params0(
        "INSERT INTO member_contacts(site, member, email, language, updated_ms) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (site, member) DO UPDATE SET undeliverable = CASE WHEN member_contacts.email = excluded.email "
        "THEN member_contacts.undeliverable ELSE 0 END, email = excluded.email, language = excluded.language, "
        "updated_ms = excluded.updated_ms",
        contact.siteId, contact.memberId, contact.email, contact.language,
        static_cast<std::int64_t>(contact.updatedAt));
  }
  // Each table's rows in one statement, as arrays: a server writes every op's rows, thousands a second.
  std::vector<std::string> mailSite, mailRecipient, mailThread, mailPost, mailActor;
  std::vector<std::int64_t> mailSequence, mailKind, mailTime;
  std::vector<std::string> hookSite, hookUrl, hookType, hookSubject, hookThread;
  std::vector<std::int64_t> hookSequence, hookTime;
  for (const StoredOp& op : ops) {
    // An op replayed after a restart may be older than the done rows kept: they are not made again.
    if (op.time < oldestKept) continue;
    for (const NotificationIntent& intent : op.notifications) {
      mailSite.push_back(op.siteId);
      mailSequence.push_back(static_cast<std::int64_t>(op.sequence));
      mailRecipient.push_back(intent.recipientId);
      mailKind.push_back(static_cast<std::int64_t>(intent.kind));
      mailThread.push_back(intent.threadKey);
      mailPost.push_back(intent.postId);
      mailActor.push_back(intent.actorId);
      mailTime.push_back(static_cast<std::int64_t>(op.time));
    }
    for (const OutboxWebhook& webhook : op.webhooks) {
      hookSite.push_back(op.siteId);
      hookSequence.push_back(static_cast<std::int64_t>(op.sequence));
      hookUrl.push_back(webhook.url);
      hookType.push_back(webhook.type);
      hookSubject.push_back(webhook.subject);
      hookThread.push_back(webhook.threadKey);
      hookTime.push_back(static_cast<std::int64_t>(op.time));
    }
  }
  if (!mailSite.empty()) {
    transaction.exec_params0(
        "INSERT INTO outbox(site, seq, recipient, kind, thread_key, post_id, actor, created_ms, due_ms) "
        "SELECT site, seq, recipient, kind, thread_key, post_id, actor, created, created FROM "
        "unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[]) "
        "AS rows(site, seq, recipient, kind, thread_key, post_id, actor, created) ON CONFLICT DO NOTHING",
        textArray(mailSite), numberArray(mailSequence), textArray(mailRecipient), numberArray(mailKind),
        textArray(mailThread), textArray(mailPost), textArray(mailActor), numberArray(mailTime));
  }
  if (!hookSite.empty()) {
    transaction.exec_params0(
        "INSERT INTO webhook_deliveries(site, seq, url, type, subject, thread_key, created_ms, due_ms) "
        "SELECT site, seq, url, type, subject, thread_key, created, created FROM "
        "unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[]) "
        "AS rows(site, seq, url, type, subject, thread_key, created) ON CONFLICT DO NOTHING",
        textArray(hookSite), numberArray(hookSequence), textArray(hookUrl), textArray(hookType), textArray(hookSubject),
        textArray(hookThread), numberArray(hookTime));
  }
  transaction.commit();
}

void PgStore::saveCheckpoint(const std::string& siteId, const EncodedCheckpoint& checkpoint, Sequence compactUpTo,
                             LogErasure* erasure) {
  pqxx::work transaction(connection_->connection);
  writeParts(transaction, siteId, checkpoint);
  pqxx::result compactedRow =
      transaction.exec_params("SELECT compacted FROM kring_checkpoints WHERE site = $1", siteId);
  auto compacted = compactedRow.empty() ? std::int64_t{0} : compactedRow[0][0].as<std::int64_t>();
  const bool compacting = static_cast<std::int64_t>(compactUpTo) > compacted;
  if (compacting) {
    // The ids stay, so a retried op is still known.
    transaction.exec_params0(
        "INSERT INTO kring_compacted_op_ids(site, op_id) SELECT site, op_id FROM kring_ops WHERE site = $1 AND seq <= "
        "$2 "
        "ON CONFLICT DO NOTHING",
        siteId, static_cast<std::int64_t>(compactUpTo));
    transaction.exec_params0("DELETE FROM kring_ops WHERE site = $1 AND seq <= $2", siteId,
                             static_cast<std::int64_t>(compactUpTo));
    compacted = static_cast<std::int64_t>(compactUpTo);
  }
  writeSitePart(transaction, siteId, checkpoint, compacted);
  if (erasure) {
    std::vector<std::int64_t> covered;
    pqxx::result rows = transaction.exec_params("SELECT seq, op FROM kring_ops WHERE site = $1 AND seq <= $2", siteId,
                                                static_cast<std::int64_t>(checkpoint.lastSequence));
    for (const pqxx::row& row : rows) {
      pqxx::binarystring op(row[1]);
      if (erasure->covers(viewOf(op))) covered.push_back(row[0].as<std::int64_t>());
    }
    // The ids stay, as for compacted ops: a retry of one is still already_applied.
    transaction.exec_params0(
        "INSERT INTO kring_compacted_op_ids(site, op_id) SELECT site, op_id FROM kring_ops WHERE site = $1 "
        "AND seq = ANY($2::bigint[]) ON CONFLICT DO NOTHING",
        siteId, numberArray(covered));
    transaction.exec_params0("DELETE FROM kring_ops WHERE site = $1 AND seq = ANY($2::bigint[])", siteId,
                             numberArray(covered));
    erasure->removed = covered.size();
    // Their address, and what was still to be mailed to them, go with the rest.
    transaction.exec_params0("DELETE FROM member_contacts WHERE site = $1 AND member = $2", siteId, erasure->memberId);
    transaction.exec_params0("DELETE FROM outbox WHERE site = $1 AND recipient = $2", siteId, erasure->memberId);
    if (!covered.empty()) {
      // Ids up to the newest erased op may now be only among the compacted ones: start-up asks the store.
      transaction.exec_params0("UPDATE kring_checkpoints SET compacted = GREATEST(compacted, $2) WHERE site = $1",
                               siteId, *std::max_element(covered.begin(), covered.end()));
    }
  }
  transaction.commit();
  if (erasure) {
    // Dead row versions keep the bytes until their space is rewritten: VACUUM FULL rewrites the
    // tables from the live rows (it locks them for as long; erasures are rare).
    pqxx::nontransaction vacuum(connection_->connection);
    vacuum.exec0("VACUUM FULL kring_ops");
    vacuum.exec0("VACUUM FULL kring_checkpoint_parts");
    vacuum.exec0("VACUUM FULL kring_checkpoints");
    vacuum.exec0("VACUUM FULL member_contacts");
  } else if (compacting) {
    // Compaction leaves as many dead rows in the op log as it keeps live ones; before autovacuum
    // comes (a minute or more) every sequencing transaction probed their index entries too.
    pqxx::nontransaction vacuum(connection_->connection);
    vacuum.exec0("VACUUM kring_ops");
  }
}

std::optional<Result<Engine>> PgStore::loadCheckpoint(const std::string& siteId, Limits limits) {
  // One snapshot of the database for the site part and every part: another server may write the next
  // checkpoint meanwhile.
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> transaction(connection_->connection);
  pqxx::result site =
      transaction.exec_params("SELECT site_part, spam_model FROM kring_checkpoints WHERE site = $1", siteId);
  if (site.empty()) return std::nullopt;
  pqxx::binarystring sitePart(site[0][0]), spamModel(site[0][1]);
  Result<CheckpointLoader> loader = CheckpointLoader::begin(viewOf(sitePart), limits);
  if (!loader) return Result<Engine>(loader.error());
  if (Status spam = loader.value().setSpamModel(viewOf(spamModel)); !spam) return Result<Engine>(spam.error());
  Result<Engine> built = buildFromParts(loader.value(), [&](const EmitPart& emit) -> std::string {
    std::int64_t kind = -1, index = -1;
    Bytes buffer;
    try {
      for (;;) {
        pqxx::result rows = transaction.exec_params(
            "SELECT kind, idx, part FROM kring_checkpoint_parts WHERE site = $1 AND (kind, idx) > ($2, $3) "
            "ORDER BY kind, idx LIMIT $4",
            siteId, kind, index, static_cast<std::int64_t>(kRowsPerStatement));
        for (const pqxx::row& row : rows) {
          kind = row[0].as<std::int64_t>();
          index = row[1].as<std::int64_t>();
          if (!emit(kind, index, unhexInto(row[2], buffer))) return {};
        }
        if (rows.size() < kRowsPerStatement) return {};
      }
    } catch (const std::exception& e) {
      return std::string("postgresql: ") + e.what();
    }
  });
  transaction.commit();
  return built;
}

Sequence PgStore::compactedUpTo(const std::string& siteId) {
  pqxx::work transaction(connection_->connection);
  pqxx::result row = transaction.exec_params("SELECT compacted FROM kring_checkpoints WHERE site = $1", siteId);
  transaction.commit();
  return row.empty() ? 0 : static_cast<Sequence>(row[0][0].as<std::int64_t>());
}

void PgStore::forEachOpAfter(const std::string& siteId, Sequence after,
                             const std::function<void(Sequence, ByteView)>& visit) {
  for (;;) {
    auto ops = opsAfter(siteId, after, kRowsPerStatement);
    for (const auto& [sequence, bytes] : ops) {
      visit(sequence, ByteView(bytes.data(), bytes.size()));
      after = sequence;
    }
    if (ops.size() < kRowsPerStatement) return;
  }
}

std::vector<std::pair<Sequence, std::string>> PgStore::newestOpIds(const std::string& siteId, std::size_t limit) {
  pqxx::work transaction(connection_->connection);
  pqxx::result rows =
      transaction.exec_params("SELECT seq, op_id FROM kring_ops WHERE site = $1 ORDER BY seq DESC LIMIT $2", siteId,
                              static_cast<std::int64_t>(limit));
  transaction.commit();
  std::vector<std::pair<Sequence, std::string>> ids;
  for (const pqxx::row& row : rows) {
    pqxx::binarystring id(row[1]);
    ids.emplace_back(row[0].as<std::int64_t>(), id.str());
  }
  return ids;
}

}  // namespace kring::server
