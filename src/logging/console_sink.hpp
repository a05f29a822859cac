// ConsoleSink: entries to a file descriptor (stderr, or the file a test captures), as the
// JSON lines themselves or in the plan's human format:
//
//   2026-11-25 16:46:14.372 [WARN] lost the Redis connection | RequestID: 01a2... |
//   UserID: 7c9e6679... | /api/v1/config | 3ms
//
// coloured (the level) only when the descriptor is a terminal. Control characters in the
// human format are escaped, as the JSON writer escapes them, so no entry can forge a line.
#pragma once

#include "logging/sink.hpp"

#include <string>

namespace pend::logging {

class ConsoleSink final : public Sink {
 public:
  ConsoleSink(int fd, Level level, SinkSpec::Format format);

  void write(const RecordMeta& meta, std::string_view line) override;
  void flush() override;
  std::string_view name() const override { return "console"; }

  // The human form of one JSON entry (no newline); the JSON itself if it does not parse.
  static std::string human(std::string_view line, bool colour);

 private:
  int fd_;
  bool human_;
  bool colour_;
  std::string buffer_;
};

// Writes all of data to fd, retrying on EINTR and short writes. False when it failed.
bool write_fully(int fd, std::string_view data);

}  // namespace pend::logging
