#include "legacy/importer.hpp"

#include "db/blocking_session.hpp"
#include "db/copy_encoder.hpp"
#include "legacy/record_stream.hpp"
#include "legacy/records.hpp"
#include "logging/logger.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

#include <sys/resource.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace pend::legacy {

namespace json = boost::json;
namespace fs = std::filesystem;

bool is_group(std::string_view name) {
  return name == "wallets" || name == "logs" || name == "admin" || name == "explorer";
}

namespace {

enum class Kind : std::uint8_t {
  wallet,
  admin_account,
  admin_action,
  setting,
  log,
  block,
  embedded_transaction,  // the transaction objects a blocks file embeds
  transaction,
  token,
};

// One file (or, for embedded transactions, one view of a blocks file) and its counts.
struct Source {
  std::string path;
  std::string name;  // as the report shows it: relative to --from
  Kind kind = Kind::wallet;
  std::string stage, plan;  // its temporary tables
  std::uint64_t size = 0;

  std::uint64_t read = 0, valid = 0, superseded = 0, to_insert = 0, present = 0, inserted = 0;
  std::map<std::string, std::uint64_t> rejected;
  std::uint64_t rejected_total() const {
    std::uint64_t n = 0;
    for (const auto& [reason, count] : rejected) n += count;
    return n;
  }
  double read_s = 0, plan_s = 0, insert_s = 0;  // where the time went
  // --verify
  std::uint64_t accepted = 0, equal = 0, missing = 0;
  std::string source_digest, database_digest;
  std::vector<std::string> differences;
};

// What the plan says of a record, besides a reject reason.
constexpr std::string_view kInsert = "insert";
constexpr std::string_view kPresent = "present";
constexpr std::string_view kSuperseded = "superseded";

// Every staging table begins with these: the record's place in the file, for the report.
constexpr const char* kPlace = "ord bigint PRIMARY KEY, at_index bigint, at_pos int, at_key text";

struct KindSql {
  const char* columns;  // after kPlace
  const char* copy;     // the COPY column list after the place columns
  // {S} stage, {P} plan; {DB} where the checks against the tables go (left out by --verify).
  const char* plan;
  const char* db_checks;
  const char* insert;  // {S}, {P}; $1 the file's name
  // --verify: jsonb of the record ({S} as s) and of its row (t), and how t is found.
  const char* verify;
};

// The temp function that turns a SHA-256 into a UUID (version 8: custom, RFC 9562).
constexpr const char* kUuidFunction =
    "CREATE FUNCTION pg_temp.legacy_uuid(h bytea) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ "
    "SELECT encode(set_byte(set_byte(substr(h, 1, 16), 6, (get_byte(h, 6) & 15) | 128), 8, "
    "(get_byte(h, 8) & 63) | 128), 'hex')::uuid $$";

const KindSql& sql_of(Kind kind) {
  static const KindSql wallet{
      "phone_hash text, address text, tier int, status text, email text, country text, "
      "created_at timestamptz",
      "phone_hash, address, tier, status, email, country, created_at",
      "CREATE TEMP TABLE {P} AS "
      "WITH latest AS (SELECT ord, phone_hash, address, row_number() OVER "
      "(PARTITION BY phone_hash ORDER BY ord DESC) AS by_phone FROM {S}), "
      "winners AS (SELECT ord, row_number() OVER (PARTITION BY address ORDER BY ord DESC) AS "
      "by_address FROM latest WHERE by_phone = 1) "
      "SELECT l.ord, CASE WHEN l.by_phone > 1 THEN 'superseded' "
      "WHEN w.by_address > 1 THEN 'address_claimed_by_later_record' {DB} "
      "ELSE 'insert' END AS verdict FROM latest l LEFT JOIN winners w USING (ord)",
      "WHEN EXISTS (SELECT 1 FROM users u WHERE u.phone_hash = l.phone_hash AND "
      "u.blockchain_address = l.address) THEN 'present' "
      "WHEN EXISTS (SELECT 1 FROM users u WHERE u.phone_hash = l.phone_hash OR "
      "u.blockchain_address = l.address) THEN 'conflicts_with_existing_user'",
      "INSERT INTO users (phone_hash, blockchain_address, tier, status, email, country_code, "
      "created_at, updated_at, metadata) "
      "SELECT s.phone_hash, s.address, s.tier, s.status, s.email, s.country, "
      "coalesce(s.created_at, now()), now(), jsonb_build_object('imported_from', $1::text) "
      "FROM {S} s JOIN {P} p USING (ord) WHERE p.verdict = 'insert' ORDER BY s.ord "
      "ON CONFLICT DO NOTHING RETURNING 1",
      "SELECT s.ord, jsonb_build_object('address', s.address, 'tier', s.tier, 'status', "
      "s.status, 'country', s.country, 'email', s.email, 'created_at', s.created_at)::text, "
      "CASE WHEN t.id IS NOT NULL THEN jsonb_build_object('address', t.blockchain_address, "
      "'tier', t.tier, 'status', t.status, 'country', t.country_code, 'email', "
      "CASE WHEN s.email IS NULL THEN NULL ELSE t.email END, 'created_at', "
      "CASE WHEN s.created_at IS NULL THEN NULL ELSE t.created_at END)::text END "
      "FROM {S} s JOIN {P} p USING (ord) LEFT JOIN users t ON t.phone_hash = s.phone_hash "
      "WHERE p.verdict = 'insert'"};
  static const KindSql admin_account{
      "email text, display_name text, role text, status text, created_at timestamptz, "
      "last_login_at timestamptz, legacy_id text",
      "email, display_name, role, status, created_at, last_login_at, legacy_id",
      "CREATE TEMP TABLE {P} AS "
      "WITH latest AS (SELECT ord, email, row_number() OVER (PARTITION BY lower(email) ORDER BY "
      "ord DESC) AS n FROM {S}) "
      "SELECT l.ord, CASE WHEN l.n > 1 THEN 'superseded' {DB} ELSE 'insert' END AS verdict "
      "FROM latest l",
      "WHEN EXISTS (SELECT 1 FROM admin_users a WHERE lower(a.email) = lower(l.email)) "
      "THEN 'present'",
      // Never the old password hash: a marker no password verifies against, and a reset due.
      "INSERT INTO admin_users (email, display_name, password_hash, role, status, "
      "password_must_change, created_at, updated_at, last_login_at) "
      "SELECT s.email, s.display_name, '!legacy-import: reset by a superadmin', s.role, "
      "s.status, true, coalesce(s.created_at, now()), now(), s.last_login_at "
      "FROM {S} s JOIN {P} p USING (ord) WHERE p.verdict = 'insert' ORDER BY s.ord "
      "ON CONFLICT DO NOTHING RETURNING 1",
      "SELECT s.ord, jsonb_build_object('display_name', s.display_name, 'role', s.role, "
      "'status', s.status, 'created_at', s.created_at, 'must_reset', true)::text, "
      "CASE WHEN t.id IS NOT NULL THEN jsonb_build_object('display_name', t.display_name, "
      "'role', t.role, 'status', t.status, 'created_at', CASE WHEN s.created_at IS NULL THEN "
      "NULL ELSE t.created_at END, 'must_reset', t.password_must_change OR "
      "t.password_hash <> '!legacy-import: reset by a superadmin')::text END "
      "FROM {S} s JOIN {P} p USING (ord) "
      "LEFT JOIN admin_users t ON lower(t.email) = lower(s.email) WHERE p.verdict = 'insert'"};
  static const KindSql admin_action{
      "ts timestamptz, action text, actor text, resource_type text, resource_id text, "
      "old_values jsonb, new_values jsonb, ip inet, user_agent text, justification text, "
      "digest bytea",
      "ts, action, actor, resource_type, resource_id, old_values, new_values, ip, user_agent, "
      "justification, digest",
      "CREATE TEMP TABLE {P} AS "
      "WITH numbered AS (SELECT ord, digest, row_number() OVER (PARTITION BY digest ORDER BY "
      "ord) AS n FROM {S}), "
      "ids AS (SELECT ord, pg_temp.legacy_uuid(sha256(digest || int8send(n))) AS id "
      "FROM numbered) "
      "SELECT l.ord, l.id, CASE WHEN false THEN NULL {DB} ELSE 'insert' END AS verdict "
      "FROM ids l",
      "WHEN EXISTS (SELECT 1 FROM admin_audit_logs a WHERE a.id = l.id) THEN 'present'",
      // Appended to the chain in the file's order (the BEFORE INSERT trigger gives seq and
      // hashes); NOT EXISTS rather than ON CONFLICT, which would run the trigger first.
      "INSERT INTO admin_audit_logs (id, timestamp, admin_id, action, resource_type, "
      "resource_id, old_values, new_values, ip_address, user_agent, session_id, justification, "
      "outcome) "
      "SELECT p.id, s.ts, a.id, s.action, s.resource_type, s.resource_id, s.old_values, "
      "s.new_values, s.ip, s.user_agent, 'legacy-import', "
      "CASE WHEN a.id IS NULL AND s.actor IS NOT NULL "
      "THEN concat_ws('; ', s.justification, 'done by the legacy admin ' || s.actor) "
      "ELSE s.justification END, 'allowed' "
      "FROM {S} s JOIN {P} p USING (ord) "
      "LEFT JOIN admin_users a ON lower(a.email) = lower(coalesce((SELECT m.email FROM "
      "legacy_admin_ids m WHERE m.legacy_id = s.actor ORDER BY m.ord DESC LIMIT 1), s.actor)) "
      "WHERE p.verdict = 'insert' AND NOT EXISTS (SELECT 1 FROM admin_audit_logs x WHERE "
      "x.id = p.id) ORDER BY s.ord RETURNING 1",
      "SELECT s.ord, jsonb_build_object('timestamp', s.ts, 'action', s.action, "
      "'resource_type', s.resource_type, 'resource_id', s.resource_id, 'old_values', "
      "s.old_values, 'new_values', s.new_values, 'ip', host(s.ip), 'user_agent', "
      "s.user_agent, 'imported', true)::text, "
      "CASE WHEN t.id IS NOT NULL THEN jsonb_build_object('timestamp', t.timestamp, 'action', "
      "t.action, 'resource_type', t.resource_type, 'resource_id', t.resource_id, "
      "'old_values', t.old_values, 'new_values', t.new_values, 'ip', host(t.ip_address), "
      "'user_agent', t.user_agent, 'imported', t.session_id = 'legacy-import')::text END "
      "FROM {S} s JOIN {P} p USING (ord) LEFT JOIN admin_audit_logs t ON t.id = p.id "
      "WHERE p.verdict = 'insert'"};
  static const KindSql setting{
      "key text, value jsonb",
      "key, value",
      "CREATE TEMP TABLE {P} AS "
      "WITH latest AS (SELECT ord, key, value, row_number() OVER (PARTITION BY key ORDER BY "
      "ord DESC) AS n FROM {S}) "
      "SELECT l.ord, CASE WHEN l.n > 1 THEN 'superseded' {DB} ELSE 'insert' END AS verdict "
      "FROM latest l",
      "WHEN EXISTS (SELECT 1 FROM system_config c WHERE c.key = l.key AND c.value = l.value) "
      "THEN 'present' WHEN EXISTS (SELECT 1 FROM system_config c WHERE c.key = l.key) "
      "THEN 'conflicts_with_existing_setting'",
      "INSERT INTO system_config (key, value, description) "
      "SELECT s.key, s.value, 'imported from ' || $1::text "
      "FROM {S} s JOIN {P} p USING (ord) WHERE p.verdict = 'insert' ORDER BY s.ord "
      "ON CONFLICT DO NOTHING RETURNING 1",
      "SELECT s.ord, jsonb_build_object('value', s.value)::text, "
      "CASE WHEN t.key IS NOT NULL THEN jsonb_build_object('value', t.value)::text END "
      "FROM {S} s JOIN {P} p USING (ord) LEFT JOIN system_config t ON t.key = s.key "
      "WHERE p.verdict = 'insert'"};
  static const KindSql log{
      "ts timestamptz, level text, category text, event_type text, ip inet, endpoint text, "
      "method text, status_code int, response_time_ms int, metadata jsonb, digest bytea",
      "ts, level, category, event_type, ip, endpoint, method, status_code, response_time_ms, "
      "metadata, digest",
      "CREATE TEMP TABLE {P} AS "
      "WITH numbered AS (SELECT ord, ts, digest, row_number() OVER (PARTITION BY digest ORDER "
      "BY ord) AS n FROM {S}), "
      "ids AS (SELECT ord, ts, pg_temp.legacy_uuid(sha256(digest || int8send(n))) AS id "
      "FROM numbered) "
      "SELECT l.ord, l.id, CASE WHEN false THEN NULL {DB} ELSE 'insert' END AS verdict "
      "FROM ids l",
      "WHEN EXISTS (SELECT 1 FROM server_logs t WHERE t.id = l.id AND t.timestamp = l.ts) "
      "THEN 'present'",
      "INSERT INTO server_logs (id, timestamp, level, category, event_type, ip_address, "
      "endpoint, method, status_code, response_time_ms, metadata) "
      "SELECT p.id, s.ts, s.level, s.category, s.event_type, s.ip, s.endpoint, s.method, "
      "s.status_code, s.response_time_ms, s.metadata "
      "FROM {S} s JOIN {P} p USING (ord) WHERE p.verdict = 'insert' "
      "ON CONFLICT DO NOTHING RETURNING 1",
      "SELECT s.ord, jsonb_build_object('level', s.level, 'category', s.category, "
      "'event_type', s.event_type, 'ip', host(s.ip), 'endpoint', s.endpoint, 'method', "
      "s.method, 'status_code', s.status_code, 'response_time_ms', s.response_time_ms, "
      "'metadata', s.metadata)::text, "
      "CASE WHEN t.id IS NOT NULL THEN jsonb_build_object('level', t.level, 'category', "
      "t.category, 'event_type', t.event_type, 'ip', host(t.ip_address), 'endpoint', "
      "t.endpoint, 'method', t.method, 'status_code', t.status_code, 'response_time_ms', "
      "t.response_time_ms, 'metadata', t.metadata)::text END "
      "FROM {S} s JOIN {P} p USING (ord) "
      "LEFT JOIN server_logs t ON t.id = p.id AND t.timestamp = s.ts WHERE p.verdict = 'insert'"};
  static const KindSql block{
      "number bigint, hash bytea, parent_hash bytea, ts timestamptz, miner bytea, gas_used "
      "numeric, gas_limit numeric, base_fee numeric, transaction_count int, size int",
      "number, hash, parent_hash, ts, miner, gas_used, gas_limit, base_fee, transaction_count, "
      "size",
      "CREATE TEMP TABLE {P} AS "
      "WITH latest AS (SELECT ord, number, hash, row_number() OVER (PARTITION BY hash ORDER BY "
      "ord DESC) AS by_hash FROM {S}), "
      "heights AS (SELECT ord, row_number() OVER (PARTITION BY number ORDER BY ord DESC) AS "
      "by_number FROM latest WHERE by_hash = 1) "
      "SELECT l.ord, CASE WHEN l.by_hash > 1 THEN 'superseded' "
      "WHEN EXISTS (SELECT 1 FROM legacy_blocks g WHERE g.hash = l.hash) THEN 'present' "
      "WHEN h.by_number > 1 OR EXISTS (SELECT 1 FROM legacy_blocks g WHERE g.number = l.number "
      "AND g.hash <> l.hash) THEN 'another_block_at_height' {DB} "
      "ELSE 'insert' END AS verdict FROM latest l LEFT JOIN heights h USING (ord)",
      "WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.hash = l.hash) THEN 'present' "
      "WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.number = l.number AND b.consensus) "
      "THEN 'conflicts_with_indexed_block'",
      "INSERT INTO blocks (hash, number, parent_hash, consensus, timestamp, miner, gas_used, "
      "gas_limit, base_fee_per_gas, transaction_count, size) "
      "SELECT s.hash, s.number, s.parent_hash, true, s.ts, s.miner, s.gas_used, s.gas_limit, "
      "s.base_fee, s.transaction_count, s.size "
      "FROM {S} s JOIN {P} p USING (ord) WHERE p.verdict = 'insert' ORDER BY s.number "
      "ON CONFLICT DO NOTHING RETURNING 1",
      "SELECT s.ord, jsonb_build_object('number', s.number, 'parent_hash', "
      "encode(s.parent_hash, 'hex'), 'timestamp', s.ts, 'miner', encode(s.miner, 'hex'), "
      "'gas_used', s.gas_used, 'gas_limit', s.gas_limit, 'base_fee', s.base_fee, "
      "'transaction_count', s.transaction_count, 'size', s.size)::text, "
      "CASE WHEN t.hash IS NOT NULL THEN jsonb_build_object('number', t.number, 'parent_hash', "
      "encode(t.parent_hash, 'hex'), 'timestamp', t.timestamp, 'miner', encode(t.miner, "
      "'hex'), 'gas_used', t.gas_used, 'gas_limit', t.gas_limit, 'base_fee', "
      "t.base_fee_per_gas, 'transaction_count', t.transaction_count, 'size', t.size)::text END "
      "FROM {S} s JOIN {P} p USING (ord) LEFT JOIN blocks t ON t.hash = s.hash "
      "WHERE p.verdict = 'insert'"};
  static const KindSql transaction{
      "hash bytea, block_hash bytea, block_number bigint, idx int, from_address bytea, "
      "to_address bytea, created bytea, value numeric, nonce bigint, gas numeric, gas_price "
      "numeric, max_fee numeric, max_priority_fee numeric, effective_gas_price numeric, "
      "gas_used numeric, cumulative_gas_used numeric, type int, status int, input bytea",
      "hash, block_hash, block_number, idx, from_address, to_address, created, value, nonce, "
      "gas, gas_price, max_fee, max_priority_fee, effective_gas_price, gas_used, "
      "cumulative_gas_used, type, status, input",
      "CREATE TEMP TABLE {P} AS "
      "WITH r AS (SELECT s.ord, s.hash, coalesce(s.block_hash, (SELECT g.hash FROM legacy_blocks "
      "g WHERE g.number = s.block_number ORDER BY g.hash LIMIT 1), (SELECT b.hash FROM blocks b "
      "WHERE b.number = s.block_number AND b.consensus)) AS block_hash FROM {S} s), "
      "latest AS (SELECT r.*, row_number() OVER (PARTITION BY hash, block_hash ORDER BY ord "
      "DESC) AS n FROM r) "
      "SELECT l.ord, l.block_hash, CASE WHEN l.block_hash IS NULL OR (NOT EXISTS (SELECT 1 FROM "
      "legacy_blocks g WHERE g.hash = l.block_hash) AND NOT EXISTS (SELECT 1 FROM blocks b "
      "WHERE b.hash = l.block_hash)) THEN 'block_not_found' "
      "WHEN l.n > 1 THEN 'superseded' "
      "WHEN EXISTS (SELECT 1 FROM legacy_transactions g WHERE g.hash = l.hash AND "
      "g.block_hash = l.block_hash) THEN 'present' {DB} ELSE 'insert' END AS verdict "
      "FROM latest l",
      "WHEN EXISTS (SELECT 1 FROM transactions t WHERE t.hash = l.hash AND t.block_hash = "
      "l.block_hash) THEN 'present'",
      "INSERT INTO transactions (hash, block_hash, block_number, block_timestamp, "
      "block_consensus, index, from_address, to_address, created_contract_address, value, "
      "nonce, gas, gas_price, max_fee_per_gas, max_priority_fee_per_gas, effective_gas_price, "
      "gas_used, cumulative_gas_used, type, status, input, method_id) "
      "SELECT s.hash, b.hash, b.number, b.timestamp, b.consensus, s.idx, s.from_address, "
      "s.to_address, s.created, s.value, s.nonce, s.gas, s.gas_price, s.max_fee, "
      "s.max_priority_fee, s.effective_gas_price, s.gas_used, s.cumulative_gas_used, s.type, "
      "s.status, s.input, CASE WHEN length(s.input) >= 4 THEN substr(s.input, 1, 4) END "
      "FROM {S} s JOIN {P} p USING (ord) JOIN blocks b ON b.hash = p.block_hash "
      "WHERE p.verdict = 'insert' ORDER BY b.number, s.idx ON CONFLICT DO NOTHING RETURNING 1",
      "SELECT s.ord, jsonb_build_object('index', s.idx, 'from', encode(s.from_address, 'hex'), "
      "'to', encode(s.to_address, 'hex'), 'created', encode(s.created, 'hex'), 'value', "
      "s.value, 'nonce', s.nonce, 'gas', s.gas, 'gas_price', s.gas_price, 'gas_used', "
      "s.gas_used, 'type', s.type, 'status', s.status, 'input', encode(s.input, 'hex'))::text, "
      "CASE WHEN t.hash IS NOT NULL THEN jsonb_build_object('index', t.index, 'from', "
      "encode(t.from_address, 'hex'), 'to', encode(t.to_address, 'hex'), 'created', "
      "encode(t.created_contract_address, 'hex'), 'value', t.value, 'nonce', t.nonce, 'gas', "
      "t.gas, 'gas_price', t.gas_price, 'gas_used', t.gas_used, 'type', t.type, 'status', "
      "t.status, 'input', encode(t.input, 'hex'))::text END "
      "FROM {S} s JOIN {P} p USING (ord) "
      "LEFT JOIN transactions t ON t.hash = s.hash AND t.block_hash = p.block_hash "
      "WHERE p.verdict = 'insert'"};
  static const KindSql token{
      "address bytea, type text, name text, symbol text, decimals int, total_supply numeric, "
      "tracked boolean",
      "address, type, name, symbol, decimals, total_supply, tracked",
      "CREATE TEMP TABLE {P} AS "
      "WITH latest AS (SELECT ord, address, row_number() OVER (PARTITION BY address ORDER BY "
      "ord DESC) AS n FROM {S}) "
      "SELECT l.ord, CASE WHEN l.n > 1 THEN 'superseded' {DB} ELSE 'insert' END AS verdict "
      "FROM latest l",
      "WHEN EXISTS (SELECT 1 FROM tokens t WHERE t.contract_address = l.address) "
      "THEN 'present'",
      "INSERT INTO tokens (contract_address, type, name, symbol, decimals, total_supply, "
      "tracked) SELECT s.address, s.type, s.name, s.symbol, s.decimals, s.total_supply, "
      "s.tracked FROM {S} s JOIN {P} p USING (ord) WHERE p.verdict = 'insert' ORDER BY s.ord "
      "ON CONFLICT DO NOTHING RETURNING 1",
      "SELECT s.ord, jsonb_build_object('type', s.type, 'name', s.name, 'symbol', s.symbol, "
      "'decimals', s.decimals, 'total_supply', s.total_supply, 'tracked', s.tracked)::text, "
      "CASE WHEN t.contract_address IS NOT NULL THEN jsonb_build_object('type', t.type, "
      "'name', t.name, 'symbol', t.symbol, 'decimals', t.decimals, 'total_supply', "
      "t.total_supply, 'tracked', t.tracked)::text END "
      "FROM {S} s JOIN {P} p USING (ord) "
      "LEFT JOIN tokens t ON t.contract_address = s.address WHERE p.verdict = 'insert'"};
  switch (kind) {
    case Kind::wallet:
      return wallet;
    case Kind::admin_account:
      return admin_account;
    case Kind::admin_action:
      return admin_action;
    case Kind::setting:
      return setting;
    case Kind::log:
      return log;
    case Kind::block:
      return block;
    case Kind::embedded_transaction:
    case Kind::transaction:
      return transaction;
    case Kind::token:
      return token;
  }
  return wallet;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string expand(const char* sql, const Source& source, bool with_db_checks = true) {
  std::string out = replace_all(sql, "{S}", source.stage);
  out = replace_all(std::move(out), "{P}", source.plan);
  return replace_all(std::move(out), "{DB}",
                     with_db_checks ? sql_of(source.kind).db_checks : std::string_view{});
}

// The files of the old server's directory, in the order they are imported.
std::vector<Source> discover(const fs::path& dir, const std::set<std::string>& only,
                             std::vector<std::string>& unrecognised) {
  const auto wanted = [&](std::string_view group) {
    return only.empty() || only.count(std::string{group}) > 0;
  };
  const auto lower = [](std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  const auto contains = [](const std::string& text, std::initializer_list<const char*> words) {
    return std::any_of(words.begin(), words.end(),
                       [&](const char* w) { return text.find(w) != std::string::npos; });
  };
  std::vector<Source> accounts, actions, settings, blocks, transactions, tokens, sources;
  const auto add = [](std::vector<Source>& to, const fs::path& path, std::string name, Kind kind) {
    Source s;
    s.path = path.string();
    s.name = std::move(name);
    s.kind = kind;
    std::error_code ec;
    s.size = fs::file_size(path, ec);
    to.push_back(std::move(s));
  };
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(dir)) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  std::vector<Source> wallets, logs;
  for (const auto& path : entries) {
    const std::string file = path.filename().string();
    const std::string name = lower(file);
    if (!fs::is_regular_file(path)) continue;
    if (name == "wallet-db.json") {
      if (wanted("wallets")) add(wallets, path, file, Kind::wallet);
    } else if (name == "server-logs.json") {
      if (wanted("logs")) add(logs, path, file, Kind::log);
    } else if (name.starts_with("admin-") && name.ends_with(".json")) {
      if (!wanted("admin")) continue;
      if (contains(name, {"action", "audit", "log"})) {
        add(actions, path, file, Kind::admin_action);
      } else if (contains(name, {"user", "account"}) || name == "admin-admins.json") {
        add(accounts, path, file, Kind::admin_account);
      } else if (contains(name, {"setting", "config"})) {
        add(settings, path, file, Kind::setting);
      } else {
        unrecognised.push_back(file);
      }
    }
  }
  const fs::path explorer = dir / "explorer-data";
  if (wanted("explorer") && fs::is_directory(explorer)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(explorer)) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      const std::string file = path.filename().string();
      const std::string name = lower(file);
      const std::string shown = "explorer-data/" + file;
      if (!fs::is_regular_file(path) || !name.ends_with(".json")) {
        unrecognised.push_back(shown);
      } else if (name.starts_with("blocks")) {
        add(blocks, path, shown, Kind::block);
        add(blocks, path, shown + " (transactions)", Kind::embedded_transaction);
      } else if (name.starts_with("transactions") || name.starts_with("txs")) {
        add(transactions, path, shown, Kind::transaction);
      } else if (name.starts_with("tokens")) {
        add(tokens, path, shown, Kind::token);
      } else {
        unrecognised.push_back(shown);
      }
    }
  }
  for (auto* group :
       {&wallets, &accounts, &actions, &settings, &logs, &blocks, &transactions, &tokens}) {
    for (auto& s : *group) sources.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < sources.size(); ++i) {
    sources[i].stage = "legacy_stage_" + std::to_string(i);
    sources[i].plan = "legacy_plan_" + std::to_string(i);
  }
  return sources;
}

