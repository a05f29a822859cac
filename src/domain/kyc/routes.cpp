#include "domain/kyc/routes.hpp"

#include "db/request_scope.hpp"
#include "domain/audit/repository.hpp"
#include "domain/auth/routes.hpp"
#include "domain/common/errors.hpp"
#include "domain/common/pagination.hpp"
#include "domain/console/service.hpp"
#include "domain/kyc/api.hpp"
#include "domain/kyc/repository.hpp"
#include "domain/kyc/service.hpp"
#include "http/api_error.hpp"
#include "http/read.hpp"
#include "http/route_table.hpp"
#include "util/enum_name.hpp"
#include "util/hex.hpp"
#include "util/uuid.hpp"

#include <algorithm>

namespace pend::domain::kyc {

namespace asio = boost::asio;
using pend::security::Permission;

namespace {

// A decrypted document on its way to an admin: the piece read before the head went out,
// then the rest, a chunk at a time from the work pool.
class DocumentResponse final : public http::ResponseStream {
 public:
  DocumentResponse(KycService& service, KycService::OpenDocument document)
      : service_(service),
        size_(document.row.at("size_bytes").to_number<std::uint64_t>()),
        document_(std::move(document)) {}
  asio::awaitable<std::string_view> next() override {
    if (!first_sent_) {
      first_sent_ = true;
      if (!document_.first.empty()) co_return std::string_view{document_.first};
    }
    co_return co_await service_.read_next(*document_.reader);
  }
  std::uint64_t size() const override { return size_; }

 private:
  KycService& service_;
  std::uint64_t size_;
  KycService::OpenDocument document_;
  bool first_sent_ = false;
};

class KycRoutes final : public Feature {
 public:
  explicit KycRoutes(const Deps& deps)
      : settings_(deps.settings), database_(deps.database), service_(deps), console_(deps) {}
  void add_routes(http::Router& router) override;
  void collect(metrics::PrometheusWriter& out) const override;

  asio::awaitable<void> create(http::RequestContext& ctx);
  asio::awaitable<void> view(http::RequestContext& ctx);
  asio::awaitable<void> upload(http::RequestContext& ctx);
  asio::awaitable<void> remove(http::RequestContext& ctx);
  asio::awaitable<void> submit(http::RequestContext& ctx);
  asio::awaitable<void> status(http::RequestContext& ctx);
  asio::awaitable<void> queue(http::RequestContext& ctx);
  asio::awaitable<void> review(http::RequestContext& ctx);
  asio::awaitable<void> read_document(http::RequestContext& ctx);
  asio::awaitable<void> decide(http::RequestContext& ctx);

