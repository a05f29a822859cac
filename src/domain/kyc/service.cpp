#include "domain/kyc/service.hpp"

#include "db/error.hpp"
#include "db/transaction.hpp"
#include "domain/common/errors.hpp"
#include "domain/kyc/document_check.hpp"
#include "domain/kyc/repository.hpp"
#include "http/api_error.hpp"
#include "logging/entry.hpp"
#include "logging/logger.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>

namespace pend::domain::kyc {

namespace asio = boost::asio;

namespace {

// Body bytes gathered on the loop before one hop to the work pool (check, hash, seal).
constexpr std::size_t kBatchBytes = 128 * 1024;

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto space = text.find(' ');
    if (space != 0) out.emplace_back(text.substr(0, space));
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return out;
}

http::ApiError quota_exceeded(const config::KycSettings& settings) {
  return http::ApiError{413, "quota_exceeded",
                        "the documents stored for this account would exceed its quota (" +
                            std::to_string(settings.quota_files) + " files, " +
                            std::to_string(settings.quota_bytes) + " bytes)"};
}

// One upload's work off the loop: the type check, the digest and the sealed file. SHA-256
// is OpenSSL's (SHA extensions where the CPU has them: several times libsodium's portable
// code, and hashing every byte is on the upload path).
struct Upload {
  explicit Upload(const DocumentLimits& limits) : check(limits), sha(EVP_MD_CTX_new()) {
    if (sha == nullptr || EVP_DigestInit_ex(sha, EVP_sha256(), nullptr) != 1) {
      throw std::runtime_error("SHA-256 is not available");
    }
  }
  ~Upload() { EVP_MD_CTX_free(sha); }
  Upload(const Upload&) = delete;
  Upload& operator=(const Upload&) = delete;

  void feed(std::string_view bytes) {
    check.feed(bytes);
    if (check.refusal()) return;
    EVP_DigestUpdate(sha, bytes.data(), bytes.size());
    writer->write(bytes);
  }
  std::string digest() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int size = 0;
    EVP_DigestFinal_ex(sha, out.data(), &size);
    std::string hex(size * 2, '\0');
    sodium_bin2hex(hex.data(), hex.size() + 1, out.data(), size);
    return hex;
  }

  DocumentCheck check;
  EVP_MD_CTX* sha;
  std::unique_ptr<external::ObjectWriter> writer;
};

}  // namespace

KycService::KycService(const Deps& deps)
    : settings_(deps.settings.kyc),
      tiers_(config::kyc_tiers(deps.settings.kyc)),
      clock_(deps.clock),
      database_(deps.database),
      work_(deps.work),
      storage_(std::make_unique<external::LocalStorage>(
          deps.settings.storage.upload_dir, config::storage_keys(deps.settings.storage))) {}

util::Microseconds KycService::now() const {
  return std::chrono::floor<std::chrono::microseconds>(clock_.now());
}

const config::KycTier* KycService::tier(int target) const {
  for (const auto& t : tiers_) {
    if (t.tier == target) return &t;
  }
  return nullptr;
}

boost::json::array KycService::missing(const boost::json::object& submission,
                                       const boost::json::array& documents) const {
  boost::json::array out;
  for (const auto& kind : words_of(text_of(submission, "required_documents"))) {
    const bool have = std::ranges::any_of(
        documents, [&](const boost::json::value& d) { return text_of(d, "kind") == kind; });
    if (!have) out.emplace_back(kind);
  }
  return out;
}

asio::awaitable<boost::json::object> KycService::with_documents(boost::json::value row,
                                                                const db::Scope& scope) {
  auto submission = std::move(row.as_object());
  const std::string id = text_of(submission, "id");
  auto documents = co_await documents_of(database_, scope, id);
  boost::json::array required;
  for (auto& kind : words_of(text_of(submission, "required_documents"))) {
    required.emplace_back(kind);
  }
  submission["missing_documents"] = missing(submission, documents);
  submission["required_documents"] = std::move(required);
  submission["documents"] = std::move(documents);
  co_return submission;
}