// The rejects file: one JSON line per rejected record.
class Rejects {
 public:
  explicit Rejects(const std::string& path) : path_(path) {}
  void add(const Source& source, std::uint64_t index, std::optional<int> position,
           const std::optional<std::string>& key, std::string_view reason, std::string_view detail,
           std::optional<std::uint64_t> offset = std::nullopt) {
    if (path_.empty()) return;  // --verify: the import wrote them
    if (!out_) {
      out_.emplace(path_, std::ios::trunc);
      if (!*out_) throw std::runtime_error("cannot write the rejects file " + path_);
    }
    json::object line;
    line["file"] = source.name.substr(0, source.name.find(" ("));
    line["index"] = index;
    if (position) line["transaction"] = *position;
    if (key) line["key"] = *key;
    if (offset) line["offset"] = *offset;
    line["reason"] = reason;
    line["detail"] = detail;
    *out_ << util::json::serialize(line) << '\n';
    ++lines_;
  }
  void close() {
    if (out_) out_->flush();
  }
  std::uint64_t lines() const { return lines_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::optional<std::ofstream> out_;
  std::uint64_t lines_ = 0;
};

std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

// A progress bar on stderr for the file being read: bytes, records/s and the time left.
class Progress {
 public:
  Progress(bool on, const Source& source) : on_(on), source_(source) {}
  void update(std::uint64_t bytes, std::uint64_t records, bool final = false) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!final && now - last_ < std::chrono::milliseconds{100}) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - started_).count();
    const double rate = seconds > 0 ? static_cast<double>(records) / seconds : 0;
    const double fraction =
        source_.size > 0 ? std::min(1.0, static_cast<double>(bytes) / source_.size) : 1.0;
    const int width = 30, filled = static_cast<int>(fraction * width);
    const double bytes_rate = seconds > 0 ? static_cast<double>(bytes) / seconds : 0;
    const long long eta =
        bytes_rate > 0
            ? static_cast<long long>(
                  (static_cast<double>(source_.size) - static_cast<double>(bytes)) / bytes_rate)
            : 0;
    std::fprintf(stderr, "\r%-28.28s [%s%s] %s records  %.0f records/s  ETA %lld:%02lld%s",
                 source_.name.c_str(), std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), '.').c_str(),
                 grouped(records).c_str(), rate, std::max(0LL, eta) / 60, std::max(0LL, eta) % 60,
                 final ? "\n" : "");
    std::fflush(stderr);
  }

 private:
  bool on_;
  const Source& source_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

