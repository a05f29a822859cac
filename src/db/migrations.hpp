// Schema migrations: migrations/NNN_name.sql applied in order, each in its own transaction,
// recorded in schema_migrations (version, name, sha256 checksum, applied_at, duration_ms).
// A PostgreSQL advisory lock serializes migrators, so instances starting together are safe;
// a file changed after it was applied stops everything. This runs from the CLI
// (`pend-server migrate`, `serve --migrate`) before serving, so it uses libpq's blocking API.
//
//   auto files = load_migrations("migrations");
//   Migrator migrator(settings.database.url);
//   MigrationRun run = migrator.up(files);   // throws MigrationError, DatabaseError
#pragma once

#include "db/blocking_session.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace pend::db {

// The history and the files disagree, a file is malformed, or a file failed and was rolled back.
class MigrationError : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;
};

struct MigrationFile {
  int version;
  std::string name;  // "initial_schema"
  std::string sql;
  std::string checksum;  // sha256 of the file, lowercase hex
};

// Reads dir/NNN_name.sql in version order. Throws MigrationError on a malformed file name or
// a duplicate version.
std::vector<MigrationFile> load_migrations(const std::filesystem::path& dir);

struct MigrationStatus {
  int version;
  std::string name;
  std::string state;       // "applied", "pending", "changed", "missing file"
  std::string applied_at;  // empty unless applied
  long long duration_ms = 0;
};

struct MigrationRun {
  std::vector<MigrationStatus> applied;  // what this run applied
};

class Migrator {
 public:
  explicit Migrator(std::string database_url);

  MigrationRun up(const std::vector<MigrationFile>& files);
  std::vector<MigrationStatus> status(const std::vector<MigrationFile>& files);

 private:
  std::string database_url_;
};

}  // namespace pend::db
