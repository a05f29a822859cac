// The cleanup worker (cluster-wide, hourly by default): what is past its time goes.
//   - partitions: this month and the configured months ahead created, months past each
//     table's retention dropped (database.*_retention_days; db/partitions.hpp);
//   - worker_runs older than cleanup.worker_runs_retention_days;
//   - sessions: Redis expires the sessions themselves; their ids left in the per-user and
//     per-admin index sets (sessions:{kind}:{id}) are removed;
//   - UPLOAD_DIR/tmp: partial uploads older than cleanup.upload_temp_max_age_hours;
//   - KYC documents rejected or superseded kyc.retention_days ago, and every document of an
//     account closed that long ago: the file, then the row with an audit row (a file goes
//     first, so a failure leaves a row to retry by, never a file nobody can find);
//   - LOG_DIR: a spool's temporary files that an interrupted append left (older than an hour;
//     whole spooled batches are removed by their sink once replayed), and dead-letter files
//     untouched for cleanup.dead_letter_retention_days.
// Each run reports how many of each it removed. One-time codes join the list with the
// sign-up flow that creates them.
#pragma once

#include "config/kyc.hpp"
#include "config/redis_endpoint.hpp"
#include "config/settings.hpp"
#include "workers/worker.hpp"

#include <filesystem>
#include <functional>
#include <optional>

namespace pend::workers {

struct CleanupOptions {
  config::DatabaseSettings database;
  config::CleanupSettings cleanup;
  std::optional<config::RedisEndpoint> redis;  // none: sessions are not looked at
  std::filesystem::path upload_dir;
  config::StorageKeys storage_keys;  // for the document store under upload_dir
  unsigned kyc_retention_days = 90;
  std::filesystem::path log_dir;
  std::chrono::milliseconds redis_timeout{2'000};
  // For tests: what "now" is for file ages.
  std::function<std::filesystem::file_time_type()> now;
};

class Cleanup final : public Worker {
 public:
  explicit Cleanup(CleanupOptions options);
  const WorkerSpec& spec() const override { return spec_; }
  RunReport run(RunContext& ctx) override;

 private:
  std::int64_t remove_session_leftovers(RunContext& ctx);
  std::int64_t remove_expired_documents(RunContext& ctx);
  // Regular files directly in dir matching `matches`, last written before `before`.
  std::int64_t remove_files(const std::filesystem::path& dir,
                            std::filesystem::file_time_type before,
                            const std::function<bool(const std::filesystem::path&)>& matches,
                            bool recursive);

  CleanupOptions options_;
  WorkerSpec spec_;
};

}  // namespace pend::workers