 private:
  const config::Settings& settings_;
  db::Database& database_;
  KycService service_;
  console::ConsoleService console_;
};

std::string id_param(const http::RequestContext& ctx, std::string_view name = "id") {
  return util::lower_hex(ctx.match.params.get(name));
}

std::string kind_param(const http::RequestContext& ctx) {
  const std::string kind{ctx.match.params.get("kind")};
  if (std::ranges::find(config::kDocumentKinds, kind) == std::end(config::kDocumentKinds)) {
    throw DomainError::invalid("unknown_kind",
                               "a document kind is identity_document, selfie, proof_of_address "
                               "or source_of_funds");
  }
  return kind;
}

using R = KycRoutes;
using M = http::Method;

constexpr http::RouteOptions kUser{.access = http::Access::user, .group = "kyc"};
constexpr http::RouteOptions kReview{
    .access = http::Access::admin, .permission = Permission::kyc_review, .group = "admin"};

void KycRoutes::add_routes(http::Router& router) {
  // Built here, not as a constant table: the upload's body limit is a setting.
  http::RouteOptions upload = kUser;
  upload.streamed_body = true;
  upload.body_limit = settings_.kyc.max_document_bytes;
  http::RouteOptions create = kUser;
  create.body = &http::schema_of<api::NewSubmission>();
  http::RouteOptions queue = kReview;
  queue.query = &http::schema_of<api::QueueQuery>();
  http::RouteOptions decide = kReview;
  decide.body = &http::schema_of<api::Decision>();
  const http::RouteSpec<R> routes[] = {
      {M::post, "/api/v1/kyc/submissions", &R::create, create},
      {M::get, "/api/v1/kyc/submissions/{id:uuid}", &R::view, kUser},
      {M::put, "/api/v1/kyc/submissions/{id:uuid}/documents/{kind}", &R::upload, upload},
      {M::delete_, "/api/v1/kyc/submissions/{id:uuid}/documents/{kind}", &R::remove, kUser},
      {M::post, "/api/v1/kyc/submissions/{id:uuid}/submit", &R::submit, kUser},
      {M::get, "/api/v1/kyc/status", &R::status, kUser},
      {M::get, "/api/v1/admin/kyc/submissions", &R::queue, queue},
      {M::get, "/api/v1/admin/kyc/submissions/{id:uuid}", &R::review, kReview},
      {M::get, "/api/v1/admin/kyc/submissions/{id:uuid}/documents/{document_id:uuid}",
       &R::read_document, kReview},
      {M::post, "/api/v1/admin/kyc/submissions/{id:uuid}/decision", &R::decide, decide},
  };
  http::add_routes<KycRoutes>(router, *this, routes);
}

asio::awaitable<void> KycRoutes::create(http::RequestContext& ctx) {
  const auto body = http::read_body<api::NewSubmission>(ctx);
  const auto out = co_await service_.create(ctx.principal.id, static_cast<int>(body.target_tier),
                                            db::request_scope(ctx));
  ctx.json(201, out);
}

asio::awaitable<void> KycRoutes::view(http::RequestContext& ctx) {
  ctx.json(200, co_await service_.view(ctx.principal.id, id_param(ctx), db::request_scope(ctx)));
}

asio::awaitable<void> KycRoutes::upload(http::RequestContext& ctx) {
  const std::string kind = kind_param(ctx);
  std::optional<std::uint64_t> length;
  if (ctx.body_stream != nullptr) length = ctx.body_stream->content_length();
  const auto out = co_await service_.upload(ctx.principal.id, id_param(ctx), kind, ctx.body_stream,
                                            length, db::request_scope(ctx));
  ctx.json(201, out);
}

asio::awaitable<void> KycRoutes::remove(http::RequestContext& ctx) {
  co_await service_.remove_document(ctx.principal.id, id_param(ctx), kind_param(ctx),
                                    db::request_scope(ctx));
  ctx.response.result(204);
}

asio::awaitable<void> KycRoutes::submit(http::RequestContext& ctx) {
  ctx.json(200, co_await service_.submit(ctx.principal.id, id_param(ctx), db::request_scope(ctx)));
}

asio::awaitable<void> KycRoutes::status(http::RequestContext& ctx) {
  ctx.json(200, co_await service_.status(ctx.principal.id, db::request_scope(ctx)));
}

asio::awaitable<void> KycRoutes::queue(http::RequestContext& ctx) {
  const auto query = http::read_query<api::QueueQuery>(ctx);
  const auto limit = page_limit(query.limit, 50, 500);
  auto after = decode_cursor(query.cursor, 2);
  if (!after[0].empty() && (!util::parse_rfc3339(after[0]) || !util::is_uuid(after[1]))) {
    throw http::ApiError::bad_request("invalid_cursor", "cursor is not one this list gave");
  }
  QueueFilter filter{.user_id = query.user_id,
                     .submitted_from = query.submitted_from,
                     .submitted_to = query.submitted_to};
  if (query.target_tier) filter.target_tier = static_cast<int>(*query.target_tier);
  if (query.status) filter.status = std::string{util::enum_name(*query.status)};
  const auto rows = co_await review_queue(database_, db::request_scope(ctx), filter, after, limit);
  ctx.json(200, row_page(rows, limit, 2));
}

asio::awaitable<void> KycRoutes::review(http::RequestContext& ctx) {
  const std::string id = id_param(ctx);
  const auto scope = db::request_scope(ctx);
  auto row = co_await submission(database_, scope, id);
  if (row.is_null()) throw DomainError::not_found("no such submission");
  auto& out = row.as_object();
  out["documents"] = co_await documents_of(database_, scope, id);
  ctx.json(200, out);
}

asio::awaitable<void> KycRoutes::read_document(http::RequestContext& ctx) {
  const std::string id = id_param(ctx);
  const std::string document_id = id_param(ctx, "document_id");
  const auto scope = db::request_scope(ctx);
  auto opened = co_await service_.open_document(id, document_id, scope);
  // Every view is on the audit trail before a byte goes out.
  const auto actor = console::actor_of(ctx, settings_.auth);
  const audit::AuditRecord viewed{
      .admin_id = actor.admin_id,
      .action = "kyc.document_view",
      .resource_type = "kyc_document",
      .resource_id = document_id,
      .new_values = boost::json::object{{"submission_id", id},
                                        {"kind", text_of(opened.row, "kind")},
                                        {"user_id", text_of(opened.row, "user_id")}},
      .ip_address = actor.ip,
      .user_agent = actor.user_agent,
      .session_id = actor.session_id,
      .at = std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now())};
  co_await audit::append(database_, viewed, scope);