asio::awaitable<boost::json::object> KycService::create(std::string_view user_id, int target_tier,
                                                        const db::Scope& scope) {
  const auto* wanted = tier(target_tier);
  if (wanted == nullptr) {
    throw DomainError::invalid("unknown_tier", "no submission raises an account to tier " +
                                                   std::to_string(target_tier) + " (kyc.tiers)");
  }
  boost::json::value row;
  {
    db::Lease connection = co_await database_.acquire(scope);
    db::Transaction tx(*connection, scope);
    const auto user = co_await lock_user(tx, user_id);
    if (user.is_null()) throw DomainError::not_found("no such user");
    const auto current = user.at("tier").is_null() ? 0 : user.at("tier").to_number<int>();
    if (current >= target_tier) {
      throw DomainError::conflict("tier_reached",
                                  "the account is at tier " + std::to_string(current) + " already");
    }
    std::optional<std::string> taken;
    try {
      row = co_await insert_submission(tx, user_id, target_tier, wanted->documents,
                                       wanted->enhanced_review, current, now());
    } catch (const db::DatabaseError& error) {
      if (error.sqlstate() != "23505") throw;
      taken = error.sqlstate();
    }
    if (taken) {
      throw DomainError::conflict("open_submission",
                                  "the account has an open submission; finish or await it first");
    }
    co_await tx.commit();
  }
  logging::Entry entry;
  entry.category = "KYC";
  entry.user_id = user_id;
  logging::business("KYC_SUBMISSION_CREATED", "a KYC submission was started", entry);
  co_return co_await with_documents(std::move(row), scope);
}

asio::awaitable<boost::json::object> KycService::view(std::string_view user_id, std::string_view id,
                                                      const db::Scope& scope) {
  auto row = co_await own_submission(database_, scope, id, user_id);
  // Another user's submission is not told apart from none.
  if (row.is_null()) throw DomainError::not_found("no such submission");
  co_return co_await with_documents(std::move(row), scope);
}

asio::awaitable<void> KycService::discard(std::string key) {
  auto remove = [this, key] { return storage_->remove(key); };
  try {
    co_await work_.run(std::move(remove));
  } catch (const std::exception& error) {
    // Left for the operator: an orphan file without a row opens for nobody.
    logging::error("KYC", "DOCUMENT_NOT_REMOVED", "a document file could not be removed",
                   {{"error", error.what()}});
  }
}