db::Timestamp timestamp_of(Micros t) { return t; }

// A wallet or log record parsed on the pool: its own copy of the record.
struct Item {
  std::uint64_t index = 0;
  std::optional<std::string> key;
  json::value value;
};
struct RejectLine {
  std::uint64_t index = 0;
  std::optional<std::string> key;
  std::string reason, detail;
};
struct Batch {
  std::vector<Item> items;
  db::CopyEncoder rows;
  std::vector<RejectLine> rejects;
};

// The place columns every staging row begins with.
void place_row(db::CopyEncoder& rows, std::uint64_t ord, std::uint64_t index,
               std::optional<int> position, const std::optional<std::string>& key) {
  rows.field(static_cast<std::int64_t>(ord)).field(static_cast<std::int64_t>(index));
  position ? rows.field(*position) : rows.null();
  key ? rows.field(*key) : rows.null();
}

// A wallet's or a log entry's staging row (ord: its index in the file), or why not.
std::optional<Reject> encode_row(const RecordParser& parser, Kind kind, const Item& item,
                                 db::CopyEncoder& rows) {
  if (kind == Kind::wallet) {
    auto parsed = parser.wallet(item.value, item.key);
    if (auto* r = std::get_if<Reject>(&parsed)) return std::move(*r);
    const auto& w = std::get<WalletRow>(parsed);
    place_row(rows, item.index, item.index, std::nullopt, w.masked);
    rows.field(w.phone_hash).field(w.address).field(w.tier).field(w.status);
    w.email ? rows.field(*w.email) : rows.null();
    rows.field(w.country);
    w.created_at ? rows.field(timestamp_of(*w.created_at)) : rows.null();
  } else {
    auto parsed = parser.log(item.value);
    if (auto* r = std::get_if<Reject>(&parsed)) return std::move(*r);
    const auto& l = std::get<LogRow>(parsed);
    place_row(rows, item.index, item.index, std::nullopt, std::nullopt);
    rows.field(timestamp_of(l.timestamp)).field(l.level).field(l.category);
    rows.field(l.event_type);
    for (const auto* v : {&l.ip_address, &l.endpoint, &l.method}) {
      *v ? rows.field(**v) : rows.null();
    }
    rows.field(l.status_code).field(l.response_time_ms).field(l.metadata).bytea(l.digest);
  }
  rows.end_row();
  return std::nullopt;
}

