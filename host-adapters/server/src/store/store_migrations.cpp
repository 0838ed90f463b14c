#include "store/store_migrations.h"

#include "kring/schema/kring.capnp.h"
#include "observe/logging.h"

namespace kring::server {

StoreVersions versionsWritten(std::size_t steps) {
  return {static_cast<std::uint32_t>(1 + steps), wire::SNAPSHOT_FORMAT_VERSION, wire::PROTOCOL_VERSION};
}

namespace {

struct Field {
  const char* name;
  std::uint32_t StoreVersions::*version;
};
constexpr Field kFields[] = {{kSchemaVersionKey, &StoreVersions::schema},
                             {kCheckpointFormatKey, &StoreVersions::checkpoint},
                             {kOpFormatKey, &StoreVersions::op}};

// The first version the store has newer than this server's.
const Field* newer(const StoreVersions& stored, const StoreVersions& written) {
  for (const Field& field : kFields) {
    if (stored.*field.version > written.*field.version) return &field;
  }
  return nullptr;
}

// A format this server writes newer than the store's while the schema is this server's: the format
// changed without a step to migrate it (a mistake in this build, not in the store).
const Field* unmigrated(const StoreVersions& stored, const StoreVersions& written) {
  if (stored.schema != written.schema) return nullptr;
  for (const Field& field : kFields) {
    if (stored.*field.version != written.*field.version) return &field;
  }
  return nullptr;
}

}  // namespace

Status refusal(const StoreVersions& stored, const StoreVersions& written) {
  const auto refuse = [](std::string message) { return Error{ReasonCode::unsupportedVersion, std::move(message)}; };
  if (const Field* field = newer(stored, written)) {
    return refuse("the store's " + std::string(field->name) + " is " + std::to_string(stored.*field->version) +
                  ", newer than this kring-server's " + std::to_string(written.*field->version) +
                  ": it was written by a newer kring-server. Run that one, or restore a backup taken before it "
                  "(there is no downgrade)");
  }
  if (const Field* field = unmigrated(stored, written)) {
    return refuse("the store's " + std::string(field->name) + " is " + std::to_string(stored.*field->version) +
                  " but this kring-server writes " + std::to_string(written.*field->version) +
                  " and has no migration step for it (both at schema_version " + std::to_string(written.schema) + ")");
  }
  return std::monostate{};
}

void logRefusal(const char* store, const StoreVersions& stored, const StoreVersions& written) {
  const Field* field = newer(stored, written);
  const bool tooNew = field != nullptr;
  if (!field) field = unmigrated(stored, written);
  if (!field) return;
  std::string storedVersion = std::to_string(stored.*field->version);
  std::string known = std::to_string(written.*field->version);
  logEvent("fatal", tooNew ? "store_too_new" : "store_not_migratable",
           {{"store", store},
            {"version", field->name},
            {"stored", storedVersion},
            {"known", known},
            {"error", refusal(stored, written).error().message}});
}

void logMigrated(const char* store, const StoreVersions& from, const StoreVersions& to, const std::string& changes) {
  logEvent("info", "store_migrated",
           {{"store", store},
            {"from", std::to_string(from.schema)},
            {"to", std::to_string(to.schema)},
            {"checkpointFormatFrom", std::to_string(from.checkpoint)},
            {"checkpointFormatTo", std::to_string(to.checkpoint)},
            {"opFormatFrom", std::to_string(from.op)},
            {"opFormatTo", std::to_string(to.op)},
            {"changes", changes}});
}

}  // namespace kring::server
