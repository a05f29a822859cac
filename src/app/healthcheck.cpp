#include "app/healthcheck.hpp"

#include "external/http_client.hpp"

namespace pend::app {

HealthcheckResult run_healthcheck(const std::string& url, std::chrono::milliseconds timeout) {
  if (!url.starts_with("http://")) return {false, 0, "not an http:// URL: " + url};
  const auto response = external::HttpClient{}.send({.method = "GET", .url = url}, timeout);
  if (response.status == 0) return {false, 0, response.error};
  return {response.status == 200, response.status, response.body};
}

}  // namespace pend::app
