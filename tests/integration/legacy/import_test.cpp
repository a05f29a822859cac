// `pend-server import-legacy` as an operator runs it, against a real PostgreSQL: the irregular
// fixture (tests/fixtures/legacy/irregular) imported to exactly the rows and rejects its
// EXPECTED.json works out by hand; a dry run changes nothing; a re-run inserts nothing;
// --verify passes, then names the record after a row is changed in SQL; no phone number in
// clear in the database, the logs or the rejects file; a run SIGKILLed mid-import and run
// again leaves one copy of every record; imported blocks the node has not got are replaced
// when the indexer meets them.
#include "chain/indexer.hpp"
#include "chain/quantity.hpp"
#include "config/settings.hpp"
#include "db/blocking_session.hpp"
#include "security/mac.hpp"
#include "support/anvil.hpp"
#include "support/child_process.hpp"
#include "support/databases.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"
#include "util/hex.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace pend::test {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kFixture = std::string{PEND_SOURCE_DIR} + "/tests/fixtures/legacy/irregular";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string phone_hash(std::string_view e164) {
  // config/test.toml's (PEND_ENV=test below).
  return security::hmac_sha256_hex("test-pepper-not-a-secret-0123456789abcdef", e164);
}

// A value as text for comparing an expectation with a row: numbers and strings alike, hex
// in lower case.
std::string norm(const json::value& v) {
  std::string s = v.is_string() ? std::string{v.get_string()} : json::serialize(v);
  if (s.starts_with("0x") || s.starts_with("0X")) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (s.ends_with(".000Z")) s = s.substr(0, s.size() - 5) + "Z";
  return s;
}

// Every key of expected (but those skipped) equals the row's.
void expect_fields(const json::object& expected, const json::object& row, const std::string& what,
                   std::initializer_list<std::string_view> skip = {}) {
  for (const auto& [key, value] : expected) {
    if (std::find(skip.begin(), skip.end(), std::string_view{key}) != skip.end()) continue;
    const auto* actual = row.if_contains(key);
    if (actual == nullptr) continue;  // a note, not a column
    EXPECT_EQ(norm(*actual), norm(value)) << what << " " << key;
  }
}

class LegacyImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!database_.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
    std::string base = env("PEND_TEST_TMPDIR");
    if (base.empty()) base = "/tmp";
    dir_ = fs::path(base) / ("pend-legacy-" + std::to_string(::getpid()) + "-" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "logs");
    rejects_ = (dir_ / "rejects.jsonl").string();
    expected_ = json::parse(read_file(kFixture + "/EXPECTED.json")).as_object();
    session_ = std::make_unique<db::BlockingSession>(database_.url());
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::vector<std::string> environment() const {
    return {"PEND_ENV=test", "DATABASE_URL=" + database_.url(),
            "REDIS_URL=" + env("PEND_TEST_REDIS_URL"), "LOG_DIR=" + (dir_ / "logs").string()};
  }

  // Runs import-legacy to its end; the exit code, and its output in *output.
  int import(std::vector<std::string> extra, std::string* output = nullptr,
             const std::string& from = kFixture) {
    std::vector<std::string> args = {"import-legacy", "--no-dotenv", "--from", from,
                                     "--rejects",     rejects_};
    args.insert(args.end(), extra.begin(), extra.end());
    auto child = spawn(args, environment());
    const int code = child->wait_exit_code(120s);
    if (output != nullptr) *output = child->output();
    all_output_ += child->output();
    return code;
  }

  std::string value(const std::string& sql, const std::vector<std::string>& params = {}) {
    const auto rows = session_->exec(sql, params);
    return rows.size() > 0 ? rows.value(0, 0) : std::string{"<no row>"};
  }
  json::object row_json(const std::string& sql, const std::vector<std::string>& params) {
    const auto text = value(sql, params);
    if (text == "<no row>") return {};
    return json::parse(text).as_object();
  }

  // Row counts of every table the import writes.
  std::map<std::string, std::string> counts() {
    std::map<std::string, std::string> out;
    for (const auto* table : {"users", "admin_users", "admin_audit_logs", "system_config",
                              "server_logs", "blocks", "transactions", "tokens", "chain_sync"}) {
      out[table] = value(std::string{"SELECT count(*) FROM "} + table);
    }
    return out;
  }

  const json::object& expected(std::string_view file) { return expected_.at(file).as_object(); }

  // The rejects file's lines per file and reason: {"wallet-db.json": {"bad_checksum": 1}}.
  std::map<std::string, std::map<std::string, int>> rejects_by_reason() {
    std::map<std::string, std::map<std::string, int>> out;
    std::ifstream in(rejects_);
    for (std::string line; std::getline(in, line);) {
      const auto v = json::parse(line).as_object();
      ++out[std::string{v.at("file").as_string()}][std::string{v.at("reason").as_string()}];
    }
    return out;
  }

  ScratchDatabase database_;
  fs::path dir_;
  std::string rejects_;
  json::object expected_;
  std::unique_ptr<db::BlockingSession> session_;
  std::string all_output_;
};

