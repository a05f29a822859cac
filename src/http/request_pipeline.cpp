#include "http/request_pipeline.hpp"

#include "logging/logger.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace pend::http {

namespace beast_http = boost::beast::http;

namespace {

constexpr std::string_view kEtherscanRateLimit =
    "Max rate limit reached, please use API Key for higher rate limit";

// The error as Etherscan writes one: status 200 (a 5xx keeps its status, so that proxies and
// clients still see the server is unwell) and the reason in result.
void write_etherscan_error(RequestContext& ctx, const ApiError& error) {
  const std::string_view reason =
      error.code() == "rate_limited" ? kEtherscanRateLimit : error.what();
  for (const auto& [name, value] : error.headers()) ctx.response.set(name, value);
  ctx.json(error.status() >= 500 ? error.status() : 200,
           boost::json::object{{"status", "0"}, {"message", "NOTOK"}, {"result", reason}});
  ctx.error_code = error.code();
  ctx.answered = true;
}

}  // namespace

bool is_form(std::string_view content_type) {
  auto media_type = content_type.substr(0, content_type.find(';'));
  while (!media_type.empty() && media_type.back() == ' ') media_type.remove_suffix(1);
  return boost::beast::iequals(media_type, "application/x-www-form-urlencoded");
}

boost::asio::awaitable<void> Middleware::before_async(RequestContext& ctx) {
  before(ctx);
  co_return;
}

RequestPipeline::RequestPipeline(std::shared_ptr<const Router> router,
                                 std::vector<std::shared_ptr<Middleware>> chain,
                                 std::vector<std::shared_ptr<RequestObserver>> observers,
                                 std::vector<ErrorTranslator> translators)
    : router_(std::move(router)),
      chain_(std::move(chain)),
      observers_(std::move(observers)),
      translators_(std::move(translators)) {}

void RequestPipeline::start(RequestContext& ctx) const {
  ctx.started = Clock::now();
  ctx.method = parse_method(ctx.request.method_string());
  const std::string_view target = ctx.request.target();
  const auto question = target.find('?');
  ctx.path = target.substr(0, question);
  ctx.query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  router_->match(ctx.method, ctx.path, ctx.match);
  if (ctx.match.route != nullptr && ctx.match.route->options.form_query &&
      is_form(ctx.request[beast_http::field::content_type])) {
    const auto& form = ctx.request.body();
    ctx.form_query.reserve(ctx.query.size() + 1 + form.size());
    ctx.form_query.append(ctx.query);
    if (!ctx.query.empty() && !form.empty()) ctx.form_query.push_back('&');
    ctx.form_query.append(form);
    ctx.query = ctx.form_query;
  }
  for (const auto& observer : observers_) observer->on_start(ctx);
}

boost::asio::awaitable<void> RequestPipeline::handle(RequestContext& ctx) const {
  start(ctx);
  std::size_t ran = 0;
  bool failed = false;
  try {
    while (ran < chain_.size() && !ctx.answered) {
      Middleware& middleware = *chain_[ran++];
      if (middleware.waits(ctx)) {
        co_await middleware.before_async(ctx);
      } else {
        middleware.before(ctx);
      }
    }
    if (!ctx.answered) {
      if (ctx.match.route != nullptr) {
        co_await ctx.match.route->handler(ctx);
      } else if (ctx.method == Method::options && ctx.match.path_template != nullptr) {
        ctx.response.result(beast_http::status::no_content);  // plain OPTIONS: what is allowed
        ctx.response.set(beast_http::field::allow, *ctx.match.allow);
      } else {
        throw routing_error(ctx.match);
      }
    }
  } catch (const ApiError& error) {
    write_error(ctx, error);
  } catch (const std::exception& error) {
    std::optional<ApiError> known;
    for (const auto& translate : translators_) {
      if ((known = translate(error, ctx))) break;
    }
    if (known) {
      write_error(ctx, *known);
    } else {
      failed = true;
      logging::error("API", "UNHANDLED_EXCEPTION", error.what(),
                     {{"request_id", ctx.request_id}, {"endpoint", ctx.route_name()}});
    }
  } catch (...) {
    failed = true;
    logging::error("API", "UNHANDLED_EXCEPTION", "non-standard exception",
                   {{"request_id", ctx.request_id}, {"endpoint", ctx.route_name()}});
  }
  if (failed) write_error(ctx, ApiError::internal());  // never the exception's text
  finish(ctx, ran);
}

