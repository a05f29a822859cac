// KYC against real PostgreSQL and Redis through the HTTP API: uploads of each allowed type
// sealed on disk, every refused upload (renamed executable, HTML, PDF with JavaScript, a
// decompression bomb's header, oversized, over quota, a client gone mid-upload) leaving no
// file and no row, the review flow to a tier change with its audit row, tier 4 waiting for a
// second admin, the document stream's headers and audit entry, a flipped byte refused, and
// one user never seeing another's submission.
#include "cache/session_store.hpp"
#include "db/blocking_session.hpp"
#include "external/storage.hpp"
#include "support/child_process.hpp"
#include "support/databases.hpp"
#include "support/documents.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"
#include "util/enum_name.hpp"
#include "workers/cleanup.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace pend::test {
namespace {

namespace fs = std::filesystem;
using http::Principal;
using security::Role;

struct KycTest : ::testing::Test {
  void SetUp() override {
    if (!database.available() || !TempRedis::available()) {
      GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL and redis-server";
    }
    s = test_settings();
    s.database.url = database.url();
    s.redis.url = redis.url();
    s.kyc.max_document_bytes = 2 * 1024 * 1024;
    s.kyc.quota_bytes = 3 * 1024 * 1024;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(s.storage.upload_dir, ec);
  }

  std::string admin(Role role, const std::string& name, std::string* id = nullptr) {
    const auto admin = database.value(
        "INSERT INTO admin_users (email, display_name, password_hash, role) VALUES ('" + name +
        "@example.com', '" + name + "', 'x', '" + std::string{util::enum_name(role)} +
        "') RETURNING id");
    if (id != nullptr) *id = admin;
    cache::SessionStore store(client.redis, config::SessionSettings{});
    return run_until_done(client.loop,
                          store.create(Principal::Kind::admin, admin, "198.51.100.4", "panel/1"))
        .token;
  }
  std::string user(const std::string& address, std::string* id) {
    *id = database.value(
        "INSERT INTO users (phone_hash, blockchain_address, tier, status) VALUES ('" +
        std::string(64, address[3]) + "', '" + address + "', 0, 'active') RETURNING id");
    cache::SessionStore store(client.redis, config::SessionSettings{});
    return run_until_done(client.loop,
                          store.create(Principal::Kind::user, *id, "198.51.100.9", "app/1"))
        .token;
  }
  HttpResponse call(const TestServer& server, std::string_view method, const std::string& target,
                    const std::string& token, const std::string& body = {},
                    const std::string& type = "application/json") {
    return request(server.port(), method, target,
                   {{"Authorization", "Bearer " + token}, {"Content-Type", type}}, body);
  }
  std::string draft(const TestServer& server, const std::string& token, int tier) {
    const auto r = call(server, "POST", "/api/v1/kyc/submissions", token,
                        R"({"target_tier":)" + std::to_string(tier) + "}");
    EXPECT_EQ(r.status, 201u) << r.body;
    return std::string{r.json().at("id").as_string()};
  }
  HttpResponse upload(const TestServer& server, const std::string& token, const std::string& id,
                      const std::string& kind, const std::string& bytes,
                      const std::string& type = "image/jpeg") {
    return call(server, "PUT", "/api/v1/kyc/submissions/" + id + "/documents/" + kind, token, bytes,
                type);
  }
  // Files under the document store and its tmp/ (there must be none after a refusal).
  std::size_t files_on_disk() const {
    std::size_t n = 0;
    for (const auto& entry : fs::recursive_directory_iterator(s.storage.upload_dir)) {
      n += entry.is_regular_file() ? 1 : 0;
    }
    return n;
  }
  std::string count(const std::string& table) const {
    return database.value("SELECT count(*) FROM " + table);
  }

