#include "domain/auth/routes.hpp"

#include "db/request_scope.hpp"
#include "domain/auth/service.hpp"
#include "http/read.hpp"
#include "http/route_table.hpp"

namespace pend::domain::auth {

namespace asio = boost::asio;

namespace {

class AuthRoutes final : public Feature {
 public:
  explicit AuthRoutes(const Deps& deps)
      : settings_(deps.settings.auth), rate_limit_(deps.rate_limit), service_(deps) {}
  void add_routes(http::Router& router) override;
  void collect(metrics::PrometheusWriter& out) const override;

  asio::awaitable<void> request_code(http::RequestContext& ctx);
  asio::awaitable<void> challenge(http::RequestContext& ctx);
  asio::awaitable<void> register_user(http::RequestContext& ctx);
  asio::awaitable<void> sign_in(http::RequestContext& ctx);
  asio::awaitable<void> change_address(http::RequestContext& ctx);

 private:
  const config::AuthSettings& settings_;
  middleware::RateLimit& rate_limit_;
  AuthService service_;
};

// Group auth: the rate-limit rules for sign-up and sign-in apply (config rate_limit.rules).
const http::RouteSpec<AuthRoutes> kRoutes[] = {
    {http::Method::post,
     "/api/v1/auth/otp",
     &AuthRoutes::request_code,
     {.body = &http::schema_of<api::OtpRequest>(),
      .response = &http::schema_of<api::OtpChallenge>(),
      .group = "auth"}},
    {http::Method::get,
     "/api/v1/auth/challenge",
     &AuthRoutes::challenge,
     {.query = &http::schema_of<api::ChallengeQuery>(),
      .response = &http::schema_of<api::WalletChallenge>(),
      .group = "auth"}},
    {http::Method::post,
     "/api/v1/auth/register",
     &AuthRoutes::register_user,
     {.body = &http::schema_of<api::WalletProof>(),
      .response = &http::schema_of<api::SignedIn>(),
      .group = "auth"}},
    {http::Method::post,
     "/api/v1/auth/login",
     &AuthRoutes::sign_in,
     {.body = &http::schema_of<api::LoginRequest>(),
      .response = &http::schema_of<api::SignedIn>(),
      .group = "auth"}},
    // A new wallet: a fresh code for the user's phone and a signed challenge for the address.
    {http::Method::put,
     "/api/v1/me/address",
     &AuthRoutes::change_address,
     {.access = http::Access::user,
      .body = &http::schema_of<api::WalletProof>(),
      .response = &http::schema_of<users::api::Profile>(),
      .group = "auth"}},
};

void AuthRoutes::add_routes(http::Router& router) {
  http::add_routes<AuthRoutes>(router, *this, kRoutes);
}

asio::awaitable<void> AuthRoutes::request_code(http::RequestContext& ctx) {
  const auto body = http::read_body<api::OtpRequest>(ctx);
  // The phone rules (rate_limit.rules, key phone) on the normalised number's hash.
  if (const auto key = service_.phone_key(body.phone)) {
    co_await rate_limit_.check(ctx, config::RateLimitRule::Key::phone, *key);
  }
  const Caller caller = caller_of(ctx, settings_);
  const auto challenge =
      co_await service_.request_code(caller, body, db::request_scope(ctx), &ctx.external_time);
  http::respond(ctx, 202, challenge);
}

asio::awaitable<void> AuthRoutes::challenge(http::RequestContext& ctx) {
  const auto query = http::read_query<api::ChallengeQuery>(ctx);
  const auto challenge = co_await service_.challenge(*query.address, db::request_scope(ctx));
  http::respond(ctx, 200, challenge);
}

asio::awaitable<void> AuthRoutes::register_user(http::RequestContext& ctx) {
  const auto body = http::read_body<api::WalletProof>(ctx);
  const Caller caller = caller_of(ctx, settings_);
  const auto signed_in = co_await service_.register_user(caller, body, db::request_scope(ctx));
  http::respond(ctx, 201, signed_in);
}

asio::awaitable<void> AuthRoutes::sign_in(http::RequestContext& ctx) {
  const auto body = http::read_body<api::LoginRequest>(ctx);
  const Caller caller = caller_of(ctx, settings_);
  const auto signed_in = co_await service_.sign_in(caller, body, db::request_scope(ctx));
  http::respond(ctx, 200, signed_in);
}

asio::awaitable<void> AuthRoutes::change_address(http::RequestContext& ctx) {
  const auto body = http::read_body<api::WalletProof>(ctx);
  const Caller caller = caller_of(ctx, settings_);
  const auto profile =
      co_await service_.change_address(caller, ctx.principal.id, body, db::request_scope(ctx));
  http::respond(ctx, 200, profile);
}

void AuthRoutes::collect(metrics::PrometheusWriter& out) const {
  const auto& f = service_.figures();
  out.family("pend_auth_codes_total", "counter", "One-time codes, by outcome.");
  out.sample("pend_auth_codes_total", {{"outcome", "sent"}}, f.codes_sent.load());
  out.sample("pend_auth_codes_total", {{"outcome", "refused"}}, f.codes_refused.load());
  out.sample("pend_auth_codes_total", {{"outcome", "sms_failed"}}, f.sms_failures.load());
  out.family("pend_auth_code_comparisons_total", "counter",
             "Submitted codes compared with a stored one (after their attempt was counted).");
  out.sample("pend_auth_code_comparisons_total", {}, f.comparisons.load());
  out.family("pend_auth_wrong_codes_total", "counter", "Submissions refused as invalid_code.");
  out.sample("pend_auth_wrong_codes_total", {}, f.wrong_codes.load());
  out.family("pend_auth_lockouts_total", "counter", "Accounts locked after consecutive failures.");
  out.sample("pend_auth_lockouts_total", {}, f.lockouts.load());
  out.family("pend_auth_sign_ups_total", "counter", "Users registered.");
  out.sample("pend_auth_sign_ups_total", {}, f.registrations.load());
  out.family("pend_auth_sign_ins_total", "counter", "Users signed in with a code.");
  out.sample("pend_auth_sign_ins_total", {}, f.sign_ins.load());
  out.family("pend_auth_wallet_proofs_refused_total", "counter",
             "Signed EIP-4361 messages refused (domain, chain, time, nonce or signature).");
  out.sample("pend_auth_wallet_proofs_refused_total", {}, f.wallet_proofs_refused.load());
}

}  // namespace

Caller caller_of(const http::RequestContext& ctx, const config::AuthSettings& settings) {
  Caller caller{
      .ip = ctx.client_address.to_string(),
      .user_agent = std::string{ctx.request[boost::beast::http::field::user_agent].substr(0, 512)},
      .endpoint = std::string{ctx.route_name()}};
  if (ctx.via_trusted_proxy && !settings.country_header.empty()) {
    const std::string_view country = ctx.request[settings.country_header];
    const bool letters =
        (country.size() == 2 || country.size() == 3) &&
        country.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string_view::npos;
    if (letters && country != "XX" && country != "T1") caller.country = std::string{country};
  }
  return caller;
}

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  return std::make_unique<AuthRoutes>(deps);
}

}  // namespace pend::domain::auth