TEST_F(LegacyImportTest, DryRunReportsAndChangesNothing) {
  const auto before = counts();
  std::string out;
  EXPECT_EQ(import({"--dry-run"}, &out), 3) << out;
  EXPECT_NE(out.find("dry run: nothing was changed; 60 record(s) would be inserted"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("not recognised, not read: admin-notes.json"), std::string::npos);
  EXPECT_NE(out.find("not recognised, not read: explorer-data/README.txt"), std::string::npos);
  EXPECT_EQ(counts(), before);
  // The rejects are written all the same, so that they can be fixed before the real run.
  int lines = 0;
  for (const auto& [file, reasons] : rejects_by_reason())
    for (const auto& [reason, n] : reasons) lines += n;
  EXPECT_EQ(lines, 23);
}

TEST_F(LegacyImportTest, EveryIrregularRecordBecomesTheExpectedRowOrReject) {
  std::string out;
  ASSERT_EQ(import({}, &out), expected_.at("exit_status").as_int64()) << out;
  EXPECT_NE(out.find("60 record(s) inserted"), std::string::npos) << out;

  // The counts per file: the audit row's and the report's, against EXPECTED.json.
  const auto audit =
      row_json("SELECT new_values::text FROM admin_audit_logs WHERE action = 'LEGACY_IMPORT'", {});
  const auto& files = audit.at("files").as_object();
  const auto rejects = rejects_by_reason();
  for (const auto& name : expected_.at("order").as_array()) {
    const std::string file{name.as_string()};
    SCOPED_TRACE(file);
    const auto& want = expected(file);
    const auto& got = files.at(file).as_object();
    EXPECT_EQ(got.at("read"), want.at("read"));
    EXPECT_EQ(got.at("valid"), want.at("valid"));
    EXPECT_EQ(got.at("superseded"), want.at("superseded"));
    EXPECT_EQ(got.at("inserted"), want.at("to_insert"));
    EXPECT_EQ(got.at("present"), want.at("present"));
    std::map<std::string, int> reasons;
    for (const auto& [reason, n] : want.at("rejected").as_object())
      reasons[std::string{reason}] = static_cast<int>(n.as_int64());
    const auto got_reasons = rejects.count(file) ? rejects.at(file) : std::map<std::string, int>{};
    EXPECT_EQ(got_reasons, reasons);
  }
  EXPECT_EQ(audit.at("inserted").as_int64(), 60);

  // Users: phone_hash of the E.164 number, EIP-55, tier, status, created date, country.
  EXPECT_EQ(value("SELECT count(*) FROM users"), "9");
  for (const auto& u : expected("wallet-db.json").at("users").as_array()) {
    const auto& want = u.as_object();
    const auto hash = phone_hash(want.at("e164").as_string());
    SCOPED_TRACE(json::serialize(want));
    const auto got = row_json(
        "SELECT jsonb_build_object('address', blockchain_address, 'tier', tier, 'status', status, "
        "'email', email, 'country_code', country_code, 'created_at', "
        "CASE WHEN created_at < now() - interval '1 hour' THEN to_char(created_at AT TIME ZONE "
        "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') END, 'imported_from', "
        "metadata->>'imported_from')::text FROM users WHERE phone_hash = $1",
        {hash});
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.at("address"), want.at("address"));  // EIP-55 exactly
    EXPECT_EQ(got.at("imported_from"), "wallet-db.json");
    expect_fields(want, got, "user");
  }

  // Logs: their own timestamps and levels, the plan's categories, phone numbers masked.
  EXPECT_EQ(value("SELECT count(*) FROM server_logs WHERE metadata->>'legacy' = 'true'"),
            std::to_string(expected("server-logs.json").at("rows").as_int64()));
  for (const auto& r : expected("server-logs.json").at("rows_detail").as_array()) {
    const auto& want = r.as_object();
    if (!want.contains("timestamp")) continue;
    SCOPED_TRACE(json::serialize(want));
    // Several entries may share a timestamp: the one of the same level and event type.
    const auto candidates = json::parse(
        value("SELECT coalesce(jsonb_agg(jsonb_build_object('level', level, 'category', category, "
              "'event_type', event_type, 'ip_address', host(ip_address), 'endpoint', endpoint, "
              "'method', method, 'status_code', status_code, 'response_time_ms', response_time_ms, "
              "'metadata', metadata)), '[]')::text FROM server_logs WHERE timestamp = "
              "$1::timestamptz AND metadata->>'legacy' = 'true'",
              {std::string{want.at("timestamp").as_string()}}));
    json::object got;
    for (const auto& c : candidates.as_array()) {
      const auto& o = c.as_object();
      if (o.at("level") == want.at("level") &&
          (!want.contains("event_type") || o.at("event_type") == want.at("event_type"))) {
        got = o;
        break;
      }
    }
    ASSERT_FALSE(got.empty());
    expect_fields(want, got, "log", {"metadata", "metadata_includes"});
    if (const auto* m = want.if_contains("metadata")) {
      EXPECT_EQ(got.at("metadata"), *m);
    }
    if (const auto* m = want.if_contains("metadata_includes")) {
      for (const auto& [k, v] : m->as_object()) {
        EXPECT_EQ(got.at("metadata").as_object().at(k), v) << k;
      }
    }
  }
  // Two identical entries are two rows with ids of their own.
  EXPECT_EQ(value("SELECT count(DISTINCT id) FROM server_logs WHERE metadata->>'legacy' = "
                  "'true'"),
            std::to_string(expected("server-logs.json").at("rows").as_int64()));

  // Admins: no old hash, no TOTP, a password to set.
  for (const auto& a : expected("admin-users.json").at("admins").as_array()) {
    const auto& want = a.as_object();
    SCOPED_TRACE(json::serialize(want));
    const auto got = row_json(
        "SELECT jsonb_build_object('email', email, 'display_name', display_name, 'role', role, "
        "'status', status, 'must_change', password_must_change, 'hash', password_hash, 'totp', "
        "totp_secret_encrypted IS NOT NULL, 'last_login_at', to_char(last_login_at AT TIME "
        "ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))::text FROM admin_users WHERE email = $1",
        {std::string{want.at("email").as_string()}});
    ASSERT_FALSE(got.empty());
    expect_fields(want, got, "admin", {"created_at"});
    EXPECT_EQ(got.at("must_change"), true);
    EXPECT_EQ(got.at("hash"), "!legacy-import: reset by a superadmin");
    EXPECT_EQ(got.at("totp"), false);
  }

  // Admin actions: in the file's order on the chain, their admins resolved.
  const auto actions = session_->exec(
      "SELECT a.action, coalesce(u.email, ''), a.session_id, coalesce(a.justification, '') "
      "FROM admin_audit_logs a LEFT JOIN admin_users u ON u.id = a.admin_id "
      "WHERE a.session_id = 'legacy-import' ORDER BY a.seq");
  const auto& want_actions = expected("admin-actions.json").at("rows_in_file_order").as_array();
  ASSERT_EQ(actions.size(), static_cast<int>(want_actions.size()));
  for (int i = 0; i < actions.size(); ++i) {
    const auto& want = want_actions[static_cast<std::size_t>(i)].as_object();
    EXPECT_EQ(actions.value(i, 0), want.at("action").as_string());
    const auto& admin = want.at("admin");
    EXPECT_EQ(actions.value(i, 1), admin.is_null() ? "" : std::string{admin.as_string()});
    if (const auto* j = want.if_contains("justification_contains")) {
      EXPECT_NE(actions.value(i, 3).find(j->as_string()), std::string::npos) << actions.value(i, 3);
    }
  }
  // The chain still verifies, imported rows and all.
  auto verify_chain = spawn({"audit", "verify", "--no-dotenv"}, environment());
  EXPECT_EQ(verify_chain->wait_exit_code(60s), 0) << verify_chain->output();

  // Settings under legacy.*, values as JSON.
  for (const auto& [key, v] : expected("admin-settings.json").at("rows").as_object()) {
    EXPECT_EQ(json::parse(value("SELECT value::text FROM system_config WHERE key = $1",
                                {std::string{key}})),
              v)
        << key;
  }

  // Chain data.
  for (const auto& b : expected("explorer-data/blocks.json").at("blocks").as_array()) {
    const auto& want = b.as_object();
    const auto got = row_json(
        "SELECT jsonb_build_object('number', number, 'parent_hash', '0x' || encode(parent_hash, "
        "'hex'), 'timestamp', to_char(timestamp AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'miner', '0x' || encode(miner, 'hex'), "
        "'gas_used', gas_used::text, 'gas_limit', gas_limit::text, 'base_fee_per_gas', "
        "base_fee_per_gas::text, 'size', size, 'transaction_count', transaction_count, "
        "'consensus', consensus)::text FROM blocks WHERE hash = decode($1, 'hex')",
        {std::string{want.at("hash").as_string()}.substr(2)});
    ASSERT_FALSE(got.empty()) << json::serialize(want);
    expect_fields(want, got, "block " + norm(want.at("hash")));
    EXPECT_EQ(got.at("consensus"), true);
  }
  const auto tx_json = [&](const std::string& hash) {
    return row_json(
        "SELECT jsonb_build_object('block_hash', '0x' || encode(block_hash, 'hex'), "
        "'block_number', block_number, 'index_in_block', index, 'from', '0x' || "
        "encode(from_address, 'hex'), 'to', '0x' || encode(to_address, 'hex'), 'value', "
        "value::text, 'nonce', nonce, 'gas', gas::text, 'gas_price', gas_price::text, "
        "'max_fee_per_gas', max_fee_per_gas::text, 'max_priority_fee_per_gas', "
        "max_priority_fee_per_gas::text, 'effective_gas_price', effective_gas_price::text, "
        "'type', type, 'status', status, 'gas_used', gas_used::text, 'cumulative_gas_used', "
        "cumulative_gas_used::text, 'input', '0x' || encode(input, 'hex'), 'method_id', '0x' || "
        "encode(method_id, 'hex'), 'block_timestamp_matches', block_timestamp = (SELECT "
        "timestamp FROM blocks b WHERE b.hash = t.block_hash))::text FROM transactions t "
        "WHERE hash = decode($1, 'hex')",
        {hash.substr(2)});
  };
  for (const auto& t : expected("explorer-data/transactions.json").at("transactions").as_array()) {
    const auto& want = t.as_object();
    const auto got = tx_json(std::string{want.at("hash").as_string()});
    ASSERT_FALSE(got.empty()) << json::serialize(want);
    expect_fields(want, got, "transaction " + norm(want.at("hash")), {"index"});
    EXPECT_EQ(got.at("block_timestamp_matches"), true);
  }
  for (const auto& t : expected("explorer-data/blocks.json").at("embedded").as_array()) {
    auto want = t.as_object();
    want["index_in_block"] = want.at("index");
    const auto got = tx_json(std::string{want.at("hash").as_string()});
    ASSERT_FALSE(got.empty()) << json::serialize(want);
    expect_fields(want, got, "embedded " + norm(want.at("hash")), {"index"});
  }
  for (const auto& t : expected("explorer-data/tokens.json").at("tokens").as_array()) {
    const auto& want = t.as_object();
    const auto got = row_json(
        "SELECT jsonb_build_object('type', type, 'name', name, 'symbol', symbol, 'decimals', "
        "decimals, 'total_supply', total_supply::text, 'tracked', tracked)::text FROM tokens "
        "WHERE contract_address = decode($1, 'hex')",
        {std::string{want.at("contract_address").as_string()}.substr(2)});
    ASSERT_FALSE(got.empty()) << json::serialize(want);
    expect_fields(want, got, "token " + norm(want.at("contract_address")));
  }

  // Again: nothing inserted, and the report says so.
  const auto after = counts();
  EXPECT_EQ(import({}, &out), 3) << out;
  EXPECT_NE(out.find("nothing to insert: every valid record is in the database already"),
            std::string::npos)
      << out;
  auto again = counts();
  EXPECT_EQ(again["admin_audit_logs"], std::to_string(std::stoi(after.at("admin_audit_logs")) + 1));
  again["admin_audit_logs"] = after.at("admin_audit_logs");  // the second LEGACY_IMPORT row
  EXPECT_EQ(again, after);

  // --verify: every accepted record equal; then one changed in SQL is named.
  EXPECT_EQ(import({"--verify"}, &out), 0) << out;
  EXPECT_NE(out.find("verified: every accepted record is in the database, equal"),
            std::string::npos)
      << out;
  session_->exec("UPDATE users SET tier = 4 WHERE phone_hash = $1", {phone_hash("+447400123402")});
  session_->exec("UPDATE system_config SET value = '51' WHERE key = 'legacy.max_daily_transfers'");
  EXPECT_EQ(import({"--verify"}, &out), 1) << out;
  EXPECT_NE(out.find("wallet-db.json record 1 (+44*******402): differs in tier"), std::string::npos)
      << out;
  EXPECT_NE(out.find("NOT verified"), std::string::npos) << out;
  EXPECT_NE(out.find("admin-settings.json record"), std::string::npos) << out;
  EXPECT_NE(out.find(": differs in value"), std::string::npos) << out;
}