asio::awaitable<boost::json::object> KycService::upload(std::string_view user_id,
                                                        std::string_view id, std::string_view kind,
                                                        http::BodyStream* body,
                                                        std::optional<std::uint64_t> length,
                                                        const db::Scope& scope) {
  // Before a byte of the body: the draft is the user's and open, the kind is one it needs,
  // and what is declared fits the quota.
  const auto draft = co_await own_submission(database_, scope, id, user_id);
  if (draft.is_null()) throw DomainError::not_found("no such submission");
  if (text_of(draft, "status") != "draft") {
    throw DomainError::conflict("not_a_draft",
                                "documents change only while the submission is a draft");
  }
  const auto needed = words_of(text_of(draft, "required_documents"));
  if (std::ranges::find(needed, kind) == needed.end()) {
    throw DomainError::invalid("unexpected_document",
                               "this submission does not take a " + std::string{kind});
  }
  // The room this upload has: the quota less what else is stored (a document of the same
  // kind is replaced, so its room counts as free). Counted again when the row is written.
  const auto usage = co_await usage_of(database_, scope, user_id, id, kind);
  const auto room = static_cast<std::int64_t>(settings_.quota_bytes) - usage.bytes;
  if (usage.files + 1 > static_cast<std::int64_t>(settings_.quota_files) ||
      (length && static_cast<std::int64_t>(*length) > room)) {
    figures_.refused.fetch_add(1, std::memory_order_relaxed);
    throw quota_exceeded(settings_);
  }
  if (body == nullptr) throw DomainError::invalid("empty_document", "the document is empty");

  Upload work({.min_side = settings_.min_image_side,
               .max_side = settings_.max_image_side,
               .max_pixels = settings_.max_image_pixels});
  auto create = [this] { return storage_->create(); };
  work.writer = co_await work_.run(std::move(create));
  const std::string storage_key = work.writer->key();
  const std::string key_id = work.writer->key_id();

  std::string batch;
  batch.reserve(kBatchBytes);
  std::uint64_t total = 0;
  std::optional<http::ApiError> failure;
  try {
    while (true) {
      const std::string_view piece = co_await body->next();
      total += piece.size();
      if (!piece.empty()) batch.append(piece);
      if (batch.size() >= kBatchBytes || (piece.empty() && !batch.empty())) {
        auto feed = [&work, &batch] { work.feed(batch); };
        co_await work_.run(std::move(feed));
        batch.clear();
        if (work.check.refusal()) break;
      }
      if (static_cast<std::int64_t>(total) > room) throw quota_exceeded(settings_);
      if (piece.empty()) break;
    }
  } catch (const http::ApiError& error) {
    failure = error;  // 413 past the limit, or the client went away
  }
  if (failure) {
    // Past a limit (413) is a refusal; anything else the client not finishing its body.
    auto& counter = failure->status() == 413 ? figures_.refused : figures_.incomplete;
    counter.fetch_add(1, std::memory_order_relaxed);
    throw *failure;  // the writer's destructor removes the partial file
  }
  if (!work.check.refusal()) {
    auto finish = [&work] { work.check.finish(); };
    co_await work_.run(std::move(finish));
  }
  if (const auto& refusal = work.check.refusal()) {
    figures_.refused.fetch_add(1, std::memory_order_relaxed);
    logging::warn("KYC", "DOCUMENT_REFUSED", "an uploaded document was refused",
                  {{"code", refusal->code}, {"kind", std::string{kind}}});
    throw DomainError::invalid(refusal->code, refusal->message);
  }
  auto commit = [&work] { work.writer->commit(); };
  co_await work_.run(std::move(commit));

  // The file is durable; its row commits only if the draft is still open and the quota
  // holds, counted with the document this one replaces left out.
  NewDocument document{.submission_id = std::string{id},
                       .user_id = std::string{user_id},
                       .kind = std::string{kind},
                       .storage_key = storage_key,
                       .key_id = key_id,
                       .content_type = std::string{content_type_of(*work.check.type())},
                       .size_bytes = static_cast<std::int64_t>(total),
                       .sha256 = work.digest(),
                       .at = now()};
  if (*work.check.type() != DocumentType::pdf) {
    document.width = static_cast<int>(work.check.width());
    document.height = static_cast<int>(work.check.height());
  }
  std::optional<std::string> replaced;
  boost::json::value row;
  std::exception_ptr failed;
  try {
    db::Lease connection = co_await database_.acquire(scope);
    db::Transaction tx(*connection, scope);
    const auto locked = co_await lock_own_submission(tx, id, user_id);
    if (locked.is_null() || text_of(locked, "status") != "draft") {
      throw DomainError::conflict("not_a_draft",
                                  "documents change only while the submission is a draft");
    }
    const auto used = co_await usage_of(tx, user_id, id, kind);
    if (used.files + 1 > static_cast<std::int64_t>(settings_.quota_files) ||
        used.bytes + document.size_bytes > static_cast<std::int64_t>(settings_.quota_bytes)) {
      throw quota_exceeded(settings_);
    }
    replaced = co_await delete_document(tx, id, kind);
    row = co_await insert_document(tx, document);
    co_await tx.commit();
  } catch (...) {
    failed = std::current_exception();
  }
  if (failed) {
    figures_.refused.fetch_add(1, std::memory_order_relaxed);
    co_await discard(storage_key);
    std::rethrow_exception(failed);
  }
  if (replaced) co_await discard(*replaced);
  figures_.uploads.fetch_add(1, std::memory_order_relaxed);
  figures_.uploaded_bytes.fetch_add(total, std::memory_order_relaxed);
  logging::info("KYC", "DOCUMENT_UPLOADED", "a KYC document was stored",
                {{"kind", std::string{kind}},
                 {"content_type", document.content_type},
                 {"size_bytes", static_cast<std::int64_t>(total)}});
  co_return std::move(row.as_object());
}

asio::awaitable<void> KycService::remove_document(std::string_view user_id, std::string_view id,
                                                  std::string_view kind, const db::Scope& scope) {
  std::optional<std::string> removed;
  {
    db::Lease connection = co_await database_.acquire(scope);
    db::Transaction tx(*connection, scope);
    const auto locked = co_await lock_own_submission(tx, id, user_id);
    if (locked.is_null()) throw DomainError::not_found("no such submission");
    if (text_of(locked, "status") != "draft") {
      throw DomainError::conflict("not_a_draft",
                                  "documents change only while the submission is a draft");
    }
    removed = co_await delete_document(tx, id, kind);
    if (!removed) throw DomainError::not_found("the submission has no " + std::string{kind});
    co_await tx.commit();
  }
  co_await discard(*removed);
  logging::info("KYC", "DOCUMENT_REMOVED", "a draft's document was removed by its user",
                {{"kind", std::string{kind}}});
}

asio::awaitable<boost::json::object> KycService::submit(std::string_view user_id,
                                                        std::string_view id,
                                                        const db::Scope& scope) {
  {
    db::Lease connection = co_await database_.acquire(scope);
    db::Transaction tx(*connection, scope);
    const auto locked = co_await lock_own_submission(tx, id, user_id);
    if (locked.is_null()) throw DomainError::not_found("no such submission");
    if (text_of(locked, "status") != "draft") {
      throw DomainError::conflict("not_a_draft", "the submission was submitted already");
    }
    const auto documents = co_await documents_of(tx, id);
    const auto lacking = missing(locked.as_object(), documents);
    if (!lacking.empty()) {
      throw DomainError::invalid("documents_missing", "the submission lacks documents it needs",
                                 lacking);
    }
    co_await mark_submitted(tx, id, now());
    co_await tx.commit();
  }
  logging::Entry entry;
  entry.category = "KYC";
  entry.user_id = user_id;
  logging::business("KYC_SUBMITTED", "a KYC submission went to review", entry);
  co_return co_await view(user_id, id, scope);
}

