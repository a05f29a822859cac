#include "domain/kyc/repository.hpp"

#include "db/query_builder.hpp"

namespace pend::domain::kyc {

namespace asio = boost::asio;

namespace {

#define PEND_AT(column) \
  "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

// What the API shows of a submission.
#define PEND_SUBMISSION                                                                   \
  "s.id, s.user_id, s.target_tier, s.status, "                                            \
  "array_to_string(s.required_documents, ' ') AS required_documents, s.enhanced_review, " \
  "s.previous_tier, s.created_at, s.submitted_at, s.decided_at, s.decided_by, s.decision_reason"
// What the API shows of a document: never its storage key or key id.
#define PEND_DOCUMENT                                                                             \
  "d.id, d.kind, d.status, d.reason, d.content_type, d.size_bytes, d.sha256, d.width, d.height, " \
  "d.uploaded_at, d.decided_at"

constexpr db::Statement kLockUser{
    "kyc.lock_user", "SELECT id, tier, status FROM users WHERE id = $1::uuid FOR UPDATE"};
constexpr db::Statement kInsertSubmission{
    "kyc.insert_submission",
    "INSERT INTO kyc_submissions AS s (user_id, target_tier, required_documents, enhanced_review, "
    "previous_tier, created_at, updated_at) "
    "VALUES ($1::uuid, $2, string_to_array($3, ' '), $4, $5, $6, $6) RETURNING " PEND_SUBMISSION};
constexpr db::Statement kLockOwn{"kyc.lock_own_submission",
                                 "SELECT " PEND_SUBMISSION
                                 " FROM kyc_submissions s WHERE s.id = $1::uuid AND "
                                 "s.user_id = $2::uuid FOR UPDATE"};
constexpr db::Statement kOwn{"kyc.own_submission", "SELECT " PEND_SUBMISSION
                                                   " FROM kyc_submissions s WHERE s.id = "
                                                   "$1::uuid AND s.user_id = $2::uuid"};
constexpr db::Statement kDocuments{
    "kyc.documents", "SELECT " PEND_DOCUMENT
                     " FROM kyc_documents d WHERE d.submission_id = $1::uuid ORDER BY d.kind"};
constexpr db::Statement kUsageExcept{
    "kyc.usage_except",
    "SELECT coalesce(sum(size_bytes), 0)::int8, count(*)::int8 FROM kyc_documents "
    "WHERE user_id = $1::uuid AND NOT (submission_id = $2::uuid AND kind = $3)"};
constexpr db::Statement kDeleteDocument{
    "kyc.delete_document",
    "DELETE FROM kyc_documents WHERE submission_id = $1::uuid AND kind = $2 RETURNING "
    "storage_key"};
constexpr db::Statement kInsertDocument{
    "kyc.insert_document",
    "INSERT INTO kyc_documents AS d (submission_id, user_id, kind, storage_key, key_id, "
    "content_type, size_bytes, sha256, width, height, uploaded_at) "
    "VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING " PEND_DOCUMENT};
constexpr db::Statement kSubmit{
    "kyc.submit",
    "UPDATE kyc_submissions SET status = 'submitted', submitted_at = $2 WHERE id = $1::uuid"};
constexpr db::Statement kUserTier{"kyc.user_tier",
                                  "SELECT tier, status FROM users WHERE id = $1::uuid"};
constexpr db::Statement kOpen{"kyc.open_submission",
                              "SELECT " PEND_SUBMISSION
                              " FROM kyc_submissions s WHERE s.user_id = "
                              "$1::uuid AND s.status IN ('draft', 'submitted')"};
constexpr db::Statement kLastDecided{
    "kyc.last_decided",
    "SELECT " PEND_SUBMISSION
    " FROM kyc_submissions s WHERE s.user_id = $1::uuid AND "
    "s.status IN ('approved', 'rejected') ORDER BY s.decided_at DESC, s.id DESC LIMIT 1"};
constexpr db::Statement kSubmission{
    "kyc.submission",
    "SELECT " PEND_SUBMISSION
    ", u.tier AS user_tier, u.status AS user_status, "
    "(SELECT a.id FROM admin_approvals a WHERE a.resource_type = 'kyc' AND "
    " a.resource_id = s.id::text AND a.status = 'pending' LIMIT 1) AS pending_approval_id "
    "FROM kyc_submissions s JOIN users u ON u.id = s.user_id WHERE s.id = $1::uuid"};
constexpr db::Statement kDocument{
    "kyc.document",
    "SELECT " PEND_DOCUMENT
    ", d.storage_key, s.user_id FROM kyc_documents d JOIN kyc_submissions "
    "s ON s.id = d.submission_id WHERE d.submission_id = $1::uuid AND d.id = $2::uuid"};
constexpr db::Statement kLockForDecision{
    "kyc.lock_for_decision",
    "SELECT s.id, s.user_id, s.target_tier, s.status, u.tier AS user_tier, "
    "u.status AS user_status FROM kyc_submissions s JOIN users u ON u.id = s.user_id "
    "WHERE s.id = $1::uuid FOR UPDATE OF s, u"};
constexpr db::Statement kDecideDocument{
    "kyc.decide_document",
    "UPDATE kyc_documents SET status = $3, reason = $4, decided_at = $5 "
    "WHERE submission_id = $1::uuid AND kind = $2"};
constexpr db::Statement kDecideSubmission{
    "kyc.decide_submission",
    "UPDATE kyc_submissions SET status = $2, decided_at = $3, decided_by = $4::uuid, "
    "decision_reason = $5 WHERE id = $1::uuid"};
constexpr db::Statement kRaiseTier{
    "kyc.raise_tier",
    "UPDATE users SET tier = greatest(coalesce(tier, 0), s.target_tier) FROM kyc_submissions s "
    "WHERE s.id = $1::uuid AND users.id = s.user_id"};
constexpr db::Statement kSupersede{
    "kyc.supersede",
    "UPDATE kyc_documents o SET status = 'superseded', superseded_at = $2 "
    "FROM kyc_submissions s, kyc_documents n WHERE s.id = $1::uuid AND n.submission_id = s.id "
    "AND o.user_id = s.user_id AND o.kind = n.kind AND o.submission_id <> s.id "
    "AND o.status = 'approved'"};

#undef PEND_SUBMISSION
#undef PEND_DOCUMENT

Usage usage_from(const db::Result& rows) {
  return {.bytes = rows[0].get<std::int64_t>(0), .files = rows[0].get<std::int64_t>(1)};
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

constexpr db::SortOption kOldestFirst[] = {{"submitted", "s.submitted_at, s.id"}};

}  // namespace

asio::awaitable<boost::json::value> lock_user(db::Transaction& tx, std::string_view user_id) {
  co_return first_row(co_await tx.query(kLockUser, user_id));
}

asio::awaitable<boost::json::value> insert_submission(db::Transaction& tx, std::string_view user_id,
                                                      int target_tier,
                                                      const std::vector<std::string>& documents,
                                                      bool enhanced_review, int previous_tier,
                                                      util::Microseconds at) {
  const std::string kinds = joined(documents);
  co_return first_row(co_await tx.query(kInsertSubmission, user_id, target_tier, kinds,
                                        enhanced_review, previous_tier, at));
}

asio::awaitable<boost::json::value> lock_own_submission(db::Transaction& tx, std::string_view id,
                                                        std::string_view user_id) {
  co_return first_row(co_await tx.query(kLockOwn, id, user_id));
}

asio::awaitable<boost::json::value> own_submission(db::Database& database, const db::Scope& scope,
                                                   std::string_view id, std::string_view user_id) {
  co_return first_row(co_await database.query(kOwn, scope, id, user_id));
}

asio::awaitable<boost::json::array> documents_of(db::Database& database, const db::Scope& scope,
                                                 std::string_view submission_id) {
  co_return rows_json(co_await database.query(kDocuments, scope, submission_id));
}

asio::awaitable<boost::json::array> documents_of(db::Transaction& tx,
                                                 std::string_view submission_id) {
  co_return rows_json(co_await tx.query(kDocuments, submission_id));
}

asio::awaitable<Usage> usage_of(db::Database& database, const db::Scope& scope,
                                std::string_view user_id, std::string_view except_submission,
                                std::string_view except_kind) {
  co_return usage_from(
      co_await database.query(kUsageExcept, scope, user_id, except_submission, except_kind));
}

asio::awaitable<Usage> usage_of(db::Transaction& tx, std::string_view user_id,
                                std::string_view except_submission, std::string_view except_kind) {
  co_return usage_from(co_await tx.query(kUsageExcept, user_id, except_submission, except_kind));
}

asio::awaitable<std::optional<std::string>> delete_document(db::Transaction& tx,
                                                            std::string_view submission_id,
                                                            std::string_view kind) {
  const auto rows = co_await tx.query(kDeleteDocument, submission_id, kind);
  if (rows.empty()) co_return std::nullopt;
  co_return rows[0].get<std::string>(0);
}

asio::awaitable<boost::json::value> insert_document(db::Transaction& tx, const NewDocument& d) {
  co_return first_row(co_await tx.query(kInsertDocument, d.submission_id, d.user_id, d.kind,
                                        d.storage_key, d.key_id, d.content_type, d.size_bytes,
                                        d.sha256, d.width, d.height, d.at));
}

asio::awaitable<void> mark_submitted(db::Transaction& tx, std::string_view id,
                                     util::Microseconds at) {
  co_await tx.query(kSubmit, id, at);
}

asio::awaitable<boost::json::value> user_tier(db::Database& database, const db::Scope& scope,
                                              std::string_view user_id) {
  co_return first_row(co_await database.query(kUserTier, scope, user_id));
}

asio::awaitable<boost::json::value> open_submission(db::Database& database, const db::Scope& scope,
                                                    std::string_view user_id) {
  co_return first_row(co_await database.query(kOpen, scope, user_id));
}

asio::awaitable<boost::json::value> last_decided(db::Database& database, const db::Scope& scope,
                                                 std::string_view user_id) {
  co_return first_row(co_await database.query(kLastDecided, scope, user_id));
}

asio::awaitable<db::Result> review_queue(db::Database& database, const db::Scope& scope,
                                         const QueueFilter& f,
                                         const std::vector<std::string>& after,
                                         std::int64_t limit) {
  db::QueryBuilder q{"kyc.review_queue",
                     "SELECT s.id, s.user_id, s.target_tier, s.status, s.enhanced_review, "
                     "s.submitted_at, s.decided_at, u.tier AS user_tier, "
                     "(SELECT count(*) FROM kyc_documents d WHERE d.submission_id = s.id) "
                     "AS documents, " PEND_AT("s.submitted_at") " AS cursor_at, s.id::text AS "
                     "cursor_id FROM kyc_submissions s JOIN users u ON u.id = s.user_id"};
  q.where("s.status = $", f.status.value_or("submitted"));
  if (f.target_tier) q.where("s.target_tier = $", *f.target_tier);
  if (f.user_id) q.where("s.user_id = $::uuid", *f.user_id);
  if (f.submitted_from) q.where("s.submitted_at >= $", *f.submitted_from);
  if (f.submitted_to) q.where("s.submitted_at < $", *f.submitted_to);
  if (!after.empty() && !after[0].empty()) {
    q.where("(s.submitted_at, s.id) > ($::timestamptz, $::uuid)", after[0], after[1]);
  }
  q.order_by("", kOldestFirst, db::Direction::ascending);
  q.limit(limit + 1);
  co_return co_await q.run(database, scope);
}

asio::awaitable<boost::json::value> submission(db::Database& database, const db::Scope& scope,
                                               std::string_view id) {
  co_return first_row(co_await database.query(kSubmission, scope, id));
}

asio::awaitable<boost::json::value> document(db::Database& database, const db::Scope& scope,
                                             std::string_view submission_id,
                                             std::string_view document_id) {
  co_return first_row(co_await database.query(kDocument, scope, submission_id, document_id));
}

asio::awaitable<boost::json::value> lock_for_decision(db::Transaction& tx, std::string_view id) {
  auto row = first_row(co_await tx.query(kLockForDecision, id));
  if (row.is_null()) co_return row;
  row.as_object()["documents"] = co_await documents_of(tx, id);
  co_return row;
}

asio::awaitable<void> apply_decision(db::Transaction& tx, std::string_view id, bool approve,
                                     const std::vector<DocumentDecision>& docs,
                                     const std::optional<std::string>& reason,
                                     std::string_view admin_id, util::Microseconds at) {
  for (const auto& doc : docs) {
    co_await tx.query(kDecideDocument, id, doc.kind, doc.status, doc.reason, at);
  }
  const std::string status = approve ? "approved" : "rejected";
  co_await tx.query(kDecideSubmission, id, status, at, admin_id, reason);
  if (approve) {
    co_await tx.query(kRaiseTier, id);
    co_await tx.query(kSupersede, id, at);
  }
}

}  // namespace pend::domain::kyc