// Reads one file into its staging table.
class Stager {
 public:
  Stager(db::BlockingSession& session, const RecordParser& parser, Rejects& rejects,
         std::map<std::string, std::string>& legacy_admin_ids, bool progress)
      : session_(session),
        parser_(parser),
        rejects_(rejects),
        legacy_admin_ids_(legacy_admin_ids),
        progress_on_(progress) {}

  void stage(Source& source) {
    const auto& sql = sql_of(source.kind);
    session_.exec("DROP TABLE IF EXISTS " + source.stage + ", " + source.plan);
    session_.exec(std::string{"CREATE TEMP TABLE "} + source.stage + " (" + kPlace + ", " +
                  sql.columns + ")");
    session_.copy_begin("COPY " + source.stage + " (ord, at_index, at_pos, at_key, " + sql.copy +
                        ") FROM STDIN");
    Progress progress(progress_on_, source);
    ord_ = 0;
    StreamEnd end;
    try {
      end = read_records_file(
          source.path, [&](const Record& record) { take(source, record); },
          [&](std::uint64_t bytes) { progress.update(bytes, source.read); });
      submit(source);
      while (!in_flight_.empty()) collect(source);
      flush(true);
    } catch (...) {
      for (auto& f : in_flight_) f.wait();
      in_flight_.clear();
      batch_ = {};
      rows_.clear();
      try {
        session_.copy_end();
      } catch (...) {
      }
      throw;
    }
    session_.copy_end();
    progress.update(end.bytes, source.read, true);
    if (!end.complete && source.kind != Kind::embedded_transaction) {
      reject(source, end.records, std::nullopt, std::nullopt, "truncated_or_malformed",
             "the file stops being JSON here: " + end.error, end.error_offset);
      ++source.read;
    }
  }