  const std::string type = text_of(opened.row, "content_type");
  const std::string extension = type == "application/pdf" ? "pdf"
                                : type == "image/png"     ? "png"
                                                          : "jpg";
  auto& res = ctx.response;
  res.result(200);
  res.set(boost::beast::http::field::content_type, type);
  res.set(boost::beast::http::field::content_disposition, "attachment; filename=\"" +
                                                              text_of(opened.row, "kind") + "-" +
                                                              document_id + "." + extension + "\"");
  res.set(boost::beast::http::field::cache_control, "no-store");
  ctx.response_stream = std::make_unique<DocumentResponse>(service_, std::move(opened));
}

asio::awaitable<void> KycRoutes::decide(http::RequestContext& ctx) {
  const auto body = http::read_body<api::Decision>(ctx);
  boost::json::array documents;
  if (body.documents) {
    for (const auto& verdict : *body.documents) {
      documents.push_back(boost::json::object{
          {"kind", verdict.kind},
          {"decision", util::enum_name(verdict.decision)},
          {"reason", verdict.reason ? boost::json::value(*verdict.reason) : nullptr}});
    }
  }
  const std::string decision{util::enum_name(body.decision)};
  console::Change change{
      .action = console::Action::kyc_decide,
      .resource_id = id_param(ctx),
      .params = {{"decision", decision},
                 {"reason", body.reason ? boost::json::value(*body.reason) : nullptr},
                 {"documents", std::move(documents)}},
      .justification = body.reason.value_or("KYC " + decision)};
  const auto actor = console::actor_of(ctx, settings_.auth);
  const auto result = co_await console_.request(actor, change, db::request_scope(ctx));
  http::respond(ctx, result.status == "pending" ? 202 : 200, result);
}

void KycRoutes::collect(metrics::PrometheusWriter& out) const {
  const auto& f = service_.figures();
  out.family("pend_kyc_uploads_total", "counter",
             "KYC uploads, by what became of them (stored, refused, incomplete).");
  out.sample("pend_kyc_uploads_total", {{"outcome", "stored"}}, f.uploads.load());
  out.sample("pend_kyc_uploads_total", {{"outcome", "refused"}}, f.refused.load());
  out.sample("pend_kyc_uploads_total", {{"outcome", "incomplete"}}, f.incomplete.load());
  out.family("pend_kyc_uploaded_bytes_total", "counter", "Bytes of KYC documents stored.");
  out.sample("pend_kyc_uploaded_bytes_total", {}, f.uploaded_bytes.load());
  out.family("pend_kyc_document_reads_total", "counter",
             "KYC documents streamed to admins, and reads refused as corrupt.");
  out.sample("pend_kyc_document_reads_total", {{"outcome", "read"}}, f.documents_read.load());
  out.sample("pend_kyc_document_reads_total", {{"outcome", "corrupt"}}, f.corrupt_reads.load());
}

}  // namespace

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  return std::make_unique<KycRoutes>(deps);
}

}  // namespace pend::domain::kyc
