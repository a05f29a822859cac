#include "db/seed.hpp"

#include "db/blocking_session.hpp"
#include "security/password.hpp"

#include <sodium.h>

#include <memory>

namespace pend::db {
namespace {

constexpr std::size_t kMinimumPasswordLength = 12;

struct ConfigDefault {
  const char* key;
  const char* value;  // JSON
  const char* description;
  bool is_public;  // readable by the app before sign-in (GET /api/v1/config)
};

// Operational switches the admin panel reads and changes; the code's defaults otherwise.
constexpr ConfigDefault kDefaults[] = {
    {"maintenance_mode", "false", "Answer app requests with 503 while true.", true},
    {"registration_open", "true", "Whether new phone sign-ups are accepted.", true},
    {"kyc.max_document_bytes", "10485760", "Largest KYC document upload, in bytes.", true},
    {"audit.approval_required_actions", R"(["user.suspend", "user.close", "kyc.override"])",
     "Admin actions that need a second admin's approval.", false},
};

}  // namespace

SeedReport seed(const std::string& database_url, const config::SeedSettings& settings) {
  if (sodium_init() < 0) throw DatabaseError("libsodium failed to initialise");
  BlockingSession session(database_url);
  SeedReport report;
  if (settings.admin_email.empty()) {
    report.admin = "skipped (ADMIN_EMAIL not set)";
  } else {
    const auto existing = session.exec("SELECT 1 FROM admin_users WHERE lower(email) = lower($1)",
                                       {settings.admin_email});
    if (existing.size() > 0) {
      report.admin = "exists";
    } else {
      if (settings.admin_password.size() < kMinimumPasswordLength) {
        throw DatabaseError("ADMIN_PASSWORD must have at least 12 characters");
      }
      const std::string hash = security::hash_password(settings.admin_password);
      // ON CONFLICT: two deploys seeding at once create one admin.
      const auto created = session.exec(
          "INSERT INTO admin_users (email, display_name, password_hash, role)"
          " VALUES ($1, 'Superadmin', $2, 'superadmin')"
          " ON CONFLICT DO NOTHING RETURNING id",
          {settings.admin_email, hash});
      report.admin = created.size() > 0 ? "created" : "exists";
    }
  }
  for (const auto& row : kDefaults) {
    const auto inserted = session.exec(
        "INSERT INTO system_config (key, value, description, public)"
        " VALUES ($1, $2::jsonb, $3, $4) ON CONFLICT (key) DO NOTHING"
        " RETURNING key",
        {row.key, row.value, row.description, row.is_public ? "true" : "false"});
    report.config_rows_created += inserted.size();
  }
  return report;
}

}  // namespace pend::db
