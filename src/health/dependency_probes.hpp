// Readiness probes for the servers pend-server depends on, speaking just enough of each
// protocol to know the server is really there: PostgreSQL answers an SSLRequest with one
// byte; Redis answers PING (after AUTH when the URL has credentials) with +PONG.
#pragma once

#include "health/health_registry.hpp"

#include <string>

namespace pend::health {

// url: postgresql://user[:password]@host[:port]/db[?host=/socket/dir]
boost::asio::awaitable<CheckResult> probe_postgresql(std::string url,
                                                     std::chrono::milliseconds timeout);

// url: redis://[[user]:password@]host[:port][/db]
boost::asio::awaitable<CheckResult> probe_redis(std::string url, std::chrono::milliseconds timeout);

}  // namespace pend::health
