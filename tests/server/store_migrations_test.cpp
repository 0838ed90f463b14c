// The rules every store's migration follows (store_migrations.h), without a store: which versions
// are refused with what, and that steps go one version at a time.
#include <catch2/catch.hpp>

#include "store/store_migrations.h"

using namespace kring::server;

TEST_CASE("a store newer than this server in any version is refused naming both versions", "[server][upgrade]") {
  const StoreVersions written{2, 1, 1};
  CHECK(refusal(written, written));
  CHECK(refusal(kUnversionedStore, written));  // older: migrated, not refused
  auto schema = refusal({3, 1, 1}, written);
  REQUIRE_FALSE(schema);
  CHECK(schema.error().code == kring::ReasonCode::unsupportedVersion);
  CHECK(schema.error().message.find("schema_version is 3, newer than this kring-server's 2") != std::string::npos);
  auto checkpoint = refusal({2, 4, 1}, written);
  REQUIRE_FALSE(checkpoint);
  CHECK(checkpoint.error().message.find("checkpoint_format is 4, newer than this kring-server's 1") !=
        std::string::npos);
}

TEST_CASE("a format this build changed without a migration step is refused rather than misread", "[server][upgrade]") {
  // The checkpoint format went to 2 but the schema did not move: no step rewrote the stored checkpoint.
  auto refused = refusal({2, 1, 1}, {2, 2, 1});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("no migration step") != std::string::npos);
  // With a step (schema 3) the same store is migrated.
  CHECK(refusal({2, 1, 1}, {3, 2, 1}));
}

TEST_CASE("migration steps run in order from the store's version and may not skip one", "[server][upgrade]") {
  std::vector<int> ran;
  std::vector<MigrationStep<std::vector<int>>> steps{
      {1, "one", [](std::vector<int>& log) { log.push_back(1); }},
      {2, "two", [](std::vector<int>& log) { log.push_back(2); }},
      {3, "three", [](std::vector<int>& log) { log.push_back(3); }},
  };
  CHECK(checkedVersions(steps).schema == 4);
  CHECK(runSteps(ran, steps, 2) == "two; three");
  CHECK(ran == std::vector<int>{2, 3});
  steps.erase(steps.begin() + 1);
  CHECK_THROWS_AS(checkedVersions(steps), std::logic_error);
}