 private:
  void reject(Source& source, std::uint64_t index, std::optional<int> position,
              const std::optional<std::string>& key, const std::string& reason,
              const std::string& detail, std::optional<std::uint64_t> offset = std::nullopt) {
    ++source.rejected[reason];
    rejects_.add(source, index, position, key, reason, detail, offset);
  }

  void place(std::uint64_t index, std::optional<int> position,
             const std::optional<std::string>& key) {
    rows_.field(static_cast<std::int64_t>(ord_++)).field(static_cast<std::int64_t>(index));
    position ? rows_.field(*position) : rows_.null();
    key ? rows_.field(*key) : rows_.null();
  }

  void take(Source& source, const Record& record) {
    std::optional<std::string> key;
    if (record.key)
      key =
          source.kind == Kind::wallet ? parser_.masked_key(*record.key) : std::string{*record.key};
    if (record.value == nullptr) {
      if (source.kind != Kind::embedded_transaction) {
        ++source.read;
        reject(source, record.index, std::nullopt, key, "record_too_large",
               "the record is larger than 16 MiB");
      }
      return;
    }
    const auto& value = *record.value;
    if (parallel(source.kind)) {
      // Parsed on the pool (a phone number costs libphonenumber tens of microseconds), in
      // batches whose rows and rejects are taken back in the file's order.
      ++source.read;
      batch_.items.push_back({record.index,
                              record.key ? std::optional<std::string>{*record.key} : std::nullopt,
                              json::value(value, json::storage_ptr{})});
      if (batch_.items.size() == kBatch) submit(source);
      return;
    }
    switch (source.kind) {
      case Kind::wallet:
      case Kind::log: {  // one worker: here
        ++source.read;
        const Item item{record.index,
                        record.key ? std::optional<std::string>{*record.key} : std::nullopt,
                        json::value(value, json::storage_ptr{})};
        if (auto r = encode_row(parser_, source.kind, item, rows_))
          return reject(source, record.index, std::nullopt, key, r->reason, r->detail);
        flush(false);
        return;
      }
      case Kind::admin_account: {
        ++source.read;
        auto parsed = parser_.admin_account(value);
        if (auto* r = std::get_if<Reject>(&parsed))
          return reject(source, record.index, std::nullopt, key, r->reason, r->detail);
        const auto& a = std::get<AdminAccountRow>(parsed);
        place(record.index, std::nullopt, key);
        rows_.field(a.email).field(a.display_name).field(a.role).field(a.status);
        a.created_at ? rows_.field(timestamp_of(*a.created_at)) : rows_.null();
        a.last_login_at ? rows_.field(timestamp_of(*a.last_login_at)) : rows_.null();
        a.legacy_id ? rows_.field(*a.legacy_id) : rows_.null();
        if (a.legacy_id) legacy_admin_ids_[*a.legacy_id] = a.email;
        break;
      }
      case Kind::admin_action: {
        ++source.read;
        auto parsed = parser_.admin_action(value);
        if (auto* r = std::get_if<Reject>(&parsed))
          return reject(source, record.index, std::nullopt, key, r->reason, r->detail);
        const auto& a = std::get<AdminActionRow>(parsed);
        place(record.index, std::nullopt, key);
        rows_.field(timestamp_of(a.timestamp)).field(a.action);
        for (const auto* v : {&a.actor, &a.resource_type, &a.resource_id, &a.old_values,
                              &a.new_values, &a.ip_address, &a.user_agent, &a.justification}) {
          *v ? rows_.field(**v) : rows_.null();
        }
        rows_.bytea(a.digest);
        break;
      }
      case Kind::setting: {
        ++source.read;
        auto parsed = parser_.setting(value, record.key);
        if (auto* r = std::get_if<Reject>(&parsed))
          return reject(source, record.index, std::nullopt, key, r->reason, r->detail);
        const auto& s = std::get<SettingRow>(parsed);
        place(record.index, std::nullopt, key);
        rows_.field(s.key).field(s.value);
        break;
      }
      case Kind::block: {
        ++source.read;
        auto parsed = parser_.block(value);
        if (auto* r = std::get_if<Reject>(&parsed))
          return reject(source, record.index, std::nullopt, key, r->reason, r->detail);
        const auto& b = std::get<BlockRow>(parsed);
        place(record.index, std::nullopt, key);
        rows_.field(static_cast<std::int64_t>(b.number)).bytea(b.hash).bytea(b.parent_hash);
        rows_.field(timestamp_of(b.timestamp)).bytea(b.miner).field(b.gas_used);
        rows_.field(b.gas_limit).field(b.base_fee).field(b.transaction_count).field(b.size);
        break;
      }
      case Kind::embedded_transaction: {
        std::vector<Parsed<TransactionRow>> embedded;
        if (std::holds_alternative<Reject>(parser_.block(value, &embedded))) return;
        int position = 0;
        for (const auto& tx : embedded) {
          ++source.read;
          if (const auto* r = std::get_if<Reject>(&tx)) {
            reject(source, record.index, position, key, r->reason, r->detail);
          } else {
            transaction_row(std::get<TransactionRow>(tx), record.index, position, key);
          }
          ++position;
        }
        flush(false);
        return;  // each row ended already
      }
      case Kind::transaction: {
        ++source.read;
        auto parsed = parser_.transaction(value);
        if (auto* r = std::get_if<Reject>(&parsed))
          return reject(source, record.index, std::nullopt, key, r->reason, r->detail);
        const auto& t = std::get<TransactionRow>(parsed);
        if (!t.index)
          return reject(source, record.index, std::nullopt, key, "missing_index",
                        "the transaction has no transactionIndex");
        if (!t.block_hash && !t.block_number)
          return reject(source, record.index, std::nullopt, key, "block_not_found",
                        "the transaction names neither its block's hash nor its number");
        transaction_row(t, record.index, std::nullopt, key);
        flush(false);
        return;
      }
      case Kind::token: {
        ++source.read;
        auto parsed = parser_.token(value, record.key);
        if (auto* r = std::get_if<Reject>(&parsed))
          return reject(source, record.index, std::nullopt, key, r->reason, r->detail);
        const auto& t = std::get<TokenRow>(parsed);
        place(record.index, std::nullopt, key);
        rows_.bytea(t.address).field(t.type).field(t.name).field(t.symbol).field(t.decimals);
        rows_.field(t.total_supply).field(t.tracked);
        break;
      }
    }
    rows_.end_row();
    flush(false);
  }