  ScratchDatabase database;
  TempRedis redis;
  RedisOnLoop client{redis.url()};
  config::Settings s;
};

constexpr const char* kAlice = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
constexpr const char* kBob = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";

TEST_F(KycTest, EachAllowedTypeIsStoredSealedAndReadsBackToTheBytes) {
  TestServer server(s);
  std::string alice_id;
  const auto alice = user(kAlice, &alice_id);
  const auto id = draft(server, alice, 4);  // identity_document, selfie, proof_of_address
  const auto jpeg = jpeg_image(1600, 1200, 300'000);
  const auto png = png_image(800, 600);
  const auto pdf = pdf_of_size(500'000);
  // The declared Content-Type is ignored: the bytes decide.
  auto r = upload(server, alice, id, "identity_document", jpeg, "application/pdf");
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json().at("content_type"), "image/jpeg");
  EXPECT_EQ(r.json().at("width"), 1600);
  EXPECT_EQ(r.json().at("height"), 1200);
  EXPECT_EQ(r.json().at("size_bytes"), static_cast<std::int64_t>(jpeg.size()));
  EXPECT_EQ(r.body.find("storage_key"), std::string::npos);
  r = upload(server, alice, id, "selfie", png);
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json().at("content_type"), "image/png");
  r = upload(server, alice, id, "proof_of_address", pdf, "image/png");
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json().at("content_type"), "application/pdf");
  EXPECT_EQ(count("kyc_documents"), "3");
  EXPECT_EQ(files_on_disk(), 3u);

  // On disk: not the input, and it opens back to it.
  external::LocalStorage storage(s.storage.upload_dir, config::storage_keys(s.storage));
  const auto key =
      database.value("SELECT storage_key FROM kyc_documents WHERE kind = 'identity_document'");
  std::ifstream in(storage.path_of(key), std::ios::binary);
  const std::string disk{std::istreambuf_iterator<char>(in), {}};
  EXPECT_EQ(disk.find(jpeg.substr(0, 4096)), std::string::npos);
  EXPECT_EQ(disk.find("JFIF"), std::string::npos);
  std::string opened;
  const auto reader = storage.open(key);
  for (auto piece = reader->next(); !piece.empty(); piece = reader->next()) opened += piece;
  EXPECT_EQ(opened, jpeg);
  EXPECT_EQ(database.value("SELECT key_id FROM kyc_documents WHERE kind = 'selfie'"), "dev");

  // Replacing a document of a kind: one row, one file, the new bytes.
  r = upload(server, alice, id, "selfie", png_image(400, 400));
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json().at("width"), 400);
  EXPECT_EQ(count("kyc_documents"), "3");
  EXPECT_EQ(files_on_disk(), 3u);
  // Deleting one while the draft is open.
  r = call(server, "DELETE", "/api/v1/kyc/submissions/" + id + "/documents/selfie", alice);
  EXPECT_EQ(r.status, 204u) << r.body;
  EXPECT_EQ(count("kyc_documents"), "2");
  EXPECT_EQ(files_on_disk(), 2u);
  r = call(server, "GET", "/api/v1/kyc/status", alice);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("tier"), 0);
  EXPECT_EQ(r.json().at("missing_documents"), boost::json::array{"selfie"});
  r = call(server, "POST", "/api/v1/kyc/submissions/" + id + "/submit", alice);
  EXPECT_EQ(r.status, 422u) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "documents_missing");
}

