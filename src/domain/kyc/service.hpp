// KYC (docs/architecture/kyc.md): a user's submissions for a higher tier, the documents they
// upload into them, and what compliance admins read back. Decisions go through the admin
// console's changes (domain/console: kyc.decide), which gives them their audit rows and
// the second admin tiers from kyc.second_review_from_tier need.
//
// An upload is checked and sealed as it streams in: each piece goes, on the work pool, to
// the type check (document_check.hpp), a SHA-256 and the encrypting writer
// (external/storage.hpp). Only a document that passed everything and is durable on disk
// gets its row; a refusal, a disconnect or a failed commit leaves neither file nor row.
#pragma once

#include "config/kyc.hpp"
#include "domain/common/deps.hpp"
#include "external/storage.hpp"
#include "http/body_stream.hpp"
#include "util/time.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <memory>
#include <string>

namespace pend::domain::kyc {

struct KycFigures {
  std::atomic<std::uint64_t> uploads{0};         // documents stored
  std::atomic<std::uint64_t> uploaded_bytes{0};  // their plaintext bytes
  std::atomic<std::uint64_t> refused{0};         // uploads refused (type, size, quota)
  std::atomic<std::uint64_t> incomplete{0};      // uploads the client did not finish
  std::atomic<std::uint64_t> documents_read{0};  // documents streamed to admins
  std::atomic<std::uint64_t> corrupt_reads{0};   // documents that failed authentication
};

class KycService {
 public:
  explicit KycService(const Deps& deps);

  boost::asio::awaitable<boost::json::object> create(std::string_view user_id, int target_tier,
                                                     const db::Scope& scope);
  boost::asio::awaitable<boost::json::object> view(std::string_view user_id, std::string_view id,
                                                   const db::Scope& scope);
  // Stores the request body as the submission's document of this kind (replacing one).
  boost::asio::awaitable<boost::json::object> upload(std::string_view user_id, std::string_view id,
                                                     std::string_view kind, http::BodyStream* body,
                                                     std::optional<std::uint64_t> length,
                                                     const db::Scope& scope);
  boost::asio::awaitable<void> remove_document(std::string_view user_id, std::string_view id,
                                               std::string_view kind, const db::Scope& scope);
  boost::asio::awaitable<boost::json::object> submit(std::string_view user_id, std::string_view id,
                                                     const db::Scope& scope);
  boost::asio::awaitable<boost::json::object> status(std::string_view user_id,
                                                     const db::Scope& scope);

  // For review: a document's reader, its first piece already read and authenticated (so a
  // corrupt file is refused before any byte goes out).
  struct OpenDocument {
    boost::json::object row;
    std::unique_ptr<external::ObjectReader> reader;
    std::string first;
  };
  boost::asio::awaitable<OpenDocument> open_document(std::string_view submission_id,
                                                     std::string_view document_id,
                                                     const db::Scope& scope);
  // The next piece of an open document, read on the work pool; empty at the end.
  boost::asio::awaitable<std::string_view> read_next(external::ObjectReader& reader);

  const KycFigures& figures() const { return figures_; }

 private:
  util::Microseconds now() const;
  const config::KycTier* tier(int target) const;
  // The documents a submission still lacks.
  boost::json::array missing(const boost::json::object& submission,
                             const boost::json::array& documents) const;
  boost::asio::awaitable<boost::json::object> with_documents(boost::json::value row,
                                                             const db::Scope& scope);
  // Removes a stored file (on the work pool), logging rather than throwing.
  boost::asio::awaitable<void> discard(std::string key);

  const config::KycSettings& settings_;
  std::vector<config::KycTier> tiers_;
  const util::Clock& clock_;
  db::Database& database_;
  util::WorkPool& work_;
  std::unique_ptr<external::DocumentStorage> storage_;
  KycFigures figures_;
};

}  // namespace pend::domain::kyc
