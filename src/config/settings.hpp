// Typed settings of pend-server, read once at start-up (see config/loader.hpp) and handed to
// components by the composition root. Nothing reads the environment after this is built.
#pragma once

#include <boost/describe/enum.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace pend::config {

enum class Environment { development, staging, production, test };
BOOST_DESCRIBE_ENUM(Environment, development, staging, production, test)

struct ServerSettings {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8080;
  unsigned threads = 0;  // 0: one shard per core
  std::size_t max_connections = 10000;
  // Per client address (the TCP peer; trusted proxies are not counted), so one host cannot
  // hold every slot. Sized for real clients, many of whom share one NAT address. 0: no cap.
  std::size_t max_connections_per_ip = 512;
  std::size_t header_limit_bytes = 16 * 1024;
  std::size_t body_limit_bytes = 1024 * 1024;
  std::chrono::milliseconds header_timeout{10'000};  // whole request head, not per byte
  std::chrono::milliseconds body_timeout{30'000};
  // A new connection's wait for its first byte, apart from the keep-alive idle timeout: a
  // client that connects and says nothing is let go soon.
  std::chrono::milliseconds first_byte_timeout{5'000};
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_timeout{15'000};
  // A handler's budget: database work still running past it is cancelled (503).
  std::chrono::milliseconds request_timeout{30'000};
  // CIDRs of the proxies whose forwarding headers are believed. None by default: a client
  // could otherwise choose its own address (and rate-limit key) by sending the header.
  std::vector<std::string> trusted_proxies;
  bool hsts_always = false;  // else HSTS only when a trusted proxy says the client used TLS
  std::string instance_name = "local";
  // Threads for work that must not run on a shard's loop (SMS calls, Argon2id, encryption).
  unsigned work_threads = 4;
};

struct CorsSettings {
  std::vector<std::string> allowed_origins;  // exact origins, or "*"
  std::vector<std::string> allowed_headers{"Authorization", "Content-Type", "X-Request-Id",
                                           "traceparent"};
  std::vector<std::string> exposed_headers{"X-Request-Id", "RateLimit-Limit", "RateLimit-Remaining",
                                           "RateLimit-Reset", "Retry-After"};
  bool allow_credentials = false;
  std::chrono::seconds max_age{600};
};

struct DatabaseSettings {
  std::string url = "postgresql://pend@127.0.0.1:5432/pend";  // secret: holds the password
  // The request path's pool, per shard (one event loop per core).
  unsigned pool_min_connections = 1;
  unsigned pool_max_connections = 8;
  unsigned pool_coalesce_at = 2;  // connections carrying single statements; then they pipeline
  std::chrono::milliseconds acquire_timeout{2'000};  // wait for a free connection, then 503
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds statement_timeout{5'000};  // default; a request's deadline may cut it
  std::chrono::milliseconds reconnect_max{5'000};      // backoff ceiling while PostgreSQL is down
  bool maintain_partitions = true;      // the cleanup worker creates and drops partitions
  unsigned partition_months_ahead = 3;  // monthly partitions kept ready beyond this month
  // Retention of the partitioned tables (whole months are dropped once past it).
  unsigned server_logs_retention_days = 90;
  unsigned api_metrics_retention_days = 30;
  unsigned system_metrics_retention_days = 30;
  unsigned security_events_retention_days = 180;
};

struct RedisSettings {
  std::string url = "redis://127.0.0.1:6379/0";      // secret when it holds a password
  std::chrono::milliseconds connect_timeout{1'000};  // TCP connect plus AUTH and SELECT
  std::chrono::milliseconds command_timeout{1'000};  // no reply by then: connection dropped
  std::chrono::milliseconds reconnect_max{5'000};    // backoff ceiling while Redis is down
};

// The response cache (the plan's CacheService). Routes choose their TTL tier in code.
struct CacheSettings {
  bool enabled = true;
  std::chrono::seconds short_ttl{30};
  std::chrono::seconds default_ttl{300};
  std::chrono::seconds long_ttl{3600};
  // Live entries one route may have, per shard; past it responses are served but not
  // stored (a parameter with endless values cannot fill Redis).
  std::size_t max_keys_per_route = 10'000;
};

struct SessionSettings {
  std::chrono::seconds absolute_timeout{86'400};  // the plan's 24 h, however active
  std::chrono::seconds idle_timeout{1'800};       // unused this long: over
  // Admin sessions end sooner (OWASP ASVS 3.3): 12 h however active, 15 min unused.
  std::chrono::seconds admin_absolute_timeout{43'200};
  std::chrono::seconds admin_idle_timeout{900};
};

// The admin panel's sign-in (docs/architecture/admin.md).
struct AdminSettings {
  // What development and tests use when admin.totp_key is empty: not a secret (production
  // refuses to start without its own).
  static constexpr std::string_view kDevelopmentTotpKey =
      "0000000000000000000000000000000000000000000000000000000000000000";
  const std::string& key_hex() const {
    static const std::string development{kDevelopmentTotpKey};
    return totp_key.empty() ? development : totp_key;
  }
  // 64 hex digits: the XChaCha20-Poly1305 key of TOTP secrets at rest and the HMAC key of
  // recovery codes. Changing it makes every enrolment unreadable (admins enrol again).
  std::string totp_key;                     // secret
  std::string totp_issuer = "Pend";         // the name authenticator apps show
  std::chrono::seconds mfa_token_ttl{300};  // between the password and the code
  unsigned mfa_attempts = 5;                // codes one mfa_token may try
  unsigned lockout_failures = 5;            // wrong passwords or codes in a row that lock
  std::chrono::seconds lockout{900};        // doubled with each further lock-out
  std::chrono::seconds lockout_max{86'400};
  // 64 hex digits: the Ed25519 seed that signs the audit chain's checkpoints. Development
  // and tests use a fixed one when empty; production refuses to start without its own.
  static constexpr std::string_view kDevelopmentSigningKey =
      "1111111111111111111111111111111111111111111111111111111111111111";
  const std::string& signing_key_hex() const {
    static const std::string development{kDevelopmentSigningKey};
    return audit_signing_key.empty() ? development : audit_signing_key;
  }
  std::string audit_signing_key;         // secret
  unsigned audit_checkpoint_rows = 100;  // a signed checkpoint after this many rows...
  std::chrono::seconds audit_checkpoint_interval{300};  // ...or this long, if any are new
  static constexpr std::string_view kApprovalRules[] = {"user.close", "user.tier_above_3",
                                                        "admin.role", "user.unlock_high_severity"};
  // Four-eyes: the admin actions that wait for a second admin's approval (the names of
  // domain/console's approval rules), and how long such a request stays open.
  std::vector<std::string> approval_required{"user.close", "user.tier_above_3", "admin.role",
                                             "user.unlock_high_severity"};
  std::chrono::seconds approval_ttl{86'400};
};

// Rules are "NAME GROUPS KEY LIMIT/WINDOW SEVERITY" (config/rate_limit_rule.hpp).
struct RateLimitSettings {
  bool enabled = true;
  std::vector<std::string> rules{"global * ip 600/1m low", "auth-ip auth ip 20/1m high",
                                 "auth-phone auth phone 5/15m high", "user * user 1200/1m medium"};
  std::size_t local_max_keys = 100'000;  // the in-memory fallback's bound while Redis is down
};

struct MetricsSettings {
  bool enabled = true;
  bool loopback_only = false;
  std::string token;  // secret; when set, /metrics needs "Authorization: Bearer <token>"
  // An api_metrics row per request (or per sample_percent of them), written off the request
  // path in batches by COPY.
  bool api_metrics = true;
  unsigned api_metrics_sample_percent = 100;
  // The metrics-collector worker: how often it measures this host, and the thresholds its
  // system_metrics rows carry ("NAME warn=X crit=Y", workers/thresholds.hpp).
  std::chrono::milliseconds collect_interval{15'000};
  std::vector<std::string> thresholds{"cpu_usage_percent warn=80 crit=95",
                                      "memory_used_percent warn=85 crit=95",
                                      "disk_used_percent warn=85 crit=95",
                                      "process_open_fds_percent warn=70 crit=90",
                                      "db_connections_used_percent warn=80 crit=95",
                                      "db_longest_transaction_seconds warn=60 crit=300",
                                      "db_cache_hit_percent warn=95 crit=90 below",
                                      "db_replication_lag_seconds warn=30 crit=120",
                                      "redis_evicted_keys_per_second warn=10 crit=100"};
};

// Background workers (workers/): which of them `serve` runs beside the API.
struct WorkerSettings {
  std::vector<std::string> enabled{"metrics-collector", "alerting", "cleanup", "audit-checkpoints"};
  // A cluster singleton's standby tries the lock this often: the longest a dead leader's work
  // waits for another instance (plus PostgreSQL noticing a vanished connection: keepalives).
  std::chrono::milliseconds takeover{5'000};
};

// The alerting worker (workers/alerting.hpp): thresholds on system_metrics, and rules over
// api_metrics and security_events ("NAME KIND TARGET WINDOW warn=X crit=Y [min=N]").
struct AlertingSettings {
  std::string webhook_url;  // ALERT_WEBHOOK_URL; secret: may hold a token; empty: log only
  std::chrono::milliseconds interval{60'000};
  std::chrono::milliseconds cooldown{900'000};  // per alert: no new message sooner
  std::chrono::milliseconds webhook_timeout{5'000};
  unsigned webhook_attempts = 3;
  std::vector<std::string> rules{"api-errors error_rate * 5m warn=0.05 crit=0.2 min=20",
                                 "api-latency p95 * 5m warn=1000 crit=5000 min=20",
                                 "security security_events high 15m warn=10 crit=50"};
};

// The cleanup worker (workers/cleanup.hpp), one per cluster.
struct CleanupSettings {
  std::chrono::milliseconds interval{3'600'000};
  std::chrono::hours upload_temp_max_age{24};  // files under UPLOAD_DIR/tmp older: removed
  unsigned dead_letter_retention_days = 30;
  unsigned worker_runs_retention_days = 30;
};

struct StorageSettings {
  std::string upload_dir = "uploads";  // UPLOAD_DIR: KYC documents; tmp/ for partial uploads
  // What development and tests seal documents with when storage.keys is empty: not a
  // secret (production refuses to start without its own keys).
  static constexpr std::string_view kDevelopmentKey =
      "dev:2222222222222222222222222222222222222222222222222222222222222222";
  // "ID:64HEX" entries (config/kyc.hpp): the keys documents are sealed with. Rotation: add a
  // new key, make it storage.key_id, run `pend-server kyc rotate-keys`, then drop the old.
  std::vector<std::string> keys;  // secret
  std::string key_id;             // the key new documents are sealed under; empty: the first
};

// KYC (domain/kyc, docs/architecture/kyc.md): what a document may be, how much a user may
// store, what each tier needs, and how long refused documents are kept.
struct KycSettings {
  std::uint64_t max_document_bytes = 10 * 1024 * 1024;  // the upload route's body limit
  std::uint64_t quota_bytes = 50 * 1024 * 1024;         // a user's stored documents, in all
  unsigned quota_files = 20;
  unsigned max_image_side = 12'000;  // pixels; against decompression bombs
  std::uint64_t max_image_pixels = 50'000'000;
  unsigned min_image_side = 100;  // smaller is no readable document
  // "TIER KIND..." (config/kyc.hpp): the documents a submission for that tier needs.
  std::vector<std::string> tiers{"2 identity_document", "3 identity_document selfie",
                                 "4 identity_document selfie proof_of_address",
                                 "5 identity_document selfie proof_of_address source_of_funds "
                                 "enhanced_review"};
  unsigned second_review_from_tier = 4;  // approvals to this tier and above need two admins
  unsigned retention_days = 90;          // rejected and superseded documents, then deleted
};

// The EVM chain the explorer indexes (src/chain/, docs/architecture/chain.md).
struct ChainSettings {
  // JSON-RPC nodes in order of preference (failover); secret: node URLs often hold a key.
  std::vector<std::string> rpc_urls{"http://127.0.0.1:8545"};
  std::string ws_url;          // secret; eth_subscribe newHeads; empty: poll
  std::uint64_t chain_id = 0;  // 0: whatever the node says; otherwise the node must agree
  std::uint64_t start_block = 0;
  unsigned finality_depth = 64;  // reorgs deeper than this raise an alert
  unsigned batch_size = 100;     // blocks per catch-up batch (one RPC batch, one transaction)
  unsigned batches_in_flight = 4;
  std::chrono::milliseconds poll_interval{2'000};  // new heads without a WebSocket
  std::chrono::milliseconds rpc_timeout{10'000};
  unsigned rpc_attempts = 4;
  // "0xADDRESS ERC-20|ERC-721|ERC-1155": tokens whose events go to blockchain_events.
  std::vector<std::string> tracked_tokens;
  // "0xADDRESS PATH": contracts whose events are decoded with the JSON ABI at PATH.
  std::vector<std::string> contracts;
  unsigned event_attempts = 5;  // processing attempts before an event is dead
  // GET /api/v1/explorer/stream (Server-Sent Events): open streams per instance, the
  // heartbeat between events, and the events a slow client may have waiting before its
  // stream is ended (it resumes with Last-Event-ID).
  unsigned stream_max_connections = 10'000;
  std::chrono::milliseconds stream_heartbeat{15'000};
  unsigned stream_queue_limit = 1'000;
  // The head and balances read from the node are cached for cache.short_ttl_seconds.
};

// GET /api/docs (domain/docs): the API reference page, from files read at start-up.
struct ApiDocsSettings {
  bool enabled = true;
  std::string spec = "docs/api/openapi.yaml";
  std::string viewer = "node_modules/redoc/bundles/redoc.standalone.js";  // npm redoc
};

// Operations access to the admin read API until admin sign-in exists: loopback clients, or
// "Authorization: Bearer <token>".
struct OpsSettings {
  std::string token;  // secret
};

struct LogSettings {
  std::string level = "info";  // error, warn, info, debug, trace
  bool access_log = true;
  std::string dir = "logs";  // LOG_DIR: the file streams (and later the spool)
  // logging/sink.hpp: "console LEVEL FORMAT", "file NAME LEVEL FILTER MAX_SIZE RETENTION".
  // The plan's streams: console, then server-%DATE%, server-error-%DATE%,
  // server-performance-%DATE% and server-security-%DATE%.
  std::vector<std::string> sinks{"console trace auto", "file server info all 100MB 30d",
                                 "file server-error error all 50MB 90d",
                                 "file server-performance info performance 50MB 7d",
                                 "file server-security warn security 20MB 180d"};
  // ELASTICSEARCH_URL: when set, entries at info and above also go to Elasticsearch.
  std::string elasticsearch_url;  // secret when it holds a password
  std::string elasticsearch_index = "pend-server-logs";
  bool elasticsearch_daily = true;  // index-YYYY.MM.DD
};

struct HealthSettings {
  std::chrono::milliseconds check_timeout{1'000};
};

// App users' sign-up and sign-in (domain/auth): phone numbers, one-time codes by SMS, wallet
// ownership by EIP-4361, lock-out and the suspicious-activity rules.
struct AuthSettings {
  // What development and tests use when auth.phone_pepper is empty: not a secret, never for
  // real numbers (production refuses to start without its own).
  static constexpr std::string_view kDevelopmentPepper = "pend-development-pepper-not-secret";
  const std::string& pepper() const {
    static const std::string development{kDevelopmentPepper};
    return phone_pepper.empty() ? development : phone_pepper;
  }
  // HMAC key of phone_hash (and of stored codes): never the number in clear. Production
  // refuses to start without one of 32+ bytes; elsewhere an empty one means
  // kDevelopmentPepper (and a warning). Changing it orphans every phone_hash.
  std::string phone_pepper;           // secret
  std::string default_region = "GB";  // for numbers given without +country
  // Where codes go: "log" (development and tests: the code is logged at debug) or "http"
  // (a Twilio-compatible form POST).
  std::string sms_provider = "log";
  std::string
      sms_url;  // secret: https://SID:TOKEN@api.twilio.com/2010-04-01/Accounts/SID/Messages.json
  std::string sms_from;
  std::string sms_messaging_service_sid;
  std::chrono::milliseconds sms_timeout{5'000};
  unsigned sms_attempts = 3;
  // Regions (ISO 3166 alpha-2) codes may be sent to, against SMS pumping. Empty: any
  // (refused in production).
  std::vector<std::string> sms_countries;
  std::chrono::seconds code_ttl{300};
  unsigned code_max_attempts = 5;         // submissions of one code, counted before comparing
  std::chrono::seconds resend_after{30};  // a new code for a phone and purpose, no sooner
  unsigned codes_per_phone_hour = 5;
  unsigned codes_per_phone_day = 10;
  unsigned codes_per_ip_hour = 20;
  unsigned failures_per_phone_hour = 10;  // wrong codes for a phone across its codes
  unsigned lockout_failures = 10;         // consecutive wrong codes that lock an account
  std::chrono::seconds lockout{900};      // doubled with each further lock-out
  std::chrono::seconds lockout_max{86'400};
  // EIP-4361: what a wallet's sign-in message must name.
  std::string siwe_domain = "localhost:8080";
  std::string siwe_uri = "http://localhost:8080";
  std::string siwe_statement = "Sign in to Pend with this wallet.";
  std::uint64_t chain_id = 31'337;
  std::chrono::seconds challenge_ttl{600};
  // A header a trusted proxy sets to the client's country (CF-IPCountry, X-Country-Code);
  // empty: the country of a sign-in is not known and that rule does not run.
  std::string country_header;
  unsigned suspicious_phones_per_ip_hour = 5;     // distinct phones asking for codes
  unsigned suspicious_failures_per_ip_hour = 20;  // wrong codes across accounts
};

// Read by `pend-server seed` only: the first superadmin.
struct SeedSettings {
  std::string admin_email;
  std::string admin_password;  // secret
};

struct Settings {
  Environment environment = Environment::development;
  ServerSettings server;
  CorsSettings cors;
  DatabaseSettings database;
  RedisSettings redis;
  CacheSettings cache;
  SessionSettings session;
  AuthSettings auth;
  AdminSettings admin;
  RateLimitSettings rate_limit;
  MetricsSettings metrics;
  WorkerSettings workers;
  AlertingSettings alerting;
  CleanupSettings cleanup;
  StorageSettings storage;
  KycSettings kyc;
  ChainSettings chain;
  ApiDocsSettings api_docs;
  OpsSettings ops;
  LogSettings log;
  HealthSettings health;
  SeedSettings seed;
};

std::string_view to_string(Environment environment);

}  // namespace pend::config