TEST_F(LegacyImportTest, NoPhoneNumberInClearInTheDatabaseLogsOrRejects) {
  std::string out;
  ASSERT_EQ(import({}, &out), 3) << out;
  std::vector<std::string> secrets;
  for (const auto& u : expected("wallet-db.json").at("users").as_array())
    secrets.emplace_back(u.at("e164").as_string());
  for (const auto* file : {"server-logs.json", "admin-users.json"}) {
    for (const auto& s : expected(file).at("never_stored_anywhere").as_array())
      secrets.emplace_back(s.as_string());
  }
  // Every form a number may take: as written, its digits alone, its national digits.
  std::vector<std::string> forms;
  for (const auto& s : secrets) {
    forms.push_back(s);
    std::string digits;
    for (const char c : s)
      if (c >= '0' && c <= '9') digits.push_back(c);
    if (digits.size() >= 10 && s.find('$') == std::string::npos) {
      forms.push_back(digits);
      forms.push_back(digits.substr(digits.size() - 9));  // 7400123456 without 44 or 0
    }
  }
  std::string everything = run_tool({"/usr/bin/pg_dump", "--data-only", database_.url()});
  ASSERT_NE(everything.find("LEGACY_IMPORT"), std::string::npos);  // the dump has the data
  everything += read_file(rejects_) + all_output_;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "logs")) {
    if (entry.is_regular_file()) everything += read_file(entry.path());
  }
  for (const auto& form : forms) {
    EXPECT_EQ(everything.find(form), std::string::npos) << form;
  }
  // ...while the masked forms are there.
  for (const auto& m : expected("server-logs.json").at("masked").as_array()) {
    EXPECT_NE(everything.find(std::string{m.as_string()}), std::string::npos) << m;
  }
}

