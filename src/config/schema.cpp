#include "config/schema.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>

namespace pend::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Builders for the table: each binds a key to one Settings field.
template <typename Section, typename Field>
Key string_key(std::string_view path, std::string_view env, Section Settings::*section,
               Field Section::*field, std::string_view help, bool secret = false) {
  return {path,
          env,
          Kind::string,
          0,
          0,
          secret,
          help,
          [=](Settings& s, const Value& v) { s.*section.*field = std::get<std::string>(v); },
          [=](const Settings& s) -> Value { return s.*section.*field; }};
}

template <typename Section>
Key bool_key(std::string_view path, std::string_view env, Section Settings::*section,
             bool Section::*field, std::string_view help) {
  return {path,
          env,
          Kind::boolean,
          0,
          0,
          false,
          help,
          [=](Settings& s, const Value& v) { s.*section.*field = std::get<bool>(v); },
          [=](const Settings& s) -> Value { return s.*section.*field; }};
}

// Integers and durations (a count of the duration's unit) share one representation.
template <typename T>
std::int64_t to_integer(const T& value) {
  if constexpr (requires { value.count(); }) {
    return static_cast<std::int64_t>(value.count());
  } else {
    return static_cast<std::int64_t>(value);
  }
}

template <typename T>
T from_integer(std::int64_t number) {
  if constexpr (requires { T{}.count(); }) {
    return T{number};
  } else {
    return static_cast<T>(number);
  }
}

template <typename Section, typename Field>
Key int_key(std::string_view path, std::string_view env, Section Settings::*section,
            Field Section::*field, std::int64_t min, std::int64_t max, std::string_view help) {
  return {path,
          env,
          Kind::integer,
          min,
          max,
          false,
          help,
          [=](Settings& s, const Value& v) {
            s.*section.*field = from_integer<Field>(std::get<std::int64_t>(v));
          },
          [=](const Settings& s) -> Value { return to_integer(s.*section.*field); }};
}

template <typename Section>
Key list_key(std::string_view path, std::string_view env, Section Settings::*section,
             std::vector<std::string> Section::*field, std::string_view help, bool secret = false) {
  return {path,
          env,
          Kind::string_list,
          0,
          0,
          secret,
          help,
          [=](Settings& s, const Value& v) {
            s.*section.*field = std::get<std::vector<std::string>>(v);
          },
          [=](const Settings& s) -> Value { return s.*section.*field; }};
}

constexpr std::int64_t kDay = 24 * 3600 * 1000;

