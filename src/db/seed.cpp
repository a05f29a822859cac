#include "db/seed.hpp"

#include "db/migrations.hpp"

#include <libpq-fe.h>
#include <sodium.h>

#include <memory>

namespace pend::db {
namespace {

constexpr std::size_t kMinimumPasswordLength = 12;

struct ConfigDefault {
  const char* key;
  const char* value;  // JSON
  const char* description;
};

// Operational switches the admin panel reads and changes; the code's defaults otherwise.
constexpr ConfigDefault kDefaults[] = {
    {"maintenance_mode", "false", "Answer app requests with 503 while true."},
    {"registration_open", "true", "Whether new phone sign-ups are accepted."},
    {"kyc.max_document_bytes", "10485760", "Largest KYC document upload, in bytes."},
    {"audit.approval_required_actions", R"(["user.suspend", "user.close", "kyc.override"])",
     "Admin actions that need a second admin's approval."},
};

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

ResultPtr run(PGconn* conn, const char* sql, std::initializer_list<const char*> params) {
  std::vector<const char*> values(params);
  ResultPtr result(PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr, values.data(),
                                nullptr, nullptr, 0),
                   &PQclear);
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw MigrationError(std::string{"seed failed: "} + PQresultErrorMessage(result.get()));
  }
  return result;
}

std::string hash_password(const std::string& password) {
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_MODERATE,
                        crypto_pwhash_MEMLIMIT_MODERATE) != 0) {
    throw MigrationError("seed failed: not enough memory to hash the admin password");
  }
  return hash;
}

}  // namespace

SeedReport seed(const std::string& database_url, const config::SeedSettings& settings) {
  if (sodium_init() < 0) throw MigrationError("libsodium failed to initialise");
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(database_url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw MigrationError(std::string{"cannot connect to PostgreSQL: "} +
                         PQerrorMessage(conn.get()));
  }
  SeedReport report;
  if (settings.admin_email.empty()) {
    report.admin = "skipped (ADMIN_EMAIL not set)";
  } else {
    const auto existing =
        run(conn.get(), "SELECT 1 FROM admin_users WHERE lower(email) = lower($1)",
            {settings.admin_email.c_str()});
    if (PQntuples(existing.get()) > 0) {
      report.admin = "exists";
    } else {
      if (settings.admin_password.size() < kMinimumPasswordLength) {
        throw MigrationError("ADMIN_PASSWORD must have at least 12 characters");
      }
      const std::string hash = hash_password(settings.admin_password);
      // ON CONFLICT: two deploys seeding at once create one admin.
      const auto created = run(conn.get(),
                               "INSERT INTO admin_users (email, display_name, password_hash, role)"
                               " VALUES ($1, 'Superadmin', $2, 'superadmin')"
                               " ON CONFLICT DO NOTHING RETURNING id",
                               {settings.admin_email.c_str(), hash.c_str()});
      report.admin = PQntuples(created.get()) > 0 ? "created" : "exists";
    }
  }
  for (const auto& row : kDefaults) {
    const auto inserted = run(conn.get(),
                              "INSERT INTO system_config (key, value, description)"
                              " VALUES ($1, $2::jsonb, $3) ON CONFLICT (key) DO NOTHING"
                              " RETURNING key",
                              {row.key, row.value, row.description});
    report.config_rows_created += PQntuples(inserted.get());
  }
  return report;
}

}  // namespace pend::db