  static constexpr std::size_t kBatch = 2048;
  bool parallel(Kind kind) const {
    return workers_ > 1 && (kind == Kind::wallet || kind == Kind::log);
  }

  void submit(Source& source) {
    if (batch_.items.empty()) return;
    in_flight_.push_back(std::async(
        std::launch::async, [this, kind = source.kind, batch = std::move(batch_)]() mutable {
          for (const auto& item : batch.items) {
            if (auto r = encode_row(parser_, kind, item, batch.rows)) {
              std::optional<std::string> key;
              if (item.key) key = kind == Kind::wallet ? parser_.masked_key(*item.key) : *item.key;
              batch.rejects.push_back(
                  {item.index, std::move(key), std::move(r->reason), std::move(r->detail)});
            }
          }
          batch.items.clear();
          return std::move(batch);
        }));
    batch_ = {};
    while (in_flight_.size() > workers_) collect(source);
  }

  void collect(Source& source) {
    Batch done = in_flight_.front().get();
    in_flight_.pop_front();
    for (const auto& r : done.rejects)
      reject(source, r.index, std::nullopt, r.key, r.reason, r.detail);
    if (done.rows.bytes() > 0) session_.copy_send(done.rows.data());
  }

  void transaction_row(const TransactionRow& t, std::uint64_t index, std::optional<int> position,
                       const std::optional<std::string>& key) {
    place(index, position, key);
    rows_.bytea(t.hash);
    t.block_hash ? rows_.bytea(*t.block_hash) : rows_.null();
    t.block_number ? rows_.field(static_cast<std::int64_t>(*t.block_number)) : rows_.null();
    rows_.field(t.index.value_or(0)).bytea(t.from);
    t.to ? rows_.bytea(*t.to) : rows_.null();
    t.created ? rows_.bytea(*t.created) : rows_.null();
    rows_.field(t.value).field(static_cast<std::int64_t>(t.nonce)).field(t.gas);
    for (const auto* v : {&t.gas_price, &t.max_fee, &t.max_priority_fee, &t.effective_gas_price,
                          &t.gas_used, &t.cumulative_gas_used}) {
      *v ? rows_.field(**v) : rows_.null();
    }
    rows_.field(t.type).field(t.status).bytea(t.input);
    rows_.end_row();
  }

  void flush(bool all) {
    if (rows_.bytes() == 0 || (!all && rows_.bytes() < (1u << 20))) return;
    session_.copy_send(rows_.data());
    rows_.clear();
  }

  db::BlockingSession& session_;
  const RecordParser& parser_;
  Rejects& rejects_;
  std::map<std::string, std::string>& legacy_admin_ids_;
  bool progress_on_;
  db::CopyEncoder rows_;
  std::uint64_t ord_ = 0;
  const std::size_t workers_ = std::max(1u, std::thread::hardware_concurrency());
  Batch batch_;
  std::deque<std::future<Batch>> in_flight_;
};

// Works out what happens to each staged record, and the counts.
void plan(db::BlockingSession& session, Source& source, Rejects& rejects, bool verify) {
  session.exec(expand(sql_of(source.kind).plan, source, !verify));
  const auto counts =
      session.exec("SELECT verdict, count(*) FROM " + source.plan + " GROUP BY verdict");
  for (int i = 0; i < counts.size(); ++i) {
    const std::string verdict = counts.value(i, 0);
    const std::uint64_t n = std::stoull(counts.value(i, 1));
    if (verdict == kInsert) {
      source.to_insert = n;
    } else if (verdict == kPresent) {
      source.present = n;
    } else if (verdict == kSuperseded) {
      source.superseded = n;
    } else {
      source.rejected[verdict] += n;
    }
  }
  // Valid: parsed, and not refused by the plan either.
  source.valid = source.to_insert + source.present + source.superseded;
  const auto rows = session.exec(
      "SELECT s.at_index, coalesce(s.at_pos, -1), coalesce(s.at_key, ''), s.at_key IS NULL, "
      "p.verdict FROM " +
      source.plan + " p JOIN " + source.stage +
      " s USING (ord) WHERE p.verdict NOT IN ('insert', 'present', 'superseded') ORDER BY ord");
  for (int i = 0; i < rows.size(); ++i) {
    const auto position = std::stoi(rows.value(i, 1));
    std::optional<std::string> key;
    if (rows.value(i, 3) != "t") key = rows.value(i, 2);
    const std::string reason = rows.value(i, 4);
    const char* detail =
        reason == "address_claimed_by_later_record"
            ? "a later record gives this address to another phone number"
        : reason == "conflicts_with_existing_user"
            ? "a user with this phone number or this address exists already, "
              "with another address or phone number"
        : reason == "conflicts_with_existing_setting" ? "the setting exists with another value"
        : reason == "conflicts_with_indexed_block"
            ? "the index holds another consensus block at this height"
        : reason == "another_block_at_height" ? "a later record gives another block at this height"
        : reason == "block_not_found"
            ? "the transaction's block is neither in the files nor indexed"
            : "rejected";
    rejects.add(source, std::stoull(rows.value(i, 0)),
                position >= 0 ? std::optional<int>{position} : std::nullopt, key, reason, detail);
  }
  // What later files of this run find as present already (the same block or transaction in
  // two files: a blocks file's embedded transaction listed again in transactions.json).
  if (source.kind == Kind::block) {
    session.exec("INSERT INTO legacy_blocks SELECT s.number, s.hash FROM " + source.stage +
                 " s JOIN " + source.plan + " p USING (ord) WHERE p.verdict = 'insert'");
  } else if (source.kind == Kind::transaction || source.kind == Kind::embedded_transaction) {
    session.exec("INSERT INTO legacy_transactions SELECT s.hash, p.block_hash FROM " +
                 source.stage + " s JOIN " + source.plan +
                 " p USING (ord) WHERE p.verdict = 'insert'");
  }
}