// The generator's files (bench/legacy-gen.mjs), n users and n log entries.
fs::path generate(const fs::path& dir, int n) {
  const auto out = dir / "big";
  run_tool({"/usr/bin/node", std::string{PEND_SOURCE_DIR} + "/bench/legacy-gen.mjs", "--out",
            out.string(), "--users", std::to_string(n), "--logs", std::to_string(n)});
  return out;
}

TEST_F(LegacyImportTest, KilledMidImportThenRunAgainLeavesOneCopyOfEveryRecord) {
  constexpr int kRecords = 10'000;
  const auto from = generate(dir_, kRecords);
  std::vector<std::string> args = {"import-legacy", "--no-dotenv", "--from",
                                   from.string(),   "--rejects",   rejects_};
  auto child = spawn(args, environment());
  // Killed while the logs file's INSERT runs (the wallets file committed before it).
  const std::string active =
      "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE "
      "'WITH ins AS (INSERT INTO server_logs%'";
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (value(active) == "0" && std::chrono::steady_clock::now() < deadline) {
    ASSERT_EQ(child->wait_exit_code(0s), -1)
        << "ended before the logs' insert: " << child->output();
    std::this_thread::sleep_for(2ms);
  }
  ASSERT_EQ(value(active), "1");
  ASSERT_EQ(::kill(child->pid, SIGKILL), 0);
  EXPECT_EQ(child->wait_exit_code(), 128 + SIGKILL);
  // Its backend notices the client is gone and rolls the file back.
  const std::string gone =
      "SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
      "'WITH ins AS (INSERT INTO server_logs%' AND pid <> pg_backend_pid()";
  while (value(gone) != "0" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(value("SELECT count(*) FROM users"), std::to_string(kRecords));
  EXPECT_EQ(value("SELECT count(*) FROM server_logs WHERE metadata->>'legacy' = 'true'"), "0");

  std::string out;
  EXPECT_EQ(import({}, &out, from.string()), 0) << out;
  EXPECT_EQ(value("SELECT count(*) || '/' || count(DISTINCT phone_hash) FROM users"),
            std::to_string(kRecords) + "/" + std::to_string(kRecords));
  EXPECT_EQ(value("SELECT count(*) || '/' || count(DISTINCT id) FROM server_logs WHERE "
                  "metadata->>'legacy' = 'true'"),
            std::to_string(kRecords) + "/" + std::to_string(kRecords));
  EXPECT_EQ(import({"--verify"}, &out, from.string()), 0) << out;
}

// Explorer data meets the indexer: a block the node has is kept; one it has not got is
// replaced by the node's, with its transactions, as after a reorg.
class LegacyChainTest : public LegacyImportTest {
 protected:
  void SetUp() override {
    LegacyImportTest::SetUp();
    if (IsSkipped()) return;
    if (!TempAnvil::available()) GTEST_SKIP() << "scripts/install-deps installs anvil";
    anvil_ = std::make_unique<TempAnvil>();
    driver_ = std::make_unique<ChainDriver>(anvil_->url());
  }

  workers::RunReport index() { return index_once(anvil_->url(), database_.url()); }

  // A legacy blocks file: the node's own block at keep, and a made-up one at fake (with a
  // made-up transaction), as the old explorer might have kept a block of a branch since lost.
  void write_blocks(std::uint64_t keep, std::uint64_t fake, const std::string& fake_hash) {
    fs::create_directories(dir_ / "legacy" / "explorer-data");
    json::array blocks;
    blocks.push_back(driver_->rpc("eth_getBlockByNumber", {chain::to_quantity(keep), true}));
    json::object made_up;
    made_up["number"] = fake;
    made_up["hash"] = fake_hash;
    made_up["parentHash"] = "0x" + std::string(64, '1');
    made_up["timestamp"] = 1'700'000'000;
    made_up["miner"] = "0x" + std::string(40, '2');
    made_up["transactions"] = json::array{json::object{{"hash", "0x" + std::string(64, '3')},
                                                       {"from", "0x" + std::string(40, '4')},
                                                       {"to", "0x" + std::string(40, '5')},
                                                       {"value", "1"},
                                                       {"nonce", 0}}};
    blocks.push_back(made_up);
    std::ofstream(dir_ / "legacy" / "explorer-data" / "blocks.json") << json::serialize(blocks);
  }

  std::unique_ptr<TempAnvil> anvil_;
  std::unique_ptr<ChainDriver> driver_;
};

TEST_F(LegacyChainTest, ImportedBlocksTheNodeHasNotGotAreReplacedByTheIndexer) {
  driver_->mine(8);
  const std::string fake_hash = "0x" + std::string(64, 'f');
  write_blocks(3, 5, fake_hash);
  std::string out;
  ASSERT_EQ(import({"--only", "explorer"}, &out, (dir_ / "legacy").string()), 0) << out;
  EXPECT_EQ(value("SELECT count(*) FROM blocks WHERE consensus"), "2");
  EXPECT_EQ(value("SELECT count(*) FROM transactions WHERE block_consensus"), "1");

  const auto report = index();
  EXPECT_EQ(report.at("replaced").as_int64(), 1) << json::serialize(report);
  // Block 3 was the node's: kept as it is. Block 5 was not: replaced, found by its hash.
  EXPECT_EQ(
      value("SELECT consensus FROM blocks WHERE hash = decode($1, 'hex')", {fake_hash.substr(2)}),
      "f");
  EXPECT_EQ(value("SELECT block_consensus FROM transactions WHERE hash = decode($1, 'hex')",
                  {std::string(64, '3')}),
            "f");
  for (std::uint64_t n = 0; n <= driver_->head(); ++n) {
    const auto node = driver_->rpc("eth_getBlockByNumber", {chain::to_quantity(n), false});
    EXPECT_EQ("0x" + value("SELECT encode(hash, 'hex') FROM blocks WHERE number = $1 AND "
                           "consensus",
                           {std::to_string(n)}),
              node.at("hash").as_string())
        << n;
  }

  // Past the indexer's tip: kept until the node reaches the height, then replaced there.
  const auto head = driver_->head();
  const std::string ahead_hash = "0x" + std::string(64, 'e');
  fs::remove_all(dir_ / "legacy");
  write_blocks(2, head + 3, ahead_hash);
  ASSERT_EQ(import({"--only", "explorer"}, &out, (dir_ / "legacy").string()), 0) << out;
  EXPECT_NE(out.find("explorer-data/blocks.json"), std::string::npos);
  EXPECT_EQ(value("SELECT next_block FROM chain_sync"), std::to_string(head + 1));
  driver_->mine(5);
  EXPECT_EQ(index().at("replaced").as_int64(), 1);
  EXPECT_EQ(
      value("SELECT consensus FROM blocks WHERE hash = decode($1, 'hex')", {ahead_hash.substr(2)}),
      "f");
  EXPECT_EQ(value("SELECT count(*) FROM blocks WHERE consensus"),
            std::to_string(driver_->head() + 1));
}

}  // namespace
}  // namespace pend::test
