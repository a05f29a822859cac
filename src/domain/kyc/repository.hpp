// KYC rows (migrations/012_kyc.sql): submissions and their documents. Rows come back as JSON
// objects, column by column, for the API to shape; the file of a document is named by its
// storage_key and never leaves the service.
#pragma once

#include "db/database.hpp"
#include "db/transaction.hpp"
#include "domain/common/pagination.hpp"
#include "util/time.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pend::domain::kyc {

struct Usage {
  std::int64_t bytes = 0;
  std::int64_t files = 0;
};

struct NewDocument {
  std::string submission_id;
  std::string user_id;
  std::string kind;
  std::string storage_key;
  std::string key_id;
  std::string content_type;
  std::int64_t size_bytes = 0;
  std::string sha256;
  std::optional<int> width;
  std::optional<int> height;
  util::Microseconds at{};
};

struct DocumentDecision {
  std::string kind;
  std::string status;  // approved or rejected
  std::optional<std::string> reason;
};

struct QueueFilter {
  std::optional<int> target_tier;
  std::optional<std::string> user_id;
  std::optional<util::Microseconds> submitted_from;
  std::optional<util::Microseconds> submitted_to;
  std::optional<std::string> status;  // submitted (the default), approved, rejected
};

// The user's tier and status, locked: a new submission starts from them.
boost::asio::awaitable<boost::json::value> lock_user(db::Transaction& tx, std::string_view user_id);
// Throws db::DatabaseError 23505 when the user has an open submission already.
boost::asio::awaitable<boost::json::value> insert_submission(
    db::Transaction& tx, std::string_view user_id, int target_tier,
    const std::vector<std::string>& documents, bool enhanced_review, int previous_tier,
    util::Microseconds at);
// The user's own submission (null when it is not theirs or there is none), locked.
boost::asio::awaitable<boost::json::value> lock_own_submission(db::Transaction& tx,
                                                               std::string_view id,
                                                               std::string_view user_id);
boost::asio::awaitable<boost::json::value> own_submission(db::Database& database,
                                                          const db::Scope& scope,
                                                          std::string_view id,
                                                          std::string_view user_id);
boost::asio::awaitable<boost::json::array> documents_of(db::Database& database,
                                                        const db::Scope& scope,
                                                        std::string_view submission_id);
boost::asio::awaitable<boost::json::array> documents_of(db::Transaction& tx,
                                                        std::string_view submission_id);
// What the user stores now, leaving out one document (the one an upload replaces).
boost::asio::awaitable<Usage> usage_of(db::Database& database, const db::Scope& scope,
                                       std::string_view user_id, std::string_view except_submission,
                                       std::string_view except_kind);
boost::asio::awaitable<Usage> usage_of(db::Transaction& tx, std::string_view user_id,
                                       std::string_view except_submission,
                                       std::string_view except_kind);
// The storage key of the document it removed, if there was one.
boost::asio::awaitable<std::optional<std::string>> delete_document(db::Transaction& tx,
                                                                   std::string_view submission_id,
                                                                   std::string_view kind);
boost::asio::awaitable<boost::json::value> insert_document(db::Transaction& tx,
                                                           const NewDocument& document);
boost::asio::awaitable<void> mark_submitted(db::Transaction& tx, std::string_view id,
                                            util::Microseconds at);
// The user's tier and status, their open submission and their last decided one.
boost::asio::awaitable<boost::json::value> user_tier(db::Database& database, const db::Scope& scope,
                                                     std::string_view user_id);
boost::asio::awaitable<boost::json::value> open_submission(db::Database& database,
                                                           const db::Scope& scope,
                                                           std::string_view user_id);
boost::asio::awaitable<boost::json::value> last_decided(db::Database& database,
                                                        const db::Scope& scope,
                                                        std::string_view user_id);

// Review.
boost::asio::awaitable<db::Result> review_queue(db::Database& database, const db::Scope& scope,
                                                const QueueFilter& filter,
                                                const std::vector<std::string>& after,
                                                std::int64_t limit);
boost::asio::awaitable<boost::json::value> submission(db::Database& database,
                                                      const db::Scope& scope, std::string_view id);
// A document of a submission, with its storage key (for the service only).
boost::asio::awaitable<boost::json::value> document(db::Database& database, const db::Scope& scope,
                                                    std::string_view submission_id,
                                                    std::string_view document_id);
// For the console's decision: the submission, its user's tier and its documents, locked.
boost::asio::awaitable<boost::json::value> lock_for_decision(db::Transaction& tx,
                                                             std::string_view id);
// Applies a decision: each document's status and reason, the submission's state, and on
// approval the user's tier (never lowered) and the user's older approved documents of the
// same kinds superseded.
boost::asio::awaitable<void> apply_decision(db::Transaction& tx, std::string_view id, bool approve,
                                            const std::vector<DocumentDecision>& docs,
                                            const std::optional<std::string>& reason,
                                            std::string_view admin_id, util::Microseconds at);

}  // namespace pend::domain::kyc