void print_report(std::ostream& out, const std::vector<Source>& sources,
                  const std::vector<std::string>& unrecognised) {
  char line[256];
  std::snprintf(line, sizeof line, "%-40s %10s %10s %10s %10s %10s %10s\n", "file", "read", "valid",
                "superseded", "to insert", "present", "rejected");
  out << line << std::string(106, '-') << '\n';
  for (const auto& s : sources) {
    if (s.kind == Kind::embedded_transaction && s.read == 0) continue;
    std::snprintf(line, sizeof line, "%-40s %10s %10s %10s %10s %10s %10s\n", s.name.c_str(),
                  grouped(s.read).c_str(), grouped(s.valid).c_str(), grouped(s.superseded).c_str(),
                  grouped(s.to_insert).c_str(), grouped(s.present).c_str(),
                  grouped(s.rejected_total()).c_str());
    out << line;
    for (const auto& [reason, n] : s.rejected) {
      std::snprintf(line, sizeof line, "    %-54s %10s\n", reason.c_str(), grouped(n).c_str());
      out << line;
    }
  }
  for (const auto& name : unrecognised) out << "not recognised, not read: " << name << '\n';
}

json::object counts_json(const std::vector<Source>& sources) {
  json::object files;
  for (const auto& s : sources) {
    if (s.kind == Kind::embedded_transaction && s.read == 0) continue;
    json::object c;
    c["read"] = s.read;
    c["valid"] = s.valid;
    c["superseded"] = s.superseded;
    c["inserted"] = s.inserted;
    c["present"] = s.present;
    c["rejected"] = s.rejected_total();
    files[s.name] = std::move(c);
  }
  return files;
}

// What differs between the file's record and its row: the names of the fields.
std::string differing_fields(const std::string& source_json, const std::string& row_json) {
  boost::system::error_code ec1, ec2;
  const auto a = json::parse(source_json, ec1);
  const auto b = json::parse(row_json, ec2);
  if (ec1 || ec2 || !a.is_object() || !b.is_object()) return "the row";
  std::string out;
  for (const auto& [k, v] : a.get_object()) {
    const auto* other = b.get_object().if_contains(k);
    if (other == nullptr || *other != v) {
      if (!out.empty()) out += ", ";
      out += k;
    }
  }
  return out.empty() ? "the row" : out;
}

void verify(db::BlockingSession& session, Source& source) {
  const std::string view = "legacy_verify_" + source.stage.substr(13);
  session.exec("DROP TABLE IF EXISTS " + view);
  session.exec("CREATE TEMP TABLE " + view + " AS SELECT * FROM (" +
               expand(sql_of(source.kind).verify, source) + ") AS q(ord, cs, ct)");
  const auto digest = [](const char* column) {
    return std::string{"lpad(to_hex((coalesce(sum(('x' || substr(encode(sha256(convert_to("} +
           column + ", 'UTF8')), 'hex'), 1, 15))::bit(60)::bigint) FILTER (WHERE " + column +
           " IS NOT NULL), 0) % 1152921504606846976)::bigint), 15, '0')";
  };
  const auto totals = session.exec(
      "SELECT count(*), count(*) FILTER (WHERE cs = ct), "
      "count(*) FILTER (WHERE ct IS NULL), " +
      digest("cs") + ", " + digest("ct") + " FROM " + view);
  source.accepted = std::stoull(totals.value(0, 0));
  source.equal = std::stoull(totals.value(0, 1));
  source.missing = std::stoull(totals.value(0, 2));
  source.source_digest = totals.value(0, 3);
  source.database_digest = totals.value(0, 4);
  const auto diffs = session.exec(
      "SELECT s.at_index, coalesce(s.at_pos, -1), coalesce(s.at_key, ''), v.cs, "
      "coalesce(v.ct, ''), v.ct IS NULL FROM " +
      view + " v JOIN " + source.stage +
      " s USING (ord) WHERE v.ct IS NULL OR v.cs <> v.ct ORDER BY ord LIMIT 5");
  for (int i = 0; i < diffs.size(); ++i) {
    std::string where =
        source.name.substr(0, source.name.find(" (")) + " record " + diffs.value(i, 0);
    if (diffs.value(i, 1) != "-1") where += " transaction " + diffs.value(i, 1);
    if (!diffs.value(i, 2).empty()) where += " (" + diffs.value(i, 2) + ")";
    if (diffs.value(i, 5) == "t") {
      source.differences.push_back(where + ": not in the database");
    } else {
      source.differences.push_back(where + ": differs in " +
                                   differing_fields(diffs.value(i, 3), diffs.value(i, 4)));
    }
  }
}

std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }

double peak_memory_mib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

}  // namespace