asio::awaitable<boost::json::object> KycService::status(std::string_view user_id,
                                                        const db::Scope& scope) {
  const auto user = co_await user_tier(database_, scope, user_id);
  if (user.is_null()) throw DomainError::not_found("no such user");
  boost::json::object out;
  out["tier"] = user.at("tier").is_null() ? 0 : user.at("tier").to_number<int>();
  auto open = co_await open_submission(database_, scope, user_id);
  if (open.is_null()) {
    out["open_submission"] = nullptr;
    out["missing_documents"] = boost::json::array{};
  } else {
    auto full = co_await with_documents(std::move(open), scope);
    out["missing_documents"] = full["missing_documents"];
    out["open_submission"] = std::move(full);
  }
  auto last = co_await last_decided(database_, scope, user_id);
  boost::json::array reasons;
  if (!last.is_null() && text_of(last, "status") == "rejected") {
    auto full = co_await with_documents(std::move(last), scope);
    if (const auto why = text_of(full, "decision_reason"); !why.empty()) {
      reasons.push_back(boost::json::object{{"kind", nullptr}, {"reason", why}});
    }
    for (const auto& doc : full["documents"].as_array()) {
      if (text_of(doc, "status") == "rejected") {
        reasons.push_back(
            boost::json::object{{"kind", text_of(doc, "kind")}, {"reason", doc.at("reason")}});
      }
    }
    out["last_decision"] = std::move(full);
  } else {
    out["last_decision"] = last;
  }
  out["rejection_reasons"] = std::move(reasons);
  boost::json::array tiers;
  for (const auto& t : tiers_) {
    boost::json::array docs;
    for (const auto& d : t.documents) docs.emplace_back(d);
    tiers.push_back(boost::json::object{
        {"tier", t.tier}, {"documents", std::move(docs)}, {"enhanced_review", t.enhanced_review}});
  }
  out["tiers"] = std::move(tiers);
  co_return out;
}

asio::awaitable<KycService::OpenDocument> KycService::open_document(std::string_view submission_id,
                                                                    std::string_view document_id,
                                                                    const db::Scope& scope) {
  auto row = co_await document(database_, scope, submission_id, document_id);
  if (row.is_null()) throw DomainError::not_found("no such document");
  OpenDocument out;
  out.row = std::move(row.as_object());
  const std::string key = text_of(out.row, "storage_key");
  out.row.erase("storage_key");
  auto open = [this, key] {
    auto reader = storage_->open(key);
    std::string first{reader->next()};
    return std::make_pair(std::move(reader), std::move(first));
  };
  std::optional<external::StorageError> broken;
  try {
    auto opened = co_await work_.run(std::move(open));
    out.reader = std::move(opened.first);
    out.first = std::move(opened.second);
  } catch (const external::StorageError& error) {
    broken = error;
  }
  if (broken) {
    if (broken->kind() == external::StorageError::Kind::not_found) {
      logging::error("KYC", "DOCUMENT_MISSING", "a document's file is missing",
                     {{"document_id", std::string{document_id}}});
      throw DomainError{DomainError::Kind::gone, "document_missing", "the document's file is gone"};
    }
    figures_.corrupt_reads.fetch_add(1, std::memory_order_relaxed);
    logging::error("KYC", "DOCUMENT_CORRUPT", "a stored document failed its integrity check",
                   {{"document_id", std::string{document_id}}, {"error", broken->what()}});
    throw http::ApiError{500, "document_corrupt", "the stored document failed its integrity check"};
  }
  figures_.documents_read.fetch_add(1, std::memory_order_relaxed);
  co_return out;
}

asio::awaitable<std::string_view> KycService::read_next(external::ObjectReader& reader) {
  auto next = [&reader] { return reader.next(); };
  std::optional<std::string> broken;
  std::string_view piece;
  try {
    piece = co_await work_.run(std::move(next));
  } catch (const external::StorageError& error) {
    broken = error.what();
  }
  if (broken) {
    figures_.corrupt_reads.fetch_add(1, std::memory_order_relaxed);
    logging::error("KYC", "DOCUMENT_CORRUPT", "a stored document failed its integrity check",
                   {{"error", *broken}});
    throw std::runtime_error("a stored document failed its integrity check");
  }
  co_return piece;
}

}  // namespace pend::domain::kyc
