#include "workers/lease.hpp"

#include "logging/logger.hpp"

namespace pend::workers {

namespace {

// pg_advisory_lock(int4, int4): this class, then the worker's key. Fixed forever: instances
// of different versions must agree.
constexpr std::int32_t kWorkerLockClass = 0x70656E64;  // "pend"

}  // namespace

std::string with_keepalives(const std::string& database_url) {
  return db::with_default_parameters(
      database_url,
      {{"connect_timeout", "3"},
       // This side notices a silent server ...
       {"keepalives", "1"},
       {"keepalives_idle", "5"},
       {"keepalives_interval", "2"},
       {"keepalives_count", "2"},
       {"tcp_user_timeout", "9000"},
       // ... and the server a silent client, ending its session and releasing its locks (the
       // server's own defaults wait two hours). "-c name=value" settings, percent-encoded.
       {"options",
        "-c%20tcp_keepalives_idle%3D5%20-c%20tcp_keepalives_interval%3D2%20-c%20"
        "tcp_keepalives_count%3D2%20-c%20tcp_user_timeout%3D9000"}});
}

std::int32_t AdvisoryLease::key_of(std::string_view name) {
  std::uint32_t hash = 2166136261u;  // FNV-1a: stable across builds and platforms
  for (const char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return static_cast<std::int32_t>(hash);
}

AdvisoryLease::AdvisoryLease(const std::string& database_url, std::string name)
    : url_(with_keepalives(database_url)), name_(std::move(name)) {}

AdvisoryLease::~AdvisoryLease() = default;

void AdvisoryLease::lose(const char* reason) {
  if (held_) {
    logging::warn("GENERAL", "WORKER_LEADERSHIP_LOST", "gave up a cluster-wide worker",
                  {{"worker", name_}, {"reason", reason}});
  }
  held_ = false;
  session_.reset();
}

bool AdvisoryLease::hold() {
  try {
    if (held_) {
      session_->exec("SELECT 1");  // the session, and so the lock, is still there
      return true;
    }
    if (!session_) session_ = std::make_unique<db::BlockingSession>(url_);
    const auto taken =
        session_->exec("SELECT pg_try_advisory_lock($1, $2)",
                       {std::to_string(kWorkerLockClass), std::to_string(key_of(name_))});
    held_ = taken.value(0, 0) == "t";
    if (held_) {
      logging::info("GENERAL", "WORKER_LEADERSHIP_TAKEN", "running a cluster-wide worker here",
                    {{"worker", name_}});
    }
    return held_;
  } catch (const db::DatabaseError& error) {
    lose(error.what());
    return false;
  }
}

}  // namespace pend::workers
