// The shape of a route handler: a coroutine that fills ctx.response (or throws ApiError).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>

namespace pend::http {

struct RequestContext;

using Handler = std::function<boost::asio::awaitable<void>(RequestContext&)>;

}  // namespace pend::http