void RequestPipeline::reject(RequestContext& ctx, const ApiError& error) const {
  start(ctx);
  std::size_t ran = 0;
  for (; ran < chain_.size(); ++ran) {
    if (!chain_[ran]->runs_on_rejected()) break;
    try {
      chain_[ran]->before(ctx);
    } catch (...) {
      // The request is refused anyway; an id middleware failing must not hide why.
    }
  }
  write_error(ctx, error);
  finish(ctx, ran);
}

void RequestPipeline::finish(RequestContext& ctx, std::size_t middleware_ran) const {
  for (std::size_t i = middleware_ran; i-- > 0;) chain_[i]->after(ctx);
  std::uint64_t streamed_bytes = 0;
  if (ctx.response_stream != nullptr && !ctx.answered && ctx.response.result_int() == 200) {
    // A streamed response's length is the stream's; HEAD sends the length and none of it.
    streamed_bytes = ctx.response_stream->size();
    ctx.response.body().clear();
    if (streamed_bytes == ResponseStream::kUnbounded) {
      streamed_bytes = 0;  // counted as written, not known now
      ctx.response.keep_alive(false);
      if (ctx.response.version() >= 11) ctx.response.chunked(true);
    } else {
      ctx.response.content_length(streamed_bytes);
    }
    if (ctx.method == Method::head) ctx.response_stream.reset();
  } else if (ctx.method == Method::head) {
    ctx.response_stream.reset();
    // HEAD: the headers GET would send, Content-Length included, and no body.
    const auto length = ctx.response.body().size();
    ctx.response.body().clear();
    ctx.response.content_length(length);
  } else {
    // 1xx, 204 and 304 have no body (RFC 9110 6.4.1): one a handler set anyway is dropped,
    // rather than let Beast throw on it.
    const unsigned status = ctx.response.result_int();
    if (status < 200 || status == 204 || status == 304) ctx.response.body().clear();
    ctx.response_stream.reset();  // an error replaced it
    ctx.response.prepare_payload();
  }
  ctx.response_bytes = ctx.response_stream != nullptr ? streamed_bytes : ctx.response.body().size();
  ctx.request_bytes =
      ctx.body_stream != nullptr ? ctx.body_stream->received() : ctx.request.body().size();
  ctx.finished = Clock::now();
  for (const auto& observer : observers_) observer->on_finish(ctx);
}

void write_error(RequestContext& ctx, const ApiError& error) {
  if (ctx.match.route != nullptr && ctx.match.route->options.errors == ErrorStyle::etherscan) {
    write_etherscan_error(ctx, error);
    return;
  }
  boost::json::object body;
  body["code"] = error.code();
  body["message"] = error.what();
  body["request_id"] = ctx.request_id;
  if (!error.details().empty()) body["details"] = error.details();
  // Headers middleware already set (ids, CORS, rate limits) stay; the body is replaced.
  for (const auto& [name, value] : error.headers()) ctx.response.set(name, value);
  ctx.json(error.status(), boost::json::object{{"error", std::move(body)}});
  ctx.error_code = error.code();
  ctx.answered = true;
}

ApiError routing_error(const RouteMatch& match) {
  switch (match.outcome) {
    case RouteMatch::Outcome::found:
      break;
    case RouteMatch::Outcome::method_not_allowed:
      return ApiError::method_not_allowed(*match.allow);
    case RouteMatch::Outcome::invalid_parameter:
      return ApiError::bad_request(
          "invalid_path_parameter",
          "path parameter '" + std::string{match.invalid_name} + "' must be a " +
              std::string{to_string(match.invalid_type)},
          {boost::json::object{{"parameter", match.invalid_name},
                               {"expected", to_string(match.invalid_type)}}});
    case RouteMatch::Outcome::not_found:
      return ApiError::not_found();
  }
  return ApiError::not_found();
}

}  // namespace pend::http