TEST_F(KycTest, RefusedUploadsLeaveNoFileAndNoRow) {
  s.kyc.quota_bytes = 700'000;
  TestServer server(s);
  std::string alice_id;
  const auto alice = user(kAlice, &alice_id);
  const auto id = draft(server, alice, 3);
  struct Case {
    std::string name;
    std::string bytes;
    unsigned status;
    std::string code;
  };
  std::string elf =
      "\x7f"
      "ELF\x02\x01\x01";
  elf += std::string(5000, '\x90');
  const std::vector<Case> cases = {
      {"renamed executable", elf, 422, "unsupported_type"},
      {"html", "<!DOCTYPE html><html><script>document.cookie</script></html>", 422,
       "unsupported_type"},
      {"pdf with javascript", pdf_document("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
       422, "pdf_active_content"},
      {"pdf with compressed javascript", pdf_with_compressed_javascript(), 422,
       "pdf_active_content"},
      {"100000 x 100000 image", png_image(100000, 100000), 422, "image_dimensions"},
      {"oversized", pdf_of_size(2 * 1024 * 1024 + 10'000), 413, "payload_too_large"},
      {"over quota", pdf_of_size(800'000), 413, "quota_exceeded"},
      {"empty", "", 422, "empty_document"},
  };
  for (const auto& c : cases) {
    const auto r = upload(server, alice, id, "identity_document", c.bytes);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    if (r.status >= 400) {
      EXPECT_EQ(r.json().at("error").at("code"), boost::json::value(c.code)) << c.name;
    }
    EXPECT_EQ(count("kyc_documents"), "0") << c.name;
    EXPECT_EQ(files_on_disk(), 0u) << c.name;
  }
  // Over quota counted with what is stored: a first document fits, a second does not.
  auto r = upload(server, alice, id, "identity_document", pdf_of_size(400'000));
  ASSERT_EQ(r.status, 201u) << r.body;
  r = upload(server, alice, id, "selfie", pdf_of_size(400'000));
  EXPECT_EQ(r.status, 413u) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "quota_exceeded");
  EXPECT_EQ(count("kyc_documents"), "1");
  EXPECT_EQ(files_on_disk(), 1u);
  // Chunked, without a Content-Length: the limit holds as the bytes arrive.
  {
    RawConnection conn(server.port());
    std::string req = "PUT /api/v1/kyc/submissions/" + id +
                      "/documents/selfie HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + alice +
                      "\r\nTransfer-Encoding: chunked\r\n\r\n";
    const auto big = pdf_of_size(2 * 1024 * 1024 + 100'000);
    for (std::size_t at = 0; at < big.size(); at += 60'000) {
      const auto part = big.substr(at, 60'000);
      char size[16];
      std::snprintf(size, sizeof size, "%zx\r\n", part.size());
      req += size + part + "\r\n";
    }
    req += "0\r\n\r\n";
    conn.send(req);
    const auto response = conn.read_response();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 413u) << response->body;
  }
  EXPECT_EQ(count("kyc_documents"), "1");
  EXPECT_EQ(files_on_disk(), 1u);
}

TEST_F(KycTest, AClientGoneMidUploadLeavesNothing) {
  TestServer server(s);
  std::string alice_id;
  const auto alice = user(kAlice, &alice_id);
  const auto id = draft(server, alice, 2);
  const auto pdf = pdf_of_size(1'500'000);
  {
    RawConnection conn(server.port());
    conn.send("PUT /api/v1/kyc/submissions/" + id +
              "/documents/identity_document HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + alice +
              "\r\nContent-Length: " + std::to_string(pdf.size()) + "\r\n\r\n" +
              pdf.substr(0, 700'000));
    // Wait until the server has the writer's temporary file, then hang up.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (files_on_disk() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    ASSERT_EQ(files_on_disk(), 1u);  // the partial, sealed temporary file
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (files_on_disk() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(files_on_disk(), 0u);
  EXPECT_EQ(count("kyc_documents"), "0");
  // And the server goes on: the same upload, whole, is stored.
  const auto r = upload(server, alice, id, "identity_document", pdf);
  EXPECT_EQ(r.status, 201u) << r.body;
}

TEST_F(KycTest, ReviewRaisesTheTierWithItsAuditRowAndStreamsDocumentsAsAttachments) {
  TestServer server(s);
  std::string alice_id, bob_id, reviewer_id;
  const auto alice = user(kAlice, &alice_id);
  const auto bob = user(kBob, &bob_id);
  const auto reviewer = admin(Role::compliance, "reviewer", &reviewer_id);
  const auto viewer = admin(Role::viewer, "viewer");
  const auto id = draft(server, alice, 2);
  const auto jpeg = jpeg_image(1000, 700);
  ASSERT_EQ(upload(server, alice, id, "identity_document", jpeg).status, 201u);

  // Another user's submission is not theirs to see or change: 404, as if there were none.
  EXPECT_EQ(call(server, "GET", "/api/v1/kyc/submissions/" + id, bob).status, 404u);
  EXPECT_EQ(upload(server, bob, id, "identity_document", jpeg).status, 404u);
  EXPECT_EQ(call(server, "POST", "/api/v1/kyc/submissions/" + id + "/submit", bob).status, 404u);
  EXPECT_EQ(
      call(server, "DELETE", "/api/v1/kyc/submissions/" + id + "/documents/identity_document", bob)
          .status,
      404u);

  auto r = call(server, "POST", "/api/v1/kyc/submissions/" + id + "/submit", alice);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("status"), "submitted");
  // Once submitted, the documents are fixed.
  EXPECT_EQ(upload(server, alice, id, "identity_document", jpeg).status, 409u);

  // The queue, oldest first; a viewer may not see it.
  EXPECT_EQ(call(server, "GET", "/api/v1/admin/kyc/submissions", viewer).status, 403u);
  r = call(server, "GET", "/api/v1/admin/kyc/submissions?target_tier=2", reviewer);
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(r.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(r.json().at("items").at(0).at("id").as_string(), id);
  r = call(server, "GET", "/api/v1/admin/kyc/submissions/" + id, reviewer);
  ASSERT_EQ(r.status, 200u) << r.body;
  const std::string doc{r.json().at("documents").at(0).at("id").as_string()};

  // The document, decrypted, as an attachment that no browser renders.
  r = call(server, "GET", "/api/v1/admin/kyc/submissions/" + id + "/documents/" + doc, reviewer);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.body, jpeg);
  EXPECT_EQ(r.header("Content-Type"), "image/jpeg");
  EXPECT_EQ(r.header("Content-Disposition"),
            "attachment; filename=\"identity_document-" + doc + ".jpg\"");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  EXPECT_EQ(r.header("Content-Length"), std::to_string(jpeg.size()));
  EXPECT_EQ(database.value("SELECT count(*) || ' ' || max(admin_id::text) || ' ' || "
                           "max(resource_id) FROM admin_audit_logs WHERE action = "
                           "'kyc.document_view'"),
            "1 " + reviewer_id + " " + doc);

  // Rejection without a reason is refused; approval raises the tier in the same commit.
  r = call(server, "POST", "/api/v1/admin/kyc/submissions/" + id + "/decision", reviewer,
           R"({"decision":"reject"})");
  EXPECT_EQ(r.status, 422u) << r.body;
  r = call(server, "POST", "/api/v1/admin/kyc/submissions/" + id + "/decision", reviewer,
           R"({"decision":"approve"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("status"), "applied");
  EXPECT_EQ(database.value("SELECT tier FROM users WHERE id = '" + alice_id + "'"), "2");
  EXPECT_EQ(database.value("SELECT status || ' ' || decided_by FROM kyc_submissions"),
            "approved " + reviewer_id);
  EXPECT_EQ(database.value("SELECT status FROM kyc_documents"), "approved");
  EXPECT_EQ(database.value("SELECT (old_values->>'user_tier') || '>' || "
                           "(new_values->>'user_tier') || ' ' || admin_id || ' ' || resource_id "
                           "FROM admin_audit_logs WHERE action = 'kyc.decide' AND outcome = "
                           "'allowed'"),
            "0>2 " + reviewer_id + " " + id);
  // Decided once.
  r = call(server, "POST", "/api/v1/admin/kyc/submissions/" + id + "/decision", reviewer,
           R"({"decision":"approve"})");
  EXPECT_EQ(r.status, 409u) << r.body;
  r = call(server, "GET", "/api/v1/kyc/status", alice);
  EXPECT_EQ(r.json().at("tier"), 2);

  // A flipped byte on disk: refused on read, never served.
  external::LocalStorage storage(s.storage.upload_dir, config::storage_keys(s.storage));
  const auto path = storage.path_of(database.value("SELECT storage_key FROM kyc_documents"));
  std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
  file.seekg(100);
  char byte = 0;
  file.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x20);
  file.seekp(100);
  file.write(&byte, 1);
  file.close();
  r = call(server, "GET", "/api/v1/admin/kyc/submissions/" + id + "/documents/" + doc, reviewer);
  EXPECT_EQ(r.status, 500u) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "document_corrupt");
  EXPECT_EQ(r.body.find("JFIF"), std::string::npos);
}

TEST_F(KycTest, RejectionGivesReasonsPerDocumentAndTier4NeedsTwoAdmins) {
  TestServer server(s);
  std::string alice_id, first_id;
  const auto alice = user(kAlice, &alice_id);
  const auto first = admin(Role::compliance, "first", &first_id);
  const auto second = admin(Role::admin, "second");
  auto id = draft(server, alice, 4);
  auto fill = [&](const std::string& submission) {
    ASSERT_EQ(upload(server, alice, submission, "identity_document", jpeg_image(900, 600)).status,
              201u);
    ASSERT_EQ(upload(server, alice, submission, "selfie", png_image(300, 300)).status, 201u);
    ASSERT_EQ(upload(server, alice, submission, "proof_of_address", pdf_of_size(20'000)).status,
              201u);
    ASSERT_EQ(
        call(server, "POST", "/api/v1/kyc/submissions/" + submission + "/submit", alice).status,
        200u);
  };
  fill(id);
  auto r = call(server, "POST", "/api/v1/admin/kyc/submissions/" + id + "/decision", first,
                R"({"decision":"reject","reason":"the selfie does not match",)"
                R"("documents":[{"kind":"selfie","decision":"reject","reason":"blurred"},)"
                R"({"kind":"identity_document","decision":"approve"}]})");
  ASSERT_EQ(r.status, 200u) << r.body;  // a rejection needs no second admin
  EXPECT_EQ(database.value("SELECT string_agg(kind || '=' || status || ':' || coalesce(reason, "
                           "''), ',' ORDER BY kind) FROM kyc_documents"),
            "identity_document=approved:,proof_of_address=rejected:the selfie does not match,"
            "selfie=rejected:blurred");
  r = call(server, "GET", "/api/v1/kyc/status", alice);
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto reasons = r.json().at("rejection_reasons");
  EXPECT_EQ(reasons.as_array().size(), 3u) << r.body;
  EXPECT_NE(r.body.find("blurred"), std::string::npos);

  // A new submission for tier 4: the first admin's approval waits for a second.
  id = draft(server, alice, 4);
  fill(id);
  r = call(server, "POST", "/api/v1/admin/kyc/submissions/" + id + "/decision", first,
           R"({"decision":"approve"})");
  ASSERT_EQ(r.status, 202u) << r.body;
  EXPECT_EQ(r.json().at("status"), "pending");
  const std::string approval{r.json().at("approval_id").as_string()};
  EXPECT_EQ(database.value("SELECT tier FROM users WHERE id = '" + alice_id + "'"), "0");
  EXPECT_EQ(database.value("SELECT status FROM kyc_submissions WHERE id = '" + id + "'"),
            "submitted");
  // Not by the same admin.
  r = call(server, "POST", "/api/v1/admin/approvals/" + approval + "/approve", first,
           R"({"justification":"mine"})");
  EXPECT_EQ(r.status, 403u) << r.body;
  r = call(server, "POST", "/api/v1/admin/approvals/" + approval + "/approve", second,
           R"({"justification":"documents checked again"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(database.value("SELECT tier FROM users WHERE id = '" + alice_id + "'"), "4");
  EXPECT_EQ(database.value("SELECT status FROM kyc_submissions WHERE id = '" + id + "'"),
            "approved");
  EXPECT_EQ(database.value("SELECT (old_values->>'user_tier') || '>' || "
                           "(new_values->>'user_tier') || ' ' || outcome || ' ' || admin_id FROM "
                           "admin_audit_logs WHERE action = 'kyc.decide' AND approved_by IS NOT "
                           "NULL"),
            "0>4 approved " + first_id);
  // The first submission's approved identity document is superseded by the new one.
  EXPECT_EQ(database.value("SELECT count(*) FROM kyc_documents WHERE status = 'superseded'"), "1");
}

TEST_F(KycTest, TheCleanupWorkerDeletesExpiredDocumentsWithAnAuditRow) {
  TestServer server(s);
  std::string alice_id, reviewer_id;
  const auto alice = user(kAlice, &alice_id);
  const auto reviewer = admin(Role::compliance, "reviewer", &reviewer_id);
  const auto id = draft(server, alice, 2);
  ASSERT_EQ(upload(server, alice, id, "identity_document", png_image(500, 500)).status, 201u);
  ASSERT_EQ(call(server, "POST", "/api/v1/kyc/submissions/" + id + "/submit", alice).status, 200u);
  ASSERT_EQ(call(server, "POST", "/api/v1/admin/kyc/submissions/" + id + "/decision", reviewer,
                 R"({"decision":"reject","reason":"expired passport"})")
                .status,
            200u);
  EXPECT_EQ(files_on_disk(), 1u);
  config::DatabaseSettings db_settings;
  db_settings.url = database.url();
  db_settings.maintain_partitions = false;
  workers::Cleanup cleanup({.database = db_settings,
                            .cleanup = config::CleanupSettings{},
                            .upload_dir = s.storage.upload_dir,
                            .storage_keys = config::storage_keys(s.storage),
                            .kyc_retention_days = 30,
                            .log_dir = s.storage.upload_dir + "/no-logs"});
  db::BlockingSession session(database.url());
  const auto run = [&] {
    std::atomic<bool> stopping{false};
    workers::RunContext ctx(session, std::chrono::steady_clock::now() + std::chrono::seconds(60),
                            stopping);
    return cleanup.run(ctx).at("kyc_documents_deleted");
  };
  EXPECT_EQ(run(), 0);  // not due yet: decided just now
  EXPECT_EQ(count("kyc_documents"), "1");
  EXPECT_EQ(files_on_disk(), 1u);
  database.value("UPDATE kyc_documents SET decided_at = now() - interval '31 days' RETURNING 1");
  EXPECT_EQ(run(), 1);
  EXPECT_EQ(count("kyc_documents"), "0");
  EXPECT_EQ(files_on_disk(), 0u);
  EXPECT_EQ(database.value("SELECT count(*) || ' ' || max(justification) FROM admin_audit_logs "
                           "WHERE action = 'kyc.document_deleted'"),
            "1 retention: kyc.retention_days = 30");
}

TEST_F(KycTest, RotateKeysReSealsEveryDocumentUnderTheNewKeyAndTheyStillRead) {
  std::string alice_id;
  std::vector<std::string> stored;
  std::string id;
  const auto jpeg = jpeg_image(1000, 800, 150'000);
  const auto png = png_image(500, 400);
  {
    TestServer server(s);  // sealed under the development key, id "dev"
    const auto alice = user(kAlice, &alice_id);
    id = draft(server, alice, 3);
    ASSERT_EQ(upload(server, alice, id, "identity_document", jpeg).status, 201u);
    ASSERT_EQ(upload(server, alice, id, "selfie", png).status, 201u);
  }
  const std::string new_key = "k2026:" + std::string(64, '7');
  const std::vector<std::string> environment = {
      "PEND_ENV=test", "DATABASE_URL=" + database.url(), "UPLOAD_DIR=" + s.storage.upload_dir,
      "PEND_STORAGE_KEYS=" + std::string{config::StorageSettings::kDevelopmentKey} + "," + new_key,
      "PEND_STORAGE_KEY_ID=k2026"};
  auto child = spawn({"kyc", "rotate-keys", "--no-dotenv"}, environment);
  ASSERT_EQ(child->wait_exit_code(), 0) << child->output();
  EXPECT_NE(child->output().find("2 document(s) re-encrypted under key k2026, 0 under it already, "
                                 "0 failed"),
            std::string::npos)
      << child->output();
  EXPECT_EQ(database.value("SELECT string_agg(key_id, ',') FROM kyc_documents"), "k2026,k2026");

  // Only the new key is needed now: the files open under it, byte for byte.
  config::StorageSettings only_new;
  only_new.keys = {new_key};
  external::LocalStorage storage(s.storage.upload_dir, config::storage_keys(only_new));
  for (const auto& [kind, bytes] : {std::pair{"identity_document", jpeg}, {"selfie", png}}) {
    const auto reader = storage.open(database.value(
        "SELECT storage_key FROM kyc_documents WHERE kind = '" + std::string{kind} + "'"));
    EXPECT_EQ(reader->key_id(), "k2026");
    std::string opened;
    for (auto piece = reader->next(); !piece.empty(); piece = reader->next()) opened += piece;
    EXPECT_EQ(opened, bytes) << kind;
  }
  // A second run finds nothing to do.
  auto again = spawn({"kyc", "rotate-keys", "--no-dotenv"}, environment);
  ASSERT_EQ(again->wait_exit_code(), 0) << again->output();
  EXPECT_NE(again->output().find("0 document(s) re-encrypted"), std::string::npos)
      << again->output();
}

}  // namespace
}  // namespace pend::test
