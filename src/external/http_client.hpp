// HttpClient: one outbound HTTP(S) request at a time, for the threads that call other
// services (log shipping to Elasticsearch, the alert webhook; SMS providers later). Each
// request runs on a loop of its own, bounded by the timeout whatever the peer does; https
// verifies the peer's certificate and name against the system's CA store and sends SNI. The
// name lookup is the system resolver's: a lookup the timeout cuts short still holds the
// caller until getaddrinfo gives up (resolv.conf's timeout and attempts). The time a call
// takes can be added to a request's external time (api_metrics.external_api_time_ms).
//
//   HttpClient client;
//   const HttpResponse r = client.send({.method = "POST", .url = hook, .body = json,
//                                       .content_type = "application/json"}, 5s);
//   if (r.ok()) ...
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace pend::external {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // http:// or https://; credentials in it become Basic authentication
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
  unsigned status = 0;  // 0: no answer (see error)
  std::string error;    // why there is no answer: refused, timed out, TLS, bad URL
  std::string body;
  bool ok() const { return status >= 200 && status < 300; }
};

class HttpClient {
 public:
  // ca_file: a PEM file of the certificates https peers are checked against, instead of the
  // system's store (which SSL_CERT_FILE / SSL_CERT_DIR can also point elsewhere).
  HttpClient() = default;
  explicit HttpClient(std::string ca_file) : ca_file_(std::move(ca_file)) {}

  // Never throws for the network's sake: a failure is a response with status 0.
  HttpResponse send(const HttpRequest& request, std::chrono::milliseconds timeout,
                    std::chrono::nanoseconds* elapsed = nullptr) const;

 private:
  std::string ca_file_;
};

}  // namespace pend::external
