#include "db/migrations.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>

namespace pend::db {
namespace {

// Any fixed 64-bit number, shared by every pend-server: "migrations in progress".
constexpr const char* kLockKey = "7425700110001";

std::string sha256_hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

struct Applied {
  std::string name;
  std::string checksum;
  std::string applied_at;
  long long duration_ms;
};

std::map<int, Applied> read_applied(BlockingSession& session) {
  session.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY,"
      " name TEXT NOT NULL,"
      " checksum CHAR(64) NOT NULL,"
      " applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),"
      " duration_ms INTEGER NOT NULL)");
  const auto rows = session.exec(
      "SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC',"
      " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), duration_ms FROM schema_migrations ORDER BY version");
  std::map<int, Applied> applied;
  for (int row = 0; row < rows.size(); ++row) {
    applied[std::stoi(rows.value(row, 0))] = Applied{
        rows.value(row, 1), rows.value(row, 2), rows.value(row, 3), std::stoll(rows.value(row, 4))};
  }
  return applied;
}

std::string label(int version, const std::string& name) {
  char number[16];
  std::snprintf(number, sizeof number, "%03d", version);
  return std::string{number} + "_" + name;
}

// Refuses to go on when the applied history and the files disagree.
void verify(const std::map<int, Applied>& applied, const std::vector<MigrationFile>& files) {
  std::vector<std::string> problems;
  for (const auto& [version, record] : applied) {
    const auto file =
        std::find_if(files.begin(), files.end(),
                     [v = version](const MigrationFile& f) { return f.version == v; });
    if (file == files.end()) {
      problems.push_back("migration " + label(version, record.name) +
                         " is applied but its file is missing");
    } else if (file->checksum != record.checksum) {
      problems.push_back("migration " + label(version, record.name) +
                         ".sql was changed after it was applied (checksum " +
                         record.checksum.substr(0, 12) + " applied, " +
                         file->checksum.substr(0, 12) + " now); add a new migration instead");
    }
  }
  const int newest = applied.empty() ? 0 : applied.rbegin()->first;
  for (const auto& file : files) {
    if (!applied.contains(file.version) && file.version < newest) {
      problems.push_back("migration " + label(file.version, file.name) +
                         ".sql is older than the newest applied one and was never applied");
    }
  }
  if (problems.empty()) return;
  std::string message = "refusing to migrate:";
  for (const auto& p : problems) message += "\n  " + p;
  throw MigrationError(message);
}

}  // namespace

std::vector<MigrationFile> load_migrations(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) {
    throw MigrationError("no migrations directory at " + dir.string());
  }
  static const std::regex kName(R"(^(\d{3})_([a-z0-9_]+)\.sql$)");
  std::vector<MigrationFile> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto filename = entry.path().filename().string();
    if (entry.path().extension() != ".sql") continue;
    std::smatch match;
    if (!std::regex_match(filename, match, kName)) {
      throw MigrationError("migration file name must be NNN_name.sql: " + filename);
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    MigrationFile file{std::stoi(match[1]), match[2], text.str(), {}};
    file.checksum = sha256_hex(file.sql);
    files.push_back(std::move(file));
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].version == files[i - 1].version) {
      throw MigrationError("two migrations share version " + std::to_string(files[i].version));
    }
  }
  return files;
}

Migrator::Migrator(std::string database_url) : database_url_(std::move(database_url)) {
  if (sodium_init() < 0) throw MigrationError("libsodium failed to initialise");
}

MigrationRun Migrator::up(const std::vector<MigrationFile>& files) {
  BlockingSession session(database_url_);
  // Session-level lock: held across the per-file transactions, released when we are done
  // (or when the connection dies).
  session.exec(std::string{"SELECT pg_advisory_lock("} + kLockKey + ")");
  MigrationRun run;
  const auto applied = read_applied(session);
  verify(applied, files);
  for (const auto& file : files) {
    if (applied.contains(file.version)) continue;
    const auto started = std::chrono::steady_clock::now();
    session.exec("BEGIN");
    try {
      session.exec(file.sql);
      const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - started)
                                .count();
      session.exec(
          "INSERT INTO schema_migrations (version, name, checksum, duration_ms) "
          "VALUES ($1, $2, $3, $4)",
          {std::to_string(file.version), file.name, file.checksum, std::to_string(duration)});
      session.exec("COMMIT");
      run.applied.push_back({file.version, file.name, "applied", "", duration});
    } catch (const DatabaseError& error) {
      try {
        session.exec("ROLLBACK");
      } catch (const DatabaseError&) {
        // The connection is gone; PostgreSQL rolls back on its own.
      }
      throw MigrationError("migration " + label(file.version, file.name) +
                               ".sql failed and was rolled back: " + error.what(),
                           error.sqlstate());
    }
  }
  session.exec(std::string{"SELECT pg_advisory_unlock("} + kLockKey + ")");
  return run;
}

std::vector<MigrationStatus> Migrator::status(const std::vector<MigrationFile>& files) {
  BlockingSession session(database_url_);
  const auto applied = read_applied(session);
  std::vector<MigrationStatus> out;
  for (const auto& file : files) {
    const auto it = applied.find(file.version);
    if (it == applied.end()) {
      out.push_back({file.version, file.name, "pending", "", 0});
    } else {
      out.push_back({file.version, file.name,
                     it->second.checksum == file.checksum ? "applied" : "changed",
                     it->second.applied_at, it->second.duration_ms});
    }
  }
  for (const auto& [version, record] : applied) {
    const bool has_file =
        std::any_of(files.begin(), files.end(),
                    [v = version](const MigrationFile& f) { return f.version == v; });
    if (!has_file) {
      out.push_back({version, record.name, "missing file", record.applied_at, record.duration_ms});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  return out;
}

}  // namespace pend::db