const std::vector<Key>& table() {
  static const std::vector<Key> keys = {
      string_key("server.host", "PEND_SERVER_HOST", &Settings::server, &ServerSettings::host,
                 "address to listen on"),
      int_key("server.port", "PORT", &Settings::server, &ServerSettings::port, 0, 65535,
              "port to listen on; 0 picks a free one"),
      int_key("server.threads", "PEND_SERVER_THREADS", &Settings::server, &ServerSettings::threads,
              0, 256, "event loops (shards); 0 means one per core"),
      int_key("server.max_connections", "PEND_SERVER_MAX_CONNECTIONS", &Settings::server,
              &ServerSettings::max_connections, 1, 1'000'000,
              "open connections above which new ones get 503"),
      int_key("server.max_connections_per_ip", "PEND_SERVER_MAX_CONNECTIONS_PER_IP",
              &Settings::server, &ServerSettings::max_connections_per_ip, 0, 1'000'000,
              "open connections one client address may hold (503 above; 0: no cap; trusted "
              "proxies are not counted)"),
      int_key("server.header_limit_bytes", "PEND_SERVER_HEADER_LIMIT_BYTES", &Settings::server,
              &ServerSettings::header_limit_bytes, 1024, 1024 * 1024,
              "largest request head (431 above)"),
      int_key("server.body_limit_bytes", "PEND_SERVER_BODY_LIMIT_BYTES", &Settings::server,
              &ServerSettings::body_limit_bytes, 1, 1024 * 1024 * 1024,
              "largest request body (413 above)"),
      int_key("server.header_timeout_ms", "PEND_SERVER_HEADER_TIMEOUT_MS", &Settings::server,
              &ServerSettings::header_timeout, 1, kDay, "time allowed for a whole request head"),
      int_key("server.body_timeout_ms", "PEND_SERVER_BODY_TIMEOUT_MS", &Settings::server,
              &ServerSettings::body_timeout, 1, kDay, "time allowed for a request body"),
      int_key("server.first_byte_timeout_ms", "PEND_SERVER_FIRST_BYTE_TIMEOUT_MS",
              &Settings::server, &ServerSettings::first_byte_timeout, 1, kDay,
              "a new connection's wait for its first byte (silent ones are closed)"),
      int_key("server.idle_timeout_ms", "PEND_SERVER_IDLE_TIMEOUT_MS", &Settings::server,
              &ServerSettings::idle_timeout, 1, kDay, "keep-alive wait for the next request"),
      int_key("server.write_timeout_ms", "PEND_SERVER_WRITE_TIMEOUT_MS", &Settings::server,
              &ServerSettings::write_timeout, 1, kDay, "time allowed to write a response"),
      int_key("server.shutdown_timeout_ms", "PEND_SERVER_SHUTDOWN_TIMEOUT_MS", &Settings::server,
              &ServerSettings::shutdown_timeout, 1, kDay, "drain deadline after SIGTERM"),
      int_key("server.request_timeout_ms", "PEND_SERVER_REQUEST_TIMEOUT_MS", &Settings::server,
              &ServerSettings::request_timeout, 1, kDay,
              "a handler's budget; database work past it is cancelled (503)"),
      list_key("server.trusted_proxies", "PEND_SERVER_TRUSTED_PROXIES", &Settings::server,
               &ServerSettings::trusted_proxies,
               "CIDRs whose Forwarded / X-Forwarded-For / X-Forwarded-Proto are believed "
               "(none by default)"),
      bool_key("server.hsts_always", "PEND_SERVER_HSTS_ALWAYS", &Settings::server,
               &ServerSettings::hsts_always,
               "send HSTS on every response (else only when the client used TLS)"),
      int_key("server.work_threads", "PEND_SERVER_WORK_THREADS", &Settings::server,
              &ServerSettings::work_threads, 1, 256,
              "threads for work kept off the event loops (SMS calls, password hashing)"),
      string_key("server.instance_name", "SERVER_INSTANCE", &Settings::server,
                 &ServerSettings::instance_name, "this instance's name in logs and metrics"),
      list_key("cors.allowed_origins", "PEND_CORS_ALLOWED_ORIGINS", &Settings::cors,
               &CorsSettings::allowed_origins, "origins allowed cross-origin access, or *"),
      list_key("cors.allowed_headers", "PEND_CORS_ALLOWED_HEADERS", &Settings::cors,
               &CorsSettings::allowed_headers, "request headers a preflight may allow"),
      list_key("cors.exposed_headers", "PEND_CORS_EXPOSED_HEADERS", &Settings::cors,
               &CorsSettings::exposed_headers, "response headers scripts may read"),
      bool_key("cors.allow_credentials", "PEND_CORS_ALLOW_CREDENTIALS", &Settings::cors,
               &CorsSettings::allow_credentials, "allow cookies and credentials"),
      int_key("cors.max_age_seconds", "PEND_CORS_MAX_AGE_SECONDS", &Settings::cors,
              &CorsSettings::max_age, 0, 86400, "how long browsers may cache a preflight"),
      string_key("database.url", "DATABASE_URL", &Settings::database, &DatabaseSettings::url,
                 "PostgreSQL URL: postgresql://user:password@host:port/db", true),
      int_key("database.pool_min_connections", "PEND_DATABASE_POOL_MIN_CONNECTIONS",
              &Settings::database, &DatabaseSettings::pool_min_connections, 0, 1000,
              "connections each shard keeps open"),
      int_key("database.pool_max_connections", "PEND_DATABASE_POOL_MAX_CONNECTIONS",
              &Settings::database, &DatabaseSettings::pool_max_connections, 1, 1000,
              "most connections each shard opens"),
      int_key("database.pool_coalesce_at", "PEND_DATABASE_POOL_COALESCE_AT", &Settings::database,
              &DatabaseSettings::pool_coalesce_at, 1, 1000,
              "connections of a shard carrying single statements before the next ones queue "
              "and go pipelined together"),
      int_key("database.acquire_timeout_ms", "PEND_DATABASE_ACQUIRE_TIMEOUT_MS",
              &Settings::database, &DatabaseSettings::acquire_timeout, 1, 600'000,
              "wait for a free pooled connection before answering 503"),
      int_key("database.connect_timeout_ms", "PEND_DATABASE_CONNECT_TIMEOUT_MS",
              &Settings::database, &DatabaseSettings::connect_timeout, 1, 600'000,
              "bound on opening one connection"),
      int_key("database.statement_timeout_ms", "PEND_DATABASE_STATEMENT_TIMEOUT_MS",
              &Settings::database, &DatabaseSettings::statement_timeout, 1, kDay,
              "default statement timeout, enforced by the server"),
      int_key("database.reconnect_max_ms", "PEND_DATABASE_RECONNECT_MAX_MS", &Settings::database,
              &DatabaseSettings::reconnect_max, 100, 600'000,
              "ceiling of the reconnect backoff while PostgreSQL is down"),
      bool_key("database.maintain_partitions", "PEND_DATABASE_MAINTAIN_PARTITIONS",
               &Settings::database, &DatabaseSettings::maintain_partitions,
               "the cleanup worker creates upcoming and drops expired partitions"),
      int_key("database.partition_months_ahead", "PEND_DATABASE_PARTITION_MONTHS_AHEAD",
              &Settings::database, &DatabaseSettings::partition_months_ahead, 1, 24,
              "monthly partitions kept ready beyond the current month"),
      int_key("database.server_logs_retention_days", "PEND_DATABASE_SERVER_LOGS_RETENTION_DAYS",
              &Settings::database, &DatabaseSettings::server_logs_retention_days, 1, 3650,
              "days server_logs partitions are kept"),
      int_key("database.api_metrics_retention_days", "PEND_DATABASE_API_METRICS_RETENTION_DAYS",
              &Settings::database, &DatabaseSettings::api_metrics_retention_days, 1, 3650,
              "days api_metrics partitions are kept"),
      int_key("database.system_metrics_retention_days",
              "PEND_DATABASE_SYSTEM_METRICS_RETENTION_DAYS", &Settings::database,
              &DatabaseSettings::system_metrics_retention_days, 1, 3650,
              "days system_metrics partitions are kept"),
      int_key("database.security_events_retention_days",
              "PEND_DATABASE_SECURITY_EVENTS_RETENTION_DAYS", &Settings::database,
              &DatabaseSettings::security_events_retention_days, 1, 3650,
              "days security_events partitions are kept"),
      string_key("redis.url", "REDIS_URL", &Settings::redis, &RedisSettings::url,
                 "Redis URL: redis://[user:password@]host:port/db", true),
      int_key("redis.connect_timeout_ms", "PEND_REDIS_CONNECT_TIMEOUT_MS", &Settings::redis,
              &RedisSettings::connect_timeout, 1, 600'000,
              "bound on connecting to Redis, AUTH and SELECT included"),
      int_key("redis.command_timeout_ms", "PEND_REDIS_COMMAND_TIMEOUT_MS", &Settings::redis,
              &RedisSettings::command_timeout, 1, 600'000,
              "a command without a reply by then drops the connection"),
      int_key("redis.reconnect_max_ms", "PEND_REDIS_RECONNECT_MAX_MS", &Settings::redis,
              &RedisSettings::reconnect_max, 100, 600'000,
              "ceiling of the reconnect backoff while Redis is down"),
      bool_key("cache.enabled", "PEND_CACHE_ENABLED", &Settings::cache, &CacheSettings::enabled,
               "cache the responses of the routes that ask for it in Redis"),
      int_key("cache.short_ttl_seconds", "PEND_CACHE_SHORT_TTL_SECONDS", &Settings::cache,
              &CacheSettings::short_ttl, 1, 86'400, "TTL of the short tier (real-time data)"),
      int_key("cache.default_ttl_seconds", "PEND_CACHE_DEFAULT_TTL_SECONDS", &Settings::cache,
              &CacheSettings::default_ttl, 1, 86'400, "TTL of the default tier"),
      int_key("cache.max_keys_per_route", "PEND_CACHE_MAX_KEYS_PER_ROUTE", &Settings::cache,
              &CacheSettings::max_keys_per_route, 1, 10'000'000,
              "live cache entries one route may have per shard (more are served, not stored)"),
      int_key("cache.long_ttl_seconds", "PEND_CACHE_LONG_TTL_SECONDS", &Settings::cache,
              &CacheSettings::long_ttl, 1, 7 * 86'400, "TTL of the long tier"),
      int_key("session.absolute_timeout_seconds", "PEND_SESSION_ABSOLUTE_TIMEOUT_SECONDS",
              &Settings::session, &SessionSettings::absolute_timeout, 60, 90 * 86'400,
              "a session ends this long after it began, however active"),
      int_key("session.idle_timeout_seconds", "PEND_SESSION_IDLE_TIMEOUT_SECONDS",
              &Settings::session, &SessionSettings::idle_timeout, 60, 90 * 86'400,
              "a session unused this long ends"),
      int_key("session.admin_absolute_timeout_seconds",
              "PEND_SESSION_ADMIN_ABSOLUTE_TIMEOUT_SECONDS", &Settings::session,
              &SessionSettings::admin_absolute_timeout, 60, 7 * 86'400,
              "an admin session ends this long after it began, however active"),
      int_key("session.admin_idle_timeout_seconds", "PEND_SESSION_ADMIN_IDLE_TIMEOUT_SECONDS",
              &Settings::session, &SessionSettings::admin_idle_timeout, 60, 86'400,
              "an admin session unused this long ends"),
      string_key(
          "admin.totp_key", "PEND_ADMIN_TOTP_KEY", &Settings::admin, &AdminSettings::totp_key,
          "64 hex digits: the key of admins' TOTP secrets at rest and of recovery codes", true),
      string_key("admin.totp_issuer", "PEND_ADMIN_TOTP_ISSUER", &Settings::admin,
                 &AdminSettings::totp_issuer, "the issuer name authenticator apps show"),
      int_key("admin.mfa_token_ttl_seconds", "PEND_ADMIN_MFA_TOKEN_TTL_SECONDS", &Settings::admin,
              &AdminSettings::mfa_token_ttl, 30, 3'600,
              "how long a password sign-in waits for its TOTP code"),
      int_key("admin.mfa_attempts", "PEND_ADMIN_MFA_ATTEMPTS", &Settings::admin,
              &AdminSettings::mfa_attempts, 1, 20, "codes one mfa_token may try"),
      int_key("admin.lockout_failures", "PEND_ADMIN_LOCKOUT_FAILURES", &Settings::admin,
              &AdminSettings::lockout_failures, 1, 100,
              "wrong passwords or codes in a row that lock an admin account"),
      int_key("admin.lockout_seconds", "PEND_ADMIN_LOCKOUT_SECONDS", &Settings::admin,
              &AdminSettings::lockout, 1, 86'400,
              "the first lock-out; each further one doubles it"),
      int_key("admin.lockout_max_seconds", "PEND_ADMIN_LOCKOUT_MAX_SECONDS", &Settings::admin,
              &AdminSettings::lockout_max, 1, 30 * 86'400, "the longest lock-out"),
      string_key("admin.audit_signing_key", "PEND_ADMIN_AUDIT_SIGNING_KEY", &Settings::admin,
                 &AdminSettings::audit_signing_key,
                 "64 hex digits: the Ed25519 seed that signs the audit chain's checkpoints", true),
      int_key("admin.audit_checkpoint_rows", "PEND_ADMIN_AUDIT_CHECKPOINT_ROWS", &Settings::admin,
              &AdminSettings::audit_checkpoint_rows, 1, 1'000'000,
              "a signed checkpoint of the audit chain after this many new rows"),
      int_key("admin.audit_checkpoint_seconds", "PEND_ADMIN_AUDIT_CHECKPOINT_SECONDS",
              &Settings::admin, &AdminSettings::audit_checkpoint_interval, 10, 86'400,
              "or this long after the last checkpoint, when there are new rows"),
      list_key("admin.approval_required", "PEND_ADMIN_APPROVAL_REQUIRED", &Settings::admin,
               &AdminSettings::approval_required,
               "admin actions that wait for a second admin's approval (four-eyes)"),
      int_key("admin.approval_ttl_seconds", "PEND_ADMIN_APPROVAL_TTL_SECONDS", &Settings::admin,
              &AdminSettings::approval_ttl, 60, 30 * 86'400,
              "how long an approval request stays open before it expires"),
      string_key("auth.phone_pepper", "PEND_AUTH_PHONE_PEPPER", &Settings::auth,
                 &AuthSettings::phone_pepper,
                 "HMAC key of phone_hash and of stored codes (32+ bytes in production)", true),
      string_key("auth.default_region", "PEND_AUTH_DEFAULT_REGION", &Settings::auth,
                 &AuthSettings::default_region,
                 "ISO 3166 region for phone numbers given without +country"),
      string_key("auth.sms_provider", "PEND_AUTH_SMS_PROVIDER", &Settings::auth,
                 &AuthSettings::sms_provider,
                 "where codes go: log (development, tests) or http (Twilio-compatible)"),
      string_key("auth.sms_url", "PEND_AUTH_SMS_URL", &Settings::auth, &AuthSettings::sms_url,
                 "the SMS provider's message endpoint, with its credentials as userinfo", true),
      string_key("auth.sms_from", "PEND_AUTH_SMS_FROM", &Settings::auth, &AuthSettings::sms_from,
                 "the sender number (From)"),
      string_key("auth.sms_messaging_service_sid", "PEND_AUTH_SMS_MESSAGING_SERVICE_SID",
                 &Settings::auth, &AuthSettings::sms_messaging_service_sid,
                 "the provider's messaging service (MessagingServiceSid), instead of From"),
      int_key("auth.sms_timeout_ms", "PEND_AUTH_SMS_TIMEOUT_MS", &Settings::auth,
              &AuthSettings::sms_timeout, 100, 60000, "per SMS attempt"),
      int_key("auth.sms_attempts", "PEND_AUTH_SMS_ATTEMPTS", &Settings::auth,
              &AuthSettings::sms_attempts, 1, 10,
              "attempts per code (retries on 5xx and timeouts only, with backoff)"),
      list_key("auth.sms_countries", "PEND_AUTH_SMS_COUNTRIES", &Settings::auth,
               &AuthSettings::sms_countries,
               "regions (ISO 3166 alpha-2) codes may be sent to; empty: any"),
      int_key("auth.code_ttl_seconds", "PEND_AUTH_CODE_TTL_SECONDS", &Settings::auth,
              &AuthSettings::code_ttl, 30, 3600, "how long a one-time code is valid"),
      int_key("auth.code_max_attempts", "PEND_AUTH_CODE_MAX_ATTEMPTS", &Settings::auth,
              &AuthSettings::code_max_attempts, 1, 20,
              "submissions one code allows, counted before the comparison"),
      int_key("auth.resend_after_seconds", "PEND_AUTH_RESEND_AFTER_SECONDS", &Settings::auth,
              &AuthSettings::resend_after, 0, 3600,
              "a new code for the same phone and purpose no sooner than this"),
      int_key("auth.codes_per_phone_hour", "PEND_AUTH_CODES_PER_PHONE_HOUR", &Settings::auth,
              &AuthSettings::codes_per_phone_hour, 1, 1000,
              "codes one phone may be sent in an hour"),
      int_key("auth.codes_per_phone_day", "PEND_AUTH_CODES_PER_PHONE_DAY", &Settings::auth,
              &AuthSettings::codes_per_phone_day, 1, 10000, "codes one phone may be sent in a day"),
      int_key("auth.codes_per_ip_hour", "PEND_AUTH_CODES_PER_IP_HOUR", &Settings::auth,
              &AuthSettings::codes_per_ip_hour, 1, 100000,
              "codes one client address may ask for in an hour"),
      int_key("auth.failures_per_phone_hour", "PEND_AUTH_FAILURES_PER_PHONE_HOUR", &Settings::auth,
              &AuthSettings::failures_per_phone_hour, 1, 1000,
              "wrong codes for one phone, across its codes, in an hour"),
      int_key("auth.lockout_failures", "PEND_AUTH_LOCKOUT_FAILURES", &Settings::auth,
              &AuthSettings::lockout_failures, 1, 1000,
              "consecutive wrong codes that lock an account"),
      int_key("auth.lockout_seconds", "PEND_AUTH_LOCKOUT_SECONDS", &Settings::auth,
              &AuthSettings::lockout, 1, 604800,
              "the first lock-out's length (doubled each further time)"),
      int_key("auth.lockout_max_seconds", "PEND_AUTH_LOCKOUT_MAX_SECONDS", &Settings::auth,
              &AuthSettings::lockout_max, 1, 2592000, "the longest lock-out"),
      string_key("auth.siwe_domain", "PEND_AUTH_SIWE_DOMAIN", &Settings::auth,
                 &AuthSettings::siwe_domain,
                 "the domain (RFC 3986 authority) wallet sign-in messages name"),
      string_key("auth.siwe_uri", "PEND_AUTH_SIWE_URI", &Settings::auth, &AuthSettings::siwe_uri,
                 "the URI wallet sign-in messages name"),
      string_key("auth.siwe_statement", "PEND_AUTH_SIWE_STATEMENT", &Settings::auth,
                 &AuthSettings::siwe_statement, "the statement of wallet sign-in messages"),
      int_key("auth.chain_id", "PEND_AUTH_CHAIN_ID", &Settings::auth, &AuthSettings::chain_id, 1,
              9007199254740991, "the chain (EIP-155 id) wallet sign-in messages are bound to"),
      int_key("auth.challenge_ttl_seconds", "PEND_AUTH_CHALLENGE_TTL_SECONDS", &Settings::auth,
              &AuthSettings::challenge_ttl, 60, 3600,
              "how long a wallet challenge (its nonce) is valid"),
      string_key("auth.country_header", "PEND_AUTH_COUNTRY_HEADER", &Settings::auth,
                 &AuthSettings::country_header,
                 "a header a trusted proxy sets to the client's country (e.g. CF-IPCountry)"),
      int_key("auth.suspicious_phones_per_ip_hour", "PEND_AUTH_SUSPICIOUS_PHONES_PER_IP_HOUR",
              &Settings::auth, &AuthSettings::suspicious_phones_per_ip_hour, 1, 100000,
              "distinct phones asking for codes from one address in an hour before it is flagged"),
      int_key("auth.suspicious_failures_per_ip_hour", "PEND_AUTH_SUSPICIOUS_FAILURES_PER_IP_HOUR",
              &Settings::auth, &AuthSettings::suspicious_failures_per_ip_hour, 1, 100000,
              "wrong codes from one address across accounts in an hour before it is flagged"),
      bool_key("rate_limit.enabled", "PEND_RATE_LIMIT_ENABLED", &Settings::rate_limit,
               &RateLimitSettings::enabled, "apply the rate-limit rules"),
      list_key("rate_limit.rules", "PEND_RATE_LIMIT_RULES", &Settings::rate_limit,
               &RateLimitSettings::rules, "rules: NAME GROUPS KEY LIMIT/WINDOW SEVERITY"),
      int_key("rate_limit.local_max_keys", "PEND_RATE_LIMIT_LOCAL_MAX_KEYS", &Settings::rate_limit,
              &RateLimitSettings::local_max_keys, 100, 10'000'000,
              "keys the in-memory fallback limiter tracks while Redis is down"),
      bool_key("metrics.enabled", "PEND_METRICS_ENABLED", &Settings::metrics,
               &MetricsSettings::enabled, "serve GET /metrics"),
      bool_key("metrics.loopback_only", "PEND_METRICS_LOOPBACK_ONLY", &Settings::metrics,
               &MetricsSettings::loopback_only, "serve /metrics to loopback clients only"),
      string_key("metrics.token", "PEND_METRICS_TOKEN", &Settings::metrics, &MetricsSettings::token,
                 "bearer token /metrics requires, when set", true),
      bool_key("metrics.api_metrics", "PEND_METRICS_API_METRICS", &Settings::metrics,
               &MetricsSettings::api_metrics, "write an api_metrics row per request"),
      int_key("metrics.api_metrics_sample_percent", "PEND_METRICS_API_METRICS_SAMPLE_PERCENT",
              &Settings::metrics, &MetricsSettings::api_metrics_sample_percent, 1, 100,
              "share of requests that get an api_metrics row"),
      int_key("metrics.collect_interval_ms", "PEND_METRICS_COLLECT_INTERVAL_MS", &Settings::metrics,
              &MetricsSettings::collect_interval, 100, kDay,
              "how often the metrics-collector worker measures this host"),
      list_key("metrics.thresholds", "PEND_METRICS_THRESHOLDS", &Settings::metrics,
               &MetricsSettings::thresholds,
               "system_metrics thresholds: NAME warn=X crit=Y [below]"),
      list_key("workers.enabled", "PEND_WORKERS", &Settings::workers, &WorkerSettings::enabled,
               "workers serve runs: metrics-collector, alerting, cleanup"),
      int_key("workers.takeover_ms", "PEND_WORKERS_TAKEOVER_MS", &Settings::workers,
              &WorkerSettings::takeover, 100, 600'000,
              "how often a standby tries a cluster-wide worker's lock"),
      string_key("alerting.webhook_url", "ALERT_WEBHOOK_URL", &Settings::alerting,
                 &AlertingSettings::webhook_url,
                 "http(s) URL alerts are POSTed to as JSON; empty: alerts are only logged", true),
      int_key("alerting.interval_ms", "PEND_ALERTING_INTERVAL_MS", &Settings::alerting,
              &AlertingSettings::interval, 100, kDay,
              "how often thresholds and rules are evaluated"),
      int_key("alerting.cooldown_ms", "PEND_ALERTING_COOLDOWN_MS", &Settings::alerting,
              &AlertingSettings::cooldown, 0, 7 * kDay,
              "after an alert's message, none for it again sooner"),
      int_key("alerting.webhook_timeout_ms", "PEND_ALERTING_WEBHOOK_TIMEOUT_MS",
              &Settings::alerting, &AlertingSettings::webhook_timeout, 100, 600'000,
              "per webhook attempt"),
      int_key("alerting.webhook_attempts", "PEND_ALERTING_WEBHOOK_ATTEMPTS", &Settings::alerting,
              &AlertingSettings::webhook_attempts, 1, 10,
              "attempts per evaluation before the message waits for the next"),
      list_key("alerting.rules", "PEND_ALERTING_RULES", &Settings::alerting,
               &AlertingSettings::rules, "rules: NAME KIND TARGET WINDOW warn=X crit=Y [min=N]"),
      int_key("cleanup.interval_ms", "PEND_CLEANUP_INTERVAL_MS", &Settings::cleanup,
              &CleanupSettings::interval, 100, 7 * kDay, "how often the cleanup worker runs"),
      int_key("cleanup.upload_temp_max_age_hours", "PEND_CLEANUP_UPLOAD_TEMP_MAX_AGE_HOURS",
              &Settings::cleanup, &CleanupSettings::upload_temp_max_age, 1, 24 * 365,
              "files under UPLOAD_DIR/tmp older than this are removed"),
      int_key("cleanup.dead_letter_retention_days", "PEND_CLEANUP_DEAD_LETTER_RETENTION_DAYS",
              &Settings::cleanup, &CleanupSettings::dead_letter_retention_days, 1, 3650,
              "dead-letter files untouched this long are removed"),
      int_key("cleanup.worker_runs_retention_days", "PEND_CLEANUP_WORKER_RUNS_RETENTION_DAYS",
              &Settings::cleanup, &CleanupSettings::worker_runs_retention_days, 1, 3650,
              "days of worker_runs history kept"),
      string_key("storage.upload_dir", "UPLOAD_DIR", &Settings::storage,
                 &StorageSettings::upload_dir, "directory of uploaded documents"),
      list_key("storage.keys", "PEND_STORAGE_KEYS", &Settings::storage, &StorageSettings::keys,
               "ID:64HEX keys documents are sealed with (the current and those being rotated "
               "out)",
               true),
      string_key("storage.key_id", "PEND_STORAGE_KEY_ID", &Settings::storage,
                 &StorageSettings::key_id,
                 "the id of the key new documents are sealed under; empty: the first"),
      int_key("kyc.max_document_bytes", "PEND_KYC_MAX_DOCUMENT_BYTES", &Settings::kyc,
              &KycSettings::max_document_bytes, 1024, 1024LL * 1024 * 1024,
              "the largest document an upload may be (the upload route's body limit)"),
      int_key("kyc.quota_bytes", "PEND_KYC_QUOTA_BYTES", &Settings::kyc, &KycSettings::quota_bytes,
              1024, 1LL << 40, "bytes of documents one user may have stored"),
      int_key("kyc.quota_files", "PEND_KYC_QUOTA_FILES", &Settings::kyc, &KycSettings::quota_files,
              1, 10'000, "documents one user may have stored"),
      int_key("kyc.max_image_side", "PEND_KYC_MAX_IMAGE_SIDE", &Settings::kyc,
              &KycSettings::max_image_side, 1, 100'000,
              "the widest or tallest image accepted, in pixels"),
      int_key("kyc.max_image_pixels", "PEND_KYC_MAX_IMAGE_PIXELS", &Settings::kyc,
              &KycSettings::max_image_pixels, 1, 10'000'000'000LL,
              "the most pixels an image may have (width times height)"),
      int_key("kyc.min_image_side", "PEND_KYC_MIN_IMAGE_SIDE", &Settings::kyc,
              &KycSettings::min_image_side, 1, 10'000,
              "the narrowest or shortest image accepted, in pixels"),
      list_key("kyc.tiers", "PEND_KYC_TIERS", &Settings::kyc, &KycSettings::tiers,
               "what a submission for each tier needs: TIER KIND... [enhanced_review]"),
      int_key("kyc.second_review_from_tier", "PEND_KYC_SECOND_REVIEW_FROM_TIER", &Settings::kyc,
              &KycSettings::second_review_from_tier, 1, 6,
              "approvals to this tier and above need a second admin (6: none)"),
      int_key("kyc.retention_days", "PEND_KYC_RETENTION_DAYS", &Settings::kyc,
              &KycSettings::retention_days, 1, 3650,
              "rejected and superseded documents (and a closed account's) are deleted after"),
      list_key("chain.rpc_urls", "PEND_CHAIN_RPC_URLS", &Settings::chain, &ChainSettings::rpc_urls,
               "JSON-RPC node URLs (http or https), in order of preference", true),
      string_key("chain.ws_url", "PEND_CHAIN_WS_URL", &Settings::chain, &ChainSettings::ws_url,
                 "WebSocket URL for new heads (ws or wss); empty: poll", true),
      int_key("chain.chain_id", "PEND_CHAIN_CHAIN_ID", &Settings::chain, &ChainSettings::chain_id,
              0, 1LL << 53, "the chain the nodes must be on (0: whatever they say)"),
      int_key("chain.start_block", "PEND_CHAIN_START_BLOCK", &Settings::chain,
              &ChainSettings::start_block, 0, 1LL << 53, "the first block the indexer imports"),
      int_key("chain.finality_depth", "PEND_CHAIN_FINALITY_DEPTH", &Settings::chain,
              &ChainSettings::finality_depth, 1, 10'000,
              "blocks after which a block is final; a deeper reorg raises an alert"),
      int_key("chain.batch_size", "PEND_CHAIN_BATCH_SIZE", &Settings::chain,
              &ChainSettings::batch_size, 1, 1'000,
              "blocks per catch-up batch (one RPC batch, one transaction)"),
      int_key("chain.batches_in_flight", "PEND_CHAIN_BATCHES_IN_FLIGHT", &Settings::chain,
              &ChainSettings::batches_in_flight, 1, 32, "catch-up batches fetched at once"),
      int_key("chain.poll_interval_ms", "PEND_CHAIN_POLL_INTERVAL_MS", &Settings::chain,
              &ChainSettings::poll_interval, 50, 600'000,
              "how often the head is asked for without a WebSocket"),
      int_key("chain.rpc_timeout_ms", "PEND_CHAIN_RPC_TIMEOUT_MS", &Settings::chain,
              &ChainSettings::rpc_timeout, 100, 600'000, "one JSON-RPC exchange's time limit"),
      int_key("chain.rpc_attempts", "PEND_CHAIN_RPC_ATTEMPTS", &Settings::chain,
              &ChainSettings::rpc_attempts, 1, 20, "attempts per call, across the nodes"),
      list_key("chain.tracked_tokens", "PEND_CHAIN_TRACKED_TOKENS", &Settings::chain,
               &ChainSettings::tracked_tokens,
               "tokens whose events are processed: 0xADDRESS ERC-20|ERC-721|ERC-1155"),
      list_key("chain.contracts", "PEND_CHAIN_CONTRACTS", &Settings::chain,
               &ChainSettings::contracts,
               "contracts whose events are decoded: 0xADDRESS PATH-TO-JSON-ABI"),
      int_key("chain.event_attempts", "PEND_CHAIN_EVENT_ATTEMPTS", &Settings::chain,
              &ChainSettings::event_attempts, 1, 100,
              "processing attempts before a blockchain event is dead"),
      int_key("chain.stream_max_connections", "PEND_CHAIN_STREAM_MAX_CONNECTIONS", &Settings::chain,
              &ChainSettings::stream_max_connections, 0, 1'000'000,
              "open live-update streams (GET /api/v1/explorer/stream) per instance"),
      int_key("chain.stream_heartbeat_ms", "PEND_CHAIN_STREAM_HEARTBEAT_MS", &Settings::chain,
              &ChainSettings::stream_heartbeat, 100, 300'000,
              "a live-update stream's heartbeat comment between events"),
      int_key("chain.stream_queue_limit", "PEND_CHAIN_STREAM_QUEUE_LIMIT", &Settings::chain,
              &ChainSettings::stream_queue_limit, 10, 1'000'000,
              "events waiting for a slow stream client before its stream is ended"),
      bool_key("api_docs.enabled", "PEND_API_DOCS_ENABLED", &Settings::api_docs,
               &ApiDocsSettings::enabled, "serve the API reference at GET /api/docs"),
      string_key("api_docs.spec", "PEND_API_DOCS_SPEC", &Settings::api_docs, &ApiDocsSettings::spec,
                 "the OpenAPI file the page shows"),
      string_key("api_docs.viewer", "PEND_API_DOCS_VIEWER", &Settings::api_docs,
                 &ApiDocsSettings::viewer, "Redoc's standalone bundle (npm redoc)"),
      string_key("ops.token", "PEND_OPS_TOKEN", &Settings::ops, &OpsSettings::token,
                 "bearer token of the admin read API for non-loopback clients, when set", true),
      string_key("log.level", "LOG_LEVEL", &Settings::log, &LogSettings::level,
                 "error, warn, info, debug or trace"),
      bool_key("log.access_log", "PEND_LOG_ACCESS_LOG", &Settings::log, &LogSettings::access_log,
               "one log entry per request"),
      string_key("log.dir", "LOG_DIR", &Settings::log, &LogSettings::dir,
                 "directory of the rotating log files"),
      list_key("log.sinks", "PEND_LOG_SINKS", &Settings::log, &LogSettings::sinks,
               "where entries go: console LEVEL FORMAT, file NAME LEVEL FILTER MAX_SIZE RETENTION"),
      string_key("log.elasticsearch_url", "ELASTICSEARCH_URL", &Settings::log,
                 &LogSettings::elasticsearch_url,
                 "Elasticsearch for the logs (http://[user:password@]host:9200); empty: none",
                 true),
      string_key("log.elasticsearch_index", "PEND_LOG_ELASTICSEARCH_INDEX", &Settings::log,
                 &LogSettings::elasticsearch_index, "the logs' Elasticsearch index"),
      bool_key("log.elasticsearch_daily", "PEND_LOG_ELASTICSEARCH_DAILY", &Settings::log,
               &LogSettings::elasticsearch_daily, "a daily index: INDEX-YYYY.MM.DD"),
      int_key("health.check_timeout_ms", "PEND_HEALTH_CHECK_TIMEOUT_MS", &Settings::health,
              &HealthSettings::check_timeout, 1, 60'000, "bound on each readiness check"),
      string_key("seed.admin_email", "ADMIN_EMAIL", &Settings::seed, &SeedSettings::admin_email,
                 "`pend-server seed`: email of the first superadmin"),
      string_key("seed.admin_password", "ADMIN_PASSWORD", &Settings::seed,
                 &SeedSettings::admin_password,
                 "`pend-server seed`: that superadmin's password (12+ characters)", true),
  };
  return keys;
}

}  // namespace

std::span<const Key> keys() { return table(); }

const Key* find_key(std::string_view path) {
  for (const auto& key : table()) {
    if (key.path == path) return &key;
  }
  return nullptr;
}

namespace {

// Levenshtein distance.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// PEND_SERVER_PORT for server.port: the name a key would have without a conventional one.
std::string systematic_env_name(std::string_view path) {
  std::string name = "PEND_";
  for (const char c : path) name += c == '.' ? '_' : static_cast<char>(std::toupper(c));
  return name;
}

}  // namespace

const Key* closest_key(std::string_view name, bool by_env) {
  const Key* best = nullptr;
  std::size_t best_distance = 4;  // farther than this is no suggestion
  const auto consider = [&](const Key& key, std::string_view candidate) {
    const auto d = distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = &key;
    }
  };
  for (const auto& key : table()) {
    if (!by_env) {
      consider(key, key.path);
      continue;
    }
    consider(key, key.env);
    // PEND_SERVER_PORT, PEND_LOG_LEVEL...: point at PORT, LOG_LEVEL.
    const auto systematic = systematic_env_name(key.path);
    if (key.env != systematic) consider(key, systematic);
  }
  return best;
}

std::optional<Value> parse_value(const Key& key, std::string_view text, std::string& error) {
  switch (key.kind) {
    case Kind::string:
      return Value{std::string{text}};
    case Kind::boolean:
      if (text == "true" || text == "1" || text == "yes" || text == "on") return Value{true};
      if (text == "false" || text == "0" || text == "no" || text == "off") return Value{false};
      error = "expected true or false, got '" + std::string{text} + "'";
      return std::nullopt;
    case Kind::integer: {
      std::int64_t number = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
        error = std::string{key.min >= 0 ? "expected an unsigned integer" : "expected an integer"} +
                ", got '" + std::string{text} + "'";
        return std::nullopt;
      }
      return Value{number};
    }
    case Kind::string_list: {
      std::vector<std::string> items;
      while (!text.empty()) {
        const auto comma = text.find(',');
        auto item = text.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) items.emplace_back(item);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
      }
      return Value{std::move(items)};
    }
  }
  return std::nullopt;
}

}  // namespace pend::config
