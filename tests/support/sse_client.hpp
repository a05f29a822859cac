// SseClient: a Server-Sent Events client over a raw connection, reading a chunked stream as it
// arrives: the response head first, then one event at a time (comments skipped, counted).
//
//   SseClient sse(port, "/api/v1/explorer/stream", {{"Last-Event-ID", id}});
//   ASSERT_EQ(sse.status(), 200u);
//   auto event = sse.next(std::chrono::steady_clock::now() + 1s);   // nullopt at the deadline
#pragma once

#include "support/http_client.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pend::test {

struct SseEvent {
  std::string id, type, data;
};

class SseClient {
 public:
  SseClient(std::uint16_t port, const std::string& target,
            const std::vector<std::pair<std::string, std::string>>& headers = {});
  unsigned status() const { return head_.status; }
  const HttpResponse& head() const { return head_; }  // the head; body only for a non-200
  // The next event before the deadline; nullopt at the deadline or when the stream ended.
  std::optional<SseEvent> next(std::chrono::steady_clock::time_point deadline);
  std::size_t comments() const { return comments_; }  // heartbeats and the like, so far
  bool ended() const { return ended_; }               // the last chunk came, or EOF

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);  // more bytes; false: none came
  void decode();                                              // whole chunks of raw_ into decoded_
  RawConnection connection_;
  HttpResponse head_;
  std::string raw_;      // received, not yet decoded from chunks
  std::string decoded_;  // the body so far, not yet parsed into events
  bool ended_ = false;
  std::size_t comments_ = 0;
};

}  // namespace pend::test
