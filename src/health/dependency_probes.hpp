// Readiness probes for servers pend-server reaches without a client of its own yet, speaking
// just enough of the protocol to know the server is really there: Redis answers PING (after
// AUTH when the URL has credentials) with +PONG. (PostgreSQL is checked through the pool.)
#pragma once

#include "health/health_registry.hpp"

#include <string>

namespace pend::health {

// url: redis://[[user]:password@]host[:port][/db]
boost::asio::awaitable<CheckResult> probe_redis(std::string url, std::chrono::milliseconds timeout);

}  // namespace pend::health