int run(const config::Settings& settings, const ImportOptions& options, std::ostream& out) {
  const fs::path dir{options.from};
  if (!fs::is_directory(dir)) {
    out << "import-legacy: " << options.from << " is not a directory\n";
    return kExitFailed;
  }
  const auto clock =
      options.clock ? options.clock : [] { return std::chrono::system_clock::now(); };
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> unrecognised;
  std::vector<Source> sources;
  try {
    sources = discover(dir, options.only, unrecognised);
  } catch (const fs::filesystem_error& error) {
    out << "import-legacy: cannot read " << options.from << ": " << error.code().message() << '\n';
    return kExitFailed;
  }
  if (sources.empty()) {
    out << "import-legacy: no legacy files in " << options.from
        << " (wallet-db.json, server-logs.json, admin-*.json, explorer-data/)\n";
    return kExitFailed;
  }
  const char* mode = options.verify ? "verify" : options.dry_run ? "dry run" : "import";
  logging::info("ADMIN", "LEGACY_IMPORT_STARTED", "import-legacy started",
                {{"mode", mode}, {"files", static_cast<std::int64_t>(sources.size())}});
  Rejects rejects(options.verify ? std::string{} : options.rejects_path);
  try {
    db::BlockingSession session(settings.database.url);
    // One import at a time: the plan is only true while nobody else writes these rows.
    // (A run that just ended may hold it a moment longer, while its session drops its
    // staging tables.)
    session.exec("SET lock_timeout = '60s'");
    try {
      session.exec("SELECT pg_advisory_lock(hashtext('pend-import-legacy'))");
    } catch (const db::DatabaseError& error) {
      if (error.sqlstate() != "55P03") throw;
      out << "import-legacy: another import-legacy is running against this database\n";
      return kExitFailed;
    }
    session.exec("SET lock_timeout = 0");
    // The staging tables of a large file and the plan's sorts: in memory where they fit
    // (this session's only; temp_buffers before the first temporary table).
    session.exec("SET temp_buffers = '256MB'; SET work_mem = '128MB'");
    session.exec(kUuidFunction);
    session.exec(
        "CREATE TEMP TABLE legacy_blocks (number bigint, hash bytea);"
        "CREATE TEMP TABLE legacy_transactions (hash bytea, block_hash bytea);"
        "CREATE TEMP TABLE legacy_admin_ids (ord bigserial, legacy_id text, email text)");

    const auto now = clock();
    RecordParser parser({.default_region = settings.auth.default_region,
                         .pepper = settings.auth.pepper(),
                         .now = std::chrono::time_point_cast<std::chrono::microseconds>(now)});
    std::map<std::string, std::string> legacy_admin_ids;
    Stager stager(session, parser, rejects, legacy_admin_ids, options.progress);
    const auto since = [](std::chrono::steady_clock::time_point t) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    };
    for (auto& source : sources) {
      auto t = std::chrono::steady_clock::now();
      stager.stage(source);
      source.read_s = since(t);
      t = std::chrono::steady_clock::now();
      if (source.kind == Kind::admin_account) {
        for (const auto& [id, email] : legacy_admin_ids) {
          session.exec("INSERT INTO legacy_admin_ids (legacy_id, email) VALUES ($1, $2)",
                       {id, email});
        }
        legacy_admin_ids.clear();
      }
      plan(session, source, rejects, options.verify);
      source.plan_s = since(t);
    }
    rejects.close();

    if (options.verify) {
      bool all_equal = true;
      char line[256];
      std::snprintf(line, sizeof line, "%-40s %10s %10s %10s %10s  %-15s %-15s\n", "file",
                    "accepted", "equal", "missing", "differ", "file digest", "db digest");
      out << line << std::string(120, '-') << '\n';
      for (auto& source : sources) {
        if (source.kind == Kind::embedded_transaction && source.read == 0) continue;
        verify(session, source);
        all_equal = all_equal && source.equal == source.accepted;
        std::snprintf(line, sizeof line, "%-40s %10s %10s %10s %10s  %-15s %-15s\n",
                      source.name.c_str(), grouped(source.accepted).c_str(),
                      grouped(source.equal).c_str(), grouped(source.missing).c_str(),
                      grouped(source.accepted - source.equal - source.missing).c_str(),
                      source.source_digest.c_str(), source.database_digest.c_str());
        out << line;
        for (const auto& d : source.differences) out << "    " << d << '\n';
      }
      out << (all_equal ? "verified: every accepted record is in the database, equal\n"
                        : "NOT verified: some accepted records are missing or differ\n");
      logging::info("ADMIN", "LEGACY_IMPORT_VERIFIED",
                    all_equal ? "import-legacy --verify: all equal"
                              : "import-legacy --verify: differences found",
                    {{"equal", all_equal}});
      return all_equal ? kExitImported : kExitFailed;
    }

    print_report(out, sources, unrecognised);
    std::uint64_t total_rejected = 0, total_to_insert = 0;
    for (const auto& s : sources) {
      total_rejected += s.rejected_total();
      total_to_insert += s.to_insert;
    }
    if (total_rejected > 0)
      out << grouped(total_rejected) << " rejected record(s) written to " << rejects.path() << '\n';
    if (options.dry_run) {
      out << "dry run: nothing was changed; " << grouped(total_to_insert)
          << " record(s) would be inserted\n";
      logging::info(
          "ADMIN", "LEGACY_IMPORT_FINISHED", "import-legacy dry run finished",
          {{"mode", mode}, {"to_insert", i64(total_to_insert)}, {"rejected", i64(total_rejected)}});
      return total_rejected > 0 ? kExitSomeRejected : kExitImported;
    }

    std::uint64_t total_inserted = 0;
    bool open = false;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      auto& source = sources[i];
      // A blocks file and the transactions it embeds: one transaction.
      const bool joins_next = i + 1 < sources.size() &&
                              sources[i + 1].kind == Kind::embedded_transaction &&
                              sources[i + 1].path == source.path;
      if (source.to_insert == 0 && !(open && !joins_next)) continue;
      if (options.progress && source.to_insert > 0)
        std::fprintf(stderr, "importing %s...\n", source.name.c_str());
      if (!open) session.exec("BEGIN");
      open = true;
      try {
        if (source.to_insert == 0) {
          if (!joins_next) {
            session.exec("COMMIT");
            open = false;
          }
          continue;
        }
        const auto t = std::chrono::steady_clock::now();
        const std::string insert = expand(sql_of(source.kind).insert, source);
        const std::string counted = "WITH ins AS (" + insert + ") SELECT count(*) FROM ins";
        const auto rows = insert.find("$1") != std::string::npos
                              ? session.exec(counted, {source.name})
                              : session.exec(counted);
        source.inserted = std::stoull(rows.value(0, 0));
        source.insert_s = since(t);
        if (source.kind == Kind::block && source.inserted > 0) {
          // The indexer goes over the imported heights again and compares each block with
          // the node's (docs/architecture/chain.md).
          session.exec(
              "UPDATE chain_sync SET next_block = LEAST(next_block, (SELECT min(s.number) "
              "FROM " +
              source.stage + " s JOIN " + source.plan +
              " p USING (ord) WHERE p.verdict = 'insert')), updated_at = now() "
              "WHERE name = 'main'");
        }
        if (!joins_next) {
          session.exec("COMMIT");
          open = false;
        }
      } catch (...) {
        session.exec("ROLLBACK");
        throw;
      }
      total_inserted += source.inserted;
    }
    json::object counts;
    counts["files"] = counts_json(sources);
    counts["inserted"] = total_inserted;
    counts["rejected"] = total_rejected;
    session.exec(
        "INSERT INTO admin_audit_logs (action, resource_type, resource_id, new_values, "
        "user_agent, justification, outcome) VALUES ('LEGACY_IMPORT', 'legacy_import', $1, "
        "$2::jsonb, 'pend-server import-legacy', 'the old server''s JSON files imported', "
        "'allowed')",
        {dir.filename().string().empty() ? dir.parent_path().filename().string()
                                         : dir.filename().string(),
         util::json::serialize(counts)});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::uint64_t total_read = 0;
    for (const auto& s : sources) {
      total_read += s.read;
      if (s.inserted == 0) continue;
      char line[200];
      std::snprintf(line, sizeof line,
                    "%s: read and checked in %.1f s, planned in %.1f s, "
                    "%s row(s) written in %.1f s\n",
                    s.name.c_str(), s.read_s, s.plan_s, grouped(s.inserted).c_str(), s.insert_s);
      out << line;
    }
    if (total_inserted == 0) {
      out << "nothing to insert: every valid record is in the database already\n";
    } else {
      char line[200];
      std::snprintf(line, sizeof line,
                    "%s record(s) inserted in %.1f s (%s records read, %.0f a second; peak "
                    "memory %.0f MiB)\n",
                    grouped(total_inserted).c_str(), seconds, grouped(total_read).c_str(),
                    seconds > 0 ? static_cast<double>(total_read) / seconds : 0.0,
                    peak_memory_mib());
      out << line;
    }
    logging::info("ADMIN", "LEGACY_IMPORT_FINISHED", "import-legacy finished",
                  {{"mode", mode},
                   {"inserted", i64(total_inserted)},
                   {"rejected", i64(total_rejected)},
                   {"seconds", seconds}});
    return total_rejected > 0 ? kExitSomeRejected : kExitImported;
  } catch (const std::exception& error) {
    rejects.close();
    out << "import-legacy failed: " << error.what() << '\n';
    logging::error("ADMIN", "LEGACY_IMPORT_FAILED", "import-legacy failed",
                   {{"mode", mode}, {"error", error.what()}});
    return kExitFailed;
  }
}

}  // namespace pend::legacy
