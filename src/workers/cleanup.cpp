#include "workers/cleanup.hpp"

#include "cache/blocking_redis.hpp"
#include "db/partitions.hpp"
#include "external/storage.hpp"

namespace pend::workers {

namespace fs = std::filesystem;

namespace {

// One index set: the ids whose session key is gone are removed; returns how many.
constexpr const char* kPruneIndex = R"lua(
local removed = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', 'session:' .. id) == 0 then
    removed = removed + redis.call('SREM', KEYS[1], id)
  end
end
return removed
)lua";

}  // namespace

Cleanup::Cleanup(CleanupOptions options)
    : options_(std::move(options)),
      spec_{
          .name = "cleanup",
          .scope = Scope::cluster,
          .interval = options_.cleanup.interval,
          .jitter = options_.cleanup.interval / 20,
          .deadline = std::max(std::chrono::milliseconds{60'000}, options_.cleanup.interval / 2)} {
  if (!options_.now) options_.now = [] { return fs::file_time_type::clock::now(); };
}

RunReport Cleanup::run(RunContext& ctx) {
  RunReport report;
  if (options_.database.maintain_partitions) {
    const auto partitions =
        db::maintain_partitions(ctx.session(), options_.database.partition_months_ahead,
                                db::partition_policies(options_.database));
    report["partitions_created"] = partitions.created;
    report["partitions_dropped"] = static_cast<std::int64_t>(partitions.dropped.size());
    ctx.check();
  }
  const auto runs = ctx.session().exec(
      "WITH gone AS (DELETE FROM worker_runs WHERE started_at < now() - make_interval(days => $1) "
      "RETURNING 1) SELECT count(*) FROM gone",
      {std::to_string(options_.cleanup.worker_runs_retention_days)});
  report["worker_runs_deleted"] = std::stoll(runs.value(0, 0));
  ctx.check();
  // Sign-in codes are history the caps count over (the longest window is a day): kept two
  // days past their expiry. A challenge's nonce is worth nothing once it has expired.
  const auto codes = ctx.session().exec(
      "WITH gone AS (DELETE FROM auth_codes WHERE expires_at < now() - interval '2 days' "
      "RETURNING 1) SELECT count(*) FROM gone");
  report["auth_codes_deleted"] = std::stoll(codes.value(0, 0));
  const auto nonces = ctx.session().exec(
      "WITH gone AS (DELETE FROM auth_nonces WHERE expires_at < now() - interval '1 hour' "
      "RETURNING 1) SELECT count(*) FROM gone");
  report["auth_nonces_deleted"] = std::stoll(nonces.value(0, 0));
  ctx.check();

  report["kyc_documents_deleted"] = remove_expired_documents(ctx);
  ctx.check();

  if (options_.redis) report["session_index_entries_removed"] = remove_session_leftovers(ctx);
  ctx.check();

  const auto now = options_.now();
  report["upload_temp_files_removed"] = remove_files(
      options_.upload_dir / "tmp", now - options_.cleanup.upload_temp_max_age,
      [](const fs::path&) { return true; }, /*recursive=*/true);
  std::int64_t spool_leftovers = 0;
  std::error_code ec;
  for (fs::directory_iterator sink(options_.log_dir / "spool", ec), end; !ec && sink != end;
       sink.increment(ec)) {
    spool_leftovers += remove_files(
        sink->path(), now - std::chrono::hours(1),
        [](const fs::path& path) { return path.extension() == ".tmp"; }, /*recursive=*/false);
  }
  report["spool_temp_files_removed"] = spool_leftovers;
  report["dead_letter_files_removed"] = remove_files(
      options_.log_dir / "dead-letter",
      now - std::chrono::hours(24) * options_.cleanup.dead_letter_retention_days,
      [](const fs::path& path) {
        return path.extension() == ".jsonl" || path.extension() == ".rows";
      },
      /*recursive=*/false);
  return report;
}

std::int64_t Cleanup::remove_expired_documents(RunContext& ctx) {
  if (options_.storage_keys.keys.empty()) return 0;
  external::LocalStorage storage(options_.upload_dir, options_.storage_keys);
  const std::string days = std::to_string(options_.kyc_retention_days);
  std::int64_t removed = 0;
  while (true) {
    const auto due = ctx.session().exec(
        "SELECT d.id, d.storage_key, json_build_object('submission_id', d.submission_id, "
        "'user_id', d.user_id, 'kind', d.kind, 'status', d.status, 'size_bytes', d.size_bytes, "
        "'sha256', d.sha256, 'account_closed', u.status = 'closed')::text "
        "FROM kyc_documents d JOIN users u ON u.id = d.user_id "
        "WHERE (d.status IN ('rejected', 'superseded') AND "
        "  coalesce(d.superseded_at, d.decided_at) < now() - make_interval(days => $1::int)) "
        "OR (u.status = 'closed' AND u.updated_at < now() - make_interval(days => $1::int)) "
        "ORDER BY d.id LIMIT 500",
        {days});
    for (int i = 0; i < due.size(); ++i) {
      storage.remove(due.value(i, 1));  // gone already after an interrupted run: fine
      ctx.session().exec(
          "WITH gone AS (DELETE FROM kyc_documents WHERE id = $1::uuid RETURNING id) "
          "INSERT INTO admin_audit_logs (action, resource_type, resource_id, old_values, "
          "justification, outcome, timestamp) SELECT 'kyc.document_deleted', 'kyc_document', "
          "$1, $2::jsonb, 'retention: kyc.retention_days = ' || $3, 'allowed', now() FROM gone",
          {due.value(i, 0), due.value(i, 2), days});
      ++removed;
    }
    ctx.check();
    if (due.size() < 500) break;
  }
  return removed;
}

std::int64_t Cleanup::remove_session_leftovers(RunContext& ctx) {
  cache::BlockingRedis redis(*options_.redis, options_.redis_timeout);
  std::int64_t removed = 0;
  std::string cursor = "0";
  do {
    // SCAN, never KEYS: the index sets are found a page at a time.
    const auto page = redis.command({"SCAN", cursor, "MATCH", "sessions:*", "COUNT", "500"});
    if (page.type != cache::BlockingReply::Type::array || page.elements.size() != 2) break;
    cursor = page.elements[0].text;
    for (const auto& key : page.elements[1].elements) {
      removed += redis.command({"EVAL", kPruneIndex, "1", key.text}).integer;
    }
    ctx.check();
  } while (cursor != "0");
  return removed;
}

std::int64_t Cleanup::remove_files(const fs::path& dir, fs::file_time_type before,
                                   const std::function<bool(const fs::path&)>& matches,
                                   bool recursive) {
  std::int64_t removed = 0;
  std::error_code ec;
  const auto consider = [&](const fs::directory_entry& entry) {
    std::error_code error;
    if (!entry.is_regular_file(error) || !matches(entry.path())) return;
    const auto written = entry.last_write_time(error);
    if (!error && written < before && fs::remove(entry.path(), error)) ++removed;
  };
  // Errors end the walk of this directory (never the run): the iterators are advanced with
  // an error code, and what cannot be entered is skipped.
  constexpr auto kOptions = fs::directory_options::skip_permission_denied;
  if (recursive) {
    for (fs::recursive_directory_iterator it(dir, kOptions, ec), end; !ec && it != end;
         it.increment(ec)) {
      consider(*it);
    }
  } else {
    for (fs::directory_iterator it(dir, kOptions, ec), end; !ec && it != end; it.increment(ec)) {
      consider(*it);
    }
  }
  return removed;
}

}  // namespace pend::workers
