// Store versions: a store records the format of what it holds, and start-up brings an older store
// forward one step at a time, in one transaction (docs/operations.md, "Upgrades"). A store newer
// than this server is refused before anything is written to it.
//
// A format change (a table, the checkpoint's records, the op encoding) adds one step at the end of
// each store's list (sqlite_schema.cpp, pg_schema.cpp); the versions follow from the lists and
// kring.capnp, and nothing here changes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kring/reason.h"

namespace kring::server {

struct StoreVersions {
  std::uint32_t schema = 1;      // the tables and what they hold: one more with every step
  std::uint32_t checkpoint = 1;  // checkpoint records (kring.capnp snapshotFormatVersion)
  std::uint32_t op = 1;          // the op log's bodies, Op messages (kring.capnp protocolVersion)
  bool operator==(const StoreVersions&) const = default;
};

// The rows of the meta table.
constexpr const char* kSchemaVersionKey = "schema_version";
constexpr const char* kCheckpointFormatKey = "checkpoint_format";
constexpr const char* kOpFormatKey = "op_format";

// Every store kring-server wrote before stores recorded versions.
constexpr StoreVersions kUnversionedStore{};

// One step from schema version `from` to `from + 1`, run in the migration's transaction on the
// store's connection. A step that changes a format rewrites what the store holds in it.
template <typename Connection>
struct MigrationStep {
  std::uint32_t from = 0;
  const char* change = "";  // what it changes, for the log
  std::function<void(Connection&)> run;
};

// The versions this server writes when its store has `steps` steps: schema 1 + steps, the formats kring.capnp's.
StoreVersions versionsWritten(std::size_t steps);

// Ok, or why this server must not open a store of `stored` versions (unsupported_version: it is
// newer; or a format changed without a step to migrate it), naming the store's version and this server's.
Status refusal(const StoreVersions& stored, const StoreVersions& written);
// Logs `store_too_new` (or `store_not_migratable`) with both versions; `store` names the kind of store.
void logRefusal(const char* store, const StoreVersions& stored, const StoreVersions& written);
// Logs `store_migrated` with the versions before and after and what the steps changed.
void logMigrated(const char* store, const StoreVersions& from, const StoreVersions& to, const std::string& changes);

// The versions after the last step, checking the steps go 1, 2, 3 … without gaps.
template <typename Connection>
StoreVersions checkedVersions(const std::vector<MigrationStep<Connection>>& steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].from != i + 1) throw std::logic_error("store migration steps must go 1, 2, 3 … without gaps");
  }
  return versionsWritten(steps.size());
}

// Runs the steps from schema version `from` on, in order; returns what they changed, for the log.
template <typename Connection>
std::string runSteps(Connection& connection, const std::vector<MigrationStep<Connection>>& steps, std::uint32_t from) {
  std::string changes;
  for (const auto& step : steps) {
    if (step.from < from) continue;
    step.run(connection);
    if (!changes.empty()) changes += "; ";
    changes += step.change;
  }
  return changes;
}

}  // namespace kring::server
