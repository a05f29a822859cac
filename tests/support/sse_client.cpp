#include "support/sse_client.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <stdexcept>

namespace pend::test {

namespace {

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

SseClient::SseClient(std::uint16_t port, const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers)
    : connection_(port) {
  auto all = headers;
  all.emplace_back("Accept", "text/event-stream");
  connection_.send(build_request("GET", target, all));
  // The head, byte by byte up to the blank line (what follows is the stream's).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (raw_.find("\r\n\r\n") == std::string::npos) {
    if (!fill(deadline)) throw std::runtime_error("no response head: " + raw_);
  }
  const auto end = raw_.find("\r\n\r\n");
  const std::string head = raw_.substr(0, end);
  raw_.erase(0, end + 4);
  head_.status = static_cast<unsigned>(std::stoul(head.substr(9, 3)));
  std::size_t at = head.find("\r\n");
  while (at != std::string::npos) {
    const auto next = head.find("\r\n", at + 2);
    const auto line =
        head.substr(at + 2, next == std::string::npos ? std::string::npos : next - at - 2);
    if (const auto colon = line.find(':'); colon != std::string::npos) {
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      head_.headers.insert(line.substr(0, colon), value);
    }
    at = next;
  }
  if (head_.status != 200) {
    // An error answer: its body whole (Content-Length).
    const auto length = std::stoul(std::string{head_.header("Content-Length")});
    while (raw_.size() < length && fill(deadline)) {
    }
    head_.body = raw_;
    ended_ = true;
    return;
  }
  decode();
}

// Reads what the socket has, then decodes whole chunks into decoded_.
bool SseClient::fill(std::chrono::steady_clock::time_point deadline) {
  const auto now = std::chrono::steady_clock::now();
  if (now >= deadline) return false;
  pollfd peer{connection_.fd(), POLLIN, 0};
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
  if (::poll(&peer, 1, static_cast<int>(wait) + 1) <= 0) return false;
  char buffer[16384];
  const auto n = ::recv(connection_.fd(), buffer, sizeof buffer, 0);
  if (n <= 0) {
    ended_ = true;
    return false;
  }
  raw_.append(buffer, static_cast<std::size_t>(n));
  if (head_.status != 0) decode();
  return true;
}

void SseClient::decode() {
  const bool chunked = lower(std::string{head_.header("Transfer-Encoding")}) == "chunked";
  if (!chunked) {
    decoded_ += raw_;
    raw_.clear();
    return;
  }
  while (true) {
    const auto line_end = raw_.find("\r\n");
    if (line_end == std::string::npos) break;
    const std::size_t size = std::stoul(raw_.substr(0, line_end), nullptr, 16);
    if (raw_.size() < line_end + 2 + size + 2) break;
    if (size == 0) {
      ended_ = true;
      raw_.clear();
      break;
    }
    decoded_.append(raw_, line_end + 2, size);
    raw_.erase(0, line_end + 2 + size + 2);
  }
}

std::optional<SseEvent> SseClient::next(std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const auto end = decoded_.find("\n\n");
    if (end != std::string::npos) {
      const std::string block = decoded_.substr(0, end);
      decoded_.erase(0, end + 2);
      SseEvent event;
      bool any = false;
      std::size_t at = 0;
      while (at <= block.size()) {
        const auto line_end = std::min(block.find('\n', at), block.size());
        const std::string line = block.substr(at, line_end - at);
        at = line_end + 1;
        if (line.empty() || line[0] == ':') continue;
        const auto colon = line.find(':');
        const std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (field == "id") event.id = value, any = true;
        if (field == "event") event.type = value, any = true;
        if (field == "data") event.data += value, any = true;
      }
      if (any && !event.type.empty()) return event;
      if (!any && block.starts_with(":")) ++comments_;
      continue;  // a comment or a retry: not an event
    }
    if (ended_ || !fill(deadline)) return std::nullopt;
  }
}

}  // namespace pend::test
